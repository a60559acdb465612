"""A real `performance_metrics` provider in a test app, installed by the performance tests.

It reports, per department, how many groups named after it exist (a stand-in for an area's own
data) as a count, and a fixed satisfaction rate, plus the rate for all departments together.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.dashboards import Metric, ProvidedMetrics

CALLS = []


class ProviderConfig(AppConfig):
    name = "tests.portal.dashboard_provider"
    label = "dashboard_provider"
    performance_metrics = "tests.portal.dashboard_provider.performance_metrics"


def performance_metrics(department_ids, start, end) -> ProvidedMetrics:
    CALLS.append((list(department_ids), start, end))
    return ProvidedMetrics(
        metrics=[
            Metric("satisfaction_rate", _("Satisfaction"), "rate"),
            Metric("ratings", "Ratings", "count"),  # a plain string works too,
        ],
        values={
            **{
                department_id: {"satisfaction_rate": 0.5 + 0.1 * index, "ratings": index + 1}
                for index, department_id in enumerate(sorted(department_ids))
            },
            None: {"satisfaction_rate": 0.75, "ratings": len(department_ids)},
        },
    )
