"""Test-only domain apps that declare deadline policies of areas not built yet (portal.registry):
a suggestions-like and a disclosure-like app, installed by tests/settings.py, so the clock engine,
the sweep and the dashboards are tested with working-day caps, pauses and several areas. They
declare no public area, so no page shows them."""

from django.apps import AppConfig
from django.utils.translation import pgettext_lazy

from portal.policies import HOURS, WORKING_DAYS, Policy

SOURCE_SUGGESTIONS = "Public-suggestion campaign plan (公众建言活动方案)"
SOURCE_DISCLOSURE = (
    "Regulations of the PRC on Open Government Information (政府信息公开条例), art. 33: "
    "20 working days, extendable by at most 20 with approval; third-party consultation not counted"
)


class SuggestionPoliciesConfig(AppConfig):
    name = "tests.portal.policy_apps"
    label = "suggestion_policies"
    clock_area = "suggestion"
    clock_area_label = "Suggestion"
    clock_kinds = {
        "moderate": pgettext_lazy("deadline kind", "Moderation decision"),
        "respond": pgettext_lazy("deadline kind", "Department response"),
    }
    reply_kinds = ("respond",)  # a department's response answers the citizen; moderation does not
    deadline_policies = (
        Policy(
            "suggestion.moderate",
            "suggestion",
            "moderate",
            HOURS,
            24,
            "Suggestion: moderation decision within 24 hours",
            SOURCE_SUGGESTIONS,
        ),
        Policy(
            "suggestion.respond.single",
            "suggestion",
            "respond",
            WORKING_DAYS,
            7,
            "Suggestion: department response within 7 working days",
            SOURCE_SUGGESTIONS,
            reclassify_to=("suggestion.respond.multiple",),
        ),
        Policy(
            "suggestion.respond.multiple",
            "suggestion",
            "respond",
            WORKING_DAYS,
            15,
            "Suggestion: response from several departments within 15 working days",
            SOURCE_SUGGESTIONS,
            reclassify_to=("suggestion.respond.single",),
        ),
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
