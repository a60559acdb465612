"""The figures each page shows, each defined once, and the constants every dashboard shares."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import registry
from portal.areas import area_keys, area_title, area_total_label  # noqa: F401  (the pages' names)
from portal.models import Clock, ClockQuerySet

State = Clock.State

# Which kinds count as an acknowledgement (受理) and which as a reply to the citizen (答复: "replied",
# reply times, "answered") is each app's declaration (portal.registry): portal names no app's kinds.
acknowledgement_kinds = registry.acknowledgement_kinds
reply_kinds = registry.reply_kinds
# Open clocks that count against a deadline (a paused clock is not counting down).
COUNTING_STATES = (State.RUNNING, State.OVERDUE)
# The one definition of each (portal.models.ClockQuerySet says why it is this one).
OVERDUE = ClockQuerySet.overdue_condition
DUE_SOON = ClockQuerySet.due_soon_condition

# --- the figures, each defined once ----------------------------------------------------------------


@dataclass(frozen=True)
class FigureTerm:
    """A figure the dashboards show: its label, and what it counts, as the pages state it."""

    key: str
    label: str | Promise
    definition: str | Promise
    # A rate: the keys of the two figures it divides, which a page showing it shows too.
    ratio: tuple[str, str] | None = None


def _figure(key: str, label: str, definition: str | Promise, ratio: tuple[str, str] | None = None) -> FigureTerm:
    # Labels carry the context "figure": the same English word is a time elsewhere ("Received":
    # 收件时间 on a ticket, 收件数 here).
    return FigureTerm(key, pgettext_lazy("figure", label), definition, ratio)


FIGURES = {
    term.key: term
    for term in (
        _figure(
            "received",
            "Received",
            _(
                "Items received in the period: work a department owes the citizen, to acknowledge or to answer "
                "(a matter forwarded to several departments is an item for each). Each item counts once, however "
                "many deadlines it has, in the month it arrived (when its first deadline to acknowledge or answer "
                "started), under the department it is with. Other deadlines, such as a review or a planned "
                "measure's date, are on the board but are no items received."
            ),
        ),
        _figure(
            "acknowledge_due",
            "Due for acknowledgement",
            _("Items received in the period that had to be acknowledged within 24 hours."),
        ),
        _figure(
            "acknowledged_in_time",
            "Acknowledged within 24 hours",
            _("Of those due for acknowledgement, the items acknowledged within 24 hours."),
        ),
        _figure(
            "acknowledged_rate",
            "Acknowledgement rate",
            _("Acknowledged within 24 hours ÷ due for acknowledgement."),
            ("acknowledged_in_time", "acknowledge_due"),
        ),
        _figure(
            "replied",
            "Replies made",
            _("Replies made in the period, whenever the item arrived; a re-examination's reply counts again."),
        ),
        _figure("replied_on_time", "Replies made on time", _("Of the replies made, those made by their deadline.")),
        _figure(
            "on_time_rate",
            "On-time reply rate",
            _("Replies made on time ÷ replies made."),
            ("replied_on_time", "replied"),
        ),
        _figure(
            "overdue",
            "Deadlines missed",
            _(
                "Deadlines (acknowledgement or reply) met late in the period, plus those still open past "
                "a due moment in the period."
            ),
        ),
        _figure(
            "average_reply_days",
            "Average days to reply",
            _("Calendar days from the start of the reply deadline to the reply, over the replies made."),
        ),
        _figure(
            "p90_reply_days",
            "90th percentile days to reply",
            _("Nine replies in ten took at most this many calendar days."),
        ),
        # The public page follows the items received in its months up to today (a cohort), so
        # that every rate is a share of a figure shown beside it and months add up to the total.
        _figure("answered", "Answered", _("Of the items received, those answered so far (the first reply counts).")),
        _figure("reply_rate", "Reply rate", _("Answered ÷ received."), ("answered", "received")),
        _figure(
            "answered_on_time",
            "Answered on time",
            _("Of the items answered, those whose first reply was made by its deadline."),
        ),
        _figure(
            "answered_on_time_rate",
            "Answered on time (%)",
            _("Answered on time ÷ answered."),
            ("answered_on_time", "answered"),
        ),
        _figure(
            "average_answer_days",
            "Average days to answer",
            _("Calendar days from the start of the reply deadline to the first reply, over the items answered."),
        ),
        # The overdue board.
        _figure(
            "open_items",
            "Open items",
            _("Items with a deadline still open. An item counts once, however many of its deadlines are open."),
        ),
        _figure("overdue_items", "Overdue items", _("Open items with at least one deadline past its due moment.")),
        _figure(
            "met_on_time_this_month",
            "Deadlines met on time this month",
            _("Of the deadlines met since the first of the month, those met by their due moment."),
        ),
        _figure("met_this_month", "Deadlines met this month", _("Deadlines met since the first of the month.")),
        _figure(
            "deadlines_overdue",
            "Deadlines overdue now",
            _(
                "Open deadlines past their due moment. A ticket has two deadlines (acknowledge, reply), "
                "so one ticket can count twice here."
            ),
        ),
    )
}


def figure_terms(*keys: str) -> list[FigureTerm]:
    """The definitions a page shows under its figures, in the order given."""
    return [FIGURES[key] for key in keys]


def half_up(value, places: int = 1) -> Decimal | None:
    """`value` rounded half away from zero to `places` decimals (46.15 → 46.2, never truncated).

    Goes through the float's shortest decimal form (str), so 0.1235 is 0.1235, not the binary
    0.12349999…, and a percentage ending in 5 rounds up as people expect.
    """
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def as_percent(fraction) -> Decimal | None:
    """A fraction 0..1 as a percentage with one decimal, rounded half up (2/3 → 66.7)."""
    if fraction is None or fraction == "":
        return None
    return half_up(Decimal(str(fraction)) * 100)


# --- which areas are built -------------------------------------------------------------------------


def installed_areas() -> list[str]:
    """The clock areas of the public areas installed apps declare (portal.areas), in the areas'
    order. Pages show a section or a total only for these, so an area whose app is not built yet
    promises nothing; each is titled by its declaration (`area_title`, `area_total_label`)."""
    declared = registry.clock_areas()
    return [key for key in area_keys() if key in declared]


# The performance page's figures, in its table's order: a report built from the page (a domain
# app's monthly report) takes these same keys.
PERFORMANCE_FIGURES = (
    "received",
    "acknowledge_due",
    "acknowledged_in_time",
    "acknowledged_rate",
    "replied",
    "replied_on_time",
    "on_time_rate",
    "overdue",
    "average_reply_days",
    "p90_reply_days",
)
