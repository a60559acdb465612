"""Admin pieces every domain app's admin uses: a paginator that stays cheap on a huge table and
the mixin of records written only by services (read-only in the admin).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Counts that stay cheap on a huge table. The unfiltered list takes PostgreSQL's row
    estimate (pg_class.reltuples, kept by autovacuum) instead of COUNT(*) over millions of rows;
    a filtered or searched list counts at most COUNT_CAP rows (`SELECT COUNT(*) FROM (… LIMIT n)`:
    a search for a common word counted in 60 ms instead of 330). The list then says "about" or
    "more than", and offers no "select all" across pages (templates/admin/petitions/petition/).
    A small table or another database counts exactly."""

    COUNT_CAP = 10_000
    # Below this many rows an exact COUNT(*) is cheap enough to be worth its precision.
    EXACT_COUNT_BELOW = 50_000

    estimated = False  # the count is PostgreSQL's estimate of the whole table
    capped = False  # the count stopped at COUNT_CAP

    @property
    def approximate(self) -> bool:
        return self.estimated or self.capped

    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None or connection.vendor != "postgresql":
            return super().count
        if not query.where and not query.distinct:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                    [self.object_list.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] is not None and row[0] >= self.EXACT_COUNT_BELOW:
                self.estimated = True
                return int(row[0])
            return super().count
        counted = self.object_list.order_by()[: self.COUNT_CAP].count()
        self.capped = counted >= self.COUNT_CAP
        return counted


class ReadOnlyAdminMixin:
    """Records written only by services: viewable, never added, changed or deleted here, listed
    without counting the whole table. With `reference_lookup` (e.g. "petition__reference") the
    search box finds the records of one exact reference, upper-cased as references are."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    reference_lookup: str | None = None

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip().upper()
        if not term or not self.search_fields or not self.reference_lookup:
            # No search box (monthly reports): `q` finds nothing new.
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(**{self.reference_lookup: term}), False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
