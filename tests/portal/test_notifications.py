"""Notices and the e-mail outbox: rendering per language, retries with backoff, leases."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from portal import notifications
from portal.models import Notice, OutboundEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CONTEXT = {
    "reference": "WZ-20261122-0001",
    "title": "小区路灯不亮",
    "clock_kind": "reply",
    "due_at": "2026-11-30T23:59:59.999999+08:00",
    "department": "住房和城乡建设局",
}


def deliver(user, kind="clock_overdue"):
    notifications.notify(deliveries=[(user, kind, CONTEXT, None, None, "/admin/")])


def test_an_email_is_rendered_in_its_recipients_language():
    deliver(UserFactory(username="zhang", language="zh-hans"))
    deliver(UserFactory(username="smith", language="en"))
    assert notifications.outbox_drain() == (2, 2)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    english = by_recipient["smith@example.com"]
    assert english.subject == "[Minsheng] 1 item overdue"
    assert "have passed" in english.body and "WZ-20261122-0001 小区路灯不亮" in english.body
    assert "逾期" in by_recipient["zhang@example.com"].subject
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == 2


def test_notice_text_is_rendered_when_shown():
    user = UserFactory()
    deliver(user)
    notice = Notice.objects.get(recipient=user)
    from django.utils import translation

    with translation.override("en"):
        text = notifications.notice_text(notice)
    assert text.startswith("Overdue: WZ-20261122-0001 小区路灯不亮")
    assert "2026" in text


def test_a_change_that_rolls_back_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        deliver(user)
        raise ValueError("the domain change failed")
    assert callbacks == []
    assert not OutboundEmail.objects.exists() and not Notice.objects.exists()
    assert notifications.outbox_drain() == (0, 0)
    assert mail.outbox == []


@override_settings(EMAIL_BACKEND="tests.email_backends.RefusingBackend", OUTBOX_MAX_ATTEMPTS=3)
def test_failures_are_retried_with_exponential_backoff_then_given_up():
    deliver(UserFactory())
    email = OutboundEmail.objects.get()
    now = timezone.now()
    assert notifications.outbox_drain(now=now) == (1, 0)
    email.refresh_from_db()
    assert email.attempts == 1 and "refused" in email.last_error
    assert timedelta(seconds=50) < email.next_attempt_at - now < timedelta(seconds=70)
    assert notifications.outbox_drain(now=now) == (0, 0)  # not due again yet
    assert notifications.outbox_drain(now=now + timedelta(minutes=2)) == (1, 0)
    email.refresh_from_db()
    assert email.attempts == 2
    assert notifications.outbox_drain(now=now + timedelta(minutes=10)) == (1, 0)
    email.refresh_from_db()
    assert email.attempts == 3 and email.failed_at is not None
    assert notifications.outbox_drain(now=now + timedelta(days=1)) == (0, 0)


def test_a_claimed_email_is_leased_to_one_drain():
    deliver(UserFactory())
    now = timezone.now()
    claimed = notifications._claim(now, 10)
    assert len(claimed) == 1
    assert notifications._claim(now, 10) == []  # another worker finds it leased
    # A worker that died mid-send: after the lease the e-mail is offered again.
    assert len(notifications._claim(now + notifications.SEND_LEASE + timedelta(seconds=1), 10)) == 1


def test_deadline_notices_are_unique_per_clock_stage_and_due_moment():
    from portal import clocks
    from tests.factories import DepartmentFactory

    user = UserFactory()
    clock = clocks.clock_start(subject=DepartmentFactory(), policy="petition.reply.ordinary")
    for _ in range(3):
        notifications.notify(deliveries=[(user, "clock_overdue", CONTEXT, clock, clock.due_at, "")])
    assert Notice.objects.count() == 1 and OutboundEmail.objects.count() == 1
    notifications.notify(deliveries=[(user, "clock_overdue", CONTEXT, clock, clock.due_at + timedelta(days=3), "")])
    assert Notice.objects.count() == 2


def test_mark_read():
    user = UserFactory()
    deliver(user)
    deliver(user, "clock_due_soon")
    assert notifications.notices_mark_read(user=user) == 2
    assert not Notice.objects.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize(
    "backend", ["django.core.mail.backends.locmem.EmailBackend", "tests.email_backends.RefusingBackend"]
)
def test_the_outbox_logs_which_email_never_to_whom(backend, caplog):
    """A sent e-mail is an INFO line, a failed one a WARNING; neither holds the address."""
    deliver(UserFactory(username="zhang"))
    with override_settings(EMAIL_BACKEND=backend), caplog.at_level("DEBUG", logger="portal.notifications"):
        notifications.outbox_drain()
    records = [record for record in caplog.records if record.name == "portal.notifications"]
    assert [record.levelname for record in records] == ["INFO" if "locmem" in backend else "WARNING"]
    assert "emails/clock_overdue" in records[0].getMessage()
    assert "zhang@example.com" not in records[0].getMessage()
