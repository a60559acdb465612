"""petitions.services: clocks and their policies, rating and re-examination, masking,
publication, side effects after commit, files on rollback, and concurrent acceptance."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from petitions import policies, services
from petitions.models import Attachment, Petition, PetitionEvent, Reply
from portal import clocks, notifications
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock, Notice, OutboundEmail
from portal.uploads import check_uploads
from tests.petitions.staffside import build_staffside, open_clock, petition_in, submit

pytestmark = pytest.mark.django_db

S = Petition.State
# A Tuesday morning in a week without holidays (Beijing time).
TUESDAY = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture
def side():
    return build_staffside()


def pdf(name="证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


# --- assignment and the reply policy -------------------------------------------------------------


def test_assign_sets_the_department_on_every_clock_and_the_ordinary_policy(side):
    petition = submit(side)
    services.petition_assign(petition=petition, actor=side.clerk, lead_department=side.lead)
    reply = open_clock(petition)
    acknowledge = open_clock(petition, policies.ACKNOWLEDGE)
    assert reply.department == side.lead and acknowledge.department == side.lead
    assert (reply.policy, reply.amount) == ("petition.reply.ordinary", 7)


@pytest.mark.parametrize(
    ("co", "is_complex", "policy", "days"),
    [
        (False, False, "petition.reply.ordinary", 7),
        (True, False, "petition.reply.complex", 15),
        (False, True, "petition.reply.complex", 15),
        (True, True, "petition.reply.complex", 15),
    ],
)
def test_reply_policy_follows_co_departments_and_complexity(side, co, is_complex, policy, days):
    petition = submit(side)
    services.petition_assign(
        petition=petition,
        actor=side.clerk,
        lead_department=side.lead,
        co_departments=[side.co] if co else [],
        is_complex=is_complex,
    )
    reply = open_clock(petition)
    assert (reply.policy, reply.amount) == (policy, days)
    assert reply.started_at == petition.received_at


def test_reassigning_to_a_single_department_goes_back_to_ordinary(side):
    petition = submit(side)
    services.petition_assign(petition=petition, actor=side.clerk, lead_department=side.lead, co_departments=[side.co])
    complex_due = open_clock(petition).due_at
    services.petition_assign(petition=petition, actor=side.clerk, lead_department=side.other)
    reply = open_clock(petition)
    assert (reply.policy, reply.amount, reply.department) == ("petition.reply.ordinary", 7, side.other)
    assert reply.due_at < complex_due
    assert not petition.co_handlings.exists()


def test_return_keeps_the_clocks_running_from_receipt(side):
    petition = petition_in(side, S.ASSIGNED, co=False)
    started = open_clock(petition).started_at
    services.petition_return(petition=petition, actor=side.staff_lead, reason="不属于本单位职责")
    petition.refresh_from_db()
    assert petition.state == S.RETURNED and petition.return_reason == "不属于本单位职责"
    reply = open_clock(petition)
    assert reply.state == Clock.State.RUNNING and reply.started_at == started == petition.received_at
    services.petition_assign(petition=petition, actor=side.clerk, lead_department=side.other)
    assert open_clock(petition).started_at == started
    assert Notice.objects.filter(recipient=side.clerk, kind="petition_returned").exists()


def test_return_needs_a_reason(side):
    petition = petition_in(side, S.ASSIGNED)
    with pytest.raises(DomainError):
        services.petition_return(petition=petition, actor=side.staff_lead, reason="  ")
    petition.refresh_from_db()
    assert petition.state == S.ASSIGNED


# --- acknowledgement and replies -----------------------------------------------------------------


@pytest.mark.parametrize(("hours", "state"), [(3, Clock.State.MET_ON_TIME), (30, Clock.State.MET_LATE)])
def test_accept_meets_the_acknowledgement(side, hours, state):
    with time_machine.travel(TUESDAY, tick=False):
        petition = petition_in(side, S.ASSIGNED)
        acknowledge = open_clock(petition, policies.ACKNOWLEDGE)
    with time_machine.travel(TUESDAY + timedelta(hours=hours), tick=False):
        services.petition_accept(petition=petition, actor=side.staff_lead)
    acknowledge.refresh_from_db()
    assert acknowledge.state == state
    petition.refresh_from_db()
    assert petition.state == S.ACCEPTED
    event = petition.events.get(action=PetitionEvent.Action.ACCEPTED)
    assert event.public and event.note == services.ACKNOWLEDGEMENT
    assert open_clock(petition).state == Clock.State.RUNNING  # the reply clock keeps running


def test_decline_is_a_reply_and_meets_both_clocks(side):
    petition = petition_in(side, S.ASSIGNED)
    services.petition_decline(petition=petition, actor=side.staff_lead, reason="该事项应通过诉讼途径解决")
    petition.refresh_from_db()
    assert petition.state == S.REPLIED and petition.replied_at
    reply = petition.replies.get()
    assert reply.is_decline and reply.body == "该事项应通过诉讼途径解决"
    assert not Clock.objects.for_subject(petition).open().exists()
    assert set(Clock.objects.for_subject(petition).values_list("state", flat=True)) == {Clock.State.MET_ON_TIME}


@pytest.mark.parametrize(("days", "state"), [(2, Clock.State.MET_ON_TIME), (30, Clock.State.MET_LATE)])
def test_reply_meets_the_reply_clock(side, days, state):
    with time_machine.travel(TUESDAY, tick=False):
        petition = petition_in(side, S.ACCEPTED, co=False)
        reply_clock = open_clock(petition)
    with time_machine.travel(TUESDAY + timedelta(days=days), tick=False):
        services.petition_reply(petition=petition, actor=side.staff_lead, body="已修复。")
    reply_clock.refresh_from_db()
    assert reply_clock.state == state
    petition.refresh_from_db()
    assert petition.state == S.REPLIED


def test_reply_needs_text(side):
    petition = petition_in(side, S.ACCEPTED)
    with pytest.raises(DomainError):
        services.petition_reply(petition=petition, actor=side.staff_lead, body=" ")
    assert not Reply.objects.filter(petition=petition).exists()


# --- rating, re-examination, closing unrated -------------------------------------------------------


def test_unsatisfied_once_reopens_with_a_seven_day_clock_and_twice_closes(side):
    petition = petition_in(side, S.REPLIED)
    services.petition_rate(petition=petition, rating=Petition.Rating.UNSATISFIED, comment="路灯还是不亮")
    petition.refresh_from_db()
    assert petition.state == S.REEXAMINING and petition.reexamined
    clock = open_clock(petition)
    assert (clock.policy, clock.amount, clock.department) == ("petition.reply.reexamine", 7, side.lead)
    assert Notice.objects.filter(recipient=side.staff_lead, kind="petition_reopened").exists()
    services.petition_reply(petition=petition, actor=side.staff_lead, body="已更换灯具。")
    services.petition_rate(petition=petition, rating=Petition.Rating.UNSATISFIED)
    petition.refresh_from_db()
    assert petition.state == S.CLOSED and petition.closure == Petition.Closure.RATED
    assert not Clock.objects.for_subject(petition).open().exists()


def test_rating_window_and_close_unrated_is_idempotent(side):
    with time_machine.travel(TUESDAY, tick=False):
        petition = petition_in(side, S.REPLIED)
        fresh = petition_in(side, S.REPLIED)
    later = TUESDAY + timedelta(days=8)
    with pytest.raises(IllegalTransition):
        services.petition_rate(petition=petition, rating=Petition.Rating.SATISFIED, now=later)
    assert services.petitions_close_unrated(now=TUESDAY + timedelta(days=6)) == 0
    assert services.petitions_close_unrated(now=later) == 2
    assert services.petitions_close_unrated(now=later) == 0
    for ticket in (petition, fresh):
        ticket.refresh_from_db()
        assert ticket.state == S.CLOSED and ticket.closure == Petition.Closure.UNRATED
        assert ticket.events.filter(action=PetitionEvent.Action.CLOSED).count() == 1


# --- extension and urging ------------------------------------------------------------------------


def test_extend_moves_the_due_moment_and_needs_permission(side):
    petition = petition_in(side, S.ACCEPTED)
    before = open_clock(petition).due_at
    with pytest.raises(NotPermitted):
        services.petition_extend(petition=petition, actor=side.staff_lead, days=3, reason="需要现场勘查")
    assert open_clock(petition).due_at == before
    services.petition_extend(petition=petition, actor=side.clerk, days=3, reason="需要现场勘查")
    clock = open_clock(petition)
    assert clock.due_at > before and clock.extension_days == 3
    assert petition.events.filter(action=PetitionEvent.Action.EXTENDED, public=True).exists()


def test_urge_notifies_the_department_and_records_it(side):
    petition = petition_in(side, S.ACCEPTED, co=False)
    services.petition_urge(petition=petition, actor=side.clerk, note="请加快办理")
    assert Notice.objects.filter(recipient=side.staff_lead, kind="clock_urged").exists()
    assert not Notice.objects.filter(recipient=side.staff_other, kind="clock_urged").exists()
    assert open_clock(petition).last_urged_at is not None
    assert petition.events.get(action=PetitionEvent.Action.URGED).note == "请加快办理"
    with pytest.raises(NotPermitted):
        services.petition_urge(petition=petition, actor=side.staff_lead, note="")


# --- masking and publication ---------------------------------------------------------------------

PERSONAL = "我是张三,手机13912345678,身份证110101199003071234,邮箱zhangsan@example.com,请联系我。"


def test_public_text_is_masked(side):
    petition = submit(side, title="张三反映路灯问题", content=PERSONAL)
    for secret in ("13912345678", "110101199003071234", "zhangsan@example.com", "张三"):
        assert secret not in petition.public_content
        assert secret not in petition.public_title
    assert petition.content == PERSONAL  # the original stays as it was


def test_edits_of_the_public_version_are_masked_again(side):
    petition = petition_in(side, S.REPLIED)
    reply = petition.replies.get()
    services.petition_edit_public_version(
        petition=petition,
        actor=side.staff_lead,
        public_title="路灯 13912345678",
        public_content=f"已联系 {PERSONAL}",
        public_replies={reply.pk: "已联系张三 13912345678"},
    )
    petition.refresh_from_db()
    reply.refresh_from_db()
    for text in (petition.public_title, petition.public_content, reply.public_body):
        assert "13912345678" not in text
    assert "张三" not in petition.public_content and "110101199003071234" not in petition.public_content
    with pytest.raises(NotPermitted):
        services.petition_edit_public_version(
            petition=petition, actor=side.staff_other, public_title="x", public_content="y"
        )


def test_published_only_with_consent_and_not_when_withheld(side):
    consenting = petition_in(side, S.REPLIED)
    assert consenting.published_at is not None
    private = petition_in(side, S.REPLIED, publish_consent=False)
    assert private.published_at is None
    services.petition_set_withheld(petition=consenting, actor=side.staff_lead, withheld=True, reason="涉及个人隐私")
    consenting.refresh_from_db()
    assert consenting.publication_withheld and consenting.published_at is None
    assert consenting.events.filter(action=PetitionEvent.Action.WITHHELD).exists()
    with pytest.raises(DomainError):
        services.petition_set_withheld(petition=private, actor=side.staff_lead, withheld=True, reason="")
    services.petition_set_withheld(petition=consenting, actor=side.staff_lead, withheld=False)
    consenting.refresh_from_db()
    assert consenting.published_at is not None


def test_withheld_before_the_reply_is_not_published_by_it(side):
    petition = petition_in(side, S.ACCEPTED)
    services.petition_set_withheld(petition=petition, actor=side.staff_lead, withheld=True, reason="敏感")
    services.petition_reply(petition=petition, actor=side.staff_lead, body="已处理")
    petition.refresh_from_db()
    assert petition.published_at is None


def test_database_refuses_publication_without_consent(side):
    petition = petition_in(side, S.SUBMITTED, publish_consent=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Petition.objects.filter(pk=petition.pk).update(published_at=timezone.now())
    withheld = petition_in(side, S.SUBMITTED)
    Petition.objects.filter(pk=withheld.pk).update(publication_withheld=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Petition.objects.filter(pk=withheld.pk).update(published_at=timezone.now())


# --- side effects only after commit ----------------------------------------------------------------


def test_notices_and_emails_leave_only_after_commit(side, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        petition = submit(side, contact_email="zhang@example.com")
        assert mail.outbox == []
    assert callbacks, "the outbox drain is queued on commit"
    queued = OutboundEmail.objects.filter(to="zhang@example.com", template="emails/petition_receipt")
    assert queued.count() == 1 and queued.get().sent_at is None
    assert Notice.objects.filter(recipient=side.clerk, kind="petition_received").exists()
    notifications.outbox_drain()
    receipts = [m for m in mail.outbox if m.to == ["zhang@example.com"]]
    assert len(receipts) == 1 and petition.reference in receipts[0].body
    assert any(m.to == [side.clerk.email] for m in mail.outbox)  # the clerks' notice e-mail


def test_a_refused_action_queues_nothing(side, django_capture_on_commit_callbacks):
    petition = petition_in(side, S.SUBMITTED, contact_email="zhang@example.com")
    OutboundEmail.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(DomainError):
        services.petition_accept(petition=petition, actor=side.staff_lead)
    assert callbacks == []
    assert not OutboundEmail.objects.exists()


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "petitions"
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def test_a_rolled_back_submission_leaves_no_files_and_no_rows(side, monkeypatch):
    before = _stored_files()

    def fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(clocks, "clock_start", fail)
    with pytest.raises(RuntimeError):
        submit(side, files=check_uploads([pdf()]))
    assert _stored_files() == before
    assert not Petition.objects.exists() and not Attachment.objects.exists()
    assert not PetitionEvent.objects.exists()


def test_a_stored_reply_attachment_is_kept(side):
    petition = petition_in(side, S.ACCEPTED)
    services.petition_reply(petition=petition, actor=side.staff_lead, body="见附件", files=check_uploads([pdf()]))
    attachment = Attachment.objects.get(petition=petition)
    assert attachment.reply is not None and attachment.original_name == "证明.pdf"
    assert Path(attachment.file.path).exists()
    assert not attachment.file.name.endswith("证明.pdf")  # stored under a random name
    attachment.file.delete(save=False)


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_accept_one_wins_the_other_is_refused():
    side = build_staffside()
    petition = petition_in(side, S.ASSIGNED)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def accept():
        try:
            barrier.wait(timeout=10)
            services.petition_accept(petition=Petition.objects.get(pk=petition.pk), actor=side.staff_lead)
            outcomes.append("accepted")
        except Exception as error:  # recorded and asserted below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("accepted") == 1
    refused = [o for o in outcomes if o != "accepted"]
    assert len(refused) == 1 and isinstance(refused[0], IllegalTransition)
    assert Petition.objects.get(pk=petition.pk).state == S.ACCEPTED
    assert PetitionEvent.objects.filter(petition=petition, action=PetitionEvent.Action.ACCEPTED).count() == 1
