"""Every parameter a view reads from the address or a form, parsed in one place with its bounds.

A view never calls int() or date() on request.GET / request.POST itself: the parsers here (and the
form fields built on them) return None, or a form error, for anything out of range, so no
parameter can overflow month arithmetic, a bigint column or int()'s digit limit, and a bad
value is ignored or refused instead of becoming a server error. NUL never gets this far
(portal.middleware.RejectNulMiddleware answers 400).

Bounds: ids are positive bigints written in ASCII digits (no "１２", no "²"); months and dates lie
in MIN_YEAR..MAX_YEAR, so a month plus or minus a year's worth of months is always a valid date.
The arithmetic on a parsed month (its end, the next one, its quarter) is portal.periods'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.periods import month_first
from portal.text import clean_text

BIGINT_MAX = 2**63 - 1
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PAGE = 100_000
MAX_IDS = 1000  # ids posted at once (a bulk action's ticked rows)

ID = re.compile(r"[0-9]{1,19}")
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_id(value: str | None) -> int | None:
    """A row id: 1..BIGINT_MAX in ASCII digits, else None."""
    if value is None or not ID.fullmatch(value.strip()):
        return None
    number = int(value)
    return number if 1 <= number <= BIGINT_MAX else None


def parse_ids(values: Iterable[str], *, limit: int = MAX_IDS) -> list[int]:
    """The valid ids among `values` (the rest dropped), without repeats, at most `limit`."""
    ids: dict[int, None] = {}
    for value in values:
        number = parse_id(value)
        if number is not None:
            ids[number] = None
        if len(ids) >= limit:
            break
    return list(ids)


def parse_page(value: str | None, *, last: int = MAX_PAGE) -> int:
    """A 1-based page number; anything else is page 1, and no page is beyond `last`."""
    number = parse_id(value)
    return min(number, last) if number else 1


def _in_range(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def parse_month(value: str | None) -> date | None:
    """ "YYYY-MM" within MIN_YEAR..MAX_YEAR, as the month's first day; else None."""
    match = MONTH.fullmatch((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return month_first(date(year, month, 1)) if _in_range(year) and 1 <= month <= 12 else None


def parse_date(value: str | None) -> date | None:
    """ "YYYY-MM-DD" within MIN_YEAR..MAX_YEAR; else None."""
    match = DAY.fullmatch((value or "").strip())
    if not match:
        return None
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError:  # 2026-02-30
        return None
    return day if _in_range(day.year) else None


def parse_choice(value: str | None, choices: Iterable) -> str | None:
    """`value` if it is one of `choices` (values, or (value, label) pairs); else None."""
    allowed = {choice[0] if isinstance(choice, tuple | list) else choice for choice in choices}
    return value if value in allowed else None


def parse_text(value: str | None, *, max_length: int = 200, multiline: bool = False) -> str:
    """Free text from the address or a form: cleaned of control characters (NUL too), cut to
    `max_length` characters."""
    return clean_text(value or "", multiline=multiline).strip()[:max_length]


# --- form fields on the same bounds ---------------------------------------------------------------

MONTH_RANGE_ERROR = _("Give a month between %(first)s and %(last)s as YYYY-MM, e.g. 2026-11.")
DATE_RANGE_ERROR = _("Give a date between %(first)s and %(last)s.")


class MonthField(forms.Field):
    """A month as "YYYY-MM" (an <input type="month">), cleaned to its first day, within the bounds."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}, format="%Y-%m")

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value

    def to_python(self, value):
        if isinstance(value, date):
            return month_first(value)
        if value in self.empty_values or not str(value).strip():
            return None
        month = parse_month(str(value))
        if month is None:
            raise forms.ValidationError(
                MONTH_RANGE_ERROR, code="invalid", params={"first": f"{MIN_YEAR}-01", "last": f"{MAX_YEAR}-12"}
            )
        return month


class DateField(forms.DateField):
    """Django's DateField, refusing dates outside MIN_YEAR..MAX_YEAR (date arithmetic on 0001-01-01
    or 9999-12-31 overflows)."""

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not _in_range(day.year):
            raise forms.ValidationError(
                DATE_RANGE_ERROR, code="invalid", params={"first": f"{MIN_YEAR}-01-01", "last": f"{MAX_YEAR}-12-31"}
            )
        return day
