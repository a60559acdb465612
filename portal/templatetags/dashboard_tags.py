"""Template helpers of the dashboards: who gets the link, and how figures are shown."""

from django import template
from django.utils.formats import number_format

register = template.Library()

NOTHING = "—"


@register.simple_tag
def may_view_dashboard(user) -> bool:
    """Whether to show the Dashboard link: clerks and administrators, heads of department."""
    from portal.dashboards import may_view_dashboard as allowed

    if not (user and user.is_authenticated and user.is_staff):
        return False
    if not hasattr(user, "_may_view_dashboard"):
        user._may_view_dashboard = allowed(user)
    return user._may_view_dashboard


@register.filter
def percent(value) -> str:
    """A fraction 0..1 as "93.5%", rounded half up (2/3 is 66.7%, not 66.6%); nothing to measure as "—"."""
    from portal.dashboards import as_percent

    rounded = as_percent(value)
    return NOTHING if rounded is None else f"{number_format(rounded, 1)}%"


@register.filter
def days(value) -> str:
    """Days with one decimal, rounded half up; nothing to measure as "—"."""
    from portal.dashboards import half_up

    rounded = half_up(value)
    return NOTHING if rounded is None else number_format(rounded, 1)


@register.filter
def lookup(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def metric(value, format_name: str) -> str:
    """A provided metric's value by its format: "rate", "days" or "count"."""
    if value is None or value == "":
        return NOTHING
    if format_name == "rate":
        return percent(value)
    if format_name == "days":
        return days(value)
    return str(value)
