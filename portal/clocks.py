"""The one deadline engine: clock services, the sweep, and explanations.

Every operation takes the clock's row lock, checks the state, recomputes `due_at` from the
policy through portal.deadlines, and saves with a history row naming who and why. The sweep is
set-based: one `UPDATE … RETURNING` claims the newly overdue clocks and another the due-soon
ones, so overlapping sweeps never notify twice, and a sweep after an outage catches up.

Three units: calendar hours and working days count the policy's amount from the start; a clock
"by date" (a milestone) is due at the end of a date given when it starts (`clock_start(...,
due_on=date)`), kept as `amount` calendar days after the start's local date so that it is
recomputed like the others. Its extensions and pauses are working days counted on from that
date. The sweep, the board and the notices treat it as they treat a working-day clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import deadlines, notifications, registry, roles, subjects
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock, ClockQuerySet, SweepRun
from portal.policies import Policy, get_policy

State = Clock.State
SWEEP_HISTORY_DAYS = 7


# --- computing due moments ---------------------------------------------------------------------


def fixed_day(clock: Clock) -> date:
    """The date a clock by date is due at the end of (before extensions and pauses)."""
    return deadlines.local_date(clock.started_at) + timedelta(days=clock.amount)


def _count(clock: Clock, calendar: deadlines.WorkCalendar | None = None) -> deadlines.WorkingDayCount:
    """The working days a working-day clock or a clock by date counts, up to its due day."""
    added = clock.extension_days + clock.paused_days
    if clock.unit == Clock.Unit.DATE:
        day = fixed_day(clock)
        if not added:  # the date itself, whatever the calendar says of it
            return deadlines.WorkingDayCount(start=day, due_day=day)
        return deadlines.count_working_days(day, added, calendar)
    return deadlines.count_working_days(clock.started_at, clock.amount + added, calendar)


def _compute(clock: Clock, calendar: deadlines.WorkCalendar | None = None) -> tuple[datetime, bool]:
    if clock.unit == Clock.Unit.HOURS:
        return deadlines.due_after_hours(clock.started_at, clock.amount), False
    counted = _count(clock, calendar)
    return counted.due_at, counted.provisional


def _days_until(due_on: date | None, started_at: datetime, rule: Policy) -> int:
    """A clock by date keeps its date as calendar days after the start's local date."""
    if not rule.by_date:
        if due_on is not None:
            raise ValueError(f"The policy {rule.code} counts {rule.unit}; only a policy by date takes due_on.")
        return rule.amount
    if due_on is None:
        raise ValueError(f"The policy {rule.code} is by date: clock_start needs due_on.")
    days = (due_on - deadlines.local_date(started_at)).days
    if days < 0:
        raise DomainError(_("A deadline by date cannot be due before the day it starts."))
    return days


def _reschedule(clock: Clock, now: datetime, calendar=None) -> bool:
    """Recompute due; a moved due moment re-arms its notices. Returns whether it moved."""
    due_at, clock.provisional = _compute(clock, calendar)
    if due_at == clock.due_at:
        return False
    clock.due_at = due_at
    clock.reminded_at = None
    if clock.state == State.OVERDUE and due_at > now:
        clock.state = State.RUNNING
        clock.overdue_at = None
    return True


def _save(clock: Clock, *, actor, reason: str) -> Clock:
    clock._history_user = actor
    clock._change_reason = reason[:100] if reason else None
    clock.save()
    return clock


def _locked(clock: Clock) -> Clock:
    return Clock.objects.select_for_update().get(pk=clock.pk)


