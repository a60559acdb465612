"""Forwarding, answers and follow-up (转交 → 答复 → 跟踪落实): the office forwards approved
suggestions in bulk to one or more departments with the analysis report attached; each department
answers its forwarding on a response clock (7 working days for one department, 15 for several);
the suggestion is answered when every department has answered, its public outcome the lead
department's; an adopting department records its measures, each a milestone on the clock engine;
the office extends and urges a department's deadlines (also from the board and the clock admin,
through suggestions.subjects), and the suggestion's timeline records all of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import clocks, deadlines
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Clock, Department
from portal.notifications import notify_departments as notify_department_staff
from portal.pagecache import public_content_changed
from portal.scoping import user_department_ids
from portal.uploads import DOCUMENT_TYPES, CheckedUpload, discard_files_on_error, extension_for, remember_stored_file
from portal.workflow import Move, transition
from suggestions import policies
from suggestions.models import Forwarding, ForwardingBatch, Measure, Outcome, Suggestion
from suggestions.services.common import Action, S, mask, refresh_search, tell_author
from suggestions.services.intake import clocks_open
from suggestions.workflow import TABLE

ANSWERED_EMAIL = "emails/suggestion_answered"
# The notice each department's staff get for one act of forwarding (one per batch, not one per
# suggestion), and the author's when a deadline of their suggestion is extended.
DEPARTMENT_NOTICE = "suggestion_forwarded_to_department"
EXTENDED_NOTICE = "suggestion_extended"
# A batch forwards at most this many suggestions (one form, one transaction).
MAX_BATCH = 500


def _name(suggestion: Suggestion) -> str:
    return suggestion.number or suggestion.reference


def _department_ids(departments: Iterable[Department]) -> list[int]:
    return [department.pk for department in departments]


def _require_department(forwarding: Forwarding, actor) -> None:
    """Only the department's own staff answer for it and record its measures (a superuser too,
    as in every staff role); the office sees the answer but does not write it."""
    if actor.is_superuser or forwarding.department_id in set(user_department_ids(actor)):
        return
    raise NotPermitted(
        _("Only staff of %(department)s can answer for it.") % {"department": forwarding.department.name}
    )


@contextmanager
def _forwarding_step(forwarding: Forwarding, action: str, actor) -> Iterator[tuple[Move, Forwarding]]:
    """The guarded transition of `action` on the forwarding's suggestion (a step without a
    target: the table checks state, permission and role), then the forwarding locked and read
    again: the suggestion and then the forwarding, in the order every service here takes them."""
    with transition(forwarding.suggestion, action, table=TABLE, actor=actor) as move:
        forwarding = Forwarding.objects.select_for_update().select_related("department").get(pk=forwarding.pk)
        forwarding.suggestion = move.obj
        yield move, forwarding


def forwardings_url(batch: ForwardingBatch | None = None) -> str:
    """The departments' list of forwarded suggestions (suggestions.admin.forwarding), or ""."""
    try:
        url = reverse("admin:suggestions_forwarding_changelist")
    except NoReverseMatch:
        return ""
    return f"{url}?batch__id__exact={batch.pk}" if batch is not None else url


# --- forwarding ----------------------------------------------------------------------------------


@contextmanager
def _naming(suggestion: Suggestion) -> Iterator[None]:
    """A refusal about one suggestion of a batch, its message prefixed with the suggestion's number."""
    try:
        yield
    except DomainError as error:
        raise type(error)(f"{_name(suggestion)}: {error}") from None


def _require_forwarding_phase(suggestion: Suggestion) -> None:
    if not TABLE.ready(suggestion, "forward"):
        raise IllegalTransition(_("Suggestions are forwarded from the campaign's analysis phase (建言分析) on."))


def _store_report(batch: ForwardingBatch, report: CheckedUpload) -> None:
    if report.content_type not in DOCUMENT_TYPES:
        raise DomainError(_("Attach the analysis report as a PDF, Word (DOCX) or Excel (XLSX) document."))
    batch.report_name = report.name
    batch.report_content_type = report.content_type
    batch.report.save(f"report{extension_for(report.content_type)}", report.file, save=False)
    remember_stored_file(batch.report.storage, batch.report.name)


