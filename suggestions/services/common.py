"""What the suggestion services share: masking and search text, the notices and e-mails to
authors, departments and clerks, and stored attachments. The guard, the history save and the
timeline rows are portal.workflow's, with suggestions.workflow.TABLE: every state change is one
`transition(suggestion, action, table=TABLE, actor=...)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal import notifications
from portal.masking import mask_personal_data
from portal.notifications import Delivery
from portal.search import segment
from portal.uploads import CheckedUpload, attachments_store
from suggestions.models import Suggestion, SuggestionAttachment, SuggestionEvent

S = Suggestion.State
Action = SuggestionEvent.Action


def _names(suggestion: Suggestion) -> list[str]:
    names = [suggestion.contact_name]
    if suggestion.citizen_id:
        user = suggestion.citizen
        names += [user.get_full_name(), user.first_name, user.last_name]
    return [name for name in names if name]


def mask(suggestion: Suggestion, text: str) -> str:
    """`text` with the author's name and every kind of personal data masked (portal.masking)."""
    return mask_personal_data(text, names=_names(suggestion))


def refresh_search(suggestion: Suggestion) -> None:
    """The staff search text (everything, numbers included) and the public one (the masked
    public version and the public answers, only while published)."""
    suggestion.search_document = segment(
        suggestion.reference, suggestion.number, suggestion.title, suggestion.problem, suggestion.measures
    )
    answers = (
        " ".join(f.public_answer for f in suggestion.forwardings.all() if f.public_answer) if suggestion.pk else ""
    )
    suggestion.public_search_document = (
        segment(suggestion.public_title, suggestion.public_problem, suggestion.public_measures, answers)
        if suggestion.published_at
        else ""
    )


def mine_url(suggestion: Suggestion) -> str:
    """Where the author follows their own suggestion (published or not)."""
    return reverse("suggestions:mine_detail", args=[suggestion.reference])


def admin_url(suggestion: Suggestion) -> str:
    return reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])


def _context(suggestion: Suggestion, **extra) -> dict:
    return {
        "reference": suggestion.number or suggestion.reference,
        "title": suggestion.title,
        "campaign": suggestion.campaign.title,
    } | extra


def tell_author(suggestion: Suggestion, kind: str, *, email_template: str = "", **extra) -> None:
    """Tell the author: an in-app notice to their account (online suggestions) and, when
    `email_template` is given, an e-mail to the contact address (any channel). Both only after
    commit (portal.notifications)."""
    context = _context(suggestion, **extra)
    if suggestion.citizen_id:
        user = get_user_model().objects.get(pk=suggestion.citizen_id)
        notifications.notify(deliveries=[Delivery(user, kind, context, url=mine_url(suggestion))])
    if email_template and suggestion.contact_email:
        language = suggestion.citizen.language if suggestion.citizen_id else settings.LANGUAGE_CODE
        url = settings.SITE_URL + (mine_url(suggestion) if suggestion.citizen_id else "")
        notifications.email_enqueue(
            to=suggestion.contact_email,
            template=email_template,
            context=context | {"name": suggestion.contact_name, "url": url, "state": suggestion.state},
            language=language,
        )


def notify_clerks(suggestion: Suggestion, kind: str, note: str = "") -> None:
    notifications.notify_office_clerks(
        kind=kind, context=_context(suggestion, note=note, event=kind), url=admin_url(suggestion)
    )


def store_files(suggestion: Suggestion, files: Sequence[CheckedUpload], *, actor) -> None:
    attachments_store(SuggestionAttachment, files, actor=actor, suggestion=suggestion)