def _require(actor, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise NotPermitted(_("You are not allowed to do this."))


def _require_open(clock: Clock) -> None:
    if not clock.is_open:
        raise IllegalTransition(
            _("This deadline is already %(state)s; it cannot be changed.") % {"state": clock.get_state_display()}
        )


# --- services ----------------------------------------------------------------------------------


@transaction.atomic
def clock_start(
    *,
    subject,
    policy: str,
    started_at: datetime | None = None,
    department=None,
    actor=None,
    due_on: date | None = None,
) -> Clock:
    """Start a clock for `subject` (any model instance) under `policy`; a policy by date (a
    milestone) is due at the end of `due_on` (local time), which it requires."""
    rule: Policy = get_policy(policy)
    started_at = started_at or timezone.now()
    amount = _days_until(due_on, started_at, rule)
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=False)
    if Clock.objects.filter(
        content_type=content_type, object_id=subject.pk, kind=rule.kind, state__in=Clock.OPEN_STATES
    ).exists():
        raise IllegalTransition(
            _("This item already has a running %(kind)s deadline.") % {"kind": registry.kind_label(rule.kind)}
        )
    clock = Clock(
        content_type=content_type,
        object_id=subject.pk,
        department=department,
        area=rule.area,
        kind=rule.kind,
        policy=rule.code,
        unit=rule.unit,
        amount=amount,
        started_at=started_at,
    )
    clock.due_at, clock.provisional = _compute(clock)
    return _save(clock, actor=actor, reason="started")


@transaction.atomic
def clock_meet(*, clock: Clock, actor=None, at: datetime | None = None) -> Clock:
    """The work was done (acknowledged, replied): on time if at or before the due moment."""
    clock = _locked(clock)
    _require_open(clock)
    at = at or timezone.now()
    if at < clock.started_at:
        raise DomainError(_("A deadline cannot be met before it started."))
    if clock.state == State.PAUSED:
        clock.paused_days += max(0, deadlines.working_days_between(clock.paused_at, at))
        clock.paused_at = None
        clock.due_at, clock.provisional = _compute(clock)
    clock.met_at = at
    clock.state = State.MET_ON_TIME if at <= clock.due_at else State.MET_LATE
    return _save(clock, actor=actor, reason="met")


