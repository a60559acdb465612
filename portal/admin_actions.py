"""One page layout for every admin action form (assign a ticket, extend a clock, …).

An action page is a small form acting on one object through one service. Each app's admin view
does the permission check, the form and the service call; `action_page` renders the result in
the admin's own form layout (templates/admin/action_form.html): breadcrumbs to the object, the
action as the page title and the object as its subtitle, a read-only summary of the object,
the fields in `module aligned` fieldsets with their help and errors, and the submit row.

`WorkflowActionsAdminMixin` wires a domain app's workflow actions into its ModelAdmin from one
declaration, `workflow_actions = {action: (form class, service)}`: the change page's buttons
(the actions the user may take now, from the app's portal.workflow.TransitionTable), one page per
action at `<object_id>/act/<action>/`, and the dispatch to the service (no if-chain).

A form may group its fields with a `fieldsets` attribute, as a ModelAdmin does:
``[(name, {"fields": (...), "description": ...}), ...]``; without one, all its fields form one
fieldset headed by the action's title and description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.forms import BoundField, CheckboxInput, Form
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from portal.exceptions import DomainError

ACTION_TEMPLATE = "admin/action_form.html"


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


class WorkflowActionsAdminMixin:
    """Buttons, pages and dispatch of a workflow's actions on one object, from declarations.

    - `workflow_table`: the app's portal.workflow.TransitionTable;
    - `workflow_actions`: {action: (form class, service)}. The form is built with
      `form_class(data, files, <workflow_object_argument>=obj, user=user)`; on a valid POST the
      service is called as `service(<workflow_object_argument>=obj, actor=user, **arguments)`,
      where `arguments` is the form's `service_arguments()` (its cleaned data without one);
    - `workflow_object_argument`: the keyword naming the object ("petition").

    Permission and role are checked first, for every method, before anything of the object is
    shown; a GET opens only what may be done now; a POST is judged by the service, whose refusal
    (the object moved on meanwhile) is shown on the form.
    """

    workflow_table = None
    workflow_actions: dict[str, tuple[type[Form], Callable]] = {}
    workflow_object_argument = "obj"

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for action in self.workflow_actions:
            if self.workflow_table is None or action not in self.workflow_table:
                errors.append(
                    checks.Error(
                        f"The workflow action {action!r} is not in {type(self).__name__}.workflow_table.",
                        obj=type(self),
                        id="portal.E101",
                    )
                )
        return errors

    def _workflow_url_name(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_act"

    def workflow_action_url(self, obj, action: str) -> str:
        return reverse(f"{self.admin_site.name}:{self._workflow_url_name()}", args=[obj.pk, action])

    def workflow_buttons(self, request, obj) -> list[tuple[str, object, str]]:
        """(action, label, url) of the declared actions `request.user` may take on `obj` now."""
        return [
            (step.action, step.label, self.workflow_action_url(obj, step.action))
            for step in self.workflow_table.available(request.user, obj)
            if step.action in self.workflow_actions
        ]

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
        form = form_class(
            request.POST or None,
            request.FILES or None,
            **{self.workflow_object_argument: obj},
            user=request.user,
        )
        if request.method == "POST" and form.is_valid():
            arguments = form.service_arguments() if hasattr(form, "service_arguments") else dict(form.cleaned_data)
            try:
                service(**{self.workflow_object_argument: obj}, actor=request.user, **arguments)
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
            description=getattr(form, "description", ""),
            summary=self.workflow_action_summary(request, obj, action),
        )
