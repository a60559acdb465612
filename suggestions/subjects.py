"""Suggestions as the subjects of clocks (portal.subjects): how the board, notices and e-mails
show them, and the services through which the board and the clock admin urge and extend them, so
that the suggestion's timeline records what they do.

Three subjects: the suggestion itself (its 24-hour moderation clock), each forwarding to a
department (its response clock) and each measure (its milestone, due at the end of the planned
date). All three are shown by the suggestion's number and title; a forwarding and a measure
belong to their department and open on the department's forwarding page.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from portal.exceptions import IllegalTransition
from portal.models import Clock
from portal.subjects import ClockSubject, model_admin_url
from suggestions.models import Forwarding, Measure, Suggestion
from suggestions.services import answers


def _public_url(suggestion: Suggestion) -> str | None:
    if suggestion.published_at is None:
        return None
    try:
        return reverse("suggestions:detail", args=[suggestion.campaign.slug, suggestion.pk])
    except NoReverseMatch:  # the public pages are not installed (a test URL conf)
        return None


class SuggestionSubject(ClockSubject):
    """A suggestion awaiting review (its moderation clock): the reviewers' work, no department's."""

    select_related = ("campaign",)

    def reference(self, obj: Suggestion) -> str:
        return obj.number or obj.reference

    def title(self, obj: Suggestion) -> str:
        return obj.title  # the author's own title: staff only (the public read `public_title`)

    def admin_url(self, obj: Suggestion) -> str:
        return model_admin_url(Suggestion, obj.pk)

    def public_url(self, obj: Suggestion) -> str | None:
        return _public_url(obj)

    def department_ids(self, obj: Suggestion) -> list[int]:
        lead = [obj.lead_department_id] if obj.lead_department_id else []
        return lead + [f.department_id for f in obj.forwardings.all() if f.department_id != obj.lead_department_id]

    def urge(self, *, obj: Suggestion, clocks: Sequence[Clock], note: str, actor) -> int:
        # Review is no department's work: the reviewers have it in their queue and daily digest.
        raise IllegalTransition(_("A suggestion awaiting review has no department to urge; the reviewers have it."))

    def extend(self, *, obj: Suggestion, clock: Clock, days: int, reason: str, actor) -> None:
        raise IllegalTransition(_("The 24-hour review of a suggestion cannot be extended."))


class ForwardingSubject(ClockSubject):
    """A suggestion forwarded to one department (its response clock)."""

    select_related = ("suggestion", "suggestion__campaign", "department")

    def reference(self, obj: Forwarding) -> str:
        return obj.suggestion.number or obj.suggestion.reference

    def title(self, obj: Forwarding) -> str:
        return obj.suggestion.title

    def admin_url(self, obj: Forwarding) -> str:
        return model_admin_url(Forwarding, obj.pk)

    def public_url(self, obj: Forwarding) -> str | None:
        return _public_url(obj.suggestion)

    def department_ids(self, obj: Forwarding) -> list[int]:
        return [obj.department_id]

    def urge(self, *, obj: Forwarding, clocks: Sequence[Clock], note: str, actor) -> int:
        answers.forwarding_urge(forwarding=obj, actor=actor, note=note, clock_ids=[clock.pk for clock in clocks])
        return len(clocks)

    def extend(self, *, obj: Forwarding, clock: Clock, days: int, reason: str, actor) -> None:
        answers.forwarding_extend(forwarding=obj, actor=actor, days=days, reason=reason, clock_id=clock.pk)


class MeasureSubject(ClockSubject):
    """A measure of an adopting department (its milestone)."""

    select_related = ("forwarding", "forwarding__suggestion", "forwarding__suggestion__campaign")

    def reference(self, obj: Measure) -> str:
        suggestion = obj.forwarding.suggestion
        return suggestion.number or suggestion.reference

    def title(self, obj: Measure) -> str:
        return _("%(title)s · measure: %(measure)s") % {
            "title": obj.forwarding.suggestion.title,
            "measure": obj.description,
        }

    def admin_url(self, obj: Measure) -> str:
        return model_admin_url(Forwarding, obj.forwarding_id)

    def public_url(self, obj: Measure) -> str | None:
        return _public_url(obj.forwarding.suggestion)

    def department_ids(self, obj: Measure) -> list[int]:
        return [obj.forwarding.department_id]

    def urge(self, *, obj: Measure, clocks: Sequence[Clock], note: str, actor) -> int:
        answers.measure_urge(measure=obj, actor=actor, note=note, clock_ids=[clock.pk for clock in clocks])
        return len(clocks)

    def extend(self, *, obj: Measure, clock: Clock, days: int, reason: str, actor) -> None:
        answers.measure_extend(measure=obj, actor=actor, days=days, reason=reason, clock_id=clock.pk)
