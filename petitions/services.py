"""Every write to a petition ticket: one function per action, one transaction each.

Each service locks the ticket row, checks petitions.workflow's table (state, role, permission),
changes the ticket, moves its clocks through portal.clocks, writes the timeline event, and queues
notices and e-mails that are sent only after commit. A refused action raises a DomainError
subclass whose message is shown to the user as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import workflow
from petitions.models import (
    RATING_WINDOW_DAYS,
    REFERENCE_PREFIX,
    Attachment,
    Category,
    CoHandling,
    HandlingNote,
    Petition,
    PetitionEvent,
    Reply,
)
from portal import clocks, notifications, querycodes
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.masking import mask_personal_data
from portal.models import Clock, Department
from portal.notifications import Delivery
from portal.references import reference_next
from portal.search import segment
from portal.uploads import CheckedUpload, discard_files_on_error, remember_stored_file
from portal.workflow import Transition, event_record, locked, save_with_history

S = Petition.State
Action = PetitionEvent.Action

ACKNOWLEDGEMENT = "您反映的问题已由我单位受理，将尽快给您回复。"
QUERY_CODE_SALT = "petitions.query_code"


# --- query codes (portal.querycodes, with the tickets' own key) ------------------------------


def query_code_new() -> str:
    return querycodes.query_code_new()


def query_code_digest(code: str) -> str:
    """Only a keyed digest is stored: a database leak does not reveal anyone's query code."""
    return querycodes.query_code_digest(code, salt=QUERY_CODE_SALT)


def query_code_matches(petition: Petition, code: str) -> bool:
    return querycodes.query_code_matches(petition.query_code_digest, code, salt=QUERY_CODE_SALT)


# --- helpers -------------------------------------------------------------------------------


def _locked(petition: Petition) -> Petition:
    return locked(petition)


def _check(petition: Petition, action: str, actor) -> Transition:
    return workflow.TABLE.check(petition, action, actor)


def _save(petition: Petition, actor, reason: str) -> None:
    # On the public column, or just taken off it: shared public pages are stale after commit.
    public = petition.published_at is not None or petition.publication_withheld
    save_with_history(petition, actor, reason, public=public)


def _event(petition: Petition, action: str, **fields) -> PetitionEvent:
    """A timeline row. What it records as data (`choice`, `departments`) is shown in the reader's
    language; `note` holds what someone wrote."""
    return event_record(PetitionEvent, petition=petition, action=action, **fields)


def _open_clocks(petition: Petition) -> dict[str, Clock]:
    """{kind: clock} of the ticket's open clocks, locked."""
    return {
        clock.kind: clock for clock in Clock.objects.for_subject(petition).open().select_for_update().order_by("pk")
    }


def _reply_policy(petition: Petition) -> str:
    complex_matter = petition.is_complex or petition.co_handlings.exists()
    return "petition.reply.complex" if complex_matter else "petition.reply.ordinary"


def _refresh_search(petition: Petition) -> None:
    petition.search_document = segment(petition.reference, petition.title, petition.content)
    replies = " ".join(reply.public_body for reply in petition.replies.all()) if petition.pk else ""
    petition.public_search_document = (
        segment(petition.public_title, petition.public_content, replies) if petition.published_at else ""
    )


def _names(petition: Petition) -> list[str]:
    names = [petition.contact_name]
    if petition.citizen_id:
        names += [petition.citizen.get_full_name(), petition.citizen.first_name, petition.citizen.last_name]
    return [name for name in names if name]


def mask(petition: Petition, text: str) -> str:
    return mask_personal_data(text, names=_names(petition))


def _tracking_url(petition: Petition) -> str:
    return settings.SITE_URL + reverse("petitions:track_detail", args=[petition.reference])


def _tell_citizen(petition: Petition, template: str, **extra) -> None:
    if petition.contact_email:
        language = petition.citizen.language if petition.citizen_id else settings.LANGUAGE_CODE
        notifications.email_enqueue(
            to=petition.contact_email,
            template=template,
            context={
                "reference": petition.reference,
                "title": petition.title,
                "name": petition.contact_name,
                "url": _tracking_url(petition),
                "state": petition.state,
            }
            | extra,
            language=language,
        )


