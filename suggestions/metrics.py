"""The suggestions' figures on the department performance page and /stats/ (the
`performance_metrics` plug-in protocol of portal.dashboards): how many forwarded suggestions each
department answered in the period and how many of those it adopted, fully or partly (采纳率).

The response deadlines themselves (answered on time, days to answer) are portal's clock figures:
each forwarding's response clock is a reply the department owes.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.dashboards.metrics import Metric, ProvidedMetrics
from suggestions.models import Forwarding, Outcome

KEYS = ("suggestions_answered", "adopted", "adoption_rate")


def _figures(answered: int, adopted: int) -> dict:
    # The rate beside the two counts it divides, so a page shows its numerator and denominator.
    return {
        "suggestions_answered": answered,
        "adopted": adopted,
        "adoption_rate": adopted / answered if answered else None,
    }


def performance_metrics(department_ids: list[int], start: datetime, end: datetime) -> ProvidedMetrics:
    """Per department, over the suggestions it answered in [start, end) (its first answer's
    moment): answered, adopted fully or partly, and the adoption rate (adopted ÷ answered). The
    key None holds all the given departments together. One GROUP BY query; no personal data."""
    rows = (
        Forwarding.objects.filter(department_id__in=list(department_ids), answered_at__gte=start, answered_at__lt=end)
        .values("department_id")
        .annotate(
            answered=Count("id"),
            adopted=Count("id", filter=Q(outcome__in=Outcome.with_measures())),
        )
        .order_by()
    )
    counts = {row["department_id"]: (row["answered"], row["adopted"]) for row in rows}
    values = {department_id: _figures(*counts.get(department_id, (0, 0))) for department_id in department_ids}
    values[None] = _figures(sum(a for a, _b in counts.values()), sum(b for _a, b in counts.values()))
    return ProvidedMetrics(
        metrics=[
            Metric(
                "suggestions_answered",
                _("Suggestions answered (已答复建言)"),
                "count",
                _("Suggestions forwarded to the department that it answered in the period (its first answer)."),
            ),
            Metric(
                "adopted",
                _("Adopted (采纳及部分采纳)"),
                "count",
                _("Of the suggestions answered, those adopted or partly adopted."),
            ),
            Metric(
                "adoption_rate",
                _("Adoption rate (采纳率)"),
                "rate",
                _("Adopted ÷ suggestions answered."),
                ("adopted", "suggestions_answered"),
            ),
        ],
        values=values,
    )