@transaction.atomic
def clock_extend(*, clock: Clock, days: int, reason: str, actor=None) -> Clock:
    """Grant `days` more working days (延期), with a reason; capped where the law caps it."""
    _require(actor, "portal.extend_deadline")
    clock = _locked(clock)
    _require_open(clock)
    rule = get_policy(clock.policy)
    if not rule.extendable:
        raise DomainError(_("A deadline counted in hours cannot be extended."))
    if days < 1:
        raise DomainError(_("An extension is at least one working day."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the extension."))
    if rule.max_extension_days is not None and clock.extension_days + days > rule.max_extension_days:
        raise DomainError(
            _("This deadline can be extended by at most %(max)s working days in all (%(used)s already granted).")
            % {"max": rule.max_extension_days, "used": clock.extension_days}
        )
    clock.extension_days += days
    note = _("%(days)s working days: %(reason)s") % {"days": days, "reason": reason.strip()}
    clock.extension_reason = f"{clock.extension_reason}\n{note}".strip()
    _reschedule(clock, timezone.now())
    return _save(clock, actor=actor, reason=f"extended: {reason.strip()}")


@transaction.atomic
def clock_reclassify(*, clock: Clock, policy: str, reason: str, actor=None) -> Clock:
    """Move to another policy of the same subject (ordinary ⇄ complex), recomputed from the start."""
    clock = _locked(clock)
    _require_open(clock)
    current = get_policy(clock.policy)
    target = get_policy(policy)
    if target.code not in current.reclassify_to or target.by_date or current.by_date:
        raise IllegalTransition(
            _("A deadline under “%(current)s” cannot be reclassified to “%(target)s”.")
            % {"current": current.label, "target": target.label}
        )
    clock.policy, clock.amount = target.code, target.amount
    _reschedule(clock, timezone.now())
    return _save(clock, actor=actor, reason=f"reclassified to {target.code}: {reason}")


@transaction.atomic
def clock_pause(*, clock: Clock, reason: str, actor=None, at: datetime | None = None) -> Clock:
    """Stop the clock (third-party consultation in disclosure: that time is not counted)."""
    clock = _locked(clock)
    if not get_policy(clock.policy).pausable:
        raise DomainError(_("This kind of deadline cannot be paused."))
    if clock.state != State.RUNNING:
        raise IllegalTransition(_("Only a running deadline can be paused."))
    if not reason.strip():
        raise DomainError(_("Give the reason for the pause."))
    clock.state, clock.paused_at = State.PAUSED, at or timezone.now()
    return _save(clock, actor=actor, reason=f"paused: {reason.strip()}")


@transaction.atomic
def clock_resume(*, clock: Clock, actor=None, at: datetime | None = None) -> Clock:
    """Restart a paused clock; the working days it was paused are added to its due moment."""
    clock = _locked(clock)
    if clock.state != State.PAUSED:
        raise IllegalTransition(_("Only a paused deadline can be resumed."))
    at = at or timezone.now()
    if at < clock.paused_at:
        raise DomainError(_("A deadline cannot resume before it was paused."))
    clock.paused_days += deadlines.working_days_between(clock.paused_at, at)
    clock.paused_at = None
    clock.state = State.RUNNING
    _reschedule(clock, at)
    return _save(clock, actor=actor, reason="resumed")


@transaction.atomic
def clock_restart(
    *, clock: Clock, reason: str, actor=None, started_at: datetime | None = None, due_on: date | None = None
) -> Clock:
    """Start again from a new moment (补正: a corrected application restarts the reply clock). A
    clock by date keeps its date unless `due_on` gives a new one (a milestone re-planned)."""
    clock = _locked(clock)
    _require_open(clock)
    if not reason.strip():
        raise DomainError(_("Give the reason for the restart."))
    started_at = started_at or timezone.now()
    rule = get_policy(clock.policy)
    if rule.by_date:
        clock.amount = _days_until(due_on or fixed_day(clock), started_at, rule)
    elif due_on is not None:
        raise ValueError(f"The policy {rule.code} counts {rule.unit}; only a policy by date takes due_on.")
    clock.started_at = started_at
    clock.extension_days, clock.extension_reason = 0, ""
    clock.paused_days, clock.paused_at = 0, None
    clock.state, clock.overdue_at, clock.reminded_at = State.RUNNING, None, None
    clock.due_at, clock.provisional = _compute(clock)
    return _save(clock, actor=actor, reason=f"restarted: {reason.strip()}")


@transaction.atomic
def clock_set_department(*, clock: Clock, department, actor=None) -> Clock:
    """Hand the clock to another responsible department (assignment, reassignment)."""
    clock = _locked(clock)
    _require_open(clock)
    clock.department = department
    return _save(clock, actor=actor, reason=f"department: {department.name}")


@transaction.atomic
def clocks_urge(*, clock_ids: Iterable[int], note: str, actor) -> int:
    """Urge (催办) the responsible departments: a logged notice to their staff. Returns how many."""
    _require(actor, "portal.urge_work")
    now = timezone.now()
    clocks = list(
        Clock.objects.select_for_update()
        .filter(id__in=list(clock_ids), state__in=Clock.OPEN_STATES, department__isnull=False)
        .select_related("department")
    )
    if not clocks:
        return 0
    for clock in clocks:
        clock.last_urged_at = now
        clock._history_user = actor
        clock._change_reason = f"urged: {note}"[:100]
    Clock.objects.bulk_update(clocks, ["last_urged_at"])
    Clock.history.bulk_history_create(
        clocks, update=True, default_user=actor, default_change_reason=f"urged: {note}"[:100]
    )
    staff = notifications.department_staff(clock.department_id for clock in clocks)
    contexts = _contexts(clocks)
    deliveries = []
    for clock in clocks:
        for user in staff.get(clock.department_id, []):
            # An urge is its own event, not a deadline stage: no due moment, never deduplicated.
            deliveries.append(notifications.Delivery(user, "clock_urged", contexts[clock.pk] | {"note": note}, clock))
    notifications.notify(deliveries=deliveries)
    return len(clocks)


@dataclass
class UrgeOutcome:
    urged: int = 0
    # (the subject's reference, why it was refused), one per subject not urged.
    refused: list[tuple[str, str]] = field(default_factory=list)

    def refusals(self) -> str:
        """The refused items grouped by reason, for a message: "WZ-1, WZ-2: why; WZ-3: why not"."""
        by_reason: dict[str, list[str]] = {}
        for reference, reason in self.refused:
            by_reason.setdefault(reason, []).append(reference)
        parts = []
        for reason, references in by_reason.items():
            named = ", ".join(reference for reference in references if reference)
            parts.append(f"{named}: {reason}" if named else reason)
        return "; ".join(parts)


def clocks_urge_by_subject(*, clocks: Iterable[Clock], note: str, actor) -> UrgeOutcome:
    """Urge (催办) from the board or the clock admin: each subject through its domain's own
    service (its adapter, portal.subjects), so the subject's timeline records the urge, once per
    subject however many of its clocks are ticked. Clocks of a model without an adapter are urged
    by the engine alone (clocks_urge). Each subject is its own transaction: one refused (the
    actor may not, the item is past urging) leaves the others urged."""
    by_subject: dict[tuple[int, int], list[Clock]] = {}
    for clock in clocks:
        by_subject.setdefault((clock.content_type_id, clock.object_id), []).append(clock)
    found = subjects.attach_subjects(clock for group in by_subject.values() for clock in group)
    outcome, engine_only = UrgeOutcome(), {}
    for key, group in by_subject.items():
        adapter, subject = subjects.adapter_for_clock(group[0]), found.get(key)
        if adapter is None or subject is None:
            engine_only[key] = group
            continue
        try:
            with transaction.atomic():
                outcome.urged += adapter.urge(obj=subject, clocks=group, note=note, actor=actor)
        except DomainError as error:
            outcome.refused.append((subjects.describe(group[0], subject).reference, str(error)))
    if engine_only:
        try:
            outcome.urged += clocks_urge(
                clock_ids=[clock.pk for group in engine_only.values() for clock in group], note=note, actor=actor
            )
        except DomainError as error:
            outcome.refused += [
                (subjects.describe(group[0], found.get(key)).reference, str(error))
                for key, group in engine_only.items()
            ]
    return outcome


def clock_extend_by_subject(*, clock: Clock, days: int, reason: str, actor) -> Clock:
    """Extend (延期) from the clock admin through the subject's own service (its adapter), so the
    subject's timeline records it and the citizen is told; the engine alone (clock_extend) for a
    model without an adapter. Returns the clock as it now is."""
    adapter = subjects.adapter_for_clock(clock)
    subject = subjects.subject_for(clock) if adapter is not None else None
    if adapter is None or subject is None:
        return clock_extend(clock=clock, days=days, reason=reason, actor=actor)
    adapter.extend(obj=subject, clock=clock, days=days, reason=reason, actor=actor)
    return Clock.objects.get(pk=clock.pk)


def clocks_recompute_for_days(
    *, days: Iterable[date], whole_years: Iterable[int] = (), calendar=None, actor=None
) -> int:
    """After a calendar change: recompute every open working-day clock the changed days (or
    whole years) can move, and every provisional one. Runs in the caller's transaction; pass
    the calendar to compute with (inside a calendar edit: one that bypasses the cache)."""
    days = sorted(set(days))
    touched = Q(provisional=True)
    for day in days:
        midnight = deadlines.end_of_day(day - timedelta(days=1))
        touched |= Q(started_at__lte=midnight, due_at__gt=midnight)
    for year in set(whole_years):
        first, last = deadlines.end_of_day(date(year - 1, 12, 31)), deadlines.end_of_day(date(year, 12, 31))
        touched |= Q(started_at__lt=last, due_at__gt=first)
    now = timezone.now()
    calendar = calendar or deadlines.default_calendar()
    changed = []
    queryset = (
        Clock.objects.select_for_update()
        .filter(touched, state__in=Clock.OPEN_STATES, unit__in=[Clock.Unit.WORKING_DAYS, Clock.Unit.DATE])
        .order_by("pk")
    )
    for clock in queryset.iterator(chunk_size=2000):
        was_provisional = clock.provisional
        if _reschedule(clock, now, calendar) or clock.provisional != was_provisional:
            changed.append(clock)
    fields = ["due_at", "provisional", "reminded_at", "state", "overdue_at"]
    for start in range(0, len(changed), 1000):
        batch = changed[start : start + 1000]
        Clock.objects.bulk_update(batch, fields)
        Clock.history.bulk_history_create(
            batch, update=True, default_user=actor, default_change_reason="work calendar changed"
        )
    return len(changed)


# --- the sweep ---------------------------------------------------------------------------------


@dataclass
class SweepResult:
    overdue: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    queries: int = 0


def reminder_horizons(now: datetime) -> tuple[datetime, datetime]:
    """(hour clocks, the others: working-day clocks and clocks by date): due at or before these
    moments is due soon (ClockQuerySet.due_soon's rule, which _MARK_REMINDED states in SQL on
    `unit`)."""
    return ClockQuerySet.due_soon_horizons(now)


_MARK_OVERDUE = """
    UPDATE portal_clock SET state = 'overdue', overdue_at = %s
    WHERE state = 'running' AND due_at < %s
    RETURNING id
"""

_MARK_REMINDED = """
    UPDATE portal_clock SET reminded_at = %s
    WHERE state = 'running' AND reminded_at IS NULL AND due_at >= %s
      AND ((unit = 'hours' AND due_at <= %s) OR (unit <> 'hours' AND due_at <= %s))
    RETURNING id
"""


def _claim(sql: str, params) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _contexts(clocks: list[Clock]) -> dict[int, dict]:
    found = subjects.attach_subjects(clocks)
    return {
        clock.pk: notifications.clock_context(clock, found.get((clock.content_type_id, clock.object_id)))
        for clock in clocks
    }


def _id_list(ids: list[int]) -> tuple[str, list[int]]:
    return ", ".join(["%s"] * len(ids)), list(ids)


def _insert_stage_notices(ids: list[int], stage: str, now: datetime) -> list[tuple[int, str, int]]:
    """The one recipients rule of deadline notices, set-based: one INSERT … SELECT for the
    departments' staff, one for the office clerks. Returns (recipient id, kind, clock id) of the
    notices it created; the e-mail digests are built from exactly these, so who is told of a
    deadline is decided here only (not again in Python).

    Staff hear of every stage; clerks hear of overdue work (escalation) and of due-soon work that
    has no department staff to hear of it. The unique index makes a repeat a no-op (no notice,
    so no e-mail either).
    """
    User = get_user_model()
    placeholders, params = _id_list(ids)
    user_groups = User.groups.through._meta.db_table
    created: list[tuple[int, str, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO portal_notice (recipient_id, kind, clock_id, clock_due_at, context, url, created_at)
            SELECT m.user_id, %s, c.id, c.due_at, '{{}}', '', %s
            FROM portal_clock c
            JOIN portal_membership m ON m.department_id = c.department_id
            JOIN {User._meta.db_table} u ON u.id = m.user_id AND u.is_active
            WHERE c.id IN ({placeholders})
            ON CONFLICT DO NOTHING
            RETURNING recipient_id, kind, clock_id
            """,  # noqa: S608 - only placeholders and model table names are interpolated
            [stage, now, *params],
        )
        created += cursor.fetchall()
        escalate = stage == "clock_overdue"
        cursor.execute(
            f"""
            INSERT INTO portal_notice (recipient_id, kind, clock_id, clock_due_at, context, url, created_at)
            SELECT clerk.user_id, %s, c.id, c.due_at, '{{}}', '', %s
            FROM portal_clock c
            CROSS JOIN (
                SELECT DISTINCT ug.user_id FROM {user_groups} ug
                JOIN auth_group g ON g.id = ug.group_id AND g.name = %s
                JOIN {User._meta.db_table} u ON u.id = ug.user_id AND u.is_active
            ) clerk
            WHERE c.id IN ({placeholders})
              AND (%s OR NOT EXISTS (
                SELECT 1 FROM portal_membership m
                JOIN {User._meta.db_table} u ON u.id = m.user_id AND u.is_active
                WHERE m.department_id = c.department_id))
            ON CONFLICT DO NOTHING
            RETURNING recipient_id, kind, clock_id
            """,  # noqa: S608 - only placeholders and model table names are interpolated
            ["clock_escalated" if escalate else stage, now, roles.OFFICE_CLERK, *params, escalate],
        )
        created += cursor.fetchall()
    return created


DIGEST_ITEMS = 50


def _queue_stage_digests(clocks: list[Clock], created: list[tuple[int, str, int]]) -> None:
    """One e-mail per person and notice kind listing their clocks (not one e-mail per clock):
    to the recipients of the notices just created, nobody else."""
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in={row[0] for row in created})}
    contexts = _contexts(clocks)
    digests: dict[tuple[int, str], tuple[object, list[dict]]] = {}
    for recipient_id, kind, clock_id in sorted(created, key=lambda row: (row[2], row[0])):
        user = users.get(recipient_id)
        if user is not None and user.email and clock_id in contexts:
            digests.setdefault((user.pk, kind), (user, []))[1].append(contexts[clock_id])
    notifications.emails_enqueue(
        [
            (
                user.email,
                f"emails/{kind}",
                {"items": items[:DIGEST_ITEMS], "more": max(0, len(items) - DIGEST_ITEMS)},
                user.language,
            )
            for (_, kind), (user, items) in digests.items()
        ]
    )


def _record_stage(ids: list[int], stage: str, reason: str, now: datetime) -> None:
    if not ids:
        return
    clocks = list(Clock.objects.filter(id__in=ids).select_related("department").order_by("pk"))
    Clock.history.bulk_history_create(clocks, update=True, default_change_reason=reason)
    _queue_stage_digests(clocks, _insert_stage_notices(ids, stage, now))


def sweep_deadlines(*, now: datetime | None = None) -> SweepResult:
    """One sweep: mark newly overdue clocks, send due-soon reminders, record the run.

    Idempotent and safe to overlap: each clock's stage is claimed by a conditional UPDATE, so
    whichever sweep claims it notifies, and the other sees nothing left to claim.
    """
    now = now or timezone.now()
    started = timezone.now()
    result = SweepResult()
    hour_horizon, day_horizon = reminder_horizons(now)
    with transaction.atomic():
        result.overdue = _claim(_MARK_OVERDUE, [now, now])
        _record_stage(result.overdue, "clock_overdue", "sweep: overdue", now)
        result.reminded = _claim(_MARK_REMINDED, [now, now, hour_horizon, day_horizon])
        _record_stage(result.reminded, "clock_due_soon", "sweep: due soon", now)
        SweepRun.objects.create(
            started_at=started,
            finished_at=timezone.now(),
            overdue_count=len(result.overdue),
            reminded_count=len(result.reminded),
        )
        SweepRun.objects.filter(started_at__lt=now - timedelta(days=SWEEP_HISTORY_DAYS)).delete()
    return result


# --- explaining a due moment -------------------------------------------------------------------


@dataclass
class Explanation:
    """Everything needed to show, in plain words, how a clock's due moment was computed."""

    clock: Clock
    policy: Policy
    started_at: datetime
    due_at: datetime
    counted_days: list[date]
    skipped_holidays: list[tuple[date, str]]
    adjusted_working_days: list[tuple[date, str]]
    weekend_days_skipped: int
    provisional_years: list[int]
    # A clock by date: the date it is due at the end of, before extensions and pauses.
    fixed_day: date | None = None

    @property
    def is_hours(self) -> bool:
        return self.clock.unit == Clock.Unit.HOURS

    @property
    def is_date(self) -> bool:
        return self.fixed_day is not None

    @property
    def total_days(self) -> int:
        return len(self.counted_days)


def clock_explain(clock: Clock, calendar: deadlines.WorkCalendar | None = None) -> Explanation:
    rule = get_policy(clock.policy)
    if clock.unit == Clock.Unit.HOURS:
        due_at = deadlines.due_after_hours(clock.started_at, clock.amount)
        return Explanation(clock, rule, clock.started_at, due_at, [], [], [], 0, [])
    counted = _count(clock, calendar)
    span = (counted.due_day - counted.start).days
    weekend_days = sum(
        1 for offset in range(1, span + 1) if (counted.start + timedelta(days=offset)).weekday() >= 5
    ) - len(counted.adjusted_working_days)
    return Explanation(
        clock=clock,
        policy=rule,
        started_at=clock.started_at,
        due_at=counted.due_at,
        counted_days=counted.counted,
        skipped_holidays=counted.skipped_holidays,
        adjusted_working_days=counted.adjusted_working_days,
        weekend_days_skipped=weekend_days,
        provisional_years=sorted(counted.unknown_years),
        fixed_day=fixed_day(clock) if clock.unit == Clock.Unit.DATE else None,
    )


def clocks_explain(clocks: Iterable[Clock]) -> list[tuple[Clock, Explanation]]:
    """(clock, explanation) for each clock, all computed with one calendar: each year's schedule is
    read once for the lot, not once per clock (a citizen's list of tickets)."""
    calendar = deadlines.default_calendar()
    return [(clock, clock_explain(clock, calendar)) for clock in clocks]
