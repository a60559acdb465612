from django.utils.translation import gettext_lazy as _

from portal import areas


def _navigation() -> list[dict]:
    return areas.navigation()


def system_warnings(user) -> list[str]:
    """What office clerks and administrators must know at once: a missing holiday schedule,
    a deadline sweep that has stopped running (Celery beat is down)."""
    from portal.scoping import sees_all_departments

    # The whole-portal dashboard's holders; heads of department (who hold view_dashboard for their
    # own departments' board) are not the ones to act on these.
    if not (user.has_perm("portal.view_dashboard") and sees_all_departments(user)):
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
    unread, warnings, account = 0, [], []
    if user is not None and user.is_authenticated:
        # Citizens get notices too: the progress of their own tickets.
        unread = user.notices.filter(read_at__isnull=True).count()
        if user.is_staff:
            warnings = system_warnings(user)
        else:
            account = areas.account_links()
    return {
        "nav_items": _navigation(),
        # The keys of the declared public areas ("petition", ...): a page shows an area's section
        # only if its app declares it (portal.areas).
        "public_areas": areas.area_keys(),
        "unread_notice_count": unread,
        # A signed-in citizen's own pages ("my tickets"), declared by the apps (portal.areas).
        "account_links": account,
        "system_warnings": warnings,
    }
