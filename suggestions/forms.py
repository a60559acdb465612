"""Forms of the citizens' suggestion pages: the suggestion form, withdrawal, following and the
campaign list's filters.

Forms validate and clean only; every write is one service call in suggestions.views.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.forms import CitizenIntakeFormMixin, DisplayNameChoiceField, PortalForm, mobile_validator
from portal.params import MonthField
from portal.uploads import MAX_FILE_BYTES, MAX_FILES, MultipleFileField
from suggestions.models import Campaign, Category
from suggestions.selectors import OUTCOME_FILTER_CHOICES


class SuggestionForm(CitizenIntakeFormMixin, PortalForm):
    """What a signed-in citizen fills in (the contact fields start from the account)."""

    category = DisplayNameChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("— choose a category —"),
        error_messages={
            "required": _("Choose the category closest to your suggestion."),
            "invalid_choice": _("This campaign does not take suggestions in that category; choose another."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        help_text=_("One line that says what you propose, e.g. “Add a night bus to the new hospital”."),
        error_messages={"required": _("Give your suggestion a short title.")},
    )
    problem = forms.CharField(
        label=_("The problem (问题描述)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is wrong or missing today, where, and whom it affects. At most 5,000 characters."),
        error_messages={"required": _("Describe the problem your suggestion addresses.")},
    )
    measures = forms.CharField(
        label=_("Proposed measures (建议措施)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you propose should be done, and by whom if you know. At most 5,000 characters."),
        error_messages={"required": _("Say what you propose should be done.")},
    )
    area = forms.CharField(
        label=_("Area (optional)"),
        max_length=100,
        required=False,
        help_text=_("The district or place your suggestion concerns, e.g. 城东区. Used to count suggestions by area."),
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=format_lazy(
            _(
                "Up to {count} files, PDF documents or JPEG, PNG or GIF images, each at most {size} MB. If your "
                "suggestion is published, its files are published with it, under neutral names."
            ),
            count=MAX_FILES,
            size=MAX_FILE_BYTES // (1024 * 1024),
        ),
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Not published, unless you tick “show my name” below."),
        error_messages={"required": _("Give your name, so the office knows whom to answer.")},
    )
    contact_mobile = forms.CharField(
        label=_("Mobile number (optional)"),
        max_length=11,
        required=False,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
        help_text=_("The office or a department may call you about your suggestion. Never published."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send your receipt and news of the answer here. Never published."),
    )
    publish_consent = forms.BooleanField(
        label=_("I agree that my suggestion and the departments’ answers may be published on the campaign page"),
        required=False,
        help_text=_(
            "Once approved, the title, the problem, the measures and the answers may be shown publicly, with "
            "names, phone numbers, ID numbers, e-mail addresses and house numbers masked. Your contact details are "
            "never published. Without this consent your suggestion is still reviewed and answered, but not shown."
        ),
    )
    name_consent = forms.BooleanField(
        label=_("Show my name with my published suggestion"),
        required=False,
        help_text=_("Only with the consent above. Without it, your suggestion is shown without any name."),
    )

    # The order the template shows them in, in three groups.
    SUGGESTION_FIELDS = ("category", "title", "problem", "measures", "area", "attachments")
    CONTACT_FIELDS = ("contact_name", "contact_mobile", "contact_email")
    CONSENT_FIELDS = ("publish_consent", "name_consent")

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = campaign.categories.filter(is_active=True).order_by("order", "name")

    def group(self, names):
        return [self[name] for name in names]

    def suggestion_fields(self):
        return self.group(self.SUGGESTION_FIELDS)

    def contact_fields(self):
        return self.group(self.CONTACT_FIELDS)

    def consent_fields(self):
        return self.group(self.CONSENT_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name_consent") and not cleaned.get("publish_consent"):
            self.add_error(
                "name_consent",
                _("Your name can be shown only with a published suggestion: tick the consent to publish as well."),
            )
        return cleaned


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label=_("Why do you withdraw it?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept with your suggestion, never published. The review stops; you may submit a new suggestion while "
            "the campaign collects them."
        ),
        error_messages={"required": _("Say why you withdraw the suggestion.")},
    )


class FollowForm(PortalForm):
    action = forms.ChoiceField(choices=[("follow", "follow"), ("unfollow", "unfollow")])


class PublicFilterForm(PortalForm):
    """A campaign's list filters (GET). The choices come from the campaign (no query of its own
    beyond the campaign's categories and departments)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    department = forms.TypedChoiceField(
        label=pgettext_lazy("suggestion", "Lead department"), coerce=int, required=False, empty_value=None
    )
    outcome = forms.ChoiceField(label=_("Answer"), required=False)
    month = MonthField(
        label=pgettext_lazy("suggestion", "Month received"), required=False, help_text=_("As YYYY-MM, e.g. 2026-11.")
    )

    def __init__(self, *args, categories, departments, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + [(c.pk, c.display_name) for c in categories]
        self.fields["department"].choices = everything + sorted(
            ((d.pk, d.display_name) for d in departments), key=lambda choice: choice[1]
        )
        self.fields["outcome"].choices = everything + OUTCOME_FILTER_CHOICES
