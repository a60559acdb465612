"""portal.registry: what domain apps declare on their AppConfig, read in one place and checked at
start-up (portal.E3xx)."""

import pytest
from django.apps import AppConfig, apps
from django.core.management import call_command, get_commands
from django.test import override_settings
from django.urls import reverse

from portal import registry
from portal.celery import app as celery_app
from portal.models import Clock
from portal.policies import HOURS, WORKING_DAYS, all_policies, get_policy
from portal.ratelimits import limited


def test_the_installed_declarations_pass_the_start_up_check():
    assert registry.check_declarations() == []
    call_command("check")


def test_a_broken_declaration_is_refused_at_start_up_with_a_clear_message():
    broken = AppConfig.create("tests.portal.registry_app.BrokenRegistryConfig")
    messages = registry.check_declarations(app_configs=[apps.get_app_config("petitions"), broken])
    by_id: dict[str, list[str]] = {}
    for message in messages:
        by_id.setdefault(message.id, []).append(message.msg)
    assert set(by_id) == {
        "portal.E302", "portal.E304", "portal.E305", "portal.E306", "portal.E307",
        "portal.E310", "portal.E311", "portal.E321", "portal.E322", "portal.E331", "portal.E332",
        "portal.E341", "portal.E342", "portal.E343",
    }  # fmt: skip
    owner = "tests.portal.registry_app.apps.BrokenRegistryConfig"
    assert by_id["portal.E302"][0].startswith(f"{owner}.clock_kinds: the kind 'reply' is declared by petitions too")
    assert by_id["portal.E304"] == [
        f"{owner}.deadline_policies: the policy 'petition.acknowledge' is for the area 'petition', not the app's "
        "clock_area 'suggestion'."
    ]
    assert "the policy 'broken.kindless' has the kind 'nowhere'" in by_id["portal.E305"][0]
    assert "the policy code 'petition.acknowledge' is declared by petitions too" in by_id["portal.E306"][0]
    assert "the policy 'broken.sourceless' names no source" in by_id["portal.E307"][0]
    assert by_id["portal.E310"][0].startswith(f"{owner}.url_prefix must be a path like 'petitions/'")
    assert "the URL module 'tests.portal.nowhere_urls' cannot be imported" in by_id["portal.E311"][0]
    assert "no Celery task is registered as 'broken.nowhere'" in by_id["portal.E321"][0]
    assert "its command twin 'no_such_command' is not a management command" in by_id["portal.E322"][0]
    assert "the rate 'ten per hour' is not \"count/period\"" in by_id["portal.E331"][0]
    assert "the group 'petitions.submit' is declared by petitions too" in by_id["portal.E332"][0]
    # What the figures count each kind as (acknowledgement_kinds, reply_kinds).
    assert by_id["portal.E341"] == [
        f"{owner}.acknowledgement_kinds: the kind 'nowhere' is not one of the app's clock_kinds."
    ]
    assert by_id["portal.E342"][0].startswith(
        f"{owner}.reply_kinds: the kind 'moderate' is in acknowledgement_kinds too; a kind is counted as an "
        "acknowledgement or as a reply, not both."
    )
    assert by_id["portal.E343"] == [
        f"{owner}.clock_kinds: the kind 'reply' is counted as neither an acknowledgement nor a reply here but as "
        "a reply by petitions; the figures select clocks by kind alone, so every app that declares a kind gives it "
        "the same role."
    ]


def test_declarations_of_the_wrong_type_are_refused():
    wrong = AppConfig.create("tests.portal.registry_app.WrongTypesConfig")
    messages = {message.id: message.msg for message in registry.check_declarations(app_configs=[wrong])}
    owner = "tests.portal.registry_app.apps.WrongTypesConfig"
    assert messages == {
        "portal.E301": f"{owner}.clock_kinds must be a dict of kind codes to labels.",
        "portal.E303": f"{owner}.deadline_policies must be a tuple of portal.policies.Policy.",
        "portal.E320": f"{owner}.beat_schedule must be a dict of names to portal.registry.BeatEntry.",
        "portal.E330": f"{owner}.rate_limits must be a dict of group names to rates.",
        "portal.E340": f"{owner}.reply_kinds must be a tuple of kind codes of the app's clock_kinds.",
    }


def test_a_policy_override_naming_no_declared_policy_is_a_start_up_error_not_a_crash():
    overrides = {"petition.reply.ordinary": {"amount": 5}, "petition.nowhere": {"amount": 3}}
    with override_settings(CLOCK_POLICY_OVERRIDES=overrides):
        [error] = registry.check_declarations()
        assert error.id == "portal.E308"
        assert "settings.CLOCK_POLICY_OVERRIDES names the policy 'petition.nowhere', which no app declares" in error.msg
        assert get_policy("petition.reply.ordinary").amount == 5  # the known override still applies
        assert "petition.nowhere" not in all_policies()


