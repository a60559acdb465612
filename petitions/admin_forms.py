"""Forms of the staff side: the public-version editor on the admin change page, one small form
per workflow action (a portal.admin_actions.ActionForm holding exactly the inputs its service
takes), and offline intake.

Forms only validate input; every write is one call to petitions.services made by the view.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from petitions import services
from petitions.models import Category, Petition
from portal import params
from portal.admin_actions import ActionForm
from portal.forms import (
    DisplayNameChoiceField,
    OfflineRecordForm,
    PortalForm,
    PortalModelForm,
    attachments_field,
    text_field,
)
from portal.models import Department
from portal.scoping import user_department_ids
from portal.uploads import check_uploads

# --- the change page ---------------------------------------------------------------------------


class PublicVersionForm(PortalModelForm):
    """The only editable part of a ticket: its public (masked) version and whether it is withheld.

    PetitionAdmin.save_model hands the cleaned values to petition_edit_public_version and
    petition_set_withheld; this form never saves the instance itself.
    """

    withheld_reason = forms.CharField(
        label=_("Reason for withholding"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you withhold the ticket from publication; recorded on the timeline."),
    )

    class Meta:
        model = Petition
        fields = ("public_title", "public_content", "publication_withheld")

    def clean(self):
        cleaned = super().clean()
        if "public_title" in self.fields and not (cleaned.get("public_title") or "").strip():
            self.add_error("public_title", _("The public title cannot be empty."))
        withheld = cleaned.get("publication_withheld")
        if (
            self.instance.pk
            and withheld
            and not self.instance.publication_withheld
            and not (cleaned.get("withheld_reason") or "").strip()
        ):
            self.add_error("withheld_reason", _("Give the reason for withholding the ticket from publication."))
        return cleaned


PUBLIC_REPLY_PREFIX = "public_reply_"


def public_reply_field_name(reply_id: int) -> str:
    return f"{PUBLIC_REPLY_PREFIX}{reply_id}"


def public_reply_id(field_name: str) -> int | None:
    suffix = field_name.removeprefix(PUBLIC_REPLY_PREFIX)
    return int(suffix) if field_name.startswith(PUBLIC_REPLY_PREFIX) and suffix.isdigit() else None


def public_version_form(replies) -> type[PublicVersionForm]:
    """PublicVersionForm plus one field per reply for the reply's public (masked) text."""
    fields = {
        public_reply_field_name(reply.pk): forms.CharField(
            label=_("Public reply of %(date)s") % {"date": f"{timezone.localdate(reply.created_at):%Y-%m-%d}"},
            required=False,
            initial=reply.public_body,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Masked again on saving."),
        )
        for reply in replies
    }
    return type("PetitionPublicVersionForm", (PublicVersionForm,), fields)


# --- workflow actions ----------------------------------------------------------------------------


class AssignForm(ActionForm):
    description = _(
        "The lead department (承办单位) handles the ticket and replies to the citizen; co-handling departments "
        "(会办单位) send it their opinions. The reply deadline keeps counting from receipt."
    )
    lead_department = forms.ModelChoiceField(label=_("Lead department (承办单位)"), queryset=Department.objects.none())
    co_departments = forms.ModelMultipleChoiceField(
        label=_("Co-handling departments (会办单位)"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Several departments put the reply deadline at 15 working days."),
    )
    is_complex = forms.BooleanField(
        label=_("Complex matter (15 working days)"),
        required=False,
        help_text=_("Complex matters are replied to within 15 working days, ordinary ones within 7."),
    )
    note = text_field(_("Note to the departments"), required=False, max_length=1000, rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True).order_by("name")
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments
        if not self.is_bound:
            self.initial.setdefault("lead_department", self.obj.lead_department_id)
            self.initial.setdefault(
                "co_departments",
                [c.department_id for c in self.obj.co_handlings.all()] if self.obj.pk else [],
            )
            self.initial.setdefault("is_complex", self.obj.is_complex)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "lead_department": data["lead_department"],
            "co_departments": list(data.get("co_departments") or []),
            "is_complex": bool(data.get("is_complex")),
            "note": data.get("note") or "",
        }


class ReasonForm(ActionForm):
    reason = text_field(_("Reason"), max_length=2000, rows=3)


class ReturnForm(ReasonForm):
    description = _(
        "Return a ticket that is not your department's responsibility: the office of online inquiries assigns it "
        "again. The citizen is told that the ticket is being reassigned, never your reason."
    )
    reason = text_field(_("Why is the ticket returned to the office?"), max_length=2000, rows=3)


class DeclineForm(ReasonForm):
    description = _(
        "Not accepting (不予受理) answers the ticket: your reason is the reply the citizen reads, and the "
        "ticket's deadlines are met."
    )
    reason = text_field(_("Reason for not accepting (the citizen reads it as the reply)"), max_length=5000, rows=5)


class CloseForm(ReasonForm):
    description = _(
        "Close (办结) a replied ticket without waiting for the citizen's rating. The citizen sees the reason on "
        "the tracking page."
    )
    reason = text_field(_("Reason for closing"), max_length=2000, rows=3)


class AcceptForm(ActionForm):
    description = _(
        "Accepting (受理) meets the 24-hour acknowledgement deadline; the citizen is sent the standard "
        "acknowledgement shown above."
    )
    confirm = forms.BooleanField(
        label=_("Accept the ticket and send the standard acknowledgement to the citizen"), required=True
    )

    form_only_fields = ("confirm",)  # the confirmation is the form's, not the service's