def _notice_citizens(petitions: Sequence[Petition], kind: str, **extra) -> None:
    """In-app notices (通知) to the citizen accounts of `petitions`, in the caller's transaction,
    linking to the tracking page. Tickets without an account get none; the e-mail to the contact
    address given with a ticket is _tell_citizen's."""
    owned = [petition for petition in petitions if petition.citizen_id]
    if not owned:
        return
    citizens = get_user_model().objects.in_bulk({petition.citizen_id for petition in owned})
    departments = Department.objects.in_bulk({p.lead_department_id for p in owned if p.lead_department_id})
    deliveries = []
    for petition in owned:
        department = departments.get(petition.lead_department_id)
        context = {
            "reference": petition.reference,
            "title": petition.title,
            "department": department.name if department else "",
        }
        url = reverse("petitions:track_detail", args=[petition.reference])
        deliveries.append(Delivery(citizens[petition.citizen_id], kind, context | extra, url=url))
    notifications.notify(deliveries=deliveries)


def _notify_departments(petition: Petition, kind: str, department_ids: Iterable[int], note: str = "") -> None:
    context = _staff_context(petition, note) | {"event": kind}
    url = _admin_url(petition)
    staff = notifications.department_staff(department_ids)
    notifications.notify(
        deliveries=[
            Delivery(user, kind, context, url=url)
            for users in staff.values()
            for user in {u.pk: u for u in users}.values()
        ]
    )


def _notify_clerks(petition: Petition, kind: str, note: str = "") -> None:
    context = _staff_context(petition, note) | {"event": kind}
    url = _admin_url(petition)
    notifications.notify(deliveries=[Delivery(user, kind, context, url=url) for user in notifications.office_clerks()])


def _staff_context(petition: Petition, note: str) -> dict:
    return {
        "reference": petition.reference,
        "title": petition.title,
        "department": petition.lead_department.name if petition.lead_department_id else "",
        "note": note,
    }


def _admin_url(petition: Petition) -> str:
    return reverse("admin:petitions_petition_change", args=[petition.pk])


def _store_files(petition: Petition, files: Sequence[CheckedUpload], *, actor, reply: Reply | None = None) -> None:
    for upload in files:
        attachment = Attachment(
            petition=petition,
            reply=reply,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=actor if actor and actor.is_authenticated else None,
        )
        attachment.file.save(upload.name, upload.file, save=False)
        remember_stored_file(attachment.file.storage, attachment.file.name)
        attachment._history_user = actor
        attachment.save()


# --- intake --------------------------------------------------------------------------------


def _create(
    *,
    citizen,
    recorded_by,
    channel: str,
    kind: str,
    category: Category,
    title: str,
    content: str,
    location: str,
    contact_name: str,
    contact_mobile: str,
    contact_email: str,
    publish_consent: bool,
    files: Sequence[CheckedUpload],
    reception_place: str = "",
    reception_date: date | None = None,
    received_at: datetime | None = None,
) -> tuple[Petition, str]:
    if not category.is_active:
        raise DomainError(_("This category is no longer in use; choose another."))
    received_at = received_at or timezone.now()
    code = query_code_new()
    petition = Petition(
        reference=reference_next(prefix=REFERENCE_PREFIX, day=timezone.localdate(received_at)),
        query_code_digest=query_code_digest(code),
        kind=kind,
        channel=channel,
        category=category,
        title=title.strip(),
        content=content.strip(),
        location=location.strip(),
        citizen=citizen,
        contact_name=contact_name.strip(),
        contact_mobile=contact_mobile.strip(),
        contact_email=contact_email.strip(),
        publish_consent=publish_consent,
        recorded_by=recorded_by,
        reception_place=reception_place.strip(),
        reception_date=reception_date,
        received_at=received_at,
    )
    petition.public_title = mask(petition, petition.title)
    petition.public_content = mask(petition, petition.content)
    _refresh_search(petition)
    actor = recorded_by or citizen
    _save(petition, actor, "received")
    _store_files(petition, files, actor=actor)
    _event(petition, Action.RECEIVED, actor=actor, public=True, at=received_at, choice=petition.channel)
    clocks.clock_start(subject=petition, policy="petition.acknowledge", started_at=received_at, actor=actor)
    clocks.clock_start(subject=petition, policy="petition.reply.ordinary", started_at=received_at, actor=actor)
    _notify_clerks(petition, "petition_received")
    _tell_citizen(petition, "emails/petition_receipt", query_code="")
    return petition, code


