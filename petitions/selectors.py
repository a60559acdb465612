"""Reads of petition tickets: the public column, tracking, a citizen's own tickets, timelines.

Public selectors return only published tickets and only their public (masked) texts; nothing
here hands a contact field to a public page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from petitions import services
from petitions.models import RATING_WINDOW_DAYS, Attachment, Petition, PetitionEvent, Reply
from portal import clocks, deadlines
from portal import search as fulltext
from portal.models import Clock, Membership
from portal.periods import add_months
from portal.scoping import sees_all_departments


@dataclass(frozen=True)
class PublicFilter:
    department: int | None = None
    kind: str = ""
    category: int | None = None
    month: date | None = None
    query: str = ""


def public_petitions(filters: PublicFilter | None = None) -> QuerySet[Petition]:
    """Published tickets, newest first, with only what the public column shows."""
    filters = filters or PublicFilter()
    queryset = (
        Petition.objects.published()
        .select_related("category", "lead_department")
        .only(
            "id",
            "reference",
            "kind",
            "public_title",
            "public_content",
            "received_at",
            "replied_at",
            "published_at",
            "state",
            "category__name",
            "category__name_en",
            "lead_department__name",
            "lead_department__name_en",
        )
        .order_by("-published_at", "-id")
    )
    if filters.department:
        queryset = queryset.filter(lead_department_id=filters.department)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.month:
        start = filters.month.replace(day=1)
        end = add_months(start, 1)  # filters.month lies within portal.params' bounds: no overflow
        # Local midnights, so the received_at index serves the range (a __date lookup would not),
        # and that month's tickets in the order received: newest published first would walk the
        # publication index through every later month (1.8 s for a month a year back, 1M rows).
        queryset = queryset.filter(received_at__gte=_midnight(start), received_at__lt=_midnight(end)).order_by(
            "-received_at", "-id"
        )
    if filters.query:
        queryset = fulltext.search(queryset, "public_search_document", filters.query)
    return queryset


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=deadlines.LOCAL_TZ)


def public_petition(reference: str) -> Petition | None:
    """One published ticket with its public replies and their attachments, or None."""
    return (
        public_petitions()
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Reply.objects.only(
                    "id", "petition_id", "public_body", "is_decline", "created_at"
                ).prefetch_related(
                    Prefetch("attachments", queryset=Attachment.objects.only("id", "reply_id", "content_type", "size"))
                ),
            )
        )
        .filter(reference=reference)
        .first()
    )


def petition_for_tracking(reference: str, query_code: str) -> Petition | None:
    """The ticket with this tracking number and query code, or None. A wrong code and a wrong
    number give the same None (and take the same time), so neither can be probed."""
    petition = Petition.objects.filter(reference=(reference or "").strip().upper()).first()
    if petition is None:
        services.query_code_matches(Petition(query_code_digest="0" * 64), query_code or "x")
        return None
    return petition if services.query_code_matches(petition, query_code) else None


def petitions_of_citizen(user) -> QuerySet[Petition]:
    """A citizen's tickets, newest first, with just what their list shows (not the long texts)."""
    return (
        Petition.objects.filter(citizen=user)
        .only("id", "reference", "title", "received_at", "state")
        .order_by("-received_at", "-id")
    )


# Internal steps the citizen still needs to know about: the public timeline shows the step with
# what it means for them, never the note staff wrote (a return's reason is the office's business).
CITIZEN_WORDING = {
    PetitionEvent.Action.RETURNED: _(
        "The department it was assigned to found the matter outside its responsibilities. The office of online "
        "inquiries is assigning it to the responsible department."
    ),
}


def timeline(petition: Petition, *, public_only: bool) -> list[PetitionEvent]:
    """The ticket's steps, oldest first. Each event says whether the citizen sees it
    (`shown_to_citizen`); the public timeline (`public_only`) holds just those, with the
    CITIZEN_WORDING in place of an internal step's note."""
    events = (
        petition.events.select_related("department", "actor")
        .prefetch_related("departments")
        .order_by("created_at", "id")
    )
    if public_only:
        events = events.filter(Q(public=True) | Q(action__in=list(CITIZEN_WORDING)))
    events = list(events)
    for event in events:
        wording = CITIZEN_WORDING.get(event.action)
        event.shown_to_citizen = event.public or wording is not None
        if public_only and wording is not None:
            event.note = str(wording)  # shown, never saved
    return events


# The office's own name (settings.PETITION_OFFICE_NAME overrides it): the unit of the clerks who
# assign and urge, as the timeline and the slip show it.
DEFAULT_OFFICE_NAME = _("Petition office (网络问政办公室)")


def office_name():
    """The office's name, translated when shown (a lazy string unless the setting names it)."""
    return getattr(settings, "PETITION_OFFICE_NAME", "") or DEFAULT_OFFICE_NAME


def timeline_for_staff(petition: Petition) -> list[PetitionEvent]:
    """Every step of the ticket (`timeline`), each with `actor_unit`: the unit the actor acted
    for, never the department the step concerns. A department's staff act for the department of
    the step when they belong to it, else for their own; an office clerk (who sees every
    department) for the office (网络问政办公室); the ticket's citizen as the citizen. Two queries
    for the memberships and one permission check per distinct actor, however long the timeline."""
    events = timeline(petition, public_only=False)
    actors = {event.actor_id: event.actor for event in events if event.actor_id}
    departments: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(user_id__in=actors).select_related("department").order_by("pk"):
        departments[membership.user_id].append(membership.department)
    office = {actor_id for actor_id, actor in actors.items() if sees_all_departments(actor)}
    for event in events:
        event.actor_unit = ""
        if not event.actor_id:
            continue
        own = departments.get(event.actor_id, [])
        if event.department_id and any(department.pk == event.department_id for department in own):
            event.actor_unit = event.department.name
        elif event.actor_id in office:
            event.actor_unit = office_name()
        elif own:
            event.actor_unit = "、".join(department.name for department in own)
        elif event.actor_id == petition.citizen_id:
            event.actor_unit = _("Citizen")
    return events


