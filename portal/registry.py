"""The registry: everything a domain app may declare on its AppConfig, in one place.

portal/ names no domain app. An app (petitions, later suggestions, disclosure) plugs in by setting
attributes on its AppConfig; portal reads them through the accessors below (or the module named),
and the system checks at the end validate every declaration at start-up, the way `contrib.admin`
checks a ModelAdmin (`manage.py check` lists each mistake with the attribute that holds it).

DomainApp: the declarations, all optional
------------------------------------------
==========================  ==========================================  ===============================
attribute                   type                                        read by
==========================  ==========================================  ===============================
``clock_area``              ``str``: the ``Clock.area`` of its work     portal.areas, here
``clock_area_label``        ``str`` (lazy): how the area is shown       `area_label`
``clock_kinds``             ``dict[str, str]``: kind code -> label      `clock_kinds`, `kind_label`
``acknowledgement_kinds``   ``tuple[str, ...]``: of its clock kinds,    `acknowledgement_kinds`: the
                            those whose meeting acknowledges receipt    figures "acknowledge_due" and
                            (受理)                                      "acknowledged_in_time"
``reply_kinds``             ``tuple[str, ...]``: of its clock kinds,    `reply_kinds`: "replied", reply
                            those whose meeting answers the citizen     times, "answered" (portal.
                            (答复)                                      dashboards)
``deadline_policies``       ``tuple[portal.policies.Policy, ...]``,     portal.policies
                            each with its ``source``
``public_area``             ``portal.areas.PublicArea``, with its       portal.areas (menu, home, /stats/,
                            ``title`` and ``total_label``               the board's totals)
``clock_subjects``          ``dict[model label, adapter path]``         portal.subjects
``url_prefix``              ``str`` ("petitions/"), with ``urls_module``  portal/urls.py via `url_includes`
                            (``str``, default "<app>.urls")
``beat_schedule``           ``dict[str, BeatEntry]``: periodic tasks,   portal.celery via `beat_schedule`
                            each naming its management-command twin
``rate_limits``             ``dict[str, str]``: group -> default        portal.ratelimits via `rate_limits`
                            "count/period"; settings.RATE_LIMITS
                            overrides a group by name
``role_permissions``        ``dict[role, list[perm]]``                  portal.roles
``demo_loader``             ``str``: path of ``load_demo(stdout=...)``  portal.demo (`load_demo`)
``data_generators``         ``dict[option, path]``                      portal.generate (`generate_data`)
``performance_metrics``     ``str``: path of the metrics function       portal.dashboards
notice kinds                ``register_notice_kind(...)`` in ready()    portal.notifications
==========================  ==========================================  ===============================

A new app therefore needs no portal migration and no edit in portal/: its clock kinds and areas
are plain values checked against this registry (`Clock.clean`), not database choices, and the
dashboards count its kinds by what it declares them to be (`acknowledgement_kinds`,
`reply_kinds`): portal names no domain app's kind or area. A kind that is neither is still on the
board and in "deadlines missed", but in no acknowledgement or reply figure (a moderation decision).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


class BeatEntry(NamedTuple):
    """One periodic task: Celery's task name and schedule (seconds or a crontab), and the
    management command that does the same by hand (the "command twin" every periodic task has)."""

    task: str
    schedule: Any
    command: str


# django-ratelimit's "count/period": 10/h, 5/m, 100/15m, 3/s, 1/d.
RATE = re.compile(r"^\d+/\d*[smhd]$")


def _where(app_config: AppConfig, attribute: str) -> str:
    return f"{app_config.name}.apps.{type(app_config).__name__}.{attribute}"


def declaring(attribute: str, app_configs=None) -> Iterator[tuple[AppConfig, Any]]:
    """(app config, value) of every installed app that declares `attribute`, in INSTALLED_APPS order."""
    for app_config in app_configs if app_configs is not None else apps.get_app_configs():
        value = getattr(app_config, attribute, None)
        if value is not None:
            yield app_config, value


# --- accessors ------------------------------------------------------------------------------------


def clock_areas() -> dict[str, str]:
    """area code -> its label (`clock_area_label`, else the app's verbose name)."""
    return {
        str(area): str(getattr(app_config, "clock_area_label", None) or app_config.verbose_name)
        for app_config, area in declaring("clock_area")
    }


def area_label(area: str) -> str:
    return clock_areas().get(area, area)


def clock_kinds() -> dict[str, Any]:
    """kind code -> label, over every app (a kind two apps share carries one label, checked)."""
    found: dict[str, Any] = {}
    for _app_config, kinds in declaring("clock_kinds"):
        if isinstance(kinds, dict):
            for kind, label in kinds.items():
                found.setdefault(kind, label)
    return found


def kind_label(kind: str) -> str:
    """How a clock's kind is shown ("Reply"); the code itself for a kind no app declares."""
    return str(clock_kinds().get(kind, kind))


def _declared_kinds(attribute: str) -> tuple[str, ...]:
    found: list[str] = []
    for _app_config, kinds in declaring(attribute):
        if isinstance(kinds, (tuple, list, frozenset, set)):
            found.extend(kind for kind in sorted(kinds) if isinstance(kind, str) and kind not in found)
    return tuple(found)


def acknowledgement_kinds() -> tuple[str, ...]:
    """The clock kinds whose meeting acknowledges receipt (受理), over every app: the figures
    "acknowledge_due" and "acknowledged_in_time" (portal.dashboards.FIGURES) count these."""
    return _declared_kinds("acknowledgement_kinds")


def reply_kinds() -> tuple[str, ...]:
    """The clock kinds whose meeting answers the citizen (答复), over every app: "replied", the
    reply times and "answered" (portal.dashboards.FIGURES) count these."""
    return _declared_kinds("reply_kinds")


def deadline_policies() -> list:
    """Every declared policy, in the apps' order (portal.policies adds the settings' overrides)."""
    from portal.policies import Policy

    found = []
    for _app_config, policies in declaring("deadline_policies"):
        if isinstance(policies, (tuple, list)):
            found.extend(policy for policy in policies if isinstance(policy, Policy))
    return found


def _urls_module(app_config: AppConfig) -> str:
    return getattr(app_config, "urls_module", None) or f"{app_config.name}.urls"


def url_includes() -> list[tuple[str, str]]:
    """(prefix, urls module) of every app that declares a `url_prefix`, for portal/urls.py."""
    found = []
    for app_config, prefix in declaring("url_prefix"):
        module = _urls_module(app_config)
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise ImproperlyConfigured(
                f"{_where(app_config, 'urls_module')}: the URL module {module!r} cannot be imported ({error})."
            ) from error
        found.append((str(prefix), module))
    return found


def beat_schedule() -> dict[str, dict]:
    """The declared periodic tasks as Celery beat entries, merged into the app's beat_schedule."""
    return {
        name: {"task": entry.task, "schedule": entry.schedule}
        for _app_config, entries in declaring("beat_schedule")
        if isinstance(entries, dict)
        for name, entry in entries.items()
        if isinstance(entry, BeatEntry)
    }


def rate_limits() -> dict[str, str]:
    """group -> "count/period": the apps' defaults, overridden by name by settings.RATE_LIMITS."""
    table: dict[str, str] = {}
    for _app_config, limits in declaring("rate_limits"):
        if isinstance(limits, dict):
            table.update(limits)
    return table | dict(settings.RATE_LIMITS or {})


# --- start-up checks (portal.E3xx) ----------------------------------------------------------------


def check_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    configs = list(app_configs if app_configs is not None else apps.get_app_configs())
    return [
        *_check_kinds_and_policies(configs, all_apps=app_configs is None),
        *_check_figure_kinds(configs),
        *_check_urls(configs),
        *_check_beat(configs),
        *_check_rate_limits(configs),
    ]


def _check_kinds_and_policies(configs, *, all_apps: bool) -> list[checks.CheckMessage]:
    from portal.policies import Policy

    errors = []
    kind_owner: dict[str, tuple[str, str]] = {}  # kind -> (app label, label)
    policy_owner: dict[str, str] = {}
    for app_config in configs:
        where = _where(app_config, "clock_kinds")
        kinds = getattr(app_config, "clock_kinds", None)
        if kinds is not None and not (isinstance(kinds, dict) and all(isinstance(k, str) for k in kinds)):
            errors.append(checks.Error(f"{where} must be a dict of kind codes to labels.", id="portal.E301"))
            kinds = None
        for kind, label in (kinds or {}).items():
            owner = kind_owner.get(kind)
            if owner and str(owner[1]) != str(label):
                errors.append(
                    checks.Error(
                        f"{where}: the kind {kind!r} is declared by {owner[0]} too, with another label "
                        f"({owner[1]!s} / {label!s}); a kind is shown by its code alone, so one label each.",
                        id="portal.E302",
                    )
                )
            kind_owner.setdefault(kind, (app_config.label, label))

        policies = getattr(app_config, "deadline_policies", None)
        if policies is None:
            continue
        where = _where(app_config, "deadline_policies")
        if not (isinstance(policies, (tuple, list)) and all(isinstance(p, Policy) for p in policies)):
            errors.append(checks.Error(f"{where} must be a tuple of portal.policies.Policy.", id="portal.E303"))
            continue
        area = getattr(app_config, "clock_area", None)
        for policy in policies:
            if policy.area != area:
                errors.append(
                    checks.Error(
                        f"{where}: the policy {policy.code!r} is for the area {policy.area!r}, not the app's "
                        f"clock_area {area!r}.",
                        id="portal.E304",
                    )
                )
            if policy.kind not in (kinds or {}):
                errors.append(
                    checks.Error(
                        f"{where}: the policy {policy.code!r} has the kind {policy.kind!r}, which the app's "
                        f"clock_kinds do not declare.",
                        id="portal.E305",
                    )
                )
            if policy.code in policy_owner:
                errors.append(
                    checks.Error(
                        f"{where}: the policy code {policy.code!r} is declared by {policy_owner[policy.code]} too.",
                        id="portal.E306",
                    )
                )
            policy_owner.setdefault(policy.code, app_config.label)
            if not str(policy.source).strip():
                errors.append(checks.Error(f"{where}: the policy {policy.code!r} names no source.", id="portal.E307"))
    if all_apps:  # the overrides name policies of every app: judged only against all of them
        for code in settings.CLOCK_POLICY_OVERRIDES or {}:
            if code not in policy_owner:
                errors.append(
                    checks.Error(
                        f"settings.CLOCK_POLICY_OVERRIDES names the policy {code!r}, which no app declares.",
                        hint=f"Declared: {', '.join(sorted(policy_owner)) or 'none'}.",
                        id="portal.E308",
                    )
                )
    return errors


FIGURE_KINDS = {"acknowledgement_kinds": "an acknowledgement", "reply_kinds": "a reply"}


def _check_figure_kinds(configs) -> list[checks.CheckMessage]:
    """What the figures count a kind as: a collection of the app's own kinds, one role each, and
    the same role in every app that declares the kind (the figures select clocks by kind alone)."""
    errors = []
    role_of: dict[str, tuple[str, str]] = {}  # kind -> (app label, attribute or "")
    for app_config in configs:
        own = getattr(app_config, "clock_kinds", None)
        own = own if isinstance(own, dict) else {}
        roles: dict[str, str] = {}
        for attribute in FIGURE_KINDS:
            kinds = getattr(app_config, attribute, None)
            if kinds is None:
                continue
            where = _where(app_config, attribute)
            if not isinstance(kinds, (tuple, list, frozenset, set)) or not all(isinstance(k, str) for k in kinds):
                errors.append(
                    checks.Error(f"{where} must be a tuple of kind codes of the app's clock_kinds.", id="portal.E340")
                )
                continue
            for kind in kinds:
                if kind not in own:
                    errors.append(
                        checks.Error(
                            f"{where}: the kind {kind!r} is not one of the app's clock_kinds.", id="portal.E341"
                        )
                    )
                elif kind in roles:
                    errors.append(
                        checks.Error(
                            f"{where}: the kind {kind!r} is in {roles[kind]} too; a kind is counted as an "
                            "acknowledgement or as a reply, not both.",
                            id="portal.E342",
                        )
                    )
                else:
                    roles[kind] = attribute
        for kind in own:
            role = roles.get(kind, "")
            owner = role_of.setdefault(kind, (app_config.label, role))
            if owner[1] != role:
                errors.append(
                    checks.Error(
                        f"{_where(app_config, role or 'clock_kinds')}: the kind {kind!r} is counted as "
                        f"{FIGURE_KINDS.get(role, 'neither an acknowledgement nor a reply')} here but as "
                        f"{FIGURE_KINDS.get(owner[1], 'neither')} by {owner[0]}; the figures select clocks by "
                        "kind alone, so every app that declares a kind gives it the same role.",
                        id="portal.E343",
                    )
                )
    return errors


def _check_urls(configs) -> list[checks.CheckMessage]:
    errors = []
    for app_config, prefix in declaring("url_prefix", configs):
        where = _where(app_config, "url_prefix")
        if not isinstance(prefix, str) or not prefix.endswith("/") or prefix.startswith("/"):
            errors.append(
                checks.Error(
                    f"{where} must be a path like 'petitions/' (no leading slash, a trailing one).", id="portal.E310"
                )
            )
        module = _urls_module(app_config)
        try:
            importlib.import_module(module)
        except ImportError as error:
            errors.append(
                checks.Error(f"{where}: the URL module {module!r} cannot be imported ({error}).", id="portal.E311")
            )
    return errors


def _check_beat(configs) -> list[checks.CheckMessage]:
    from django.core.management import get_commands

    from portal.celery import app as celery_app

    errors = []
    commands = get_commands()
    for app_config, entries in declaring("beat_schedule", configs):
        where = _where(app_config, "beat_schedule")
        if not isinstance(entries, dict) or not all(isinstance(e, BeatEntry) for e in entries.values()):
            errors.append(
                checks.Error(f"{where} must be a dict of names to portal.registry.BeatEntry.", id="portal.E320")
            )
            continue
        try:  # the app's tasks register themselves when their module is imported
            importlib.import_module(f"{app_config.name}.tasks")
        except ModuleNotFoundError as error:
            if error.name != f"{app_config.name}.tasks":
                raise
        for name, entry in entries.items():
            if entry.task not in celery_app.tasks:
                errors.append(
                    checks.Error(
                        f"{where}[{name!r}]: no Celery task is registered as {entry.task!r}.", id="portal.E321"
                    )
                )
            if entry.command not in commands:
                errors.append(
                    checks.Error(
                        f"{where}[{name!r}]: its command twin {entry.command!r} is not a management command.",
                        hint="Every periodic task has a command that does the same by hand.",
                        id="portal.E322",
                    )
                )
    return errors


def _check_rate_limits(configs) -> list[checks.CheckMessage]:
    errors = []
    owner: dict[str, str] = {}
    for app_config, limits in declaring("rate_limits", configs):
        where = _where(app_config, "rate_limits")
        if not isinstance(limits, dict):
            errors.append(checks.Error(f"{where} must be a dict of group names to rates.", id="portal.E330"))
            continue
        for group, rate in limits.items():
            if not isinstance(rate, str) or not RATE.match(rate):
                errors.append(
                    checks.Error(
                        f'{where}[{group!r}]: the rate {rate!r} is not "count/period" (10/h, 5/m, 100/15m).',
                        id="portal.E331",
                    )
                )
            if group in owner:
                errors.append(
                    checks.Error(f"{where}: the group {group!r} is declared by {owner[group]} too.", id="portal.E332")
                )
            owner.setdefault(group, app_config.label)
    for group, rate in (settings.RATE_LIMITS or {}).items():
        if not isinstance(rate, str) or not RATE.match(rate):
            errors.append(
                checks.Error(
                    f'settings.RATE_LIMITS[{group!r}]: the rate {rate!r} is not "count/period" (10/h, 5/m).',
                    id="portal.E331",
                )
            )
    return errors
