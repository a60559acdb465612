"""The form office staff fill in for one suggestion received offline: a letter from a suggestion
box (意见箱), a field visit (实地走访) or a hotline call (suggestions.admin.intake's record page).

The form validates only; the page makes one call to suggestions.services.intake.suggestion_record,
which checks every rule again. Symposiums and social-media imports have their own forms
(suggestions.admin.intake).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import params
from portal.forms import FILES_AGAIN, DisplayNameChoiceField, OfflineRecordForm
from suggestions.models import Campaign, Category, Phase, Suggestion
from suggestions.services.intake import RECORDED_CHANNELS

CHANNEL_CHOICES = [(channel.value, channel.label) for channel in RECORDED_CHANNELS]
# A letter comes out of a particular suggestion box, a field visit happens somewhere; a call does not.
PLACE_NEEDED = {Suggestion.Channel.LETTER, Suggestion.Channel.FIELD_VISIT}
WRONG_CATEGORY = _("This campaign does not take suggestions in that category; choose another.")


def recording_campaigns():
    """The campaigns staff record suggestions for: published, their collection begun (a letter
    may be entered after collection ends, until the campaign's report is written)."""
    return (
        Campaign.objects.published().filter(collection_on__lte=timezone.localdate()).order_by("-collection_on", "-pk")
    )


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, campaign: Campaign) -> str:
        phase = campaign.phase
        state = Phase(phase).label if phase else pgettext_lazy("campaign", "Ended")
        return f"{campaign.title} ({state})"