def internal_notes(events: list[PetitionEvent]) -> list[PetitionEvent]:
    """The internal handling notes (办理记录) among a timeline's steps: the one definition the
    change page's notes section and its timeline share (an assignment's note, a department's
    note, a reissued query code), so the section never says "no notes" beside a note."""
    return [event for event in events if event.action == PetitionEvent.Action.NOTE and not event.public]


def petition_due_dates(petitions) -> dict[int, list[tuple[Clock, clocks.Explanation]]]:
    """{ticket id: [(clock, how its due moment was computed), ...]} for a page of tickets: one
    query for all their clocks and one calendar for every explanation, however many tickets."""
    found = {petition.pk: [] for petition in petitions}
    rows = Clock.objects.for_subjects(Petition, found).order_by("started_at", "pk")
    for clock, explanation in clocks.clocks_explain(rows):
        found[clock.object_id].append((clock, explanation))
    return found


def petition_clocks(petition: Petition) -> list[Clock]:
    """Every clock of the ticket (open and met), oldest first: its due dates."""
    return list(Clock.objects.for_subject(petition).select_related("department").order_by("started_at", "pk"))


def awaiting_rating(petition: Petition, now: datetime) -> bool:
    """Whether the citizen may still rate the reply (within RATING_WINDOW_DAYS of it)."""
    if petition.state != Petition.State.REPLIED or not petition.replied_at:
        return False
    return now <= petition.replied_at + timedelta(days=RATING_WINDOW_DAYS)


def performance_metrics(department_ids: list[int], start: datetime, end: datetime):
    """The petitions' figures for the department performance page and the public statistics
    (the `performance_metrics` plug-in protocol of portal.dashboards), in one GROUP BY query:

    * satisfaction_rate: (satisfied + basically satisfied) / rated, over the tickets rated in
      [start, end), by lead department;
    * reopen_rate: re-examined / replied, over the tickets whose (last) reply was made in
      [start, end);
    * beside each rate the two counts it divides (rated, satisfied; replied_tickets, reopened).

    The key None holds the figures of all the given departments together. No personal data.
    """
    from django.db.models import Count, Q
    from django.utils.translation import gettext_lazy as _

    from portal.dashboards import Metric, ProvidedMetrics

    rated = Q(rated_at__gte=start, rated_at__lt=end)
    replied = Q(replied_at__gte=start, replied_at__lt=end)
    rows = (
        Petition.objects.filter(lead_department_id__in=list(department_ids))
        .filter(rated | replied)
        .values("lead_department_id")
        .annotate(
            rated=Count("id", filter=rated),
            satisfied=Count("id", filter=rated & Q(rating__in=[Petition.Rating.SATISFIED, Petition.Rating.BASICALLY])),
            replied=Count("id", filter=replied),
            reopened=Count("id", filter=replied & Q(reexamined=True)),
        )
        .order_by()
    )
    totals = {"rated": 0, "satisfied": 0, "replied": 0, "reopened": 0}
    counts = {}
    for row in rows:
        counts[row["lead_department_id"]] = row
        for key in totals:
            totals[key] += row[key]

    def rates(figures) -> dict:
        # Each rate beside the two counts it divides, so a page shows its numerator and denominator.
        return {
            "rated": figures["rated"],
            "satisfied": figures["satisfied"],
            "satisfaction_rate": figures["satisfied"] / figures["rated"] if figures["rated"] else None,
            "replied_tickets": figures["replied"],
            "reopened": figures["reopened"],
            "reopen_rate": figures["reopened"] / figures["replied"] if figures["replied"] else None,
        }

    empty = dict.fromkeys(totals, 0)
    values = {department_id: rates(counts.get(department_id, empty)) for department_id in department_ids}
    values[None] = rates(totals)
    return ProvidedMetrics(
        metrics=[
            Metric("rated", _("Rated (已评价)"), "count", _("Tickets the citizen rated in the period.")),
            Metric(
                "satisfied",
                _("Satisfied (满意及基本满意)"),
                "count",
                _("Of the tickets rated, those rated satisfied or basically satisfied."),
            ),
            Metric(
                "satisfaction_rate",
                _("Satisfaction (满意率)"),
                "rate",
                _("Satisfied ÷ rated."),
                ("satisfied", "rated"),
            ),
            Metric(
                "replied_tickets",
                _("Tickets replied (已答复工单)"),
                "count",
                _("Tickets whose last reply was made in the period."),
            ),
            Metric(
                "reopened",
                _("Re-examined (复查)"),
                "count",
                _("Of the tickets replied, those re-examined after an unsatisfied rating."),
            ),
            Metric(
                "reopen_rate",
                _("Reopened for re-examination (复查率)"),
                "rate",
                _("Re-examined ÷ tickets replied."),
                ("reopened", "replied_tickets"),
            ),
        ],
        values=values,
    )
