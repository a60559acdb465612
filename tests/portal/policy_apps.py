"""A test-only domain app that declares the deadline policies of an area not built yet
(portal.registry): a disclosure-like app, installed by tests/settings.py, so the clock engine, the
sweep and the dashboards are tested with working-day caps, pauses and several areas (the real
suggestions app gives the third). It declares no public area, so no page shows it."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy

from portal.policies import WORKING_DAYS, Policy

SOURCE_DISCLOSURE = (
    "Regulations of the PRC on Open Government Information (政府信息公开条例), art. 33: "
    "20 working days, extendable by at most 20 with approval; third-party consultation not counted"
)


class DisclosurePoliciesConfig(AppConfig):
    name = "tests.portal.disclosure_policy_app"
    label = "disclosure_policies"
    clock_area = "disclosure"
    clock_area_label = "Disclosure application"
    clock_kinds = {"reply": pgettext_lazy("deadline kind", "Reply")}  # the label petitions gives it
    reply_kinds = ("reply",)  # and the role (portal.E343)
    deadline_policies = (
        Policy(
            "disclosure.reply",
            "disclosure",
            "reply",
            WORKING_DAYS,
            20,
            "Disclosure application: reply within 20 working days of a complete application",
            SOURCE_DISCLOSURE,
            max_extension_days=20,
            pausable=True,
        ),
    )