def test_a_settings_rate_that_does_not_parse_is_refused():
    with override_settings(RATE_LIMITS={"accounts.register": "often"}):
        [error] = registry.check_declarations()
    assert error.id == "portal.E331" and "settings.RATE_LIMITS['accounts.register']" in error.msg


def test_policies_come_from_the_apps_declarations():
    petitions = apps.get_app_config("petitions")
    assert {policy.code for policy in petitions.deadline_policies} <= set(all_policies())
    assert get_policy("petition.acknowledge").source == petitions.deadline_policies[0].source
    assert (HOURS, WORKING_DAYS) == (Clock.Unit.HOURS, Clock.Unit.WORKING_DAYS)


def test_kinds_and_areas_are_labelled_from_the_declarations():
    with override_settings(LANGUAGE_CODE="en"):
        from django.utils import translation

        with translation.override("en"):
            assert registry.kind_label("acknowledge") == "Acknowledgement"
            assert registry.kind_label("reply") == "Reply"
            assert registry.area_label("petition") == "Petition ticket"
            assert registry.kind_label("unknown") == "unknown"


def test_the_figures_count_each_kind_as_its_app_declares_it():
    """portal names no app's kinds or areas: what counts as an acknowledgement or a reply is declared."""
    from petitions import policies

    assert not hasattr(Clock, "Kind") and not hasattr(Clock, "Area")
    assert registry.acknowledgement_kinds() == (policies.ACKNOWLEDGE,)
    # petitions' and the disclosure stand-in's "reply", the suggestion stand-in's "respond", the
    # throwaway app's "errand"; the suggestion stand-in's "moderate" is neither.
    assert set(registry.reply_kinds()) == {policies.REPLY, "respond", "errand"}
    assert "moderate" in registry.clock_kinds() and "moderate" not in registry.reply_kinds()


def test_the_apps_urls_are_included_under_their_declared_prefix():
    assert ("petitions/", "petitions.urls") in registry.url_includes()
    assert reverse("petitions:index").startswith("/petitions/")


def test_the_apps_beat_entries_are_merged_into_the_celery_schedule_with_their_command_twins():
    schedule = celery_app.conf.beat_schedule
    assert schedule["petitions-close-unrated"]["task"] == "petitions.close_unrated"
    assert schedule["petitions-monthly-report"]["task"] == "petitions.generate_monthly_report"
    assert schedule["sweep-deadlines"]["task"] == "portal.sweep_deadlines"  # portal's own stay
    commands = get_commands()
    for entry in apps.get_app_config("petitions").beat_schedule.values():
        assert entry.task in celery_app.tasks and entry.command in commands


def test_the_declared_rate_is_the_default_and_settings_override_it_by_name(settings):
    assert registry.rate_limits()["petitions.submit"] == "10/h"
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"petitions.submit": "2/h"}
    assert registry.rate_limits()["petitions.submit"] == "2/h"
    assert registry.rate_limits()["accounts.register"] == settings.RATE_LIMITS["accounts.register"]


def test_a_view_limited_by_an_undeclared_group_fails_at_import():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=r"No app declares a rate limit for 'nowhere\.submit'"):
        limited("nowhere.submit")


# --- Clock.area and Clock.kind: values the apps declare, not database choices ---------------------


def test_clock_area_and_kind_have_no_database_choices():
    assert Clock._meta.get_field("area").choices is None
    assert Clock._meta.get_field("kind").choices is None


@pytest.mark.django_db
def test_a_clock_of_a_declared_kind_is_shown_by_the_declared_label_and_an_undeclared_one_is_refused():
    from django.contrib.auth.models import Group
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from portal import clocks

    # "moderate" is declared by a test app alone (tests/portal/policy_apps.py): no portal migration.
    clock = clocks.clock_start(subject=Group.objects.create(name="建言"), policy="suggestion.moderate")
    with translation.override("en"):
        assert (clock.get_kind_display(), clock.get_area_display()) == ("Moderation decision", "Suggestion")
        assert str(clock).startswith("Moderation decision · ")
    clock.full_clean()
    clock.area, clock.kind = "festival", "celebrate"
    with pytest.raises(ValidationError) as refused:
        clock.full_clean()
    assert set(refused.value.message_dict) == {"area", "kind"}
