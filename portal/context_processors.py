from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The public areas, in menu order. An area appears once its app serves its public index page,
# so the menu never links to a page that does not exist yet.
PUBLIC_AREAS = (
    ("suggestions:index", _("建言"), _("Suggestions")),
    ("petitions:index", _("问政"), _("Petitions")),
    ("disclosure:index", _("政务公开"), _("Disclosure")),
    ("petitions:track", _("查询办理进度"), _("Track my ticket")),
)


def _navigation():
    items = []
    for url_name, label, description in PUBLIC_AREAS:
        try:
            items.append({"url": reverse(url_name), "label": label, "description": description, "name": url_name})
        except NoReverseMatch:
            continue
    return items


def portal(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated and user.is_staff:
        unread = user.notices.filter(read_at__isnull=True).count()
    return {"nav_items": _navigation(), "unread_notice_count": unread}
