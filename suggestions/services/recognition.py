"""Recognition by the campaign office (活动办公室): excellent suggestions (优秀建言) and press
briefings (新闻发布会/情况通报会).

- The office selects an accepted, published suggestion as excellent with a citation (推荐理由):
  the campaign page showcases it (the author named only where they consented), its own page
  shows the badge and the citation, the summary report counts it, and the author is told. A
  selection may be withdrawn, with a reason the staff timeline and the history keep.
- A suggestion many people follow is flagged "high attention" (suggestions.services.follows);
  the campaign plan has the office explain those at a press briefing, and the office records
  that one was held, with its date and a link to it, which the suggestion's public page shows.

Each is one guarded transition (portal.workflow.transition with suggestions.workflow's table:
state, permission suggestions.manage_campaign, the office's role), with history, a timeline row,
and the shared public pages stale after commit.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import DomainError
from portal.workflow import transition
from suggestions import workflow
from suggestions.models import Suggestion
from suggestions.services.common import Action, mask, tell_author

EXCELLENT_NOTICE = "suggestion_excellent"
CITATION_MAX_LENGTH = Suggestion._meta.get_field("excellent_citation").max_length
LINK_MAX_LENGTH = Suggestion._meta.get_field("briefing_link").max_length
REASON_MAX_LENGTH = 1000
_LINK = URLValidator(schemes=["http", "https"])


def _required(text: str, message: str, max_length: int) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message)
    if len(text) > max_length:
        raise DomainError(
            _("Keep it within %(limit)s characters (it has %(count)s).") % {"limit": max_length, "count": len(text)}
        )
    return text


# --- excellent suggestions (优秀建言) -------------------------------------------------------------


@transaction.atomic
def suggestion_select_excellent(*, suggestion: Suggestion, actor, citation: str) -> Suggestion:
    """The office selects an accepted, published suggestion as excellent (优秀建言) with a citation
    (推荐理由), which is public: masked like every public text (the author's name, phone numbers,
    …). The author is told; the campaign page showcases it from now on."""
    with transition(suggestion, "excellent", table=workflow.TABLE, actor=actor) as move:
        suggestion = move.obj
        if suggestion.published_at is None:
            raise DomainError(
                _(
                    "Only a published suggestion can be selected as excellent: it is showcased on the campaign "
                    "page, and this one is not public (its author did not agree to publish it, or it is not "
                    "published yet)."
                )
            )
        if suggestion.excellent_at is not None:
            raise DomainError(
                _("This suggestion is already selected as excellent; withdraw the selection first to change it.")
            )
        citation = mask(
            suggestion,
            _required(
                citation, _("Write the citation (推荐理由): the public reads why it was selected."), CITATION_MAX_LENGTH
            ),
        )
        now = timezone.now()
        suggestion.excellent_at = now
        suggestion.excellent_citation = citation
        move.reason = "selected as excellent"
        move.record(Action.EXCELLENT, public=True, at=now, note=citation)
        move.notify(tell_author, suggestion, EXCELLENT_NOTICE)
    return suggestion


@transaction.atomic
def suggestion_unselect_excellent(*, suggestion: Suggestion, actor, reason: str) -> Suggestion:
    """The office withdraws a selection as excellent, saying why: the suggestion leaves the
    showcase and loses its badge. The reason stays with the staff (the history and the staff
    timeline); the author's timeline says only that the selection was withdrawn."""
    with transition(suggestion, "unselect_excellent", table=workflow.TABLE, actor=actor) as move:
        suggestion = move.obj
        if suggestion.excellent_at is None:
            raise DomainError(_("This suggestion is not selected as excellent."))
        reason = _required(
            reason, _("Say why the selection is withdrawn; the suggestion's history keeps it."), REASON_MAX_LENGTH
        )
        now = timezone.now()
        suggestion.excellent_at = None
        suggestion.excellent_citation = ""
        move.reason = f"excellent selection withdrawn: {reason}"
        move.record(
            Action.NOTE,
            public=False,
            at=now,
            note=_("Excellent selection withdrawn. Reason: %(reason)s") % {"reason": reason},
        )
        move.record(Action.NOTE, public=True, at=now, note=_("No longer among the campaign's excellent suggestions."))
    return suggestion


# --- press briefings (新闻发布会/情况通报会) ----------------------------------------------------------


def _briefing_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        raise DomainError(_("Give the link to the briefing (its news release or recording)."))
    if len(link) > LINK_MAX_LENGTH:
        raise DomainError(_("The link is longer than %(limit)s characters.") % {"limit": LINK_MAX_LENGTH})
    try:
        _LINK(link)
    except ValidationError:
        raise DomainError(_("The link must be a web address starting with http:// or https://.")) from None
    return link


@transaction.atomic
def suggestion_record_briefing(*, suggestion: Suggestion, actor, held_on: date, link: str) -> Suggestion:
    """The office records that a press briefing (新闻发布会/情况通报会) was held on a high-attention
    suggestion, as the campaign plan has it: the date (today or before, not before the suggestion
    was received) and a link to it (http or https). Its public page shows both. Recording again
    corrects them; the history keeps the earlier ones."""
    with transition(suggestion, "briefing", table=workflow.TABLE, actor=actor) as move:
        suggestion = move.obj
        if suggestion.high_attention_at is None:
            raise DomainError(
                _(
                    "A press briefing is recorded for a high-attention suggestion (关注度高) only; this one has "
                    "not reached its campaign's threshold of followers."
                )
            )
        if not isinstance(held_on, date):
            raise DomainError(_("Give the date the briefing was held."))
        if held_on > timezone.localdate():
            raise DomainError(_("The briefing's date cannot be in the future: record it once it has been held."))
        if held_on < timezone.localdate(suggestion.received_at):
            raise DomainError(_("The briefing's date is before the suggestion was received."))
        link = _briefing_link(link)
        again = suggestion.briefing_held_on is not None
        suggestion.briefing_held_on = held_on
        suggestion.briefing_link = link
        move.reason = "press briefing corrected" if again else "press briefing recorded"
        move.record(Action.BRIEFING, public=True, note=f"{held_on:%Y-%m-%d} {link}")
    return suggestion
