"""Closing (评价 → 办结): the citizen's rating, the office's closure and the unrated tickets'
closure by the periodic task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions.models import (
    RATING_WINDOW_DAYS,
    Petition,
)
from petitions.services.common import (
    Action,
    S,
    _notice_citizens,
    _notify_clerks,
    _notify_departments,
    _transition,
)
from portal import clocks
from portal.exceptions import DomainError, IllegalTransition


@transaction.atomic
def petition_rate(*, petition: Petition, rating: str, comment: str = "", now: datetime | None = None) -> Petition:
    """The citizen rates the reply (评价) within the rating period. 不满意 the first time reopens
    the ticket for re-examination with a new 7-working-day reply clock; otherwise it closes."""
    with _transition(petition, "rate", actor=None) as move:
        petition = move.obj
        now = now or timezone.now()
        if rating not in Petition.Rating.values:
            raise DomainError(_("Choose satisfied, basically satisfied or unsatisfied."))
        if petition.replied_at and now > petition.replied_at + timedelta(days=RATING_WINDOW_DAYS):
            raise IllegalTransition(_("The rating period of %(days)s days has ended.") % {"days": RATING_WINDOW_DAYS})
        petition.rating, petition.rating_comment, petition.rated_at = rating, comment.strip(), now
        move.record(Action.RATED, choice=rating, public=True, at=now)
        # The table leaves the state to the rating: re-examination or closure.
        if rating == Petition.Rating.UNSATISFIED and not petition.reexamined:
            petition.state = S.REEXAMINING
            petition.reexamined = True
            move.reason = "rated unsatisfied: reopened"
            move.record(Action.REOPENED, department=petition.lead_department, public=True, at=now)
            clocks.clock_start(
                subject=petition, policy="petition.reply.reexamine", started_at=now, department=petition.lead_department
            )
            move.notify(
                _notify_departments, petition, "petition_reopened", [petition.lead_department_id], comment.strip()
            )
            move.notify(_notify_clerks, petition, "petition_reopened", comment.strip())
        else:
            petition.state = S.CLOSED
            petition.closed_at, petition.closure = now, Petition.Closure.RATED
            move.reason = f"rated {rating}: closed"
            move.record(Action.CLOSED, choice=Petition.Closure.RATED, public=True, at=now)
    return petition


@transaction.atomic
def petition_close(*, petition: Petition, actor, reason: str) -> Petition:
    """The office closes (办结) a replied ticket, with a reason."""
    with _transition(petition, "close", actor=actor, reason="closed by the office") as move:
        petition = move.obj
        if not reason.strip():
            raise DomainError(_("Give the reason for closing."))
        now = timezone.now()
        petition.closed_at, petition.closure = now, Petition.Closure.OFFICE
        move.record(Action.CLOSED, note=reason.strip(), choice=Petition.Closure.OFFICE, public=True, at=now)
        move.notify(_notice_citizens, [petition], "petition_citizen_closed", note=reason.strip())
    return petition


@transaction.atomic
def petitions_close_unrated(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Close the replied tickets whose rating period has passed without a rating (closed as
    unrated). Idempotent: a ticket is claimed by its state, so repeated runs close nothing twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=RATING_WINDOW_DAYS)
    due = list(
        Petition.objects.select_for_update(skip_locked=True)
        .filter(state=S.REPLIED, replied_at__lt=cutoff)
        .order_by("replied_at")[:limit]
    )
    for petition in due:
        # Claimed and locked above; the transition's conditional update still guards the state.
        with _transition(petition, "close_unrated", actor=None, reason="closed as unrated", lock=False) as move:
            petition.closed_at, petition.closure = now, Petition.Closure.UNRATED
            move.record(Action.CLOSED, choice=Petition.Closure.UNRATED, public=True, at=now)
    _notice_citizens(due, "petition_citizen_closed")
    return len(due)
