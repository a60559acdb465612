"""Intake (收集): a citizen submits a ticket online, staff record one taken offline, and a lost
query code is reissued.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions.models import (
    REFERENCE_PREFIX,
    Category,
    Petition,
)
from petitions.services.common import (
    TABLE,
    Action,
    _notify_clerks,
    _refresh_search,
    _store_files,
    _tell_citizen,
    mask,
    query_code_digest,
    query_code_new,
)
from portal import clocks
from portal.exceptions import DomainError, NotPermitted
from portal.references import reference_next
from portal.uploads import CheckedUpload, discard_files_on_error
from portal.workflow import locked


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
    TABLE.save(petition, actor, "received")
    _store_files(petition, files, actor=actor)
    TABLE.record(petition, Action.RECEIVED, actor=actor, public=True, at=received_at, choice=petition.channel)
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
    petition = locked(petition)
    code = query_code_new()
    petition.query_code_digest = query_code_digest(code)
    TABLE.save(petition, actor, "query code reissued")
    TABLE.record(petition, Action.NOTE, actor=actor, note=_("A new query code was issued."))
    return code