@discard_files_on_error
@transaction.atomic
def suggestions_forward(
    *,
    suggestions: Iterable[Suggestion],
    actor,
    departments: Iterable[Department],
    lead: Department,
    report: CheckedUpload | None,
    note: str = "",
) -> ForwardingBatch:
    """The office forwards (转交) approved suggestions of one campaign, in the analysis phase or
    after, to one or more departments with one lead, attaching the analysis report (附上分析报告
    和建议). Each suggestion gets a Forwarding per department, each on its response clock: 7
    working days when one department has it, 15 when several do. The departments are told once
    for the whole batch, each author that their suggestion was forwarded. All or nothing: one
    suggestion that cannot be forwarded refuses the batch, naming it."""
    ids = sorted({suggestion.pk for suggestion in suggestions})
    if not ids:
        raise DomainError(_("Choose the suggestions to forward."))
    if len(ids) > MAX_BATCH:
        raise DomainError(_("Forward at most %(max)s suggestions at a time.") % {"max": MAX_BATCH})
    chosen = {department.pk: department for department in departments}
    chosen.setdefault(lead.pk, lead)
    # The lead first, then the others by name: the order of the timeline and the notices.
    departments = [lead, *sorted((d for d in chosen.values() if d.pk != lead.pk), key=lambda d: d.name)]
    if any(not department.is_active for department in departments):
        raise DomainError(_("Only active departments can be forwarded suggestions."))
    if report is None:
        raise DomainError(_("Attach the analysis report (分析报告) the departments answer with."))
    # Locked in id order, so two batches sharing suggestions wait for each other, never deadlock.
    locked = list(
        Suggestion.objects.select_for_update(of=("self",)).select_related("campaign").filter(pk__in=ids).order_by("pk")
    )
    if len(locked) != len(ids):
        raise DomainError(_("Some of the chosen suggestions no longer exist."))
    campaigns = {suggestion.campaign_id for suggestion in locked}
    if len(campaigns) > 1:
        raise DomainError(_("Forward the suggestions of one campaign at a time, with that campaign's report."))
    campaign = locked[0].campaign
    # Every suggestion checked before anything is written, so a refusal names the first one
    # that cannot be forwarded; each is then claimed by its own guarded transition below.
    for suggestion in locked:
        with _naming(suggestion):
            TABLE.check(suggestion, "forward", actor)
            _require_forwarding_phase(suggestion)

    now = timezone.now()
    batch = ForwardingBatch(campaign=campaign, note=note.strip(), created_by=actor, created_at=now)
    _store_report(batch, report)
    batch._history_user = actor
    batch.save()
    policy = policies.respond_policy(len(departments))
    names = "、".join(department.name for department in departments)
    due_at = None
    for suggestion in locked:
        # The rows are locked already (in id order, above).
        with (
            _naming(suggestion),
            transition(suggestion, "forward", table=TABLE, actor=actor, reason="forwarded", lock=False) as move,
        ):
            for department in departments:
                forwarding = Forwarding(
                    suggestion=suggestion, department=department, is_lead=department.pk == lead.pk, batch=batch
                )
                forwarding._history_user = actor
                forwarding.save()
                clock = clocks.clock_start(
                    subject=forwarding, policy=policy, started_at=now, department=department, actor=actor
                )
                due_at = clock.due_at
            suggestion.forwarded_at = now
            suggestion.lead_department = lead
            move.record(Action.FORWARDED, department=lead, departments=departments, public=True, at=now)
            move.notify(tell_author, suggestion, "suggestion_forwarded", note=names)
    notify_department_staff(
        department_ids=_department_ids(departments),
        kind=DEPARTMENT_NOTICE,
        context={
            "count": len(locked),
            "campaign": campaign.title,
            "due_at": due_at.isoformat(),
            "note": note.strip(),
            "event": DEPARTMENT_NOTICE,
        },
        url=forwardings_url(batch),
    )
    return batch


# --- answers -------------------------------------------------------------------------------------


def _answer_text(outcome: str, answer: str) -> str:
    if outcome not in Outcome.values:
        raise DomainError(_("Choose the answer: adopted, partly adopted, under study or not adopted."))
    text = answer.strip()
    if not text:
        if outcome == Outcome.NOT_ADOPTED:
            raise DomainError(_("Explain why the suggestion is not adopted (解释说明): the author reads it."))
        raise DomainError(_("Write the answer."))
    return text


def _all_answered(suggestion: Suggestion) -> bool:
    return not suggestion.forwardings.filter(answered_at__isnull=True).exists()


