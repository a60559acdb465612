"""Template helpers shared by the portal's pages."""

from django import template

from portal import areas, names

register = template.Library()


@register.simple_tag
def nav_current(nav_items, path: str) -> str:
    """The name of the menu item the page at `path` belongs to, or "".

    The item whose URL is the longest prefix of the path wins, so a ticket's page
    (/petitions/123/) belongs to 问政 while /petitions/track/ belongs to 查询办理进度.
    """
    best_name, best_length = "", 0
    for item in nav_items or ():
        url = str(item["url"])
        if url != "/" and path.startswith(url) and len(url) > best_length:
            best_name, best_length = item["name"], len(url)
    return best_name


@register.simple_tag
def service_cards() -> list[dict]:
    """The home page's service cards: one per declared public area (portal.areas)."""
    return areas.service_cards()


@register.simple_tag
def deadline_rules() -> list:
    """The deadline rules the declared public areas promise, for the home page (portal.areas)."""
    return areas.deadline_rules()


@register.simple_tag(takes_context=True)
def display_name(context, value) -> str:
    """A department's or category's name in the reader's language (portal.names): a model
    instance, a row of figures or a bare name from a ledger or report row. Bare names are looked
    up once per template rendered, and only on English pages."""

    def english() -> dict[str, str]:
        if "portal_english_names" not in context.render_context:
            context.render_context["portal_english_names"] = names.english_names()
        return context.render_context["portal_english_names"]

    return names.display_name(value, english)
