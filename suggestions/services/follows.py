"""Following (关注): a signed-in citizen follows a published suggestion, one follow per account.

The public count lives beside the Follow rows (`Suggestion.follower_count`, changed with F() under
the suggestion's row lock, so concurrent follows never lose one). Reaching the campaign's
high-attention threshold flags the suggestion for the office once (`high_attention_at`, a
recorded fact): a staff-only timeline step and a notice to the clerks, who may then hold a press
briefing (新闻发布会/情况通报会, the campaign plan).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import DomainError, NotPermitted
from portal.pagecache import public_content_changed
from portal.workflow import locked
from suggestions.models import Follow, Suggestion
from suggestions.services.common import Action, S, notify_clerks
from suggestions.workflow import TABLE

HIGH_ATTENTION_NOTICE = "suggestion_high_attention"


def _followable(suggestion: Suggestion, user) -> Suggestion:
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotPermitted(_("Sign in to follow a suggestion."))
    suggestion = locked(suggestion)
    if suggestion.published_at is None:
        raise DomainError(_("Only published suggestions can be followed."))
    return suggestion


def _count_changed(suggestion: Suggestion, change: int) -> None:
    Suggestion.objects.filter(pk=suggestion.pk).update(follower_count=Greatest(F("follower_count") + change, 0))
    suggestion.refresh_from_db(fields=["follower_count"])
    public_content_changed()  # the count is on the public pages


@transaction.atomic
def suggestion_follow(*, suggestion: Suggestion, user) -> Suggestion:
    """`user` follows `suggestion` (again: nothing changes). At the campaign's threshold the
    suggestion is flagged as high attention, once."""
    suggestion = _followable(suggestion, user)
    if suggestion.state == S.MERGED:
        raise DomainError(_("This suggestion was merged into another one; follow that one instead."))
    try:
        with transaction.atomic():
            Follow.objects.create(suggestion=suggestion, user=user)
    except IntegrityError:  # already following: one follow per account
        return suggestion
    _count_changed(suggestion, +1)
    threshold = suggestion.campaign.attention_threshold
    if suggestion.high_attention_at is None and suggestion.follower_count >= threshold:
        # A recorded fact, not a step of the workflow: the suggestion's state does not change.
        suggestion.high_attention_at = timezone.now()
        TABLE.save(suggestion, None, "high attention")
        TABLE.record(
            suggestion,
            Action.ATTENTION,
            public=False,
            note=_("%(count)s followers (threshold %(threshold)s)")
            % {"count": suggestion.follower_count, "threshold": threshold},
        )
        notify_clerks(suggestion, HIGH_ATTENTION_NOTICE, note=str(suggestion.follower_count))
    return suggestion


@transaction.atomic
def suggestion_unfollow(*, suggestion: Suggestion, user) -> Suggestion:
    """`user` stops following `suggestion` (not following: nothing changes). A high-attention
    flag stays: the office was told, and may have held its briefing."""
    suggestion = _followable(suggestion, user)
    deleted, _rows = Follow.objects.filter(suggestion=suggestion, user=user).delete()
    if deleted:
        _count_changed(suggestion, -1)
    return suggestion
