"""Human-readable, unique references for citizens' records: PREFIX-YYYYMMDD-NNNN.

Petitions use WZ (网络问政), and later suggestions and disclosure applications take their own
prefix from the same mechanism. The day is the local (Beijing) date of receipt; numbers start
at 0001 each day and grow past four digits if a day ever brings more than 9,999.

`sequence_next` counts in any other scope an app names (a classified number per campaign and
category, say): the same guarantees, one counter row per scope, the format left to the app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from portal.models import ReferenceCounter, SequenceCounter


def _increment(prefix: str, day: date) -> int:
    updated = ReferenceCounter.objects.filter(prefix=prefix, day=day).update(value=F("value") + 1)
    if not updated:
        return 0
    return ReferenceCounter.objects.values_list("value", flat=True).get(prefix=prefix, day=day)


@transaction.atomic
def reference_next(*, prefix: str, day: date | None = None) -> str:
    """The next reference for `prefix` on `day` (today by default), inside the caller's transaction:
    the counter row stays locked until it commits, so a rolled-back submission frees its number."""
    day = day or timezone.localdate()
    value = _increment(prefix, day)
    if not value:
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=prefix, day=day, value=1)
            value = 1
        except IntegrityError:  # another transaction created today's row first
            value = _increment(prefix, day)
    return f"{prefix}-{day:%Y%m%d}-{value:04d}"


def _locked_counter(scope: str) -> SequenceCounter:
    counter = SequenceCounter.objects.select_for_update().filter(scope=scope).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            return SequenceCounter.objects.create(scope=scope, value=0)  # locked: it is ours until commit
    except IntegrityError:  # another transaction created the scope's row first (and has committed)
        return SequenceCounter.objects.select_for_update().get(scope=scope)


@transaction.atomic
def sequence_next(*, scope: str, taken: Callable[[], int] | None = None) -> int:
    """The next number of `scope` (1, 2, 3, ...) inside the caller's transaction: the scope's row
    stays locked until it commits, so concurrent callers get consecutive numbers one after the
    other, and a rolled-back caller's number is handed out again.

    `taken`, if given, is asked under the lock for the highest number already used in the scope
    outside the counter (rows loaded in bulk or restored from elsewhere); the counter then moves
    past it rather than hand out a number twice."""
    if len(scope) > SequenceCounter._meta.get_field("scope").max_length:
        raise ValueError(f"A numbering scope is at most 100 characters: {scope!r}")
    counter = _locked_counter(scope)
    value = counter.value + 1
    if taken is not None:
        value = max(value, (taken() or 0) + 1)
    SequenceCounter.objects.filter(pk=counter.pk).update(value=value)
    return value


class ReferenceConverter:
    """A reference (WZ-20261120-0001) in a URL: only these reach a record's pages, so a record's
    URL can never shadow another page of the app, whatever order its URL patterns are in. An app
    registers it under its own name (`register_converter(ReferenceConverter, "petition_reference")`)."""

    regex = r"[A-Za-z]{2}-[0-9]{8}-[0-9]{4,6}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value
