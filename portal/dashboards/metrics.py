"""The plug-in protocol: figures a domain app adds to the performance page and /stats/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.functional import Promise
from django.utils.module_loading import import_string

from portal import registry

# The plug-in protocol -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One area-specific figure a domain app adds to the performance table.

    `format`: "rate" (a fraction 0..1, shown as a percentage), "count" or "days". `definition`:
    what it counts, shown under the table with the portal's own figures; a rate says which two
    of the provider's counts it divides, and the provider supplies those counts as metrics too,
    so that the pages show every rate beside its numerator and denominator.
    """

    key: str
    label: str | Promise
    format: str = "rate"
    definition: str | Promise = ""
    # A rate: the keys of the provider's two counts it divides (numerator, denominator).
    ratio: tuple[str, str] | None = None


@dataclass
class ProvidedMetrics:
    """What a `performance_metrics` provider returns.

    `metrics`: the figures it provides, in display order (key, translatable label, format).
    `values`: {department_id: {metric key: value}}; a value is None when there is nothing to
    measure (no ratings yet). The key None, if present, holds the figure for all the given
    departments together (rates cannot be summed); without it the total shows "—".
    """

    metrics: list[Metric]
    values: dict[int | None, dict[str, float | int | None]] = field(default_factory=dict)


def performance_providers(area: str | None = None) -> list[Callable[..., ProvidedMetrics]]:
    """The area-specific performance figures, discovered from the installed apps.

    Protocol (the same way as `demo_loader`, portal/demo.py): an app's AppConfig names a function,

        class PetitionsConfig(AppConfig):
            performance_metrics = "petitions.selectors.performance_metrics"

    called as `function(department_ids, start, end)`: `department_ids` a list of Department ids,
    `start` and `end` aware datetimes bounding the period [start, end). It returns a
    `ProvidedMetrics` (the metrics with their labels, and {department_id: {key: value}}). It must
    only read, cost a fixed number of queries whatever the number of departments, and return no
    personal data: the public statistics page shows its figures too. Keys are shared: two apps must
    not provide the same key (the later app in INSTALLED_APPS wins). Well-known keys the pages
    look for: "satisfaction_rate", "reopen_rate" (petitions), "adoption_rate", "adopted"
    (suggestions), "published" (disclosure). `area`: only the providers of the apps whose
    `clock_area` it is.
    """
    return [
        import_string(path)
        for app_config, path in registry.declaring("performance_metrics")
        if area is None or getattr(app_config, "clock_area", None) == area
    ]


def provided_metrics(
    department_ids: list[int], start: datetime, end: datetime, *, area: str | None = None
) -> ProvidedMetrics:
    """Every provider's figures for the period (of `area`'s apps alone if given), merged into one
    ProvidedMetrics."""
    merged = ProvidedMetrics(metrics=[])
    seen: dict[str, int] = {}
    for provider in performance_providers(area):
        result = provider(list(department_ids), start, end)
        for metric in result.metrics:
            if metric.key in seen:
                merged.metrics[seen[metric.key]] = metric
            else:
                seen[metric.key] = len(merged.metrics)
                merged.metrics.append(metric)
        for department_id, values in result.values.items():
            merged.values.setdefault(department_id, {}).update(values)
    return merged
