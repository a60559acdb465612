"""Forms of forwarding and answers on the staff side (suggestions.admin.forwarding): the office's
bulk forwarding with the analysis report, a department's answer, and its measures. Each only
validates input; the admin view hands `service_arguments()` to one service of
suggestions.services.answers, which decides."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.admin_actions import ActionForm
from portal.forms import PortalForm, text_field
from portal.models import Department
from portal.uploads import DOCUMENT_TYPES, MAX_FILE_BYTES, accept_attribute, check_upload
from suggestions.models import Outcome


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ForwardForm(PortalForm):
    """The office forwards the suggestions it chose (转交): departments, the lead, the report."""

    description = _(
        "Each department answers within 7 working days; when several departments have the suggestions, each "
        "within 15. The lead department's answer is the public one. The departments are told once for all the "
        "suggestions, with the report; each author is told that their suggestion was forwarded."
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments (承办部门)"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The departments that answer; the lead department is added if you leave it out."),
    )
    lead = forms.ModelChoiceField(label=_("Lead department (牵头部门)"), queryset=Department.objects.none())
    report = forms.FileField(
        label=_("Analysis report (分析报告)"),
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute(DOCUMENT_TYPES)}),
        help_text=format_lazy(
            _("A PDF, Word (DOCX) or Excel (XLSX) document of at most {size} MB, sent with the suggestions."),
            size=MAX_FILE_BYTES // (1024 * 1024),
        ),
    )
    note = text_field(_("Note to the departments"), required=False, max_length=2000, rows=3)

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True).order_by("name")
        self.fields["departments"].queryset = departments
        self.fields["lead"].queryset = departments
        if campaign is not None and not self.is_bound:
            self.initial.setdefault("departments", list(campaign.departments.values_list("pk", flat=True)))

    def clean_report(self):
        upload = self.cleaned_data.get("report")
        return check_upload(upload, allowed=DOCUMENT_TYPES) if upload else None

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "departments": list(data["departments"]),
            "lead": data["lead"],
            "report": data["report"],
            "note": data.get("note") or "",
        }


class AnswerForm(ActionForm):
    """A department's answer to the suggestion forwarded to it (`obj`: the Forwarding)."""

    description = _(
        "Your answer meets your department's answer deadline. The author reads it, and where they consented to "
        "publication it is published with the suggestion, personal data masked; the lead department's answer is "
        "the suggestion's outcome. An answer “under study” can later be replaced by the final one."
    )
    outcome = forms.ChoiceField(label=_("Answer (答复意见)"), choices=Outcome.choices, widget=forms.RadioSelect)
    answer = text_field(
        _("Answer text (explanation required when not adopted: 解释说明)"),
        max_length=10000,
        rows=8,
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.NOT_ADOPTED and not (data.get("answer") or "").strip():
            raise ValidationError(_("Explain why the suggestion is not adopted (解释说明): the author reads it."))
        return data


class MeasureForm(ActionForm):
    """A measure of an adopting department (`obj`: the Forwarding), with its planned date."""

    description = _(
        "A measure (落实措施) and the date your department plans it done by: a milestone that shows on the "
        "clerks' board as overdue once that day has passed. The public page shows how many measures are done."
    )
    description_text = forms.CharField(label=_("Measure"), max_length=300)
    planned_on = forms.DateField(label=_("Planned date"), widget=DateInput)
    note = text_field(_("Note"), required=False, max_length=2000, rows=3)

    def clean_planned_on(self):
        planned_on = self.cleaned_data["planned_on"]
        if planned_on < timezone.localdate():
            raise ValidationError(_("The planned date cannot be in the past."))
        return planned_on

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"description": data["description_text"], "planned_on": data["planned_on"], "note": data.get("note")}


class MeasureDoneForm(ActionForm):
    """A measure done (`obj`: the Measure), on the day it was."""

    description = _("Record the day the measure was done (已落实); its milestone is met, on time if by its date.")
    done_on = forms.DateField(label=_("Done on"), widget=DateInput)
    note = text_field(_("Note"), required=False, max_length=2000, rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("done_on", timezone.localdate())

    def service_arguments(self) -> dict:
        return {"done_on": self.cleaned_data["done_on"], "note": self.cleaned_data.get("note") or ""}
