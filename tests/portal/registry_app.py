"""Registry declarations (portal.registry) for the start-up check's tests: each attribute of
BrokenRegistryConfig is wrong in one way, each of WrongTypesConfig has the wrong type."""

from django.apps import AppConfig

from portal.policies import HOURS, WORKING_DAYS, Policy
from portal.registry import BeatEntry


class BrokenRegistryConfig(AppConfig):
    name = "tests.portal.registry_app"
    label = "broken_registry"
    clock_area = "suggestion"
    clock_kinds = {"reply": "Answer", "moderate": "Moderation"}  # petitions calls "reply" otherwise
    # "nowhere" is no kind of the app; "moderate" is both; "reply" is a reply for petitions, not here.
    acknowledgement_kinds = ("moderate", "nowhere")
    reply_kinds = ("moderate",)
    deadline_policies = (
        Policy("petition.acknowledge", "petition", "moderate", HOURS, 24, "Another app's code", "A plan"),
        Policy("broken.kindless", "suggestion", "nowhere", WORKING_DAYS, 7, "An undeclared kind", "A plan"),
        Policy("broken.sourceless", "suggestion", "moderate", WORKING_DAYS, 7, "No source", " "),
    )
    url_prefix = "/broken"
    urls_module = "tests.portal.nowhere_urls"
    beat_schedule = {"broken-nightly": BeatEntry("broken.nowhere", 60.0, command="no_such_command")}
    rate_limits = {"broken.submit": "ten per hour", "petitions.submit": "5/h"}


class WrongTypesConfig(AppConfig):
    name = "tests.portal.registry_app"
    label = "wrong_types"
    clock_area = "suggestion"
    clock_kinds = ["moderate"]
    reply_kinds = "moderate"
    deadline_policies = ["suggestion.moderate"]
    beat_schedule = {"nightly": {"task": "petitions.close_unrated", "schedule": 60.0}}
    rate_limits = "10/h"
