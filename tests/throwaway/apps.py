from django.apps import AppConfig

from portal import roles
from portal.policies import WORKING_DAYS, Policy

AREA = "errand"


class ThrowawayConfig(AppConfig):
    name = "tests.throwaway"
    label = "throwaway"
    verbose_name = "Errands (test app)"
    default_auto_field = "django.db.models.BigAutoField"

    clock_area = AREA
    clock_area_label = "Errand"
    clock_kinds = {"errand": "Errand done"}
    reply_kinds = ("errand",)  # doing the errand answers whoever asked: "replied" in the figures
    deadline_policies = (
        Policy("errand.reply", AREA, "errand", WORKING_DAYS, 3, "Errand: done within 3 working days", "Test rule"),
    )
    clock_subjects = {"throwaway.Errand": "tests.throwaway.subjects.ErrandSubject"}
    role_permissions = {
        roles.DEPARTMENT_STAFF: ["throwaway.view_errand", "throwaway.change_errand"],
        roles.OFFICE_CLERK: ["throwaway.view_errand", "throwaway.change_errand", "throwaway.drop_errand"],
    }
