"""One page layout for every admin action form (assign a ticket, extend a clock, …).

An action page is a small form acting on one object through one service. Each app's admin view
does the permission check, the form and the service call; `action_page` renders the result in
the admin's own form layout (templates/admin/action_form.html): breadcrumbs to the object, the
action as the page title and the object as its subtitle, a read-only summary of the object,
the fields in `module aligned` fieldsets with their help and errors, and the submit row.

`WorkflowActionsAdminMixin` wires a domain app's workflow actions into its ModelAdmin from one
declaration, `workflow_actions = {action: (form class, service)}`: the change page's buttons
(the actions the user may take now, from the app's portal.workflow.TransitionTable), one page per
action at `<object_id>/act/<action>/`, and the dispatch to the service (no if-chain). Each form
is an `ActionForm`, whose docstring is the contract between the form, the mixin and the service.

A form may group its fields with a `fieldsets` attribute, as a ModelAdmin does:
``[(name, {"fields": (...), "description": ...}), ...]``; without one, all its fields form one
fieldset headed by the action's title and description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib import messages
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.forms import BoundField, CheckboxInput, Form
from django.http import Http404
from django.shortcuts import redirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from portal.exceptions import DomainError
from portal.forms import PortalForm

ACTION_TEMPLATE = "admin/action_form.html"
WORKFLOW_CHANGE_FORM = "admin/workflow_change_form.html"


@dataclass(frozen=True)
class SummaryRow:
    """One read-only line about the object: a label and its (escaped) value."""

    label: str
    value: str


@dataclass(frozen=True)
class ActionField:
    bound: BoundField
    is_checkbox: bool

    @property
    def label_tag(self) -> str:
        """The label as the admin's own fieldsets write it (django.contrib.admin.helpers.AdminField)."""
        classes = [name for name, applies in (("required", self.bound.field.required),) if applies]
        if self.is_checkbox:
            classes.append("vCheckboxLabel")
        attrs = {"class": " ".join(classes)} if classes else None
        return self.bound.label_tag(attrs=attrs, label_suffix="" if self.is_checkbox else None)


@dataclass(frozen=True)
class ActionFieldset:
    name: str
    description: str
    fields: list[ActionField] = field(default_factory=list)


def action_fieldsets(form: Form, *, title: str, description: str = "") -> list[ActionFieldset]:
    """The form's fields grouped as its `fieldsets` say (or all in one, named after the action).
    A field the grouping forgets still shows, in a last fieldset: nothing is silently dropped."""

    def wrap(names: Iterable[str]) -> list[ActionField]:
        return [ActionField(form[name], isinstance(form.fields[name].widget, CheckboxInput)) for name in names]

    declared = getattr(form, "fieldsets", None) or [(title, {"fields": tuple(form.fields)})]
    fieldsets, placed = [], set()
    for index, (name, options) in enumerate(declared):
        names = [n for n in options["fields"] if n in form.fields and n not in placed]
        placed.update(names)
        # The action's description leads its first fieldset, before that fieldset's own.
        texts = [description] if index == 0 else []
        texts.append(options.get("description"))
        fieldsets.append(ActionFieldset(str(name or ""), " ".join(str(t) for t in texts if t), wrap(names)))
    rest = [n for n in form.fields if n not in placed]
    if rest:
        fieldsets.append(ActionFieldset("", "", wrap(rest)))
    return fieldsets


def action_page(
    request,
    model_admin,
    *,
    original,
    form: Form,
    title: str,
    description: str = "",
    summary: Iterable[tuple[str, object]] = (),
    submit_label: str = "",
    template: str = ACTION_TEMPLATE,
    extra_context: dict | None = None,
) -> TemplateResponse:
    """Render an action form on `original` (an object of `model_admin`'s model).

    `title` names the action (the page's heading and the submit button unless `submit_label`),
    `description` says what it does and what follows; `summary` is (label, value) pairs about
    the object shown read-only above the form (state, department, due date, …).
    """
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": original,
        "title": title,
        "subtitle": str(original),
        "description": description,
        "summary": [SummaryRow(str(label), "" if value is None else str(value)) for label, value in summary],
        "form": form,
        "fieldsets": action_fieldsets(form, title=title, description=description),
        "media": form.media,
        "has_file_field": form.is_multipart(),
        "submit_label": submit_label or title,
        **(extra_context or {}),
    }
    return TemplateResponse(request, template, context)


class ActionForm(PortalForm):
    """The base of every workflow action form (WorkflowActionsAdminMixin): what the form gets
    and what it gives.

    - It is built as `form_class(data, files, obj=<the object>, user=<the acting user>)` and
      keeps both (`self.obj`, `self.user`) for choices that depend on them (the departments
      co-handling this ticket, those of this user).
    - `description` says what the action does and what follows from it: the action page shows
      it above the fields. `fieldsets` may group the fields, as a ModelAdmin's do.
    - `service_arguments()` gives the keyword arguments of the action's service besides the
      object and the actor, which the mixin adds itself
      (`service(<workflow_object_argument>=obj, actor=user, **form.service_arguments())`). By
      default that is the cleaned data without `form_only_fields` (a confirmation box);
      override it to rename or convert a value (`attachments` → `files`).
    """

    description = ""
    form_only_fields: tuple[str, ...] = ()

    def __init__(self, data=None, files=None, *, obj, user, **kwargs):
        self.obj = obj
        self.user = user
        super().__init__(data, files, **kwargs)

    def service_arguments(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in self.form_only_fields}


