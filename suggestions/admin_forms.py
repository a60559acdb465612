"""Forms of the staff side of suggestions: one small form per workflow action (each holds exactly
the inputs its service takes), closing a campaign's phase early, and the campaign and news forms.

Forms only validate input; every write is one call to suggestions.services made by the admin.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.admin_actions import ActionForm
from portal.exceptions import DomainError
from portal.forms import PortalForm, PortalModelForm, text_field
from suggestions.models import Assessment, Campaign, CampaignNews, Category, Suggestion
from suggestions.services import moderation, recognition

# --- workflow actions ----------------------------------------------------------------------------


class ApproveForm(ActionForm):
    description = _(
        "Approving (审核通过) gives the suggestion its classified number (分类编号) from its campaign and category, "
        "publishes it with personal data masked if the author agreed, meets the 24-hour review deadline and tells "
        "the author."
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        help_text=_("Correct the category if the author chose the wrong one: the number is taken from it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = self.obj.campaign.categories.filter(is_active=True).order_by("order", "name")
        if not self.is_bound:
            self.initial.setdefault("category", self.obj.category_id)


class RejectForm(ActionForm):
    description = _(
        "Not approving (不予通过) ends the review: the author is told, with your reason, which they read as it is "
        "written."
    )
    reason = text_field(_("Reason (the author reads it)"), max_length=2000, rows=4)


class MergeForm(ActionForm):
    description = _(
        "Merging (合并) a duplicate into an earlier approved suggestion of the same campaign: this one stays "
        "visible as “merged into” that one, no longer counts among the accepted suggestions, and its author is "
        "told which one to follow."
    )
    into = forms.CharField(
        label=_("The earlier suggestion"),
        max_length=40,
        help_text=_("Its classified number (e.g. JY2026-SM-0042) or its tracking number (JY-20261120-0001)."),
    )
    note = text_field(
        _("Note for the earlier suggestion's timeline (internal)"), required=False, max_length=1000, rows=2
    )

    def clean_into(self) -> Suggestion:
        value = self.cleaned_data["into"].strip().upper()
        same_campaign = Suggestion.objects.filter(campaign_id=self.obj.campaign_id)
        found = same_campaign.filter(Q(number=value) | Q(reference=value)).first()
        if found is None:
            raise forms.ValidationError(_("No suggestion of this campaign has that number."))
        return found


SCORE_CHOICES = [(score, str(score)) for score in moderation.SCORES]


def _score(label, help_text):
    return forms.TypedChoiceField(
        label=label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect, help_text=help_text
    )


class AssessForm(ActionForm):
    description = _(
        "Your assessment (价值评估, 专家论证) from 1 (low) to 5 (high) on each scale. Assessing again replaces your "
        "scores; the earlier ones stay in the assessment's history. The analysis uses the mean of all assessors'."
    )
    reasonableness = _score(_("Reasonableness (合理性)"), _("Is the problem real and the proposal sound?"))
    feasibility = _score(_("Feasibility (可行性)"), _("Can it be done with the means available?"))
    innovation = _score(_("Innovation (创新性)"), _("Does it bring a new idea or approach?"))
    note = text_field(_("Note"), required=False, max_length=2000, rows=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            mine = Assessment.objects.filter(suggestion=self.obj, assessor=self.user).first()
            if mine is not None:
                for name in ("reasonableness", "feasibility", "innovation", "note"):
                    self.initial.setdefault(name, getattr(mine, name))


class PublicVersionForm(ActionForm):
    description = _(
        "What the campaign's public page shows of this suggestion. Personal data are masked again on saving, so "
        "an edit cannot bring a name or a phone number back; the original stays private."
    )
    public_title = forms.CharField(label=_("Public title"), max_length=100)
    public_problem = text_field(_("Public problem description"), max_length=5000, rows=6)
    public_measures = text_field(_("Public proposed measures"), max_length=5000, rows=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in ("public_title", "public_problem", "public_measures"):
                self.initial.setdefault(name, getattr(self.obj, name))


class SelectExcellentForm(ActionForm):
    description = _(
        "Selecting a published suggestion as excellent (优秀建言) showcases it on the campaign page with your "
        "citation, puts a badge on its page and counts it in the summary report; the author is told. The author "
        "is named only where they agreed to it."
    )
    citation = text_field(
        _("Citation (推荐理由)"),
        max_length=recognition.CITATION_MAX_LENGTH,
        rows=4,
        help_text=_("Why it was selected, as the public reads it. Names and phone numbers are masked on saving."),
    )


class UnselectExcellentForm(ActionForm):
    description = _(
        "Withdrawing the selection takes the suggestion off the campaign's excellent suggestions and removes its "
        "badge and citation. The reason stays with the staff, in the suggestion's history and timeline."
    )
    reason = text_field(_("Reason (internal)"), max_length=recognition.REASON_MAX_LENGTH, rows=3)


class BriefingForm(ActionForm):
    description = _(
        "Many people follow this suggestion (高关注). Record the press briefing (新闻发布会/情况通报会) at which "
        "the office explained it: the suggestion's public page shows its date and the link. Recording again "
        "corrects both; the history keeps the earlier ones."
    )
    held_on = forms.DateField(
        label=_("Held on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today or an earlier day."),
    )
    link = forms.URLField(
        label=_("Link"),
        max_length=recognition.LINK_MAX_LENGTH,
        assume_scheme="https",
        help_text=_("The briefing's news release or recording, starting with http:// or https://."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_on", self.obj.briefing_held_on)
            self.initial.setdefault("link", self.obj.briefing_link)


# The office's recognition (suggestions.services.recognition): excellent suggestions and briefings.
RECOGNITION_ACTIONS: dict[str, tuple[type[ActionForm], Callable]] = {
    "excellent": (SelectExcellentForm, recognition.suggestion_select_excellent),
    "unselect_excellent": (UnselectExcellentForm, recognition.suggestion_unselect_excellent),
    "briefing": (BriefingForm, recognition.suggestion_record_briefing),
}


# Each staff action of suggestions.workflow's table this admin offers: its form and its service
# (portal.admin_actions.WorkflowActionsAdminMixin builds the buttons, pages and dispatch).
MODERATION_ACTIONS: dict[str, tuple[type[ActionForm], Callable]] = {
    "approve": (ApproveForm, moderation.suggestion_approve),
    "reject": (RejectForm, moderation.suggestion_reject),
    "merge": (MergeForm, moderation.suggestion_merge),
    "assess": (AssessForm, moderation.suggestion_assess),
    "edit_public": (PublicVersionForm, moderation.suggestion_edit_public),
}


# --- campaigns -----------------------------------------------------------------------------------


class ClosePhaseForm(PortalForm):
    description = _(
        "Closing the current phase early (提前结束) makes the next phase start today; the later phases keep their "
        "dates. Closing the collection stops new suggestions at once. The campaign's history records who closed it "
        "and why, and the office's clerks are told."
    )
    reason = text_field(_("Why is the phase closed early?"), max_length=1000, rows=3)
    confirm = forms.BooleanField(label=_("Close the current phase now"), required=True)


class CampaignForm(PortalModelForm):
    """The campaign's own fields; the phase dates are checked in order by the model's constraint."""

    class Meta:
        model = Campaign
        fields = "__all__"

    def clean_number_pattern(self) -> str:
        pattern = self.cleaned_data["number_pattern"].strip()
        try:
            moderation.number_format(pattern, year=2026, category="SM", number=42)
        except DomainError as error:
            raise forms.ValidationError(str(error)) from None
        return pattern


class NewsForm(PortalModelForm):
    class Meta:
        model = CampaignNews
        fields = ("campaign", "title", "body", "published_on")
