"""Dashboard selectors: the overdue board, department performance and the public statistics.

Reads only, built on the one `portal.Clock` table; every time-based selector takes `now` so
tests control time. Three pages use them (portal.dashboard_views):

* the overdue board (/dashboard/) for office clerks and heads of department: what is overdue or
  due soon now, per policy and per department, with a list to act on (urge, open in the admin);
* department performance (/dashboard/performance/) for assessment (考核评估): per department
  and period, from the clocks, plus area-specific figures (satisfaction, reopen, adoption) that
  domain apps provide through the `performance_metrics` plug-in protocol below;
* the public operations page (/stats/, 公布运行情况): aggregates only, computed by a periodic task
  into the cache (`public_stats`), never per request.

Cost: the board reads open clocks through the partial indexes on open states and clocks met
this month through the `met_at` index, so its queries do not grow with closed work; the
performance and statistics selectors read one period through the `started_at` and `met_at`
indexes (portal migration 0003).

One module per page and concern; `from portal import dashboards; dashboards.X` keeps working for
every name they define (re-exported here):

* figures.py     what each figure means (FIGURES), the shared constants and areas, rounding;
* scope.py       who opens the dashboards, over which departments (DashboardScope);
* board.py       the overdue board: headline, list, departments, its cached figures, warnings;
* metrics.py     the plug-in protocol for figures domain apps provide (performance_metrics);
* performance.py department performance per period and the monthly trend;
* stats.py       the public operations page (/stats/), its cache and lock.

"Overdue" and "due soon" are portal.models.ClockQuerySet's; periods are portal.periods'.
"""

import sys
from types import ModuleType

from portal.dashboards import board, figures, metrics, performance, scope, stats
from portal.periods import Period, add_months, month_start, period_bounds  # noqa: F401  (callers' old names)

_MODULES = (figures, scope, board, metrics, performance, stats)

for _module in _MODULES:
    for _name, _value in vars(_module).items():
        if not _name.startswith("__"):
            globals().setdefault(_name, _value)


class _Package(ModuleType):
    """Setting a name here (a test's monkeypatch of `dashboards.X`) sets it in every module of the
    package that holds it, where the code reading it looks it up."""

    def __setattr__(self, name, value):
        for module in _MODULES:
            if not name.startswith("__") and name in vars(module):
                setattr(module, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
