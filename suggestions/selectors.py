"""Reads of campaigns and suggestions for the public pages and the citizen's own pages.

Public selectors return only published campaigns and published suggestions, and only their
public (masked) texts; nothing here hands a contact field to a public page. The campaign's
figures (received, approved, forwarded, answered, adopted) are defined once, here
(`COUNT_DEFINITIONS`, `campaign_counts`): every page and report that shows them reads them from
this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import search as fulltext
from portal.periods import add_months, local_midnight
from suggestions.models import (
    PHASE_START_FIELDS,
    Campaign,
    CampaignAnalysis,
    CampaignNews,
    CampaignReport,
    Forwarding,
    Measure,
    Outcome,
    Phase,
    Suggestion,
    SuggestionAttachment,
    SuggestionEvent,
)

S = Suggestion.State

# --- campaigns -------------------------------------------------------------------------------


def public_campaigns(today: date | None = None) -> tuple[list[Campaign], list[Campaign]]:
    """(running and coming campaigns, the soonest to close its collection first; past campaigns,
    the latest first). Published ones only, in one query."""
    today = today or timezone.localdate()
    campaigns = list(
        Campaign.objects.published().only(
            "id",
            "title",
            "slug",
            "theme",
            "banner",
            "preparation_on",
            "collection_on",
            "analysis_on",
            "feedback_on",
            "summary_on",
            "ends_on",
        )
    )
    current = sorted((c for c in campaigns if c.ends_on >= today), key=lambda c: (c.analysis_on, c.pk))
    past = sorted((c for c in campaigns if c.ends_on < today), key=lambda c: (c.ends_on, c.pk), reverse=True)
    return current, past


def public_campaign(slug: str) -> Campaign | None:
    return Campaign.objects.published().filter(slug=slug).first()


@dataclass(frozen=True)
class PhaseStep:
    """One phase of a campaign's timeline: its dates and where today stands."""

    phase: str
    label: str
    starts_on: date
    ends_on: date | None  # None for a phase closed on the day it would start (no days of its own)
    status: str  # "done", "current" or "upcoming"


def phase_timeline(campaign: Campaign, today: date | None = None) -> list[PhaseStep]:
    """The five phases in order, each from its first day to the day before the next one starts
    (the summary to `ends_on`), marked done, current or upcoming for `today` (Beijing time)."""
    today = today or timezone.localdate()
    current = campaign.phase_on(today)
    phases = list(PHASE_START_FIELDS)
    steps = []
    for index, phase in enumerate(phases):
        starts_on = campaign.phase_starts(phase)
        ends_on = campaign.phase_starts(phases[index + 1]) - timedelta(days=1) if index + 1 < len(phases) else None
        if ends_on is None:
            ends_on = campaign.ends_on
        if phase == current:
            status = "current"
        elif today > ends_on:
            status = "done"
        else:
            status = "upcoming"
        steps.append(PhaseStep(phase, Phase(phase).label, starts_on, ends_on if ends_on >= starts_on else None, status))
    return steps


def collection_window(campaign: Campaign) -> tuple[date, date]:
    """The first and the last day on which the campaign takes suggestions online (inclusive)."""
    return campaign.collection_on, campaign.analysis_on - timedelta(days=1)


# --- the campaign's figures, defined once ----------------------------------------------------


@dataclass(frozen=True)
class CountDefinition:
    key: str
    label: str
    description: str


COUNT_DEFINITIONS = (
    CountDefinition(
        "received",
        pgettext_lazy("suggestion count", "Received (收到建言)"),
        _("Suggestions received through every channel, online and offline, except those their authors withdrew."),
    ),
    CountDefinition(
        "approved",
        pgettext_lazy("suggestion count", "Approved (审核通过)"),
        _("Of those, the ones approved with a classified number; a duplicate merged into another counts once."),
    ),
    CountDefinition(
        "forwarded",
        pgettext_lazy("suggestion count", "Forwarded (已转交)"),
        _("Of those approved, the ones forwarded to departments for an answer."),
    ),
    CountDefinition(
        "answered",
        pgettext_lazy("suggestion count", "Answered (已答复)"),
        _("Of those forwarded, the ones every department concerned has answered."),
    ),
    CountDefinition(
        "adopted",
        pgettext_lazy("suggestion count", "Adopted (采纳)"),
        _("Of those answered, the ones the lead department adopted in full or in part."),
    ),
)