class ReplyForm(ActionForm):
    description = _(
        "The reply (答复) goes to the citizen, who may rate it within 7 days, and meets the reply deadline. With "
        "the citizen's consent a masked version is published in the department response column (部门回应)."
    )
    body = text_field(_("Reply (答复)"), max_length=10000, rows=10)
    attachments = attachments_field()

    def clean_attachments(self):
        return check_uploads(self.cleaned_data.get("attachments") or [])

    def service_arguments(self) -> dict:
        return {"body": self.cleaned_data["body"], "files": self.cleaned_data["attachments"]}


class OpinionForm(ActionForm):
    description = _("Your department's opinion goes to the lead department, which writes the reply.")
    department = forms.ModelChoiceField(label=_("On behalf of"), queryset=Department.objects.none())
    opinion = text_field(_("Co-handling opinion (会办意见)"), max_length=5000, rows=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        co_ids = [c.department_id for c in self.obj.co_handlings.all()]
        if not self.user.is_superuser:
            co_ids = [pk for pk in co_ids if pk in set(user_department_ids(self.user))]
        queryset = Department.objects.filter(pk__in=co_ids).order_by("name")
        self.fields["department"].queryset = queryset
        if len(co_ids) == 1 and not self.is_bound:
            self.initial["department"] = co_ids[0]


class NoteForm(ActionForm):
    description = _("A record of what was done (办理记录), for the departments and the office only.")
    body = text_field(_("Handling note (internal, never shown to the citizen)"), max_length=5000, rows=5)


class ExtendForm(ActionForm):
    description = _(
        "Working days are added to the reply deadline (延期); holidays and weekends are skipped as usual. The "
        "citizen sees the extension and its reason."
    )
    days = forms.IntegerField(label=_("Working days to add"), min_value=1, max_value=60)
    reason = text_field(_("Reason for the extension"), max_length=1000, rows=3)


class UrgeForm(ActionForm):
    description = _(
        "Every member of the lead department's staff receives a notice (催办); it is logged on the timeline."
    )
    note = text_field(_("Note to the department"), required=False, max_length=1000, rows=3)


# Each staff action of petitions.workflow's table: its form and the one service it calls
# (portal.admin_actions.WorkflowActionsAdminMixin builds the buttons, pages and dispatch).
ACTIONS: dict[str, tuple[type[ActionForm], Callable]] = {
    "assign": (AssignForm, services.petition_assign),
    "return": (ReturnForm, services.petition_return),
    "accept": (AcceptForm, services.petition_accept),
    "decline": (DeclineForm, services.petition_decline),
    "reply": (ReplyForm, services.petition_reply),
    "opinion": (OpinionForm, services.petition_submit_opinion),
    "note": (NoteForm, services.petition_note),
    "extend": (ExtendForm, services.petition_extend),
    "urge": (UrgeForm, services.petition_urge),
    "close": (CloseForm, services.petition_close),
}
ACTION_FORMS: dict[str, type[ActionForm]] = {action: form for action, (form, _service) in ACTIONS.items()}


class ReissueCodeForm(PortalForm):
    description = _(
        "For a citizen who lost the slip: the new query code is shown once, on a slip to print or hand over."
    )

    confirm = forms.BooleanField(
        label=_("Issue a new query code; the old one stops working"),
        required=True,
    )


# --- offline intake ------------------------------------------------------------------------------


class RecordForm(OfflineRecordForm):
    """A ticket recorded by office staff on a citizen's behalf (接访登记); the contact details,
    files and the date check are portal.forms.OfflineRecordForm's."""

    OFFLINE_CHANNELS = [c for c in Petition.Channel.choices if c[0] != Petition.Channel.ONLINE]

    channel = forms.ChoiceField(label=_("Channel"), choices=OFFLINE_CHANNELS)
    reception_place = forms.CharField(
        label=_("Place of reception"),
        max_length=100,
        required=False,
        help_text=_("Required for a plaza reception event."),
    )
    reception_date = params.DateField(
        label=_("Date of reception"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Required for a plaza reception event."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Petition.Kind.choices)
    category = DisplayNameChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    title = forms.CharField(label=_("Title"), max_length=100)
    content = forms.CharField(label=_("Content"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    location = forms.CharField(label=_("Area or address"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact name"), max_length=50)
    publish_consent = forms.BooleanField(
        label=_("The citizen agrees that the ticket and its reply may be published (masked)"), required=False
    )

    field_order = (
        "channel",
        "reception_place",
        "reception_date",
        "kind",
        "category",
        "title",
        "content",
        "location",
        "contact_name",
        "contact_mobile",
        "contact_email",
        "publish_consent",
        "attachments",
    )
    received_date_field = "reception_date"
    future_date_error = _("The reception date cannot be in the future.")

    def clean(self):
        # The plaza's own checks first, then the shared ones (a date in the future).
        cleaned = self.cleaned_data
        if cleaned.get("channel") == Petition.Channel.PLAZA:
            if not (cleaned.get("reception_place") or "").strip():
                self.add_error("reception_place", _("For a plaza reception, give the place of the reception event."))
            if not cleaned.get("reception_date"):
                self.add_error("reception_date", _("For a plaza reception, give the date of the reception event."))
        return super().clean()
