"""The problem ledger (问题台账): every ticket in one table, filtered, paged and exported.

Reads only. The ledger never selects a contact field (name, mobile, e-mail, address) nor the
ticket's content: `LEDGER_FIELDS` is the whole list of columns read, and the title is masked
(portal.masking) before it is shown or exported, because citizens write phone numbers anywhere.

Cost: the page reads `PAGE_SIZE + 1` rows (no COUNT over the table) and the exports iterate a
server-side cursor in chunks of `CHUNK_SIZE`; the deadlines and co-handling departments of the
rows are fetched with one query per chunk each, so the number of queries grows with the rows
only by two per 2,000 and memory not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import policies
from petitions.models import CoHandling, Petition
from portal import deadlines
from portal.masking import mask_personal_data
from portal.models import Clock, ClockQuerySet
from portal.scoping import scope_queryset

PAGE_SIZE = 50
CHUNK_SIZE = 2000
DEPARTMENT_PATHS = ("lead_department", "co_departments")

# The only columns the ledger reads. No contact fields and no content, on purpose: see above.
# contact_name is read only to mask it out of the title, never shown.
LEDGER_FIELDS = (
    "id",
    "reference",
    "title",
    "contact_name",
    "kind",
    "channel",
    "state",
    "closure",
    "lead_department__name",
    "category__name",
    "received_at",
    "assigned_at",
    "accepted_at",
    "replied_at",
    "closed_at",
)


@dataclass(frozen=True)
class LedgerFilter:
    state: str = ""
    department: int | None = None
    kind: str = ""
    channel: str = ""
    category: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    overdue_only: bool = False


def may_view_ledger(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm("petitions.view_ledger"))


def _reply_clocks() -> QuerySet[Clock]:
    return Clock.objects.filter(content_type=ContentType.objects.get_for_model(Petition), kind=policies.REPLY)


def ledger_petitions(*, user, filters: LedgerFilter, now: datetime) -> QuerySet:
    """The tickets `user` may see in the ledger, filtered, newest first, as dicts of LEDGER_FIELDS."""
    queryset = scope_queryset(Petition.objects.all(), user, DEPARTMENT_PATHS)
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.department:
        queryset = queryset.filter(lead_department_id=filters.department)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.received_from:
        queryset = queryset.filter(received_at__gte=_midnight(filters.received_from))
    if filters.received_to:
        queryset = queryset.filter(received_at__lte=deadlines.end_of_day(filters.received_to))
    if filters.overdue_only:
        overdue = _reply_clocks().filter(ClockQuerySet.overdue_condition(now), object_id=OuterRef("pk"))
        queryset = queryset.filter(Exists(overdue))
    return queryset.order_by("-received_at", "-id").values(*LEDGER_FIELDS)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=deadlines.LOCAL_TZ)


def _reply_clock_by_petition(petition_ids: list[int]) -> dict[int, dict]:
    """{petition id: its open reply clock, else its last one} in one query."""
    chosen: dict[int, dict] = {}
    rows = (
        _reply_clocks()
        .filter(object_id__in=petition_ids)
        .order_by("object_id", "started_at", "pk")
        .values("object_id", "state", "due_at", "met_at")
    )
    for clock in rows:
        current = chosen.get(clock["object_id"])
        if current is None or current["state"] not in Clock.OPEN_STATES:
            chosen[clock["object_id"]] = clock
    return chosen


def _co_departments_by_petition(petition_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = (
        CoHandling.objects.filter(petition_id__in=petition_ids)
        .order_by("petition_id", "department__name")
        .values_list("petition_id", "department__name")
    )
    for petition_id, name in rows:
        names.setdefault(petition_id, []).append(name)
    return names


def days_overdue(clock: dict | None, now: datetime, calendar=None) -> int | None:
    """Working days past due: an open clock up to now, a clock met late up to its meeting."""
    if clock is None:
        return None
    if ClockQuerySet.is_overdue(state=clock["state"], due_at=clock["due_at"], now=now):
        return deadlines.working_days_between(clock["due_at"], now, calendar)
    if clock["state"] == Clock.State.MET_LATE and clock["met_at"]:
        return deadlines.working_days_between(clock["due_at"], clock["met_at"], calendar)
    return None


@dataclass
class LedgerRow:
    id: int
    reference: str
    title: str
    department: str
    co_departments: str
    kind: str
    channel: str
    category: str
    state: str
    state_code: str
    received_at: datetime
    assigned_at: datetime | None
    accepted_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reply_due_at: datetime | None
    reply_state: str
    days_overdue: int | None
    # The reply deadline is overdue now (ClockQuerySet's definition), even if less than a working
    # day past due (days_overdue 0).
    is_overdue: bool = False

    @property
    def was_late(self) -> bool:
        return self.reply_state == Clock.State.MET_LATE


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def ledger_rows(petitions: Iterable[dict], *, now: datetime, calendar=None) -> list[LedgerRow]:
    """One chunk of ledger rows: two queries (reply clocks, co-handling departments)."""
    petitions = list(petitions)
    ids = [p["id"] for p in petitions]
    clocks = _reply_clock_by_petition(ids) if ids else {}
    co_departments = _co_departments_by_petition(ids) if ids else {}
    calendar = calendar or deadlines.default_calendar()
    kinds, channels, states = (
        _labels(Petition.Kind.choices),
        _labels(Petition.Channel.choices),
        _labels(Petition.State.choices),
    )
    rows = []
    for petition in petitions:
        clock = clocks.get(petition["id"])
        rows.append(
            LedgerRow(
                id=petition["id"],
                reference=petition["reference"],
                title=mask_personal_data(petition["title"], names=[petition["contact_name"]]),
                department=petition["lead_department__name"] or "",
                co_departments="、".join(co_departments.get(petition["id"], [])),
                kind=kinds.get(petition["kind"], petition["kind"]),
                channel=channels.get(petition["channel"], petition["channel"]),
                category=petition["category__name"] or "",
                state=states.get(petition["state"], petition["state"]),
                state_code=petition["state"],
                received_at=petition["received_at"],
                assigned_at=petition["assigned_at"],
                accepted_at=petition["accepted_at"],
                replied_at=petition["replied_at"],
                closed_at=petition["closed_at"],
                reply_due_at=clock["due_at"] if clock else None,
                reply_state=clock["state"] if clock else "",
                days_overdue=days_overdue(clock, now, calendar),
                is_overdue=clock is not None
                and ClockQuerySet.is_overdue(state=clock["state"], due_at=clock["due_at"], now=now),
            )
        )
    return rows


def ledger_page(queryset: QuerySet, *, page: int, now: datetime) -> tuple[list[LedgerRow], bool]:
    """Rows of page `page` (1-based) and whether there is a next page, without a COUNT."""
    offset = (max(page, 1) - 1) * PAGE_SIZE
    petitions = list(queryset[offset : offset + PAGE_SIZE + 1])
    return ledger_rows(petitions[:PAGE_SIZE], now=now), len(petitions) > PAGE_SIZE


def ledger_iter(queryset: QuerySet, *, now: datetime) -> Iterator[LedgerRow]:
    """Every row of the filtered ledger, chunk by chunk (server-side cursor; constant memory)."""
    calendar = deadlines.default_calendar()
    chunk: list[dict] = []
    for petition in queryset.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(petition)
        if len(chunk) == CHUNK_SIZE:
            yield from ledger_rows(chunk, now=now, calendar=calendar)
            chunk = []
    if chunk:
        yield from ledger_rows(chunk, now=now, calendar=calendar)


# --- exports ------------------------------------------------------------------------------------


def export_header() -> list[str]:
    return [
        _("Tracking number"),
        _("Title"),
        _("Lead department"),
        _("Co-handling departments"),
        _("Kind"),
        _("Channel"),
        _("Category"),
        _("Received"),
        _("Assigned"),
        _("Accepted"),
        _("Replied"),
        _("Closed"),
        _("Reply due"),
        _("State"),
        _("Working days overdue"),
    ]


def _local(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(pattern) if moment else ""


def export_values(row: LedgerRow) -> list:
    return [
        row.reference,
        row.title,
        row.department,
        row.co_departments,
        row.kind,
        row.channel,
        row.category,
        _local(row.received_at),
        _local(row.assigned_at),
        _local(row.accepted_at),
        _local(row.replied_at),
        _local(row.closed_at),
        _local(row.reply_due_at, "%Y-%m-%d"),
        row.state,
        row.days_overdue if row.days_overdue is not None else "",
    ]


def export_rows(queryset: QuerySet, *, now: datetime) -> Iterator[list]:
    """The header, then every row of the filtered ledger, for portal.exports (which guards the
    text against formulas and control characters; read lazily, as the file is sent)."""
    yield export_header()
    for row in ledger_iter(queryset, now=now):
        yield export_values(row)
