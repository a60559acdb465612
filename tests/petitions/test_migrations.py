"""Data migrations: timeline steps written before choices were recorded as data."""

import importlib

import pytest
from django.apps import apps

from petitions.models import PetitionEvent
from tests.factories import DepartmentFactory
from tests.petitions.factories import submitted

pytestmark = pytest.mark.django_db

record_choices = importlib.import_module(
    "petitions.migrations.0004_event_choice_departments_choice_labels"
).record_choices


def test_old_label_notes_become_choices_and_names_become_departments():
    petition, _code = submitted()
    lead, co = DepartmentFactory(name="住房和城乡建设局"), DepartmentFactory(name="城市管理局")
    old = [
        ("received", "网上", None),
        ("received", "Hotline (热线)", None),
        ("rated", "Satisfied (满意)", None),
        ("rated", "不满意", None),
        ("closed", "评价期内未评价", None),
        ("closed", "", None),
        ("assigned", "住房和城乡建设局、城市管理局", lead),
        ("assigned", "住房和城乡建设局、已撤销的局", lead),  # a name no longer found: kept as written
        ("accepted", "您反映的问题已由我单位受理,将尽快给您回复。", lead),
    ]
    events = [
        PetitionEvent.objects.create(petition=petition, action=action, note=note, department=department, public=True)
        for action, note, department in old
    ]
    PetitionEvent.objects.filter(pk__in=[event.pk for event in events if event.action == "received"]).update(choice="")
    record_choices(apps, None)
    rows = [PetitionEvent.objects.get(pk=event.pk) for event in events]
    assert [(row.choice, row.note) for row in rows[:6]] == [
        ("online", ""),
        ("hotline", ""),
        ("satisfied", ""),
        ("unsatisfied", ""),
        ("unrated", ""),
        ("rated", ""),
    ]
    assert rows[6].note == "" and set(rows[6].departments.all()) == {lead, co}
    assert rows[6].assigned_departments == [lead, co]
    assert rows[7].note == "住房和城乡建设局、已撤销的局" and not rows[7].departments.exists()
    assert rows[8].note == "您反映的问题已由我单位受理，将尽快给您回复。"
