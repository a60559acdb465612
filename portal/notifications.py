"""In-app notices and the e-mail outbox: services, selectors and rendering.

Every notice and e-mail is written in the caller's transaction; e-mails are sent by the
`portal.drain_outbox` task, queued with `transaction.on_commit`, so a rolled-back change
notifies nobody. Messages are rendered in the reader's language when shown or sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage as DjangoEmail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal import registry, roles, subjects
from portal.models import Clock, Membership, Notice, OutboundEmail

logger = logging.getLogger(__name__)

# How long a claimed e-mail is held by the worker sending it before another may retry it.
SEND_LEASE = timedelta(minutes=5)
DRAIN_BATCH = 100


@dataclass(frozen=True)
class NoticeKind:
    title: Promise
    # "" for an in-app notice only: e.g. a citizen's, whose e-mail goes to the contact address
    # given with the ticket, not to the account's.
    email_template: str = ""


NOTICE_KINDS: dict[str, NoticeKind] = {
    "clock_due_soon": NoticeKind(
        _("Due soon: %(reference)s %(title)s — %(clock)s due %(due)s"), "emails/clock_due_soon"
    ),
    "clock_overdue": NoticeKind(
        _("Overdue: %(reference)s %(title)s — %(clock)s was due %(due)s"), "emails/clock_overdue"
    ),
    "clock_escalated": NoticeKind(
        _("Escalated, overdue at %(department)s: %(reference)s %(title)s — %(clock)s was due %(due)s"),
        "emails/clock_escalated",
    ),
    "clock_urged": NoticeKind(
        _("Urged (催办) by the office: %(reference)s %(title)s — %(clock)s due %(due)s. %(note)s"),
        "emails/clock_urged",
    ),
}


def register_notice_kind(kind: str, *, title: Promise, email_template: str = "") -> None:
    """Domain apps add their own kinds (e.g. 'petition_assigned') from their AppConfig.ready;
    a kind without an e-mail template makes in-app notices only."""
    NOTICE_KINDS[kind] = NoticeKind(title, email_template)


# --- recipients ------------------------------------------------------------------------------


def department_staff(department_ids: Iterable[int]) -> dict[int, list]:
    """{department id: [active users working there]} in one query."""
    found: dict[int, list] = {}
    for membership in Membership.objects.filter(
        department_id__in=set(department_ids), user__is_active=True
    ).select_related("user"):
        found.setdefault(membership.department_id, []).append(membership.user)
    return found


def office_clerks() -> list:
    User = get_user_model()
    return list(User.objects.filter(is_active=True, groups__name=roles.OFFICE_CLERK).distinct())


# --- rendering -------------------------------------------------------------------------------


def _format_context(context: dict) -> dict:
    """Turn stored context values into display text in the active language."""
    shown = dict(context)
    if context.get("due_at"):
        due = timezone.localtime(parse_datetime(context["due_at"]))
        shown["due"] = date_format(due, "DATETIME_FORMAT")
    else:
        shown.setdefault("due", "")
    if context.get("clock_kind"):
        shown["clock"] = registry.kind_label(context["clock_kind"])
    else:
        shown.setdefault("clock", "")
    for key in ("reference", "title", "department", "note"):
        shown.setdefault(key, "")
    return shown


def clock_context(clock: Clock, subject=None, due_at: datetime | None = None) -> dict:
    """What a message about `clock` says: its subject's reference and title (as the subject's
    adapter tells them, portal.subjects), kind, due moment, department and admin page."""
    shown = subjects.describe(clock, subject)
    return {
        "reference": shown.reference,
        "title": shown.title,
        "clock_kind": clock.kind,
        "area": clock.area,
        "due_at": (due_at or clock.due_at).isoformat(),
        "department": clock.department.name if clock.department_id else "",
        "url": shown.admin_url,
    }


def notice_text(notice: Notice, subject=None) -> str:
    """The notice in the reader's language. Deadline notices are rendered from their clock as it
    is now (the due moment concerned is the one recorded); pass `subject` to save a query."""
    return _notice_text(notice, _clock_context(notice, subject))


def _clock_context(notice: Notice, subject=None) -> dict:
    if not notice.clock_id:
        return {}
    if subject is None:
        subject = subjects.subject_for(notice.clock)
    return clock_context(notice.clock, subject, notice.clock_due_at)


def _notice_text(notice: Notice, clock_context: dict) -> str:
    kind = NOTICE_KINDS.get(notice.kind)
    if kind is None:
        return notice.kind
    return str(kind.title) % _format_context(clock_context | notice.context)


def notice_url(notice: Notice, subject=None) -> str:
    if notice.url:
        return notice.url
    return _clock_context(notice, subject).get("url", "")


def render_email(row: OutboundEmail) -> tuple[str, str]:
    with translation.override(row.language):
        context = _format_context(row.context) | {"site_url": settings.SITE_URL}
        if "items" in row.context:  # a digest: several clocks of one stage
            context["items"] = [_format_context(item) for item in row.context["items"]]
            context["count"] = len(row.context["items"]) + row.context.get("more", 0)
        subject = render_to_string(f"{row.template}_subject.txt", context).strip()
        body = render_to_string(f"{row.template}.txt", context)
    return " ".join(subject.split()), body


# --- services --------------------------------------------------------------------------------


def _queue_drain() -> None:
    from portal.tasks import drain_outbox

    transaction.on_commit(drain_outbox.delay)


def email_enqueue(
    *, to: str, template: str, context: dict, language: str | None = None, dedupe_key: str | None = None
) -> None:
    """Queue one e-mail in the current transaction; it is sent after commit."""
    OutboundEmail.objects.bulk_create(
        [
            OutboundEmail(
                to=to,
                template=template,
                context=context,
                language=language or settings.LANGUAGE_CODE,
                dedupe_key=dedupe_key,
                next_attempt_at=timezone.now(),
            )
        ],
        ignore_conflicts=dedupe_key is not None,
    )
    _queue_drain()


def emails_enqueue(messages: Iterable[tuple[str, str, dict, str]]) -> int:
    """Queue many e-mails, (to, template, context, language) each, in the current transaction."""
    now = timezone.now()
    rows = [
        OutboundEmail(to=to, template=template, context=context, language=language, next_attempt_at=now)
        for to, template, context, language in messages
    ]
    if rows:
        OutboundEmail.objects.bulk_create(rows, batch_size=1000)
        _queue_drain()
    return len(rows)


class Delivery(NamedTuple):
    """One notice to write: to whom, of which kind, with what context, about which clock at
    which due moment (deadline notices; None otherwise), linking to `url`."""

    user: object
    kind: str
    context: dict
    clock: Clock | None = None
    clock_due_at: datetime | None = None
    url: str = ""


def notify(*, deliveries: Iterable[Delivery]) -> int:
    """Write notices (and their e-mails) for `Delivery` rows (plain 6-tuples in that order work too).

    A deadline notice is unique per (recipient, clock, kind, due moment): repeating a delivery
    writes nothing, so callers may retry freely. Returns how many rows were offered.
    """
    notices, emails = [], []
    now = timezone.now()
    for user, kind, context, clock, clock_due_at, url in deliveries:
        notices.append(
            Notice(recipient=user, kind=kind, clock=clock, clock_due_at=clock_due_at, context=context, url=url)
        )
        if user.email and NOTICE_KINDS[kind].email_template:
            key = None
            if clock is not None:
                key = f"{kind}:{clock.pk}:{clock_due_at.timestamp() if clock_due_at else ''}:{user.pk}"
            emails.append(
                OutboundEmail(
                    to=user.email,
                    template=NOTICE_KINDS[kind].email_template,
                    # Every notice e-mail lists items, one here, several in a sweep's digest.
                    context={"items": [context | {"url": url}], "more": 0, "note": context.get("note", "")},
                    language=user.language,
                    dedupe_key=key,
                    next_attempt_at=now,
                )
            )
    Notice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=1000)
    if emails:
        OutboundEmail.objects.bulk_create(emails, ignore_conflicts=True, batch_size=1000)
        _queue_drain()
    return len(notices)


def notices_for_user(*, user):
    return Notice.objects.filter(recipient=user).select_related("clock__department").order_by("-created_at", "-id")


def notices_rendered(notices: Iterable[Notice]) -> list[tuple[Notice, str, str]]:
    """(notice, text, link) for a page of notices: subjects fetched one query per type."""
    notices = list(notices)
    found = subjects.attach_subjects(notice.clock for notice in notices if notice.clock_id)
    rendered = []
    for notice in notices:
        context = {}
        if notice.clock_id:
            subject = found.get((notice.clock.content_type_id, notice.clock.object_id))
            context = clock_context(notice.clock, subject, notice.clock_due_at)
        rendered.append((notice, _notice_text(notice, context), notice.url or context.get("url", "")))
    return rendered


def notices_mark_read(*, user, notice_ids: Iterable[int] | None = None) -> int:
    unread = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(id__in=list(notice_ids))
    return unread.update(read_at=timezone.now())


def _claim(now: datetime, limit: int) -> list[OutboundEmail]:
    """Lease up to `limit` due e-mails to this worker; safe with several drains at once."""
    with transaction.atomic():
        rows = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        if rows:
            OutboundEmail.objects.filter(id__in=[row.id for row in rows]).update(next_attempt_at=now + SEND_LEASE)
    return rows


def outbox_drain(*, now: datetime | None = None, limit: int = DRAIN_BATCH) -> tuple[int, int]:
    """Send the due e-mails. Returns (claimed, sent).

    A failure is retried with exponential backoff (1, 2, 4, ... minutes) until
    OUTBOX_MAX_ATTEMPTS, then given up and kept for the admin to see.
    """
    now = now or timezone.now()
    rows = _claim(now, limit)
    sent = 0
    for row in rows:
        attempts = row.attempts + 1
        try:
            subject, body = render_email(row)
            DjangoEmail(subject=subject, body=body, to=[row.to]).send()
        except Exception as error:  # the SMTP server's failures are many; each is retried
            # The log says which row, never to whom: the address, and the server's message that may
            # quote it, stay in the outbox row (last_error) for the admin.
            logger.warning(
                "e-mail %s (%s) failed (attempt %s): %s", row.pk, row.template, attempts, type(error).__name__
            )
            changes = {"attempts": attempts, "last_error": str(error)[:2000]}
            if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                changes["failed_at"] = timezone.now()
            else:
                changes["next_attempt_at"] = timezone.now() + timedelta(minutes=2 ** (attempts - 1))
            OutboundEmail.objects.filter(pk=row.pk).update(**changes)
            continue
        OutboundEmail.objects.filter(pk=row.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=attempts, subject=subject[:255], last_error=""
        )
        logger.info("e-mail %s sent (%s)", row.pk, row.template)
        sent += 1
    return len(rows), sent


def notify_departments(*, department_ids: Iterable[int], kind: str, context: dict, url: str = "") -> int:
    """A notice of `kind` to the active staff of each department (one per department a member
    works in), linking to `url`; e-mails follow the kind's template, after commit."""
    staff = department_staff(department_ids)
    return notify(
        deliveries=[
            Delivery(user, kind, context, url=url)
            for users in staff.values()
            for user in {u.pk: u for u in users}.values()
        ]
    )


def notify_office_clerks(*, kind: str, context: dict, url: str = "") -> int:
    """A notice of `kind` to every active clerk of the office, linking to `url`."""
    return notify(deliveries=[Delivery(user, kind, context, url=url) for user in office_clerks()])
