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
    """A fraction 0..1 as "93.5%"; nothing to measure as "—"."""
    if value is None or value == "":
        return NOTHING
    return f"{number_format(float(value) * 100, 1)}%"


@register.filter
def days(value) -> str:
    if value is None or value == "":
        return NOTHING
    return number_format(float(value), 1)


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
