"""One page layout for every admin action form (assign a ticket, extend a clock, …).

An action page is a small form acting on one object through one service. Each app's admin view
does the permission check, the form and the service call; `action_page` renders the result in
the admin's own form layout (templates/admin/action_form.html): breadcrumbs to the object, the
action as the page title and the object as its subtitle, a read-only summary of the object,
the fields in `module aligned` fieldsets with their help and errors, and the submit row.

A form may group its fields with a `fieldsets` attribute, as a ModelAdmin does:
``[(name, {"fields": (...), "description": ...}), ...]``; without one, all its fields form one
fieldset headed by the action's title and description.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.forms import BoundField, CheckboxInput, Form
from django.template.response import TemplateResponse

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