@dataclass(frozen=True)
class CampaignCounts:
    """Each figure is a part of the one before it: received ≥ approved ≥ forwarded ≥ answered ≥
    adopted (COUNT_DEFINITIONS says what each counts)."""

    received: int = 0
    approved: int = 0
    forwarded: int = 0
    answered: int = 0
    adopted: int = 0

    def rows(self) -> list[tuple[CountDefinition, int]]:
        return [(definition, getattr(self, definition.key)) for definition in COUNT_DEFINITIONS]


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    """The campaign's figures (COUNT_DEFINITIONS), in one GROUP BY query over its suggestions."""
    totals = dict.fromkeys(("received", "approved", "forwarded", "answered", "adopted"), 0)
    rows = (
        Suggestion.objects.filter(campaign=campaign)
        .exclude(state=S.WITHDRAWN)
        .values("state", "outcome")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in rows:
        state, count = row["state"], row["count"]
        totals["received"] += count
        if state in Suggestion.ACCEPTED_STATES:
            totals["approved"] += count
        if state in (S.FORWARDED, S.ANSWERED):
            totals["forwarded"] += count
        if state == S.ANSWERED:
            totals["answered"] += count
            if row["outcome"] in Outcome.with_measures():
                totals["adopted"] += count
    return CampaignCounts(**totals)


# --- what the campaign page shows besides the list ---------------------------------------------

NEWS_SHOWN = 5
EXCELLENT_SHOWN = 12


def campaign_news(campaign: Campaign, *, limit: int = NEWS_SHOWN) -> list[CampaignNews]:
    """The campaign's latest news posts (活动动态), up to today."""
    return list(
        campaign.news.filter(published_on__lte=timezone.localdate()).only(
            "id", "campaign_id", "title", "body", "published_on"
        )[:limit]
    )


def excellent_suggestions(campaign: Campaign, *, limit: int = EXCELLENT_SHOWN) -> list[Suggestion]:
    """The published suggestions the office selected as excellent (优秀建言), first selected first."""
    return list(
        Suggestion.objects.published()
        .filter(campaign=campaign, excellent_at__isnull=False)
        .select_related("category")
        .only(
            "id",
            "campaign_id",
            "number",
            "public_title",
            "excellent_at",
            "excellent_citation",
            "contact_name",
            "name_consent",
            "category__name",
            "category__name_en",
        )
        .order_by("excellent_at", "id")[:limit]
    )


def campaign_analysis(campaign: Campaign) -> CampaignAnalysis | None:
    """The public analysis (hot topics), once the analysis phase has begun (and after the
    campaign has ended) and it was computed. Without its vocabulary: tens of thousands of words
    the page never shows."""
    if timezone.localdate() < campaign.analysis_on:
        return None
    return CampaignAnalysis.objects.filter(campaign=campaign).defer("terms").first()


def campaign_published_report(campaign: Campaign) -> CampaignReport | None:
    """The latest published summary report (活动总结报告), from the summary phase on (and after
    the campaign has ended)."""
    if timezone.localdate() < campaign.summary_on:
        return None
    return campaign.reports.filter(is_published=True).order_by("-version").first()


# --- the published suggestions ----------------------------------------------------------------

# The outcome filter's extra value: published suggestions the lead department has not answered yet.
AWAITING = "awaiting"
OUTCOME_FILTER_CHOICES = [
    *Outcome.choices,
    (AWAITING, pgettext_lazy("suggestion outcome", "Awaiting an answer")),
]


@dataclass(frozen=True)
class PublicFilter:
    category: int | None = None
    department: int | None = None
    outcome: str = ""
    month: date | None = None
    query: str = ""


_LIST_FIELDS = (
    "id",
    "campaign_id",
    "number",
    "channel",
    "state",
    "public_title",
    "public_problem",
    "received_at",
    "published_at",
    "answered_at",
    "outcome",
    "follower_count",
    "excellent_at",
    "merged_into__id",
    "merged_into__number",
    "category__name",
    "category__name_en",
    "lead_department__name",
    "lead_department__name_en",
)


def public_suggestions(campaign: Campaign, filters: PublicFilter | None = None) -> QuerySet[Suggestion]:
    """The campaign's published suggestions, newest published first, with what its list shows."""
    filters = filters or PublicFilter()
    queryset = (
        Suggestion.objects.published()
        .filter(campaign=campaign)
        .select_related("category", "lead_department", "merged_into")
        .only(*_LIST_FIELDS)
        .order_by("-published_at", "-id")
    )
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.department:
        queryset = queryset.filter(lead_department_id=filters.department)
    if filters.outcome == AWAITING:
        queryset = queryset.filter(answered_at__isnull=True).exclude(state=S.MERGED)
    elif filters.outcome:
        queryset = queryset.filter(outcome=filters.outcome, answered_at__isnull=False)
    if filters.month:
        start = filters.month.replace(day=1)
        # Local midnights, so an index on received_at serves the range; that month's suggestions in
        # the order received.
        queryset = queryset.filter(
            received_at__gte=local_midnight(start), received_at__lt=local_midnight(add_months(start, 1))
        ).order_by("-received_at", "-id")
    if filters.query:
        queryset = fulltext.search(queryset, "public_search_document", filters.query)
    return queryset


def published_suggestion(slug: str, pk: int) -> Suggestion | None:
    """The published suggestion `pk` of the published campaign `slug`, or None."""
    return Suggestion.objects.published().filter(campaign__slug=slug, campaign__is_published=True, pk=pk).first()


def public_suggestion(slug: str, pk: int) -> Suggestion | None:
    """The published suggestion `pk` of the published campaign `slug` with its campaign, public
    answers, measures and files, or None."""
    return (
        Suggestion.objects.published()
        .filter(campaign__slug=slug, campaign__is_published=True, pk=pk)
        .select_related("campaign", "category", "lead_department", "merged_into")
        .prefetch_related(
            Prefetch(
                "forwardings",
                queryset=Forwarding.objects.filter(answered_at__isnull=False)
                .select_related("department")
                .only(
                    "id",
                    "suggestion_id",
                    "is_lead",
                    "outcome",
                    "public_answer",
                    "answered_at",
                    "department__name",
                    "department__name_en",
                ),
                to_attr="public_answers",
            ),
            Prefetch(
                "forwardings__measures",
                queryset=Measure.objects.only("id", "forwarding_id", "description", "planned_on", "done_on"),
            ),
            Prefetch(
                "attachments",
                queryset=SuggestionAttachment.objects.only("id", "suggestion_id", "content_type", "size"),
            ),
        )
        .first()
    )


def merged_count(suggestion: Suggestion) -> int:
    """How many later suggestions on the same matter were merged into this one."""
    return Suggestion.objects.filter(merged_into=suggestion).count()


@dataclass(frozen=True)
class MeasureProgress:
    done: int
    total: int


def measures_of(suggestion: Suggestion) -> tuple[list[Measure], MeasureProgress]:
    """Every measure the departments recorded for the suggestion (planned date order) and how
    many are done: "2 of 3 measures done". Reads `forwardings` as prefetched."""
    measures = sorted(
        (measure for forwarding in suggestion.forwardings.all() for measure in forwarding.measures.all()),
        key=lambda measure: (measure.planned_on, measure.pk),
    )
    return measures, MeasureProgress(sum(1 for m in measures if m.done_on), len(measures))


# Words every suggestion title holds, which say nothing about its matter (for `similar_suggestions`).
SIMILAR_IGNORED = frozenset(
    {"建议", "关于", "希望", "问题", "进一步", "加强", "完善", "提高", "提升", "推进", "我们", "市民", "可以"}
    | {"能否", "是否", "应该", "有关", "相关", "进行", "方面", "一些", "增加", "解决", "工作", "情况"}
)
SIMILAR_SHOWN = 5


def similar_suggestions(campaign: Campaign, title: str) -> list[Suggestion]:
    """Up to five published suggestions of the campaign whose public text shares words with
    `title` (the same Chinese index as the list's search), the closest first."""
    queryset = (
        Suggestion.objects.published()
        .filter(campaign=campaign)
        .exclude(state=S.MERGED)
        .only("id", "campaign_id", "number", "public_title", "outcome", "answered_at", "follower_count")
    )
    return list(
        fulltext.similar(queryset, "public_search_document", title, limit=SIMILAR_SHOWN, ignore=SIMILAR_IGNORED)
    )


# --- the citizen's own -------------------------------------------------------------------------


def suggestions_of_citizen(user) -> QuerySet[Suggestion]:
    """A citizen's suggestions, newest first, with just what their list shows."""
    return (
        Suggestion.objects.filter(citizen=user)
        .select_related("campaign")
        .only(
            "id",
            "reference",
            "number",
            "title",
            "state",
            "outcome",
            "received_at",
            "published_at",
            "campaign__title",
            "campaign__slug",
        )
        .order_by("-received_at", "-id")
    )


def own_suggestion(user, reference: str) -> Suggestion | None:
    """The citizen's own suggestion with this tracking number, or None (someone else's too)."""
    if not user.is_authenticated:
        return None
    return (
        Suggestion.objects.filter(citizen=user, reference=reference.upper())
        .select_related("campaign", "category", "lead_department", "merged_into")
        .prefetch_related(
            Prefetch(
                "forwardings",
                queryset=Forwarding.objects.select_related("department").prefetch_related("measures"),
            ),
            "attachments",
        )
        .first()
    )


# What an event's `choice` records, in the reader's language: the channel (received), the outcome.
_CHOICE_LABELS = dict(Suggestion.Channel.choices) | dict(Outcome.choices)


def public_timeline(suggestion: Suggestion) -> list[SuggestionEvent]:
    """The steps the author sees (public events), oldest first, each with `choice_label`."""
    events = list(
        suggestion.events.filter(public=True)
        .select_related("department")
        .prefetch_related("departments")  # a forwarding's departments, named on the author's page
        .order_by("created_at", "id")
    )
    for event in events:
        event.choice_label = _CHOICE_LABELS.get(event.choice, "")
    return events


def has_follow(user, suggestion_id: int) -> bool:
    return user.is_authenticated and user.suggestion_follows.filter(suggestion_id=suggestion_id).exists()


def campaign_unnamed_authors(campaign: Campaign) -> list[str]:
    """The names the campaign's authors gave without agreeing to be named: masked wherever the
    office's own prose about the campaign is published (the summary report's sections)."""
    return list(
        Suggestion.objects.filter(campaign=campaign, name_consent=False)
        .exclude(contact_name="")
        .order_by()
        .values_list("contact_name", flat=True)
        .distinct()
    )
