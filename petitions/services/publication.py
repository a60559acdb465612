"""Publication (部门回应): the public (masked) version of a ticket and its withholding."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import workflow
from petitions.models import (
    Petition,
)
from petitions.services.common import (
    TABLE,
    Action,
    _publish_if_allowed,
    _refresh_search,
    mask,
)
from portal.exceptions import DomainError, NotPermitted
from portal.workflow import locked


@transaction.atomic
def petition_edit_public_version(
    *, petition: Petition, actor, public_title: str, public_content: str, public_replies: dict[int, str] | None = None
) -> Petition:
    """Staff edit the public version (the original stays private); the text is masked again, so
    an edit cannot bring a phone number back."""
    petition = locked(petition)
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
    TABLE.save(petition, actor, "public version edited")
    return petition


@transaction.atomic
def petition_set_withheld(*, petition: Petition, actor, withheld: bool, reason: str = "") -> Petition:
    """Keep a ticket off the public column, or let it back on (only with the citizen's consent)."""
    petition = locked(petition)
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
        TABLE.record(petition, Action.WITHHELD, actor=actor, note=reason.strip())
    elif petition.replied_at:
        _publish_if_allowed(petition, actor, now)
    _refresh_search(petition)
    TABLE.save(petition, actor, "withheld from publication" if withheld else "publication allowed")
    return petition