@transaction.atomic
def suggestion_answer(*, forwarding: Forwarding, actor, outcome: str, answer: str) -> Forwarding:
    """A department answers (答复) the suggestion forwarded to it: adopted, partly adopted, under
    study, or not adopted with an explanation. The first answer meets the forwarding's response
    clock; an answer "under study" may later be replaced by the final one. When every department
    has answered, the suggestion is answered: its outcome is the lead department's, and the
    author is told by notice and e-mail. The public answer is the masked text, shown with the
    suggestion wherever the author consented to publication."""
    with _forwarding_step(forwarding, "answer", actor) as (move, forwarding):
        suggestion = move.obj
        _require_department(forwarding, actor)
        text = _answer_text(outcome, answer)
        if forwarding.answered_at is not None and forwarding.outcome != Outcome.STUDYING:
            raise IllegalTransition(
                _("%(department)s has answered already; only an answer “under study” is answered again.")
                % {"department": forwarding.department.name}
            )
        if (
            forwarding.answered_at is not None
            and outcome not in Outcome.with_measures()
            and forwarding.measures.exists()
        ):
            raise DomainError(_("Measures are recorded for this answer; it can only become adopted or partly adopted."))
        now = timezone.now()
        first = forwarding.answered_at is None
        forwarding.outcome = outcome
        forwarding.answer = text
        forwarding.public_answer = mask(suggestion, text)
        forwarding.answered_at = forwarding.answered_at or now
        forwarding.answered_by = actor
        forwarding._history_user = actor
        forwarding._change_reason = "answered" if first else "answered again"
        forwarding.save()
        for clock in clocks_open(forwarding):
            clocks.clock_meet(clock=clock, actor=actor, at=now)
        move.record(Action.ANSWERED, department=forwarding.department, choice=outcome, public=True, at=now)

        if suggestion.state == S.FORWARDED and _all_answered(suggestion):
            # The last department's answer: the system's step to answered, claimed and saved with
            # its history by this inner transition (the suggestion is locked already).
            with transition(suggestion, "answered", table=TABLE, actor=actor, reason="answered", lock=False):
                suggestion.answered_at = now
                _answered_outcome(suggestion, forwarding)
                refresh_search(suggestion)
            move.notify(_tell_answered, suggestion)
        else:
            if suggestion.state == S.ANSWERED:
                _answered_outcome(suggestion, forwarding)
            refresh_search(suggestion)  # the public answers are part of the public search text
            move.reason = "department answered"
            if suggestion.state == S.ANSWERED and forwarding.is_lead:
                move.notify(_tell_answered, suggestion)
    return forwarding


def _answered_outcome(suggestion: Suggestion, forwarding: Forwarding) -> None:
    """The public outcome of an answered suggestion is the lead department's, whichever
    department answered last (and it follows the lead when it turns an answer "under study" into
    its final one)."""
    lead = next(f for f in suggestion.forwardings.all() if f.is_lead)
    suggestion.outcome = forwarding.outcome if forwarding.is_lead else lead.outcome


def _tell_answered(suggestion: Suggestion) -> None:
    tell_author(suggestion, "suggestion_answered", email_template=ANSWERED_EMAIL, outcome=suggestion.outcome)


# --- measures (跟踪回应措施和改进方案) --------------------------------------------------------------


def _require_measures(forwarding: Forwarding) -> None:
    if forwarding.outcome not in Outcome.with_measures():
        raise DomainError(_("Measures are recorded for adopted and partly adopted suggestions only."))


def _published_change(suggestion: Suggestion) -> None:
    # The public page shows the measures' progress ("2 of 3 measures done").
    if suggestion.published_at is not None:
        public_content_changed()


@transaction.atomic
def measure_record(*, forwarding: Forwarding, actor, description: str, planned_on: date, note: str = "") -> Measure:
    """The adopting department records a measure (落实措施) with the date it plans it done by: a
    milestone clock due at the end of that day (Beijing time), overdue on the clerks' board after."""
    with _forwarding_step(forwarding, "measure", actor) as (move, forwarding):
        _require_department(forwarding, actor)
        _require_measures(forwarding)
        description = description.strip()
        if not description:
            raise DomainError(_("Describe the measure."))
        if planned_on < timezone.localdate():
            raise DomainError(_("The planned date cannot be in the past."))
        measure = Measure(forwarding=forwarding, description=description, planned_on=planned_on, note=note.strip())
        measure._history_user = actor
        measure.save()
        clocks.clock_start(
            subject=measure,
            policy=policies.MILESTONE_POLICY,
            started_at=measure.created_at,
            department=forwarding.department,
            actor=actor,
            due_on=planned_on,
        )
        move.record(
            Action.MEASURE,
            department=forwarding.department,
            choice="planned",
            note=_("%(measure)s (planned for %(date)s)") % {"measure": description, "date": f"{planned_on:%Y-%m-%d}"},
            public=True,
        )
        _published_change(move.obj)
    return measure


