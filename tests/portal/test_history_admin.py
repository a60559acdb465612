"""History pages are read-only everywhere: simple-history's revert-on-POST is refused for every model."""

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from portal import clocks
from portal.history_admin import HistoryAdmin
from portal.models import Clock
from tests.factories import DepartmentFactory, UserFactory, staff_of


def test_every_admin_with_history_uses_the_guarded_base():
    unguarded = [
        f"{model._meta.label}: {type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin) and not isinstance(model_admin, HistoryAdmin)
    ]
    assert unguarded == [], "use portal.history_admin.HistoryAdmin instead of SimpleHistoryAdmin"


@pytest.mark.django_db
def test_a_clock_extension_cannot_be_rolled_back_from_its_history(client, settings):
    department = DepartmentFactory()
    clock = clocks.clock_start(subject=department, policy="petition.reply.ordinary", department=department)
    first = clock.history.earliest().history_id
    clocks.clock_extend(clock=clock, days=3, reason="复杂情况")
    url = reverse("admin:portal_clock_simple_history", args=[clock.pk, first])
    for user in (staff_of(department), UserFactory(username="root", is_staff=True, is_superuser=True)):
        client.force_login(user)
        assert client.get(url).status_code == 200
        assert client.post(url, {}).status_code == 403
    clock.refresh_from_db()
    assert clock.extension_days == 3
    assert Clock.history.filter(id=clock.pk).count() == 2
