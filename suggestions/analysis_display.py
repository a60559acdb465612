"""How a stored analysis (CampaignAnalysis) is shown: its rows in the reader's language, each
with its share of the total, and the same figures as chart data (portal's charts read them from a
json_script block; the tables beside the charts show the same rows). Reads only what the task
stored, plus the publication state of the most valuable suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from portal.dashboards import as_percent
from portal.masking import mask_personal_data
from portal.names import localized_name
from suggestions.models import CampaignAnalysis, Phase, Suggestion

KEYWORDS_ON_CAMPAIGN_PAGE = 10
VALUABLE_SHOWN = 10


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: float | None = None  # percent of the total, one decimal
    note: str = ""


@dataclass
class AnalysisDisplay:
    total: int
    keywords: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)
    channels: list[Row] = field(default_factory=list)
    areas: list[Row] = field(default_factory=list)
    phases: list[Row] = field(default_factory=list)
    weeks: list[Row] = field(default_factory=list)

    def chart_data(self) -> dict:
        """{chart: {labels, values}} for static/js/campaign-analysis.js."""

        def series(rows: list[Row]) -> dict:
            return {"labels": [row.label for row in rows], "values": [row.count for row in rows]}

        return {
            "keywords": series(self.keywords),
            "categories": series(self.categories),
            "channels": series(self.channels),
            "areas": series(self.areas),
            "weeks": series(self.weeks),
        }


def _share(count: int, total: int) -> float | None:
    value = as_percent(count / total) if total else None
    return float(value) if value is not None else None


def phase_label(phase: str) -> str:
    return str(Phase(phase).label) if phase in Phase.values else _("Outside the campaign's dates")


def analysis_display(analysis: CampaignAnalysis, *, keywords: int | None = None) -> AnalysisDisplay:
    figures = analysis.figures or {}
    total = figures.get("total", analysis.suggestions_counted)
    channels = dict(Suggestion.Channel.choices)
    shown = AnalysisDisplay(total=total)
    shown.keywords = [
        Row(item["term"], item["suggestions"], _share(item["suggestions"], total))
        for item in analysis.keywords[:keywords]
    ]
    shown.categories = [
        Row(localized_name(row["name"], row["name_en"]), row["count"], _share(row["count"], total))
        for row in figures.get("by_category", [])
    ]
    shown.channels = [
        Row(str(channels.get(row["channel"], row["channel"])), row["count"], _share(row["count"], total))
        for row in figures.get("by_channel", [])
    ]
    area_labels = {"other": _("Other areas"), "unknown": _("Area not given")}
    shown.areas = [
        Row(
            mask_personal_data(row["area"]) if row["kind"] == "named" else str(area_labels[row["kind"]]),
            row["count"],
            _share(row["count"], total),
        )
        for row in figures.get("by_area", [])
    ]
    shown.phases = [
        Row(phase_label(row["phase"]), row["count"], _share(row["count"], total)) for row in figures.get("by_phase", [])
    ]
    shown.weeks = [
        Row(
            f"{date.fromisoformat(row['week']):%Y-%m-%d}",
            row["count"],
            _share(row["count"], total),
            phase_label(row["phase"]),
        )
        for row in figures.get("by_week", [])
    ]
    return shown


def valuable_published(analysis: CampaignAnalysis, *, limit: int = VALUABLE_SHOWN) -> list[tuple[Suggestion, dict]]:
    """The most valuable suggestions that are published now, best first, with their scores
    (unpublished ones are left out of public pages, not replaced)."""
    ranked = analysis.figures.get("valuable", []) if analysis.figures else []
    scores = {row["suggestion_id"]: row for row in ranked}
    suggestions = {
        suggestion.pk: suggestion
        for suggestion in Suggestion.objects.published()
        .filter(pk__in=scores, campaign_id=analysis.campaign_id)
        .only("id", "campaign_id", "number", "public_title")
    }
    result = []
    for row in ranked:
        suggestion = suggestions.get(row["suggestion_id"])
        if suggestion is not None:
            suggestion.public_title = mask_personal_data(suggestion.public_title)
            result.append((suggestion, row))
        if len(result) == limit:
            break
    return result
