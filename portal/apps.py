from django.apps import AppConfig
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
        ],
    }

    def ready(self) -> None:
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="portal.sync_roles")
        from portal import calendar, deadlines

        deadlines.set_default_calendar_factory(calendar.database_calendar)