@transaction.atomic
def measure_complete(*, measure: Measure, actor, done_on: date, note: str = "") -> Measure:
    """The department records a measure done (已落实) on `done_on`: its milestone is met, on time
    if done by the planned date (or the date it was extended to)."""
    with _forwarding_step(measure.forwarding, "measure", actor) as (move, forwarding):
        _require_department(forwarding, actor)
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        if measure.done_on is not None:
            raise IllegalTransition(_("This measure is recorded as done already."))
        today = timezone.localdate()
        if done_on > today:
            raise DomainError(_("The date done cannot be in the future."))
        if done_on < timezone.localdate(measure.created_at):
            raise DomainError(_("The date done cannot be before the measure was recorded."))
        measure.done_on = done_on
        if note.strip():
            measure.note = f"{measure.note}\n{note.strip()}".strip()
        measure._history_user = actor
        measure._change_reason = "done"
        measure.save()
        # Done on a past day: met at that day's end; done today: met now.
        met_at = timezone.now() if done_on == today else deadlines.end_of_day(done_on)
        for clock in clocks_open(measure):
            clocks.clock_meet(clock=clock, actor=actor, at=max(met_at, clock.started_at))
        move.record(
            Action.MEASURE,
            department=forwarding.department,
            choice="done",
            note=_("%(measure)s (done on %(date)s)") % {"measure": measure.description, "date": f"{done_on:%Y-%m-%d}"},
            public=True,
        )
        _published_change(move.obj)
    return measure


# --- extensions and urges (the office; also from the board and the clock admin) ----------------


def _one_open_clock(subject, clock_id: int | None, missing: str) -> Clock:
    found = clocks_open(subject)
    if clock_id is not None:
        found = [clock for clock in found if clock.pk == clock_id]
    if not found:
        raise IllegalTransition(missing)
    return found[0]


def _extended(move: Move, department: Department, clock: Clock, days: int, reason: str, what: str) -> None:
    note = _("%(what)s, %(days)s working days: %(reason)s") % {"what": what, "days": days, "reason": reason.strip()}
    move.record(Action.EXTENDED, department=department, note=note, public=True)
    move.notify(tell_author, move.obj, EXTENDED_NOTICE, department=department.name, due_at=clock.due_at.isoformat())


@transaction.atomic
def forwarding_extend(
    *, forwarding: Forwarding, actor, days: int, reason: str, clock_id: int | None = None
) -> Forwarding:
    """The office extends (延期) a department's answer deadline by working days, with a reason;
    the suggestion's timeline records it and the author is told the new date."""
    with _forwarding_step(forwarding, "extend", actor) as (move, forwarding):
        clock = _one_open_clock(
            forwarding,
            clock_id,
            _("%(department)s has no running answer deadline to extend.") % {"department": forwarding.department.name},
        )
        clock = clocks.clock_extend(clock=clock, days=days, reason=reason, actor=actor)
        _extended(move, forwarding.department, clock, days, reason, _("Answer deadline"))
    return forwarding


@transaction.atomic
def measure_extend(*, measure: Measure, actor, days: int, reason: str, clock_id: int | None = None) -> Measure:
    """The office gives a measure's milestone more working days after its planned date (延期)."""
    with _forwarding_step(measure.forwarding, "extend", actor) as (move, forwarding):
        clock = _one_open_clock(measure, clock_id, _("This measure has no open milestone to extend."))
        clock = clocks.clock_extend(clock=clock, days=days, reason=reason, actor=actor)
        what = _("Measure “%(measure)s”") % {"measure": measure.description}
        _extended(move, forwarding.department, clock, days, reason, what)
    return measure


def _urge(move: Move, department: Department, subject, note: str, clock_ids, missing: str, what) -> int:
    urged = [clock.pk for clock in clocks_open(subject)]
    if clock_ids is not None:
        wanted = set(clock_ids)
        urged = [pk for pk in urged if pk in wanted]
    if not urged:
        raise IllegalTransition(missing)
    clocks.clocks_urge(clock_ids=urged, note=note.strip(), actor=move.actor)
    text = f"{what}: {note.strip()}" if note.strip() else what
    move.record(Action.URGED, department=department, note=text)
    return len(urged)


@transaction.atomic
def forwarding_urge(
    *, forwarding: Forwarding, actor, note: str = "", clock_ids: Iterable[int] | None = None
) -> Forwarding:
    """The office urges (催办) a department to answer: a logged notice to its staff, recorded on
    the suggestion's timeline (internal: the author does not see urges)."""
    with _forwarding_step(forwarding, "urge", actor) as (move, forwarding):
        _urge(
            move,
            forwarding.department,
            forwarding,
            note,
            clock_ids,
            _("%(department)s has no running answer deadline to urge.") % {"department": forwarding.department.name},
            _("Answer"),
        )
    return forwarding


@transaction.atomic
def measure_urge(*, measure: Measure, actor, note: str = "", clock_ids: Iterable[int] | None = None) -> Measure:
    """The office urges (催办) a department about a measure's milestone."""
    with _forwarding_step(measure.forwarding, "urge", actor) as (move, forwarding):
        _urge(
            move,
            forwarding.department,
            measure,
            note,
            clock_ids,
            _("This measure has no open milestone to urge."),
            _("Measure “%(measure)s”") % {"measure": measure.description},
        )
    return measure
