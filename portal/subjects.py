"""Clock subjects: what portal knows of the thing a clock runs for, told by the thing's own app.

A clock points at its subject by a generic relation (a petition ticket, a suggestion, ...). To show
a clock (the board, notices, e-mails) and to act on it (urge, extend), portal asks the subject's
adapter, which the domain app declares on its AppConfig:

    class PetitionsConfig(AppConfig):
        clock_subjects = {"petitions.Petition": "petitions.subjects.PetitionSubject"}

An adapter is a `ClockSubject`: the subject's reference, staff title, admin and public pages and
responsible departments, and the domain's own urge and extend services, so that an urge from the
board or an extension from the clock admin writes the domain's timeline and tells the citizen just
as the domain's own pages do. A subject model that declares no adapter is shown neutrally (its id,
its `str()`, its admin page if it has one) and acted on by the clock engine alone; nothing here
guesses at a model's attributes. `check_clock_subjects` checks every declaration at start-up, the
way `contrib.admin` checks a ModelAdmin.

This module imports neither the clock engine nor the notifications, which both read it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from portal.models import Clock


class ClockSubject:
    """The adapter of one subject model. Subclass it in the domain app, define `urge` and
    `extend` with the domain's services, and override the display where the default won't do."""

    # What `attach_subjects` fetches with each subject (what the display methods read).
    select_related: tuple[str, ...] = ()

    def reference(self, obj) -> str:
        """The human reference staff and citizens quote (a tracking number)."""
        return str(obj.pk)

    def title(self, obj) -> str:
        """The title staff see on the board and in their notices (the internal one)."""
        return str(obj)

    def admin_url(self, obj) -> str:
        """The admin page where staff act on the subject, or ""."""
        return model_admin_url(type(obj), obj.pk)

    def public_url(self, obj) -> str | None:
        """The subject's public page, or None while it has none."""
        return None

    def department_ids(self, obj) -> list[int]:
        """The departments responsible for the subject (lead first)."""
        return []

    def urge(self, *, obj, clocks: Sequence[Clock], note: str, actor) -> int:
        """Urge (催办) the departments on `clocks` (open clocks of `obj`) through the domain's
        service, which checks the actor and records the urge on the subject. Returns how many
        clocks were urged; refuses with a DomainError."""
        raise NotImplementedError

    def extend(self, *, obj, clock: Clock, days: int, reason: str, actor) -> None:
        """Extend (延期) `clock` of `obj` by `days` working days through the domain's service,
        which records the extension on the subject and tells whom it concerns."""
        raise NotImplementedError


REQUIRED = ("urge", "extend")


@dataclass(frozen=True)
class SubjectDisplay:
    """How a clock's subject is shown: its reference, staff title, admin and public pages."""

    reference: str
    title: str
    admin_url: str
    public_url: str | None = None


# --- the declarations ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Declaration:
    where: str  # "petitions.apps.PetitionsConfig.clock_subjects['petitions.Petition']", for messages
    app_label: str
    model: type[models.Model] | None
    adapter: ClockSubject | None
    error: checks.Error | None


def _declarations(app_configs) -> list[_Declaration]:
    found = []
    for app_config in app_configs:
        declared = getattr(app_config, "clock_subjects", None)
        if declared is None:
            continue
        owner = f"{app_config.name}.apps.{type(app_config).__name__}.clock_subjects"
        if not isinstance(declared, dict):
            error = checks.Error(
                f"{owner} must be a dict of model labels to adapter paths, e.g. "
                '{"petitions.Petition": "petitions.subjects.PetitionSubject"}.',
                id="portal.E201",
            )
            found.append(_Declaration(owner, app_config.label, None, None, error))
            continue
        for label, path in declared.items():
            found.append(_declare(f"{owner}[{label!r}]", app_config.label, label, path))
    return found


def _declare(where: str, app_label: str, label, path) -> _Declaration:
    def refused(message: str, code: str) -> _Declaration:
        return _Declaration(where, app_label, None, None, checks.Error(f"{where}: {message}", id=code))

    try:
        model = apps.get_model(str(label))
    except (LookupError, ValueError):
        return refused(f"no installed model {label!r} (write it as 'app_label.ModelName').", "portal.E202")
    try:
        adapter_class = import_string(str(path))
    except ImportError:
        return refused(f"the adapter {path!r} cannot be imported.", "portal.E203")
    if not (isinstance(adapter_class, type) and issubclass(adapter_class, ClockSubject)):
        return refused(f"{path!r} is not a subclass of portal.subjects.ClockSubject.", "portal.E204")
    missing = [name for name in REQUIRED if getattr(adapter_class, name) is getattr(ClockSubject, name)]
    if missing:
        return refused(
            f"{path!r} does not define {', '.join(missing)}: a subject is urged and extended through "
            "its domain's own services.",
            "portal.E205",
        )
    return _Declaration(where, app_label, model, adapter_class(), None)