@discard_files_on_error
@transaction.atomic
def petition_submit(
    *,
    citizen,
    kind: str,
    category: Category,
    title: str,
    content: str,
    contact_name: str,
    contact_mobile: str = "",
    contact_email: str = "",
    location: str = "",
    publish_consent: bool = False,
    files: Sequence[CheckedUpload] = (),
) -> tuple[Petition, str]:
    """A signed-in citizen submits a ticket online. Returns the ticket and its query code, which
    is shown once (only its digest is stored)."""
    if citizen is None or not citizen.is_authenticated:
        raise NotPermitted(_("Sign in to submit a ticket online."))
    return _create(
        citizen=citizen,
        recorded_by=None,
        channel=Petition.Channel.ONLINE,
        kind=kind,
        category=category,
        title=title,
        content=content,
        location=location,
        contact_name=contact_name,
        contact_mobile=contact_mobile,
        contact_email=contact_email,
        publish_consent=publish_consent,
        files=files,
    )


@discard_files_on_error
@transaction.atomic
def petition_record(
    *,
    actor,
    channel: str,
    kind: str,
    category: Category,
    title: str,
    content: str,
    contact_name: str,
    contact_mobile: str = "",
    contact_email: str = "",
    location: str = "",
    publish_consent: bool = False,
    reception_place: str = "",
    reception_date: date | None = None,
    citizen=None,
    files: Sequence[CheckedUpload] = (),
) -> tuple[Petition, str]:
    """Staff record a ticket on a citizen's behalf (plaza reception, hotline, mailbox)."""
    if not actor.has_perm("petitions.record_petition"):
        raise NotPermitted(_("You are not allowed to record tickets."))
    if channel == Petition.Channel.ONLINE:
        raise DomainError(_("Choose the channel the ticket came through: plaza reception, hotline or mailbox."))
    if channel == Petition.Channel.PLAZA and not (reception_place.strip() and reception_date):
        raise DomainError(_("For a plaza reception, give the place and the date of the reception event."))
    if reception_date and reception_date > timezone.localdate():
        raise DomainError(_("The reception date cannot be in the future."))
    return _create(
        citizen=citizen,
        recorded_by=actor,
        channel=channel,
        kind=kind,
        category=category,
        title=title,
        content=content,
        location=location,
        contact_name=contact_name,
        contact_mobile=contact_mobile,
        contact_email=contact_email,
        publish_consent=publish_consent,
        files=files,
        reception_place=reception_place,
        reception_date=reception_date,
    )


@transaction.atomic
def petition_reset_query_code(*, petition: Petition, actor) -> str:
    """Issue a new query code (the citizen lost the slip); the old one stops working."""
    if not actor.has_perm("petitions.record_petition"):
        raise NotPermitted(_("You are not allowed to do this."))
    petition = _locked(petition)
    code = query_code_new()
    petition.query_code_digest = query_code_digest(code)
    _save(petition, actor, "query code reissued")
    _event(petition, Action.NOTE, actor=actor, note=_("A new query code was issued."))
    return code


# --- handling ------------------------------------------------------------------------------


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
    petition = _locked(petition)
    _check(petition, "assign", actor)
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
    petition.state = S.ASSIGNED
    petition.assigned_at = timezone.now()
    petition.return_reason = ""
    _save(petition, actor, "assigned")
    open_clocks = _open_clocks(petition)
    for clock in open_clocks.values():
        clocks.clock_set_department(clock=clock, department=lead_department, actor=actor)
    reply_clock = open_clocks.get(Clock.Kind.REPLY)
    policy = _reply_policy(petition)
    if reply_clock and reply_clock.policy != policy and policy in clocks.get_policy(reply_clock.policy).reclassify_to:
        clocks.clock_reclassify(clock=reply_clock, policy=policy, reason=_("assigned"), actor=actor)
    _event(
        petition,
        Action.ASSIGNED,
        actor=actor,
        department=lead_department,
        departments=[lead_department, *co_departments],
        public=True,
    )
    if note.strip():
        _event(petition, Action.NOTE, actor=actor, note=note.strip())
    _notify_departments(
        petition, "petition_assigned", [lead_department.pk] + [d.pk for d in co_departments], note.strip()
    )
    return petition


