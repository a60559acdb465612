from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from portal import roles


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    role_permissions = {
        roles.DEPARTMENT_STAFF: [
            "portal.view_clock",
            "portal.view_department",
            "portal.view_notice",
            # The dashboards of the departments one heads (portal.dashboards.dashboard_scope).
            "portal.view_dashboard",
        ],
        roles.OFFICE_CLERK: [
            "portal.view_clock",
            "portal.view_department",
            "portal.view_membership",
            "portal.view_workcalendarday",
            "portal.view_notice",
            "portal.view_sweeprun",
            "portal.view_all_departments",
            "portal.urge_work",
            "portal.extend_deadline",
            "portal.view_dashboard",
        ],
        roles.REVIEWER: [
            "portal.view_department",
            "portal.view_notice",
        ],
        roles.ADMINISTRATOR: [
            "portal.view_clock",
            "portal.view_notice",
            "portal.view_sweeprun",
            "portal.view_outboundemail",
            "portal.add_department",
            "portal.change_department",
            "portal.view_department",
            "portal.add_membership",
            "portal.change_membership",
            "portal.delete_membership",
            "portal.view_membership",
            "portal.add_user",
            "portal.change_user",
            "portal.view_user",
            "portal.add_workcalendarday",
            "portal.change_workcalendarday",
            "portal.delete_workcalendarday",
            "portal.view_workcalendarday",
            "portal.view_all_departments",
            "portal.urge_work",
            "portal.extend_deadline",
            "portal.view_dashboard",
            "auth.view_group",
            # django-axes: see login lockouts, and lift one by deleting its attempt row.
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "axes.view_accesslog",
            "axes.view_accessfailurelog",
        ],
    }

    def ready(self) -> None:
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="portal.sync_roles")
        from django.core import checks

        from portal.admin_filters import check_admins_declare_their_filters

        checks.register(check_admins_declare_their_filters, checks.Tags.admin)
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from portal import calendar, deadlines

        deadlines.set_default_calendar_factory(calendar.database_calendar)
        from django.core.checks import Tags, register

        from portal.areas import check_public_areas

        register(check_public_areas, Tags.urls)  # each app's public_area: menu links that resolve
        from portal.subjects import check_clock_subjects

        register(check_clock_subjects)  # each app's clock_subjects: installed models, complete adapters
        from portal import registry

        # Each app's kinds, policies, URLs, beat entries and rate limits (portal.registry).
        register(registry.check_declarations, Tags.urls)
        # Beat reads the Celery app's schedule after Django is set up (the worker's and beat's
        # Django fix-up calls django.setup() when it loads the task modules): add the apps' entries.
        from portal.celery import app as celery_app

        celery_app.conf.beat_schedule = {**settings.CELERY_BEAT_SCHEDULE, **registry.beat_schedule()}
        # A login is not a change to the account: record last_login without a history row, or
        # the users' history would grow by one row per sign-in and hide the real changes.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_quietly, dispatch_uid="portal.update_last_login")
        # Every admin, also those of apps installed before portal, cleans its input (portal.admin_input).
        from django.contrib import admin

        from portal.admin_input import adopt_admin_input

        adopt_admin_input(admin.site)


def update_last_login_quietly(sender, user, **kwargs):
    from django.contrib.auth.models import update_last_login

    user.skip_history_when_saving = True
    try:
        update_last_login(sender, user, **kwargs)
    finally:
        del user.skip_history_when_saving