@functools.cache
def _adapters() -> dict[type[models.Model], ClockSubject]:
    """{model: adapter} of the installed apps, resolved once (again when INSTALLED_APPS changes)."""
    adapters = {}
    for declaration in _declarations(apps.get_app_configs()):
        if declaration.error is not None:  # the start-up check reports it; never act on a guess
            raise ImproperlyConfigured(declaration.error.msg)
        adapters[declaration.model] = declaration.adapter
    return adapters


@receiver(setting_changed)
def _forget_adapters(*, setting, **kwargs) -> None:
    if setting == "INSTALLED_APPS":
        _adapters.cache_clear()


def adapter_for(model: type[models.Model] | None) -> ClockSubject | None:
    """The declared adapter of `model`, or None (shown neutrally, acted on by the engine alone)."""
    return _adapters().get(model) if model is not None else None


def adapter_for_clock(clock: Clock) -> ClockSubject | None:
    return adapter_for(ContentType.objects.get_for_id(clock.content_type_id).model_class())


def check_clock_subjects(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each declaration names an installed model and a ClockSubject that defines urge and extend;
    one adapter per model."""
    errors = []
    seen: dict[type[models.Model], str] = {}
    for declaration in _declarations(app_configs or apps.get_app_configs()):
        if declaration.error is not None:
            errors.append(declaration.error)
            continue
        if declaration.model in seen:
            errors.append(
                checks.Error(
                    f"{declaration.where}: {declaration.model._meta.label} has an adapter declared by "
                    f"{seen[declaration.model]} already.",
                    id="portal.E206",
                )
            )
        seen[declaration.model] = declaration.app_label
    return errors


# --- reading subjects ------------------------------------------------------------------------


def model_admin_url(model: type[models.Model], object_id) -> str:
    """The admin change page of `model`'s row `object_id`, or "" if the model has no admin."""
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[object_id])
    except NoReverseMatch:
        return ""


def attach_subjects(clocks: Iterable[Clock]) -> dict[tuple[int, int], models.Model]:
    """Fetch the subjects of many clocks, one query per subject type (with what its adapter
    reads); {(content type id, object id): subject}. A deleted subject is simply absent."""
    by_type: dict[int, set[int]] = {}
    for clock in clocks:
        by_type.setdefault(clock.content_type_id, set()).add(clock.object_id)
    adapters = _adapters()
    subjects = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.filter(pk__in=ids)
        adapter = adapters.get(model)
        if adapter is not None and adapter.select_related:
            queryset = queryset.select_related(*adapter.select_related)
        for subject in queryset:
            subjects[(type_id, subject.pk)] = subject
    return subjects


def subject_for(clock: Clock) -> models.Model | None:
    """The subject of one clock (with what its adapter reads), or None if it is gone."""
    return attach_subjects([clock]).get((clock.content_type_id, clock.object_id))


def describe(clock: Clock, subject: models.Model | None, adapters=None) -> SubjectDisplay:
    """How `clock`'s subject is shown, by its adapter; neutrally if it has none or is gone."""
    model = ContentType.objects.get_for_id(clock.content_type_id).model_class()
    adapter = (adapters if adapters is not None else _adapters()).get(model) if model is not None else None
    if subject is not None and adapter is not None:
        return SubjectDisplay(
            reference=adapter.reference(subject),
            title=adapter.title(subject),
            admin_url=adapter.admin_url(subject),
            public_url=adapter.public_url(subject),
        )
    return SubjectDisplay(
        reference=str(clock.object_id),
        title=str(subject) if subject is not None else "",
        admin_url=model_admin_url(model, clock.object_id) if model is not None else "",
    )


def describe_all(clocks: Iterable[Clock]) -> dict[int, SubjectDisplay]:
    """{clock id: display} for many clocks: one query per subject type."""
    clocks = list(clocks)
    subjects = attach_subjects(clocks)
    adapters = _adapters()
    return {
        clock.pk: describe(clock, subjects.get((clock.content_type_id, clock.object_id)), adapters) for clock in clocks
    }