class WorkflowButton(NamedTuple):
    """One action the user may take now, as a button on the object's change page."""

    action: str
    label: str
    url: str


class WorkflowActionsAdminMixin:
    """Buttons, pages and dispatch of a workflow's actions on one object, from declarations.

    - `workflow_table`: the app's portal.workflow.TransitionTable;
    - `workflow_actions`: {action: (ActionForm subclass, service)}; each action is in the table;
    - `workflow_object_argument`: the service's keyword naming the object ("petition").

    The change page shows, beside History, a button for each declared action the user may take
    now (`TransitionTable.available`): templates/admin/workflow_change_form.html, which an app's
    own admin/<app>/<model>/change_form.html extends (its block `workflow_tools` adds other
    buttons). Each action has its page at `<object_id>/act/<action>/` (the shared
    admin/action_form.html) and a valid POST calls its service (no if-chain); the form's contract
    is ActionForm's.

    Permission and role are checked first, for every method, before anything of the object is
    shown; a GET opens only what may be done now; a POST is judged by the service, whose refusal
    (the object moved on meanwhile) is shown on the form. System checks: portal.E350 (an action
    not in the table), E351 (a form that is no ActionForm), E352 (a change form template that
    does not extend the workflow one, so the buttons would not show).
    """

    workflow_table = None
    workflow_actions: dict[str, tuple[type[ActionForm], Callable]] = {}
    workflow_object_argument = "obj"

    @property
    def change_form_template(self) -> list[str]:
        """Django's lookup for the change form, ending with the workflow's instead of the plain one."""
        opts = self.model._meta
        return [
            f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
            f"admin/{opts.app_label}/change_form.html",
            WORKFLOW_CHANGE_FORM,
        ]

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        where = type(self).__name__
        for action, (form_class, _service) in self.workflow_actions.items():
            if self.workflow_table is None or action not in self.workflow_table:
                errors.append(
                    checks.Error(
                        f"The workflow action {action!r} is not in {where}.workflow_table.",
                        obj=type(self),
                        id="portal.E350",
                    )
                )
            if not (isinstance(form_class, type) and issubclass(form_class, ActionForm)):
                errors.append(
                    checks.Error(
                        f"{where}.workflow_actions[{action!r}]: the form must be a portal.admin_actions.ActionForm.",
                        obj=type(self),
                        id="portal.E351",
                    )
                )
        names = self.change_form_template
        template = _first_existing([names] if isinstance(names, str) else list(names or ()))
        if template and not _extends(template, WORKFLOW_CHANGE_FORM):
            errors.append(
                checks.Error(
                    f"{where}: the change form {template!r} does not extend {WORKFLOW_CHANGE_FORM!r}, "
                    "so the workflow's buttons would not show.",
                    obj=type(self),
                    id="portal.E352",
                )
            )
        return errors

    def _workflow_url_name(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_act"

    def workflow_action_url(self, obj, action: str) -> str:
        return reverse(f"{self.admin_site.name}:{self._workflow_url_name()}", args=[obj.pk, action])

    def workflow_buttons(self, request, obj) -> list[WorkflowButton]:
        """The declared actions `request.user` may take on `obj` now, in table order."""
        return [
            WorkflowButton(step.action, step.label, self.workflow_action_url(obj, step.action))
            for step in self.workflow_table.available(request.user, obj)
            if step.action in self.workflow_actions
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["workflow_buttons"] = self.workflow_buttons(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/act/<str:action>/",
                self.admin_site.admin_view(self.workflow_action_view),
                name=self._workflow_url_name(),
            ),
            *super().get_urls(),
        ]

    def workflow_action_summary(self, request, obj, action: str) -> list[tuple[str, object]]:
        """What the action page says about `obj` above the form; override per app."""
        return []

    def workflow_action_view(self, request, object_id, action):
        if action not in self.workflow_actions:
            raise Http404
        table = self.workflow_table
        step = table[action]
        if step.permission and not request.user.has_perm(step.permission):
            raise PermissionDenied
        obj = self.get_object(request, object_id)  # outside the user's scope: 403 (scoping mixin)
        if obj is None:
            raise Http404
        if not table.permitted(request.user, obj, action):
            raise PermissionDenied
        if request.method != "POST" and not table.may(request.user, obj, action):
            raise PermissionDenied
        form_class, service = self.workflow_actions[action]
        form = form_class(request.POST or None, request.FILES or None, obj=obj, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                service(**{self.workflow_object_argument: obj}, actor=request.user, **form.service_arguments())
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("%(action)s: done.") % {"action": step.label})
                opts = self.model._meta
                return redirect(
                    reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )
        return action_page(
            request,
            self,
            original=obj,
            form=form,
            title=step.label,
            description=form.description,
            summary=self.workflow_action_summary(request, obj, action),
        )


def _first_existing(names: list[str]) -> str:
    """The first of `names` the template loaders find ("" if none)."""
    for name in names:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        return name
    return ""


def _extends(name: str, ancestor: str) -> bool:
    """Whether the template `name` is `ancestor` or extends it, directly or through its parents
    (a parent named by a variable cannot be followed, and is taken on trust)."""
    for _depth in range(10):
        if name == ancestor:
            return True
        nodes = get_template(name).template.nodelist.get_nodes_by_type(ExtendsNode)
        if not nodes:
            return False
        parent = nodes[0].parent_name.var
        if not isinstance(parent, str):
            return True
        name = parent
    return False
