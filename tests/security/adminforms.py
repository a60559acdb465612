"""What an admin add or change page would post if submitted as shown, to build crafted POSTs on."""

from __future__ import annotations

from django import forms


def _add_form(data: dict, form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        key = bound.html_name
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):  # a date and a time (date_joined)
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = "" if value is None else str(value)


def admin_form_data(response) -> dict:
    """The page's main form and its inlines (management forms included), with their current values."""
    assert response.status_code == 200, f"the admin page answered {response.status_code}"
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data
