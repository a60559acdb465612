"""The department side in the admin (ForwardingAdmin): each department sees only what was forwarded
to it, answers and records measures on action pages (permission first, refusals on the form, no
500 on bad input), downloads the analysis report; the office forwards from the suggestion list."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suggestions.admin.forwarding import FORWARD_SESSION_KEY
from suggestions.models import Forwarding, ForwardingBatch, Measure, Outcome, Suggestion
from tests.suggestions.forwarding import PDF, build_side

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 10, tzinfo=SH)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def side():
    return build_side()


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def change_url(forwarding) -> str:
    return reverse("admin:suggestions_forwarding_change", args=[forwarding.pk])


def forwarded(side):
    suggestion = side.suggestion()
    side.forward(suggestion, lead=side.housing, others=[side.transport])
    return suggestion, Forwarding.objects.get(suggestion=suggestion, department=side.housing)


def test_each_department_sees_its_own_forwardings_and_the_office_all(english, side):
    suggestion, housing = forwarded(side)
    transport = Forwarding.objects.get(suggestion=suggestion, department=side.transport)
    english.force_login(side.staff_housing)
    listing = english.get(reverse("admin:suggestions_forwarding_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [housing]
    page = english.get(change_url(housing))
    html = page.content.decode()
    assert page.status_code == 200
    assert suggestion.number in html and suggestion.problem in html
    assert "建言分析报告.pdf" in html and side.transport.name in html  # the report; the other department beside
    assert suggestion.contact_email not in html and suggestion.contact_name not in html  # no contacts
    assert reverse("admin:suggestions_forwarding_answer", args=[housing.pk]) in html
    assert english.get(change_url(transport)).status_code == 403
    english.force_login(side.staff_education)
    assert list(english.get(reverse("admin:suggestions_forwarding_changelist")).context["cl"].queryset) == []
    english.force_login(side.clerk)
    assert set(english.get(reverse("admin:suggestions_forwarding_changelist")).context["cl"].queryset) == {
        housing,
        transport,
    }
    # The office sees the page but answers for no department.
    assert (
        reverse("admin:suggestions_forwarding_answer", args=[housing.pk])
        not in english.get(change_url(housing)).content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [
        "answer=awaiting",
        "answer=studying",
        "answer=answered",
        "overdue=yes",
        "due_soon=yes",
        "milestone=overdue",
        "batch=1",
        "batch=abc",
        "campaign=99999999999999999999",
        "q=JY2026",
        "q=公交",
        "is_lead__exact=1",
    ],
)
def test_the_list_filters_and_search_never_fail(english, side, query):
    forwarded(side)
    english.force_login(side.clerk)
    response = english.get(reverse("admin:suggestions_forwarding_changelist") + "?" + query)
    assert response.status_code == 200


def test_answering_on_the_action_page(english, side):
    _suggestion, housing = forwarded(side)
    url = reverse("admin:suggestions_forwarding_answer", args=[housing.pk])
    english.force_login(side.staff_transport)
    assert english.get(url).status_code == 403  # another department's forwarding
    english.force_login(side.staff_housing)
    assert english.get(url).status_code == 200
    refused = english.post(url, {"outcome": Outcome.NOT_ADOPTED, "answer": " "})
    assert refused.status_code == 200 and "解释说明" in refused.content.decode()
    assert english.post(url, {"outcome": "nonsense", "answer": "x"}).status_code == 200
    done = english.post(url, {"outcome": Outcome.ADOPTED, "answer": "予以采纳。"})
    assert done.status_code == 302 and done.url == change_url(housing)
    housing.refresh_from_db()
    assert (housing.outcome, housing.answered_by) == (Outcome.ADOPTED, side.staff_housing)
    assert english.get(url).status_code == 403  # a final answer is not given twice


def test_measures_on_their_pages(english, side):
    _suggestion, housing = forwarded(side)
    english.force_login(side.staff_housing)
    measure_url = reverse("admin:suggestions_forwarding_measure", args=[housing.pk])
    assert english.get(measure_url).status_code == 403  # not answered yet: nothing to record
    english.post(
        reverse("admin:suggestions_forwarding_answer", args=[housing.pk]),
        {"outcome": Outcome.PARTLY, "answer": "部分采纳。"},
    )
    assert english.get(measure_url).status_code == 200
    bad = english.post(measure_url, {"description_text": "增设站点", "planned_on": "2026-13-45"})
    assert bad.status_code == 200 and not Measure.objects.exists()
    past = english.post(measure_url, {"description_text": "增设站点", "planned_on": "2026-10-01"})
    assert past.status_code == 200 and not Measure.objects.exists()
    response = english.post(measure_url, {"description_text": "增设站点", "planned_on": "2026-11-30", "note": ""})
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert measure.planned_on == date(2026, 11, 30)
    page = english.get(change_url(housing)).content.decode()
    done_url = reverse("admin:suggestions_forwarding_measure_done", args=[housing.pk, measure.pk])
    assert "增设站点" in page and done_url in page
    assert english.get(done_url).status_code == 200
    assert english.post(done_url, {"done_on": "2026-11-03"}).status_code == 200  # in the future: refused
    done = english.post(done_url, {"done_on": "2026-11-02", "note": "已完成"})
    assert done.status_code == 302 and done.url == change_url(housing)
    measure.refresh_from_db()
    assert measure.done_on == date(2026, 11, 2)
    assert english.get(done_url).status_code == 403  # done already
    missing = reverse("admin:suggestions_forwarding_measure_done", args=[housing.pk, 99999])
    assert english.get(missing).status_code == 404


def test_the_report_goes_to_those_who_see_the_forwarding_only(english, side):
    _suggestion, housing = forwarded(side)
    url = reverse("admin:suggestions_forwarding_report", args=[housing.pk])
    english.force_login(side.staff_housing)
    response = english.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    english.force_login(side.staff_education)
    assert english.get(url).status_code == 403
    english.logout()
    assert english.get(url).status_code == 302  # to the login page


def test_bad_ids_are_not_found_not_errors(english, side):
    english.force_login(side.staff_housing)
    for name in ("answer", "measure", "report"):
        assert english.get(reverse(f"admin:suggestions_forwarding_{name}", args=["abc"])).status_code == 404
        assert english.get(reverse(f"admin:suggestions_forwarding_{name}", args=["999999"])).status_code == 404


# --- the office's forwarding -----------------------------------------------------------------------


def test_the_office_forwards_from_the_suggestion_list_with_the_report(english, side):
    first, second = side.suggestion(), side.suggestion()
    english.force_login(side.clerk)
    chosen = english.post(
        reverse("admin:suggestions_suggestion_changelist"),
        {"action": "forward_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert chosen.status_code == 302 and chosen.url == reverse("admin:suggestions_forwarding_forward")
    page = english.get(chosen.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert first.number in html and second.number in html and 'enctype="multipart/form-data"' in html
    refused = english.post(
        chosen.url,
        {
            "departments": [side.housing.pk, side.transport.pk],
            "lead": side.housing.pk,
            "report": SimpleUploadedFile("报告.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        },
    )
    assert refused.status_code == 200 and not ForwardingBatch.objects.exists()
    done = english.post(
        chosen.url,
        {
            "departments": [side.transport.pk],
            "lead": side.housing.pk,  # added to the departments
            "report": SimpleUploadedFile("分析报告.pdf", PDF),
            "note": "请研究答复",
        },
    )
    batch = ForwardingBatch.objects.get()
    assert done.status_code == 302 and done.url.endswith(f"?batch={batch.pk}")
    assert set(Suggestion.objects.values_list("state", flat=True)) == {Suggestion.State.FORWARDED}
    assert Forwarding.objects.filter(batch=batch).count() == 4
    assert Forwarding.objects.filter(batch=batch, is_lead=True, department=side.housing).count() == 2
    assert FORWARD_SESSION_KEY not in english.session
    assert english.get(done.url).status_code == 200


def test_only_the_office_opens_the_forwarding_page(english, side):
    english.force_login(side.staff_housing)
    assert english.get(reverse("admin:suggestions_forwarding_forward")).status_code == 403
    english.force_login(side.clerk)
    empty = english.get(reverse("admin:suggestions_forwarding_forward"))
    assert empty.status_code == 302  # nothing chosen: back to the list


def test_the_list_costs_the_same_queries_for_two_forwardings_or_ten(english, side):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    forwarded(side)
    english.force_login(side.clerk)
    url = reverse("admin:suggestions_forwarding_changelist")
    english.get(url)  # warm the content types
    with CaptureQueriesContext(connection) as few:
        english.get(url)
    for _ in range(4):
        forwarded(side)
    with CaptureQueriesContext(connection) as many:
        response = english.get(url)
    assert response.context["cl"].result_count == 10
    assert len(many) <= len(few)
