"""Handling (交办 → 受理 → 办理 → 答复): assignment, return, acceptance, reply or refusal, notes,
co-handling opinions, extensions and urges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import policies
from petitions.models import (
    CoHandling,
    HandlingNote,
    Petition,
    Reply,
)
from petitions.services.common import (
    ACKNOWLEDGEMENT,
    Action,
    _notice_citizens,
    _notify_clerks,
    _notify_departments,
    _open_clocks,
    _publish_if_allowed,
    _refresh_search,
    _reply_policy,
    _store_files,
    _tell_citizen,
    _transition,
    mask,
)
from portal import clocks
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Department
from portal.scoping import user_department_ids
from portal.uploads import CheckedUpload, discard_files_on_error
from portal.workflow import Move


@transaction.atomic
def petition_assign(
    *,
    petition: Petition,
    actor,
    lead_department: Department,
    co_departments: Iterable[Department] = (),
    is_complex: bool = False,
    note: str = "",
) -> Petition:
    """The office assigns (交办) a lead department and optional co-handling departments (会办).

    Several departments or a complex matter put the reply clock on the 15-working-day policy,
    otherwise 7; the clocks keep counting from receipt whatever the reassignments.
    """
    with _transition(petition, "assign", actor=actor, reason="assigned") as move:
        petition = move.obj
        co_departments = [d for d in {d.pk: d for d in co_departments}.values() if d.pk != lead_department.pk]
        if not lead_department.is_active or any(not d.is_active for d in co_departments):
            raise DomainError(_("Only active departments can be assigned work."))
        previous = set(petition.co_handlings.values_list("department_id", flat=True))
        petition.co_handlings.exclude(department__in=co_departments).delete()
        for department in co_departments:
            if department.pk not in previous:
                CoHandling.objects.create(petition=petition, department=department)
        petition.lead_department = lead_department
        petition.is_complex = is_complex
        petition.assigned_at = timezone.now()
        petition.return_reason = ""
        open_clocks = _open_clocks(petition)
        for clock in open_clocks.values():
            clocks.clock_set_department(clock=clock, department=lead_department, actor=actor)
        reply_clock = open_clocks.get(policies.REPLY)
        policy = _reply_policy(petition)
        if (
            reply_clock
            and reply_clock.policy != policy
            and policy in clocks.get_policy(reply_clock.policy).reclassify_to
        ):
            clocks.clock_reclassify(clock=reply_clock, policy=policy, reason=_("assigned"), actor=actor)
        move.record(
            Action.ASSIGNED, department=lead_department, departments=[lead_department, *co_departments], public=True
        )
        if note.strip():
            move.record(Action.NOTE, note=note.strip())
        department_ids = [lead_department.pk] + [d.pk for d in co_departments]
        move.notify(_notify_departments, petition, "petition_assigned", department_ids, note.strip())
    return petition


@transaction.atomic
def petition_return(*, petition: Petition, actor, reason: str) -> Petition:
    """The lead department returns (退回) a wrongly assigned ticket to the office, with a reason."""
    with _transition(petition, "return", actor=actor, reason="returned") as move:
        petition = move.obj
        if not reason.strip():
            raise DomainError(_("Say why the ticket is returned, so the office can reassign it."))
        petition.return_reason = reason.strip()
        move.record(Action.RETURNED, department=petition.lead_department, note=reason.strip())
        move.notify(_notify_clerks, petition, "petition_returned", reason.strip())
        # What it means for the citizen, not the reason.
        move.notify(_notice_citizens, [petition], "petition_citizen_returned")
    return petition


@transaction.atomic
def petition_accept(*, petition: Petition, actor) -> Petition:
    """The lead department accepts (受理): the 24-hour acknowledgement is met."""
    with _transition(petition, "accept", actor=actor, reason="accepted") as move:
        petition = move.obj
        now = timezone.now()
        petition.accepted_at = now
        acknowledge = _open_clocks(petition).get(policies.ACKNOWLEDGE)
        if acknowledge:
            clocks.clock_meet(clock=acknowledge, actor=actor, at=now)
        move.record(Action.ACCEPTED, department=petition.lead_department, note=ACKNOWLEDGEMENT, public=True)
        move.notify(_tell_citizen, petition, "emails/petition_accepted", acknowledgement=ACKNOWLEDGEMENT)
        move.notify(_notice_citizens, [petition], "petition_citizen_accepted")
    return petition


def _write_reply(
    petition: Petition, actor, body: str, files: Sequence[CheckedUpload], *, decline: bool, now: datetime
) -> Reply:
    reply = Reply(
        petition=petition,
        department=petition.lead_department,
        author=actor,
        body=body.strip(),
        public_body=mask(petition, body.strip()),
        is_decline=decline,
        created_at=now,
    )
    reply._history_user = actor
    reply.save()
    _store_files(petition, files, actor=actor, reply=reply)
    return reply


def _answer(move: Move, text: str, files: Sequence[CheckedUpload], *, decline: bool) -> None:
    """A reply or a refusal to accept: both answer the citizen and meet every open clock."""
    petition, actor = move.obj, move.actor
    now = timezone.now()
    _write_reply(petition, actor, text, files, decline=decline, now=now)
    petition.replied_at = now
    for clock in _open_clocks(petition).values():
        clocks.clock_meet(clock=clock, actor=actor, at=now)
    _publish_if_allowed(petition, actor, now)
    _refresh_search(petition)
    action = Action.DECLINED if decline else Action.REPLIED
    move.record(action, department=petition.lead_department, public=True, at=now)
    move.notify(_tell_citizen, petition, "emails/petition_replied", declined=decline)
    move.notify(_notice_citizens, [petition], "petition_citizen_declined" if decline else "petition_citizen_replied")


@transaction.atomic
def petition_decline(*, petition: Petition, actor, reason: str) -> Petition:
    """The lead department does not accept the ticket (不予受理); the reason is its reply."""
    with _transition(petition, "decline", actor=actor, reason="declined") as move:
        if not reason.strip():
            raise DomainError(_("Give the reason for not accepting; the citizen reads it as the reply."))
        _answer(move, reason, (), decline=True)
    return move.obj


@discard_files_on_error
@transaction.atomic
def petition_reply(*, petition: Petition, actor, body: str, files: Sequence[CheckedUpload] = ()) -> Petition:
    """The lead department replies (答复): the reply clock is met, on time or late."""
    with _transition(petition, "reply", actor=actor, reason="replied") as move:
        if not body.strip():
            raise DomainError(_("Write the reply."))
        _answer(move, body, files, decline=False)
    return move.obj


@transaction.atomic
def petition_note(*, petition: Petition, actor, body: str) -> HandlingNote:
    """An internal handling note (办理记录); never shown to the citizen."""
    with _transition(petition, "note", actor=actor) as move:
        petition = move.obj
        if not body.strip():
            raise DomainError(_("Write the note."))
        departments = set(user_department_ids(actor))
        department = petition.lead_department if petition.lead_department_id in departments else None
        note = HandlingNote(petition=petition, author=actor, department=department, body=body.strip())
        note._history_user = actor
        note.save()
        # The timeline carries the note's text, as it does an assignment's note: the change page lists
        # its internal notes from the timeline (selectors.internal_notes), so the two always agree.
        move.record(Action.NOTE, department=department, note=note.body)
    return note


@transaction.atomic
def petition_submit_opinion(*, petition: Petition, actor, department: Department, opinion: str) -> CoHandling:
    """A co-handling department submits its opinion (会办意见) to the lead department."""
    with _transition(petition, "opinion", actor=actor) as move:
        petition = move.obj
        if department.pk not in user_department_ids(actor) and not actor.is_superuser:
            raise NotPermitted(_("You can only give the opinion of your own department."))
        if not opinion.strip():
            raise DomainError(_("Write the opinion."))
        try:
            handling = CoHandling.objects.select_for_update().get(petition=petition, department=department)
        except CoHandling.DoesNotExist:
            raise NotPermitted(_("Your department is not co-handling this ticket.")) from None
        handling.opinion, handling.opinion_by, handling.opinion_at = opinion.strip(), actor, timezone.now()
        handling._history_user = actor
        handling.save()
        move.record(Action.OPINION, department=department)
        if petition.lead_department_id:
            move.notify(
                _notify_departments, petition, "petition_opinion", [petition.lead_department_id], department.name
            )
    return handling


@transaction.atomic
def petition_extend(*, petition: Petition, actor, days: int, reason: str, clock_id: int | None = None) -> Petition:
    """The office extends (延期) the reply deadline through the clock engine, with a reason.
    `clock_id` (from the clock admin) must be that running reply deadline."""
    with _transition(petition, "extend", actor=actor) as move:
        petition = move.obj
        reply_clock = _open_clocks(petition).get(policies.REPLY)
        if reply_clock is None or clock_id not in (None, reply_clock.pk):
            raise IllegalTransition(_("This ticket has no running reply deadline to extend."))
        reply_clock = clocks.clock_extend(clock=reply_clock, days=days, reason=reason, actor=actor)
        note = _("%(days)s working days: %(reason)s") % {"days": days, "reason": reason.strip()}
        move.record(Action.EXTENDED, department=petition.lead_department, note=note, public=True)
        move.notify(_notice_citizens, [petition], "petition_citizen_extended", due_at=reply_clock.due_at.isoformat())
    return petition


@transaction.atomic
def petition_urge(*, petition: Petition, actor, note: str = "", clock_ids: Iterable[int] | None = None) -> Petition:
    """The office urges (催办) the lead department: a logged reminder to its staff about the
    ticket's open deadlines, or only those of `clock_ids` (the ones ticked on the board)."""
    with _transition(petition, "urge", actor=actor) as move:
        petition = move.obj
        urged = [clock.pk for clock in _open_clocks(petition).values()]
        if clock_ids is not None:
            wanted = set(clock_ids)
            urged = [pk for pk in urged if pk in wanted]
        if not urged:
            raise IllegalTransition(_("This ticket has no running deadline to urge."))
        clocks.clocks_urge(clock_ids=urged, note=note.strip(), actor=actor)
        move.record(Action.URGED, department=petition.lead_department, note=note.strip())
    return petition