@transaction.atomic
def petition_return(*, petition: Petition, actor, reason: str) -> Petition:
    """The lead department returns (退回) a wrongly assigned ticket to the office, with a reason."""
    petition = _locked(petition)
    _check(petition, "return", actor)
    if not reason.strip():
        raise DomainError(_("Say why the ticket is returned, so the office can reassign it."))
    department = petition.lead_department
    petition.state = S.RETURNED
    petition.return_reason = reason.strip()
    _save(petition, actor, "returned")
    _event(petition, Action.RETURNED, actor=actor, department=department, note=reason.strip())
    _notify_clerks(petition, "petition_returned", reason.strip())
    _notice_citizens([petition], "petition_citizen_returned")  # what it means for them, not the reason
    return petition


@transaction.atomic
def petition_accept(*, petition: Petition, actor) -> Petition:
    """The lead department accepts (受理): the 24-hour acknowledgement is met."""
    petition = _locked(petition)
    _check(petition, "accept", actor)
    now = timezone.now()
    petition.state = S.ACCEPTED
    petition.accepted_at = now
    _save(petition, actor, "accepted")
    acknowledge = _open_clocks(petition).get(Clock.Kind.ACKNOWLEDGE)
    if acknowledge:
        clocks.clock_meet(clock=acknowledge, actor=actor, at=now)
    _event(
        petition, Action.ACCEPTED, actor=actor, department=petition.lead_department, note=ACKNOWLEDGEMENT, public=True
    )
    _tell_citizen(petition, "emails/petition_accepted", acknowledgement=ACKNOWLEDGEMENT)
    _notice_citizens([petition], "petition_citizen_accepted")
    return petition


def _publish_if_allowed(petition: Petition, actor, now: datetime) -> None:
    if petition.publish_consent and not petition.publication_withheld and petition.published_at is None:
        petition.published_at = now
        _event(petition, Action.PUBLISHED, actor=actor, public=True, at=now)


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


def _answer(petition: Petition, actor, text: str, files: Sequence[CheckedUpload], *, decline: bool) -> Petition:
    """A reply or a refusal to accept: both answer the citizen and meet every open clock."""
    now = timezone.now()
    _write_reply(petition, actor, text, files, decline=decline, now=now)
    petition.state = S.REPLIED
    petition.replied_at = now
    for clock in _open_clocks(petition).values():
        clocks.clock_meet(clock=clock, actor=actor, at=now)
    _publish_if_allowed(petition, actor, now)
    _refresh_search(petition)
    _save(petition, actor, "declined" if decline else "replied")
    action = Action.DECLINED if decline else Action.REPLIED
    _event(petition, action, actor=actor, department=petition.lead_department, public=True, at=now)
    _tell_citizen(petition, "emails/petition_replied", declined=decline)
    _notice_citizens([petition], "petition_citizen_declined" if decline else "petition_citizen_replied")
    return petition


@transaction.atomic
def petition_decline(*, petition: Petition, actor, reason: str) -> Petition:
    """The lead department does not accept the ticket (不予受理); the reason is its reply."""
    petition = _locked(petition)
    _check(petition, "decline", actor)
    if not reason.strip():
        raise DomainError(_("Give the reason for not accepting; the citizen reads it as the reply."))
    return _answer(petition, actor, reason, (), decline=True)


@discard_files_on_error
@transaction.atomic
def petition_reply(*, petition: Petition, actor, body: str, files: Sequence[CheckedUpload] = ()) -> Petition:
    """The lead department replies (答复): the reply clock is met, on time or late."""
    petition = _locked(petition)
    _check(petition, "reply", actor)
    if not body.strip():
        raise DomainError(_("Write the reply."))
    return _answer(petition, actor, body, files, decline=False)


