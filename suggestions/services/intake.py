"""Intake (建言收集): a citizen submits a suggestion online in a collecting campaign, staff record
one from an offline channel (suggestion box, field visit, hotline), and the author withdraws one
still awaiting review.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import clocks
from portal.exceptions import DomainError, NotPermitted
from portal.models import Clock
from portal.references import reference_next
from portal.uploads import CheckedUpload, discard_files_on_error
from portal.workflow import transition
from suggestions import policies
from suggestions.models import REFERENCE_PREFIX, Campaign, Category, Phase, Suggestion, Symposium
from suggestions.services.common import Action, mask, refresh_search, store_files, tell_author
from suggestions.workflow import TABLE

# Channels staff record by hand; online and symposium suggestions have their own services.
RECORDED_CHANNELS = (Suggestion.Channel.LETTER, Suggestion.Channel.FIELD_VISIT, Suggestion.Channel.HOTLINE)


def _require_category(campaign: Campaign, category: Category) -> None:
    if not category.is_active or not campaign.categories.filter(pk=category.pk).exists():
        raise DomainError(_("This campaign does not take suggestions in that category; choose another."))


def suggestion_create(
    *,
    campaign: Campaign,
    category: Category,
    channel: str,
    title: str,
    problem: str,
    measures: str,
    actor,
    citizen=None,
    recorded_by=None,
    contact_name: str = "",
    contact_mobile: str = "",
    contact_email: str = "",
    area: str = "",
    publish_consent: bool = False,
    name_consent: bool = False,
    received_on: date | None = None,
    place: str = "",
    symposium: Symposium | None = None,
    source_url: str = "",
    received_at: datetime | None = None,
    files: Sequence[CheckedUpload] = (),
) -> Suggestion:
    """A new pending suggestion on its 24-hour moderation clock, inside the caller's transaction
    (the intake services, the symposium form and the social-media import share it)."""
    _require_category(campaign, category)
    if not (title.strip() and problem.strip() and measures.strip()):
        raise DomainError(_("A suggestion needs a title, the problem and the proposed measures."))
    received_at = received_at or timezone.now()
    suggestion = Suggestion(
        reference=reference_next(prefix=REFERENCE_PREFIX, day=timezone.localdate(received_at)),
        campaign=campaign,
        category=category,
        channel=channel,
        title=title.strip(),
        problem=problem.strip(),
        measures=measures.strip(),
        area=area.strip(),
        citizen=citizen,
        contact_name=contact_name.strip(),
        contact_mobile=contact_mobile.strip(),
        contact_email=contact_email.strip(),
        publish_consent=publish_consent,
        name_consent=name_consent and publish_consent,
        recorded_by=recorded_by,
        received_on=received_on,
        place=place.strip(),
        symposium=symposium,
        source_url=source_url.strip(),
        received_at=received_at,
    )
    suggestion.public_title = mask(suggestion, suggestion.title)
    suggestion.public_problem = mask(suggestion, suggestion.problem)
    suggestion.public_measures = mask(suggestion, suggestion.measures)
    refresh_search(suggestion)
    # A new suggestion has no state to move from: saved and recorded as the table saves and
    # records every later step.
    TABLE.save(suggestion, actor, "received")
    store_files(suggestion, files, actor=actor)
    TABLE.record(suggestion, Action.RECEIVED, actor=actor, public=True, at=received_at, choice=channel)
    clocks.clock_start(subject=suggestion, policy=policies.MODERATE_POLICY, started_at=received_at, actor=actor)
    tell_author(suggestion, "suggestion_received", email_template="emails/suggestion_receipt")
    return suggestion


@discard_files_on_error
@transaction.atomic
def suggestion_submit(
    *,
    citizen,
    campaign: Campaign,
    category: Category,
    title: str,
    problem: str,
    measures: str,
    contact_name: str = "",
    contact_mobile: str = "",
    contact_email: str = "",
    area: str = "",
    publish_consent: bool = False,
    name_consent: bool = False,
    files: Sequence[CheckedUpload] = (),
) -> Suggestion:
    """A signed-in citizen submits a suggestion online, in the campaign's collection phase only."""
    if citizen is None or not citizen.is_authenticated:
        raise NotPermitted(_("Sign in to submit a suggestion."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_published or campaign.phase != Phase.COLLECTION:
        raise DomainError(_("This campaign is not collecting suggestions now."))
    return suggestion_create(
        campaign=campaign,
        category=category,
        channel=Suggestion.Channel.ONLINE,
        title=title,
        problem=problem,
        measures=measures,
        actor=citizen,
        citizen=citizen,
        contact_name=contact_name,
        contact_mobile=contact_mobile,
        contact_email=contact_email,
        area=area,
        publish_consent=publish_consent,
        name_consent=name_consent,
        files=files,
    )


@discard_files_on_error
@transaction.atomic
def suggestion_record(
    *,
    actor,
    campaign: Campaign,
    channel: str,
    category: Category,
    title: str,
    problem: str,
    measures: str,
    received_on: date,
    place: str = "",
    contact_name: str = "",
    contact_mobile: str = "",
    contact_email: str = "",
    area: str = "",
    publish_consent: bool = False,
    name_consent: bool = False,
    files: Sequence[CheckedUpload] = (),
) -> Suggestion:
    """Staff record a suggestion that came through an offline channel (意见箱, 实地走访, hotline),
    with the date and place it was received."""
    if not actor.has_perm("suggestions.record_suggestion"):
        raise NotPermitted(_("You are not allowed to record suggestions."))
    if channel not in RECORDED_CHANNELS:
        raise DomainError(_("Choose the channel the suggestion came through: suggestion box, field visit or hotline."))
    if received_on > timezone.localdate():
        raise DomainError(_("The date received cannot be in the future."))
    if received_on < campaign.preparation_on:
        raise DomainError(_("The date received is before the campaign began."))
    return suggestion_create(
        campaign=campaign,
        category=category,
        channel=channel,
        title=title,
        problem=problem,
        measures=measures,
        actor=actor,
        recorded_by=actor,
        contact_name=contact_name,
        contact_mobile=contact_mobile,
        contact_email=contact_email,
        area=area,
        publish_consent=publish_consent,
        name_consent=name_consent,
        received_on=received_on,
        place=place,
        files=files,
    )


@transaction.atomic
def suggestion_withdraw(*, suggestion: Suggestion, citizen, reason: str) -> Suggestion:
    """The author withdraws (撤回) a suggestion still awaiting review, with a reason; its
    moderation clock stops."""
    # The author is checked first (a suggestion's author never changes): anyone else is refused
    # as such, whatever the suggestion's state. The table's step is the citizen's: it checks the state.
    if citizen is None or not citizen.is_authenticated or suggestion.citizen_id != citizen.pk:
        raise NotPermitted(_("Only the author can withdraw a suggestion."))
    with transition(suggestion, "withdraw", table=TABLE, actor=citizen, reason="withdrawn") as move:
        suggestion = move.obj
        if not reason.strip():
            raise DomainError(_("Say why you withdraw the suggestion."))
        suggestion.withdrawal_reason = reason.strip()
        # Nothing is left to review: the moderation clock stops (met, as when a reviewer decides).
        for clock in clocks_open(suggestion):
            clocks.clock_meet(clock=clock, actor=citizen)
        move.record(Action.WITHDRAWN, public=True, note=reason.strip())
    return suggestion


def clocks_open(subject) -> list[Clock]:
    """The subject's open clocks, locked (moderation for a suggestion, response for a forwarding)."""
    return list(Clock.objects.for_subject(subject).open().select_for_update().order_by("pk"))
