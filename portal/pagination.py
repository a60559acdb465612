"""Paging public lists that may be huge (the 部门回应 column, a campaign's suggestions).

A public list's pager needs a count, and a full COUNT(*) reads every matching row on every page
view. `CappedPaginator` counts at most `max_rows` (`SELECT COUNT(*) FROM (… LIMIT n)` stops
early); deeper pages are reached through the list's filters and search box, and the template says
so when `capped`.
"""

from __future__ import annotations

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `max_rows`."""

    def __init__(self, object_list, per_page, *, max_rows: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.max_rows = max_rows

    @property
    def count(self) -> int:
        if not hasattr(self, "_capped_count"):
            # Unordered: counting needs no sort, and a sorted LIMIT would rank every match first.
            self._capped_count = self.object_list.order_by()[: self.max_rows].count()
        return self._capped_count

    @property
    def capped(self) -> bool:
        return self.count >= self.max_rows