@transaction.atomic
def petition_note(*, petition: Petition, actor, body: str) -> HandlingNote:
    """An internal handling note (办理记录); never shown to the citizen."""
    petition = _locked(petition)
    _check(petition, "note", actor)
    if not body.strip():
        raise DomainError(_("Write the note."))
    departments = set(workflow.user_department_ids(actor))
    department = petition.lead_department if petition.lead_department_id in departments else None
    note = HandlingNote(petition=petition, author=actor, department=department, body=body.strip())
    note._history_user = actor
    note.save()
    # The timeline carries the note's text, as it does an assignment's note: the change page lists
    # its internal notes from the timeline (selectors.internal_notes), so the two always agree.
    _event(petition, Action.NOTE, actor=actor, department=department, note=note.body)
    return note


@transaction.atomic
def petition_submit_opinion(*, petition: Petition, actor, department: Department, opinion: str) -> CoHandling:
    """A co-handling department submits its opinion (会办意见) to the lead department."""
    petition = _locked(petition)
    _check(petition, "opinion", actor)
    if department.pk not in workflow.user_department_ids(actor) and not actor.is_superuser:
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
    _event(petition, Action.OPINION, actor=actor, department=department)
    if petition.lead_department_id:
        _notify_departments(petition, "petition_opinion", [petition.lead_department_id], department.name)
    return handling


@transaction.atomic
def petition_extend(*, petition: Petition, actor, days: int, reason: str, clock_id: int | None = None) -> Petition:
    """The office extends (延期) the reply deadline through the clock engine, with a reason.
    `clock_id` (from the clock admin) must be that running reply deadline."""
    petition = _locked(petition)
    _check(petition, "extend", actor)
    reply_clock = _open_clocks(petition).get(Clock.Kind.REPLY)
    if reply_clock is None or clock_id not in (None, reply_clock.pk):
        raise IllegalTransition(_("This ticket has no running reply deadline to extend."))
    reply_clock = clocks.clock_extend(clock=reply_clock, days=days, reason=reason, actor=actor)
    _notice_citizens([petition], "petition_citizen_extended", due_at=reply_clock.due_at.isoformat())
    note = _("%(days)s working days: %(reason)s") % {"days": days, "reason": reason.strip()}
    _event(petition, Action.EXTENDED, actor=actor, department=petition.lead_department, note=note, public=True)
    return petition


@transaction.atomic
def petition_urge(*, petition: Petition, actor, note: str = "", clock_ids: Iterable[int] | None = None) -> Petition:
    """The office urges (催办) the lead department: a logged reminder to its staff about the
    ticket's open deadlines, or only those of `clock_ids` (the ones ticked on the board)."""
    petition = _locked(petition)
    _check(petition, "urge", actor)
    urged = [clock.pk for clock in _open_clocks(petition).values()]
    if clock_ids is not None:
        wanted = set(clock_ids)
        urged = [pk for pk in urged if pk in wanted]
    if not urged:
        raise IllegalTransition(_("This ticket has no running deadline to urge."))
    clocks.clocks_urge(clock_ids=urged, note=note.strip(), actor=actor)
    _event(petition, Action.URGED, actor=actor, department=petition.lead_department, note=note.strip())
    return petition


