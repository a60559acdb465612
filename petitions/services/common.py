"""What the petition services share: the guarded transition (portal.workflow.transition with
petitions.workflow's table, which also saves a ticket with its history and writes its timeline),
masking and search text, query codes, the notices and e-mails to citizens, departments and clerks,
and stored attachments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from petitions import workflow
from petitions.models import (
    Attachment,
    Petition,
    PetitionEvent,
    Reply,
)
from portal import notifications, querycodes
from portal.masking import mask_personal_data
from portal.models import Clock, Department
from portal.notifications import Delivery
from portal.search import segment
from portal.uploads import CheckedUpload, attachments_store
from portal.workflow import transition

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


# --- the guarded transition (portal.workflow, with petitions.workflow's table) ------------------

TABLE = workflow.TABLE


def _transition(petition: Petition, action: str, **options):
    """portal.workflow.transition on the ticket: lock, check, conditional update of the state,
    history, timeline (`move.record`) and notices after the save (`move.notify`)."""
    return transition(petition, action, table=TABLE, **options)


# --- helpers -------------------------------------------------------------------------------


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
    notifications.notify_departments(
        department_ids=department_ids, kind=kind, context=context, url=_admin_url(petition)
    )


def _notify_clerks(petition: Petition, kind: str, note: str = "") -> None:
    context = _staff_context(petition, note) | {"event": kind}
    notifications.notify_office_clerks(kind=kind, context=context, url=_admin_url(petition))


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
    attachments_store(Attachment, files, actor=actor, petition=petition, reply=reply)


def _publish_if_allowed(petition: Petition, actor, now: datetime) -> None:
    if petition.publish_consent and not petition.publication_withheld and petition.published_at is None:
        petition.published_at = now
        TABLE.record(petition, Action.PUBLISHED, actor=actor, public=True, at=now)
