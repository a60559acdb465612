"""Forms of the citizen-facing petition pages: intake, tracking, rating and the public column's filters.

Forms validate and clean only; every write is one service call in petitions.views.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from petitions.models import Category, Petition
from portal.forms import CitizenIntakeFormMixin, DisplayNameChoiceField, PortalForm, mobile_validator
from portal.models import Department
from portal.params import MonthField
from portal.uploads import MAX_FILE_BYTES, MAX_FILES, MultipleFileField


class PetitionForm(CitizenIntakeFormMixin, PortalForm):
    """What a signed-in citizen fills in online (the contact fields start from the account)."""

    kind = forms.ChoiceField(
        label=_("What kind of matter is it?"),
        choices=Petition.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose consultation, message or complaint.")},
    )
    category = DisplayNameChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("— choose a category —"),
        error_messages={
            "required": _("Choose the category closest to your matter."),
            "invalid_choice": _("This category is no longer in use; choose another."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        help_text=_("One line that says what it is about, e.g. “Street lights broken on Renmin Road”."),
        error_messages={"required": _("Give your matter a short title.")},
    )
    content = forms.CharField(
        label=_("Your matter"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Describe what happened, where and since when, and what you would like done. At most 5,000 characters."
        ),
        error_messages={"required": _("Describe your matter.")},
    )
    location = forms.CharField(
        label=_("Area or address (optional)"),
        max_length=200,
        required=False,
        help_text=_("Where the matter is. Not published."),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=format_lazy(
            _("Up to {count} files, PDF documents or JPEG, PNG or GIF images, each at most {size} MB."),
            count=MAX_FILES,
            size=MAX_FILE_BYTES // (1024 * 1024),
        ),
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Give your name, so the department knows whom to answer.")},
    )
    contact_mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=11,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
        help_text=_("The department may call you about your matter. Never published."),
        error_messages={"required": _("Give a mobile number the department can reach you on.")},
    )
    contact_email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send your receipt and news of the reply here. Never published."),
    )
    publish_consent = forms.BooleanField(
        label=_("I agree that my matter and the reply may be published in the 部门回应 column"),
        required=False,
        help_text=_(
            "Once the department has replied, the title, your text and the reply may be shown publicly, with "
            "names, phone numbers, ID numbers and e-mail addresses masked. Your contact details are never "
            "published. Without this consent nothing of your matter is published."
        ),
    )


class TrackForm(PortalForm):
    reference = forms.CharField(
        label=_("Tracking number"),
        max_length=24,
        help_text=_("As on your receipt, e.g. WZ-20261120-0001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Enter the tracking number.")},
    )
    query_code = forms.CharField(
        label=_("Query code"),
        max_length=16,
        help_text=_("The 8-character code shown once on your receipt or slip."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Enter the query code.")},
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()

    def clean_query_code(self):
        return self.cleaned_data["query_code"].strip().upper()


class RatingForm(PortalForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the reply?"),
        choices=Petition.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied, basically satisfied or unsatisfied.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PublicFilterForm(PortalForm):
    """The public column's GET filters. Choices are read once per render (two small queries)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    month = MonthField(label=_("Month received"), required=False, help_text=_("As YYYY-MM, e.g. 2026-11."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        departments = Department.objects.filter(is_active=True).only("id", "name", "name_en")
        self.fields["department"].choices = everything + sorted(
            ((department.pk, department.display_name) for department in departments), key=lambda choice: choice[1]
        )
        self.fields["kind"].choices = everything + list(Petition.Kind.choices)
        self.fields["category"].choices = everything + [
            (category.pk, category.display_name) for category in Category.objects.only("id", "name", "name_en")
        ]
