from typing import NamedTuple

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ServiceCard(NamedTuple):
    """An area's card on the home page."""

    icon: str  # a Bootstrap Icons class
    title: Promise
    subtitle: Promise  # the English subtitle (translated, like every text)
    description: Promise


class PublicArea(NamedTuple):
    url_name: str
    label: Promise
    description: Promise
    card: ServiceCard | None = None


# The public areas, in menu order. An area appears once its app serves its public index page,
# so the menu never links to a page that does not exist yet; those with a card are also on the home page.
PUBLIC_AREAS = (
    PublicArea(
        "suggestions:index",
        _("建言"),
        _("Suggestions"),
        ServiceCard(
            "bi-lightbulb",
            _("公众建言"),
            _("Public suggestions"),
            _(
                "Take part in suggestion campaigns on economic development, people's livelihood, the environment, "
                "culture and education. Suggestions are reviewed before publication, and the departments' answers "
                "are published."
            ),
        ),
    ),
    PublicArea(
        "petitions:index",
        _("问政"),
        _("Petitions"),
        ServiceCard(
            "bi-chat-square-text",
            _("网络问政"),
            _("Online petitions"),
            _(
                "Ask a question, leave a message or file a complaint. The office assigns it to the responsible "
                "department, which replies to you; you can follow its progress and rate the result."
            ),
        ),
    ),
    PublicArea(
        "disclosure:index",
        _("政务公开"),
        _("Disclosure"),
        ServiceCard(
            "bi-journal-text",
            _("政务公开"),
            _("Government information disclosure"),
            _(
                "Browse and search the government information disclosure catalogue — policies, plans, budgets, "
                "approvals, statistics — or apply for information that has not been published yet."
            ),
        ),
    ),
    PublicArea("petitions:track", _("查询办理进度"), _("Track my ticket")),
)
CARDS = {area.url_name: area.card for area in PUBLIC_AREAS if area.card}


def _navigation():
    items = []
    for area in PUBLIC_AREAS:
        try:
            url = reverse(area.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": area.label, "description": area.description, "name": area.url_name})
    return items


def service_cards(nav_items) -> list[dict]:
    """The home page's cards: one per menu item that has a card, in menu order."""
    return [item | CARDS[item["name"]]._asdict() for item in nav_items or () if item["name"] in CARDS]


def system_warnings(user) -> list[str]:
    """What office clerks and administrators must know at once: a missing holiday schedule,
    a deadline sweep that has stopped running (Celery beat is down)."""
    if not user.has_perm("portal.view_dashboard"):
        return []
    from portal.calendar import calendar_missing_years
    from portal.views import sweep_status

    warnings = [
        _(
            "The %(year)s holiday schedule has not been entered: deadlines through %(year)s count Monday to "
            "Friday and are marked provisional. Enter it under Work calendar."
        )
        % {"year": year}
        for year in calendar_missing_years()
    ]
    status = sweep_status()
    if status["stale"]:
        warnings.append(
            _(
                "The deadline sweep has not run since %(last)s: overdue marks and reminders are not being sent. "
                "Check that Celery beat and the worker are running."
            )
            % {"last": status["last_sweep"] or _("never")}
        )
    return warnings


def portal(request):
    user = getattr(request, "user", None)
    unread, warnings = 0, []
    if user is not None and user.is_authenticated and user.is_staff:
        unread = user.notices.filter(read_at__isnull=True).count()
        warnings = system_warnings(user)
    return {"nav_items": _navigation(), "unread_notice_count": unread, "system_warnings": warnings}