class RecordSuggestionForm(OfflineRecordForm):
    """One suggestion that came in by letter, field visit or hotline, as the clerk types it up."""

    campaign = CampaignChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), empty_label=_("— choose a campaign —")
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_CHOICES, widget=forms.RadioSelect)
    received_on = params.DateField(
        label=_("Date received"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # a date input reads ISO dates only
        help_text=_("The day the letter was taken from the box, the visit was made or the call came in."),
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=100,
        required=False,
        help_text=_(
            "Which suggestion box (e.g. 市民中心一楼意见箱) or where the visit was made (e.g. 幸福社区). Required "
            "for letters and field visits."
        ),
    )
    category = DisplayNameChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("— choose a category —"),
        error_messages={"invalid_choice": WRONG_CATEGORY},
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    problem = forms.CharField(
        label=_("Problem description (问题描述)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    measures = forms.CharField(
        label=_("Proposed measures (建议措施)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    area = forms.CharField(
        label=pgettext_lazy("suggestion", "Area"),
        max_length=100,
        required=False,
        help_text=_("The district or place the suggestion concerns, e.g. 城东区. Used to count suggestions by area."),
    )
    publish_consent = forms.BooleanField(
        label=_("The author agreed that the suggestion and its answers may be published (masked)"), required=False
    )
    name_consent = forms.BooleanField(label=_("…and to show their name with it"), required=False)

    received_date_field = "received_on"
    future_date_error = _("The date received cannot be in the future.")

    # The order of the page's three groups (and of the fields in each).
    RECEIPT_FIELDS = ("campaign", "channel", "received_on", "place")
    SUGGESTION_FIELDS = ("category", "title", "problem", "measures", "area", "attachments")
    AUTHOR_FIELDS = ("contact_name", "contact_mobile", "contact_email", "publish_consent", "name_consent")
    field_order = RECEIPT_FIELDS + SUGGESTION_FIELDS + AUTHOR_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = recording_campaigns()
        self.fields["campaign"].queryset = campaigns
        self.fields["contact_name"].help_text = _("Not published, unless the author agreed to show their name.")
        categories = Category.objects.filter(is_active=True, campaigns__in=campaigns).distinct()
        self.fields["category"].queryset = categories.order_by("order", "name")
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())
            if "campaign" not in self.initial and len(only := campaigns[:2]) == 1:
                self.initial["campaign"] = only[0].pk
        chosen = self._chosen_campaign(campaigns)
        if chosen is not None:
            # The chosen campaign's categories only (a returned form, or a campaign given in the address).
            self.fields["category"].queryset = chosen.categories.filter(is_active=True).order_by("order", "name")
        else:
            self.fields["category"].choices = self._categories_by_campaign(campaigns)

    def _chosen_campaign(self, campaigns) -> Campaign | None:
        value = self.data.get(self.add_prefix("campaign")) if self.is_bound else self.initial.get("campaign")
        if isinstance(value, Campaign):
            value = value.pk
        pk = params.parse_id(str(value)) if value is not None else None
        return campaigns.filter(pk=pk).first() if pk is not None else None

    def _categories_by_campaign(self, campaigns) -> list:
        """Every campaign's categories under its title, for a clerk who has not chosen one yet."""
        field = self.fields["category"]
        grouped = [("", field.empty_label)]
        for campaign in campaigns.prefetch_related("categories"):
            accepted = sorted(
                (category for category in campaign.categories.all() if category.is_active),
                key=lambda category: (category.order, category.name),
            )
            if accepted:
                grouped.append(
                    (campaign.title, [(category.pk, field.label_from_instance(category)) for category in accepted])
                )
        return grouped

    def group(self, names):
        return [self[name] for name in names]

    def receipt_fields(self):
        return self.group(self.RECEIPT_FIELDS)

    def suggestion_fields(self):
        return self.group(self.SUGGESTION_FIELDS)

    def author_fields(self):
        return self.group(self.AUTHOR_FIELDS)

    def clean(self):
        cleaned = super().clean()
        campaign, category = cleaned.get("campaign"), cleaned.get("category")
        if campaign and category and not campaign.categories.filter(pk=category.pk, is_active=True).exists():
            self.add_error("category", WRONG_CATEGORY)
        day = cleaned.get("received_on")
        if campaign and day and day < campaign.preparation_on:
            self.add_error("received_on", _("The date received is before the campaign began."))
        if cleaned.get("channel") in PLACE_NEEDED and not (cleaned.get("place") or "").strip():
            self.add_error("place", _("Say which suggestion box the letter came from, or where the visit was made."))
        if cleaned.get("name_consent") and not cleaned.get("publish_consent"):
            self.add_error(
                "name_consent",
                _("The name can be shown only with a published suggestion: tick the consent to publish."),
            )
        self.ask_for_files_again()
        return cleaned

    def ask_for_files_again(self) -> None:
        """A browser never sends chosen files again with a returned form: say so beside the field."""
        if self.errors and self.files.getlist(self.add_prefix("attachments")) and "attachments" not in self.errors:
            self.add_error("attachments", FILES_AGAIN)

    def service_arguments(self) -> dict:
        """The keyword arguments of suggestion_record (besides the actor)."""
        data = self.cleaned_data
        names = ("campaign", "channel", "category", "title", "problem", "measures", "received_on", "place", "area")
        return {
            **{name: data[name] for name in names},
            **{name: data[name] for name in self.AUTHOR_FIELDS},
            "files": data["attachments"],
        }

    def next_initial(self) -> dict:
        """What the next letter of the same pile shares with this one (record another)."""
        data = self.cleaned_data
        return {
            "campaign": data["campaign"].pk,
            "channel": data["channel"],
            "received_on": data["received_on"].isoformat(),
            "place": data["place"],
        }


def initial_from(query) -> dict:
    """The record page's starting values from its address (after "record another"): only those
    that parse, so a hostile address gives an empty form rather than an error."""
    initial = {}
    if (campaign := params.parse_id(query.get("campaign"))) is not None:
        initial["campaign"] = campaign
    if (channel := params.parse_choice(query.get("channel"), CHANNEL_CHOICES)) is not None:
        initial["channel"] = channel
    day = params.parse_date(query.get("received_on"))
    if day is not None and day <= timezone.localdate():
        initial["received_on"] = day
    if place := params.parse_text(query.get("place"), max_length=100):
        initial["place"] = place
    return initial
