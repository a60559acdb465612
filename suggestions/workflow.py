"""The suggestion workflow as data (审核 → 编号 → 转交 → 答复 → 跟踪落实): which action moves a
suggestion from which states to which, and who may take it.

suggestions.services enforces the table under the suggestion's row lock; the admin's buttons and
action pages read it, so what is offered is exactly what is allowed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.workflow import Actor, Transition, TransitionTable
from suggestions.models import Phase, Suggestion, SuggestionEvent

S = Suggestion.State

# Who takes suggestion actions besides portal's actors: reviewers (审核员) moderate; assessors
# are reviewers and the campaign's invited experts (专家论证).
REVIEWER = "reviewer"
ASSESSOR = "assessor"

ACCEPTED = frozenset(Suggestion.ACCEPTED_STATES)

TRANSITIONS = (
    Transition(
        "approve",
        _("Approve (审核通过)"),
        frozenset({S.PENDING}),
        S.APPROVED,
        REVIEWER,
        "suggestions.moderate_suggestion",
    ),
    Transition(
        "reject",
        _("Do not approve (不予通过)"),
        frozenset({S.PENDING}),
        S.REJECTED,
        REVIEWER,
        "suggestions.moderate_suggestion",
    ),
    Transition(
        "merge",
        _("Merge into an earlier suggestion (合并)"),
        frozenset({S.PENDING, S.APPROVED}),
        S.MERGED,
        REVIEWER,
        "suggestions.moderate_suggestion",
    ),
    Transition(
        "edit_public",
        _("Edit the public version"),
        ACCEPTED,
        None,
        REVIEWER,
        "suggestions.moderate_suggestion",
    ),
    Transition("assess", _("Assess (价值评估)"), ACCEPTED, None, ASSESSOR, "suggestions.assess_suggestion"),
    Transition(
        "forward",
        _("Forward to departments (转交)"),
        frozenset({S.APPROVED}),
        S.FORWARDED,
        Actor.OFFICE,
        "suggestions.forward_suggestion",
    ),
    Transition(
        "answer",
        _("Answer (答复)"),
        frozenset({S.FORWARDED, S.ANSWERED}),
        None,
        Actor.INVOLVED,
        "suggestions.answer_suggestion",
    ),
    Transition(
        "measure",
        _("Record a measure (落实措施)"),
        frozenset({S.FORWARDED, S.ANSWERED}),
        None,
        Actor.INVOLVED,
        "suggestions.answer_suggestion",
    ),
    Transition(
        "extend",
        _("Extend a department's deadline (延期)"),
        # A department's answer deadline while forwarded; a measure's milestone after answering too.
        frozenset({S.FORWARDED, S.ANSWERED}),
        None,
        Actor.OFFICE,
        "portal.extend_deadline",
    ),
    Transition(
        "urge",
        _("Urge the departments (催办)"),
        frozenset({S.FORWARDED, S.ANSWERED}),
        None,
        Actor.OFFICE,
        "portal.urge_work",
    ),
    Transition(
        "excellent",
        _("Select as excellent (优秀建言)"),
        ACCEPTED,
        None,
        Actor.OFFICE,
        "suggestions.manage_campaign",
    ),
    Transition(
        "unselect_excellent",
        _("Withdraw the excellent selection"),
        # Merging an excellent suggestion into another leaves its selection to withdraw.
        ACCEPTED | {S.MERGED},
        None,
        Actor.OFFICE,
        "suggestions.manage_campaign",
    ),
    Transition(
        "briefing",
        _("Record a press briefing (新闻发布会)"),
        ACCEPTED,
        None,
        Actor.OFFICE,
        "suggestions.manage_campaign",
    ),
    Transition("withdraw", _("Withdraw (撤回)"), frozenset({S.PENDING}), S.WITHDRAWN, Actor.CITIZEN),
    # The last department's answer makes the suggestion answered (the services, not a person).
    Transition("answered", _("Answered by every department"), frozenset({S.FORWARDED}), S.ANSWERED, Actor.SYSTEM),
)


# Who acts in which role is portal's rule (portal.workflow.TransitionTable.acts_for); the table
# declares the departments a suggestion involves and the two roles of this app's own.


def _forwarded_departments(suggestion: Suggestion) -> list[int]:
    return [forwarding.department_id for forwarding in suggestion.forwardings.all()]


def _reviewer(user, suggestion: Suggestion) -> bool:
    return True  # the moderation permission is the reviewer's role


def _assessor(user, suggestion: Suggestion) -> bool:
    # Reviewers assess any suggestion; an invited expert only those of their campaigns.
    return user.has_perm("suggestions.moderate_suggestion") or suggestion.campaign.experts.filter(pk=user.pk).exists()


def _ready(suggestion: Suggestion, action: str) -> bool:
    """Forwarding belongs to the analysis phase and after (the campaign plan's 建言分析). Only a
    published suggestion not yet selected is offered for selection as excellent (it is showcased
    in public), a selection only to withdraw, and a press briefing only for a high-attention one
    (the services refuse the rest with their reason)."""
    if action == "forward":
        return suggestion.campaign.phase in (Phase.ANALYSIS, Phase.FEEDBACK, Phase.SUMMARY)
    if action == "excellent":
        return suggestion.published_at is not None and suggestion.excellent_at is None
    if action == "unselect_excellent":
        return suggestion.excellent_at is not None
    if action == "briefing":
        return suggestion.high_attention_at is not None
    return True


TABLE = TransitionTable(
    TRANSITIONS,
    departments={Actor.INVOLVED: _forwarded_departments},
    roles={REVIEWER: _reviewer, ASSESSOR: _assessor},
    ready=_ready,
    refusals={
        Actor.INVOLVED: _("Only staff of a department the suggestion was forwarded to can do this."),
        ASSESSOR: _("Only reviewers and the campaign's invited experts can assess its suggestions."),
    },
    illegal_message=_("A suggestion that is “%(state)s” cannot be handled this way (%(action)s)."),
    event_model=SuggestionEvent,
    event_link="suggestion",
    # On a public page, or just taken off one: shared public pages are stale after the change.
    on_public_page=lambda suggestion: suggestion.published_at is not None,
)
