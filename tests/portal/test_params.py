"""portal.params: every parameter parsed with its bounds; anything out of them is None (or a form
error), never an exception."""

from __future__ import annotations

from datetime import date

import pytest

from portal import params
from portal.dashboards import Period, add_months, period_bounds

HOSTILE = ["", " ", "abc", "1\x00", "9" * 10_000, "-1", "0", "9" * 20, "１２", "²", "1e3", "0x10", "1.0", "+1"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (" 7 ", 7),
        (str(params.BIGINT_MAX), params.BIGINT_MAX),
        (str(params.BIGINT_MAX + 1), None),
        (None, None),
        *[(value, None) for value in HOSTILE],
    ],
)
def test_parse_id(value, expected):
    assert params.parse_id(value) == expected


def test_parse_ids_keeps_the_valid_ones_once_and_at_most_the_limit():
    assert params.parse_ids(["3", "x", "3", "9" * 10_000, "5", "２"]) == [3, 5]
    assert params.parse_ids([str(number) for number in range(1, 5000)]) == list(range(1, params.MAX_IDS + 1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), ("3", 3), ("100001", params.MAX_PAGE), (None, 1), *[(value, 1) for value in HOSTILE]],
)
def test_parse_page(value, expected):
    assert params.parse_page(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11", date(2026, 11, 1)),
        ("2000-01", date(2000, 1, 1)),
        ("2100-12", date(2100, 12, 1)),
        ("1999-12", None),
        ("2101-01", None),
        ("9999-12", None),
        ("0000-01", None),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-1", None),
        ("２０２６-１１", None),
        ("2026-11-01", None),
        *[(value, None) for value in HOSTILE],
    ],
)
def test_parse_month(value, expected):
    assert params.parse_month(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-30", date(2026, 11, 30)),
        ("2026-02-30", None),
        ("9999-12-31", None),
        ("0001-01-01", None),
        *[(value, None) for value in HOSTILE],
    ],
)
def test_parse_date(value, expected):
    assert params.parse_date(value) == expected


def test_parse_choice_and_text():
    assert params.parse_choice("month", Period.CHOICES) == "month"
    assert params.parse_choice("month\x00", Period.CHOICES) is None
    assert params.parse_choice("b", ["a", "b"]) == "b"
    assert params.parse_text("  路灯\x00\x0b不亮\n ", max_length=3) == "路灯不"
    assert params.parse_text(None) == ""


@pytest.mark.parametrize("kind", [Period.MONTH, Period.QUARTER, Period.YEAR])
@pytest.mark.parametrize("month", [date(params.MIN_YEAR, 1, 1), date(params.MAX_YEAR, 12, 1)])
def test_month_arithmetic_never_overflows_within_the_bounds(kind, month):
    """The point of the bounds: a year's worth of months either way and every period stay dates."""
    start, end = period_bounds(kind, month)
    assert start < end
    assert add_months(month, 12) > add_months(month, -12)


@pytest.mark.parametrize(
    ("value", "valid", "cleaned"),
    [
        ("2026-11", True, date(2026, 11, 1)),
        ("", True, None),
        ("9999-12", False, None),
        ("0000-01", False, None),
        ("9" * 10_000, False, None),
    ],
)
def test_month_field(value, valid, cleaned):
    from django import forms

    class Form(forms.Form):
        month = params.MonthField(required=False)

    form = Form({"month": value})
    assert form.is_valid() is valid
    if valid:
        assert form.cleaned_data["month"] == cleaned
    else:
        assert "YYYY-MM" in " ".join(form.errors["month"])
    assert 'type="month"' in str(form["month"])


@pytest.mark.parametrize(("value", "valid"), [("2026-11-30", True), ("9999-12-31", False), ("0001-01-01", False)])
def test_date_field(value, valid):
    from django import forms

    class Form(forms.Form):
        day = params.DateField(required=False)

    assert Form({"day": value}).is_valid() is valid
