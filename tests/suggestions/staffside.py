"""Builders for the staff-side suggestion tests (moderation, numbering, admin, digest): the
people of each role, and suggestions brought into a state through the real services (clock,
timeline, number and history as production would hold them)."""

from __future__ import annotations

from portal import roles
from portal.models import User
from suggestions.models import Campaign, Suggestion
from suggestions.services import moderation
from tests.factories import UserFactory
from tests.suggestions.factories import submitted


def reviewer(username: str | None = None, **kwargs) -> User:
    return UserFactory(role=roles.REVIEWER, **({"username": username} if username else {}), **kwargs)


def expert(*campaigns: Campaign, username: str | None = None, **kwargs) -> User:
    """An Expert invited to `campaigns`."""
    user = UserFactory(role=roles.EXPERT, **({"username": username} if username else {}), **kwargs)
    for campaign in campaigns:
        campaign.experts.add(user)
    return user


def approved(campaign: Campaign | None = None, *, by: User | None = None, **fields) -> Suggestion:
    """A suggestion submitted online and approved by a reviewer (numbered; published with consent)."""
    suggestion = submitted(campaign=campaign, **fields)
    return moderation.suggestion_approve(suggestion=suggestion, actor=by or reviewer())