@transaction.atomic
def petition_rate(*, petition: Petition, rating: str, comment: str = "", now: datetime | None = None) -> Petition:
    """The citizen rates the reply (评价) within the rating period. 不满意 the first time reopens
    the ticket for re-examination with a new 7-working-day reply clock; otherwise it closes."""
    petition = _locked(petition)
    _check(petition, "rate", None)
    now = now or timezone.now()
    if rating not in Petition.Rating.values:
        raise DomainError(_("Choose satisfied, basically satisfied or unsatisfied."))
    if petition.replied_at and now > petition.replied_at + timedelta(days=RATING_WINDOW_DAYS):
        raise IllegalTransition(_("The rating period of %(days)s days has ended.") % {"days": RATING_WINDOW_DAYS})
    petition.rating, petition.rating_comment, petition.rated_at = rating, comment.strip(), now
    if rating == Petition.Rating.UNSATISFIED and not petition.reexamined:
        petition.state = S.REEXAMINING
        petition.reexamined = True
        _save(petition, None, "rated unsatisfied: reopened")
        _event(petition, Action.RATED, choice=rating, public=True, at=now)
        _event(petition, Action.REOPENED, department=petition.lead_department, public=True, at=now)
        clocks.clock_start(
            subject=petition, policy="petition.reply.reexamine", started_at=now, department=petition.lead_department
        )
        _notify_departments(petition, "petition_reopened", [petition.lead_department_id], comment.strip())
        _notify_clerks(petition, "petition_reopened", comment.strip())
    else:
        petition.state = S.CLOSED
        petition.closed_at, petition.closure = now, Petition.Closure.RATED
        _save(petition, None, f"rated {rating}: closed")
        _event(petition, Action.RATED, choice=rating, public=True, at=now)
        _event(petition, Action.CLOSED, choice=Petition.Closure.RATED, public=True, at=now)
    return petition


@transaction.atomic
def petition_close(*, petition: Petition, actor, reason: str) -> Petition:
    """The office closes (办结) a replied ticket, with a reason."""
    petition = _locked(petition)
    _check(petition, "close", actor)
    if not reason.strip():
        raise DomainError(_("Give the reason for closing."))
    now = timezone.now()
    petition.state, petition.closed_at, petition.closure = S.CLOSED, now, Petition.Closure.OFFICE
    _save(petition, actor, "closed by the office")
    _notice_citizens([petition], "petition_citizen_closed", note=reason.strip())
    _event(
        petition, Action.CLOSED, actor=actor, note=reason.strip(), choice=Petition.Closure.OFFICE, public=True, at=now
    )
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
        petition.state, petition.closed_at, petition.closure = S.CLOSED, now, Petition.Closure.UNRATED
        _save(petition, None, "closed as unrated")
        _event(petition, Action.CLOSED, choice=Petition.Closure.UNRATED, public=True, at=now)
    _notice_citizens(due, "petition_citizen_closed")
    return len(due)


# --- publication ---------------------------------------------------------------------------


@transaction.atomic
def petition_edit_public_version(
    *, petition: Petition, actor, public_title: str, public_content: str, public_replies: dict[int, str] | None = None
) -> Petition:
    """Staff edit the public version (the original stays private); the text is masked again, so
    an edit cannot bring a phone number back."""
    petition = _locked(petition)
    if not (workflow.may(actor, petition, "note") or workflow.acts_for(actor, petition, workflow.Actor.INVOLVED)):
        raise NotPermitted(_("You are not allowed to do this."))
    if not actor.has_perm("petitions.change_petition"):
        raise NotPermitted(_("You are not allowed to do this."))
    if not public_title.strip():
        raise DomainError(_("The public title cannot be empty."))
    petition.public_title = mask(petition, public_title.strip())
    petition.public_content = mask(petition, public_content.strip())
    for reply in petition.replies.filter(pk__in=list((public_replies or {}).keys())):
        reply.public_body = mask(petition, public_replies[reply.pk].strip())
        reply._history_user = actor
        reply.save()
    _refresh_search(petition)
    _save(petition, actor, "public version edited")
    return petition


@transaction.atomic
def petition_set_withheld(*, petition: Petition, actor, withheld: bool, reason: str = "") -> Petition:
    """Keep a ticket off the public column, or let it back on (only with the citizen's consent)."""
    petition = _locked(petition)
    if not actor.has_perm("petitions.change_petition") or not workflow.acts_for(
        actor, petition, workflow.Actor.INVOLVED
    ):
        raise NotPermitted(_("You are not allowed to do this."))
    if withheld and not reason.strip():
        raise DomainError(_("Give the reason for withholding the ticket from publication."))
    now = timezone.now()
    petition.publication_withheld = withheld
    if withheld:
        petition.published_at = None
        _event(petition, Action.WITHHELD, actor=actor, note=reason.strip())
    elif petition.replied_at:
        _publish_if_allowed(petition, actor, now)
    _refresh_search(petition)
    _save(petition, actor, "withheld from publication" if withheld else "publication allowed")
    return petition
