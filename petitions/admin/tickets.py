"""The ticket admin (办理): the scoped list, the change page with its panels, the workflow's buttons,
action pages and dispatch (portal.admin_actions.WorkflowActionsAdminMixin, from admin_forms.ACTIONS),
the reissue of a query code and the bulk urge.

Every write goes through petitions.services: the action pages call exactly one service, the
change page saves the public version through petition_edit_public_version /
petition_set_withheld, and nothing here saves a ticket directly.
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from petitions import policies, selectors, services, workflow
from petitions.admin.filters import DueSoonFilter, LeadDepartmentFilter, OverdueFilter, ReceivedMonthFilter
from petitions.admin_forms import (
    ACTIONS,
    PublicVersionForm,
    ReissueCodeForm,
    public_reply_field_name,
    public_reply_id,
    public_version_form,
)
from petitions.models import Petition
from portal import clocks
from portal.admin_actions import WorkflowActionsAdminMixin, action_page
from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.admin_tools import EstimatedCountPaginator, ReferenceSearchAdminMixin, act_on_each
from portal.exceptions import DomainError
from portal.history_admin import HistoryAdmin
from portal.models import Clock
from portal.scoping import DepartmentScopedAdminMixin

REFERENCE_PATTERN = re.compile(r"^WZ-\d{8}-\d+$", re.IGNORECASE)
SLIP_SESSION_KEY = "petitions_slip"
LONG_TEXT_FIELDS = ("content", "public_content", "search_document", "public_search_document", "rating_comment")


def _petition_clocks(**conditions):
    """Open clocks of the outer ticket (a correlated subquery)."""
    return Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Petition),
        object_id=OuterRef("pk"),
        state__in=Clock.OPEN_STATES,
        **conditions,
    )


@admin.register(Petition)
class PetitionAdmin(
    DeclaredFiltersAdminMixin,
    WorkflowActionsAdminMixin,
    ReferenceSearchAdminMixin,
    DepartmentScopedAdminMixin,
    HistoryAdmin,
):
    exact_searches = ((REFERENCE_PATTERN, "reference"),)
    department_paths = ("lead_department", "co_departments")
    workflow_table = workflow.TABLE
    workflow_actions = ACTIONS
    workflow_object_argument = "petition"
    form = PublicVersionForm
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    list_display = (
        "reference",
        "title",
        "kind",
        "channel",
        "state",
        "lead_department",
        "received_at",
        "reply_due",
        "overdue_marker",
    )
    list_display_links = ("reference", "title")
    list_select_related = ("lead_department",)
    list_filter = (
        "state",
        OverdueFilter,
        DueSoonFilter,
        LeadDepartmentFilter,
        "kind",
        "channel",
        ReceivedMonthFilter,
    )
    ordering = ("-received_at",)
    search_fields = ("reference",)  # shows the search box; get_search_results does the work
    search_help_text = _("A tracking number (WZ-…) finds that ticket; other words search titles and contents.")
    actions = ["urge_selected"]
    readonly_fields = (
        "reference",
        "state",
        "kind",
        "channel",
        "category",
        "title",
        "content",
        "location",
        "lead_department",
        "co_department_names",
        "is_complex",
        "received_at",
        "assigned_at",
        "accepted_at",
        "replied_at",
        "closed_at",
        "closure",
        "return_reason",
        "rating",
        "rating_comment",
        "rated_at",
        "reexamined",
        "recorded_by",
        "reception_place",
        "reception_date",
        "citizen",
        "contact_name",
        "contact_mobile",
        "contact_email",
        "publish_consent",
        "published_at",
    )
    fieldsets = (
        (
            _("Ticket"),
            {
                "fields": (
                    ("reference", "state"),
                    ("kind", "channel", "category"),
                    "title",
                    "content",
                    "location",
                )
            },
        ),
        (
            _("Handling"),
            {
                "fields": (
                    ("lead_department", "is_complex"),
                    "co_department_names",
                    ("received_at", "assigned_at", "accepted_at"),
                    ("replied_at", "closed_at", "closure"),
                    "return_reason",
                    ("rating", "rated_at", "reexamined"),
                    "rating_comment",
                )
            },
        ),
        (
            _("Contact details (staff only, never published)"),
            {
                "fields": (
                    "citizen",
                    ("contact_name", "contact_mobile", "contact_email"),
                    ("recorded_by", "reception_place", "reception_date"),
                )
            },
        ),
        (
            _("Public version (部门回应)"),
            {
                "description": _(
                    "What the public column shows. Personal data are masked again on saving, "
                    "so an edit cannot bring a phone number or a name back."
                ),
                "fields": (
                    ("publish_consent", "published_at"),
                    "public_title",
                    "public_content",
                    "publication_withheld",
                    "withheld_reason",
                ),
            },
        ),
    )

    # --- list --------------------------------------------------------------------------------

    def get_queryset(self, request):
        # Scoped by the mixin (lead or co-handling department, as a semi-join).
        queryset = super().get_queryset(request)
        if getattr(request, "_petition_changelist", False):
            # The list shows none of the long texts: leave them in the table.
            queryset = queryset.defer(*LONG_TEXT_FIELDS)
        reply_due = _petition_clocks(kind=policies.REPLY).order_by("due_at").values("due_at")[:1]
        overdue = _petition_clocks(state=Clock.State.OVERDUE)
        return queryset.annotate(
            open_reply_due=Subquery(reply_due),
            # A LIMIT 1 scalar subquery probes the clock index per listed row; an EXISTS here
            # was planned as a hash of every overdue clock in the table. One per clock, so the
            # list says which deadline is overdue.
            overdue_acknowledgement=Subquery(overdue.filter(kind=policies.ACKNOWLEDGE).values("pk")[:1]),
            overdue_reply=Subquery(overdue.filter(kind=policies.REPLY).values("pk")[:1]),
        )

    @admin.display(description=_("reply due"), ordering="open_reply_due")
    def reply_due(self, obj):
        # The moment itself: the admin writes it as it writes "received" (DATETIME_FORMAT, local).
        return getattr(obj, "open_reply_due", None)

    @admin.display(description=_("overdue"), boolean=False)
    def overdue_marker(self, obj):
        """Which deadline is overdue: the acknowledgement (受理超期), the reply (答复超期) or both."""
        markers = [
            label
            for attribute, label in (
                ("overdue_acknowledgement", gettext("Acknowledgement overdue (受理超期)")),
                ("overdue_reply", gettext("Reply overdue (答复超期)")),
            )
            if getattr(obj, attribute, None)
        ]
        return format_html_join(" ", '<strong class="petition-overdue">{}</strong>', ((marker,) for marker in markers))

    @admin.display(description=_("co-handling departments"))
    def co_department_names(self, obj):
        return "、".join(c.department.name for c in obj.co_handlings.select_related("department")) or "—"

    def changelist_view(self, request, extra_context=None):
        request._petition_changelist = True
        extra_context = extra_context or {}
        if request.user.has_perm("petitions.record_petition"):
            try:
                extra_context["record_url"] = reverse("petitions:record")
            except NoReverseMatch:  # the public URLs are not installed (a test URL conf)
                extra_context["record_url"] = ""
        return super().changelist_view(request, extra_context)

    # --- permissions: tickets are records ---------------------------------------------------------

    def has_add_permission(self, request):
        return False  # offline intake goes through the record page (services.petition_record)

    def has_delete_permission(self, request, obj=None):
        return False  # which also takes "delete selected" off the bulk actions

    @admin.action(description=_("Urge the lead departments (催办)"), permissions=["urge"])
    def urge_selected(self, request, queryset):
        act_on_each(
            request,
            queryset.order_by(),
            lambda petition: services.petition_urge(
                petition=petition, actor=request.user, note=gettext("Please handle this promptly.")
            ),
            done=gettext("%(count)s tickets urged."),
            refused=gettext("%(count)s tickets could not be urged (not assigned, or already replied or closed)."),
        )

    def has_urge_permission(self, request):
        return request.user.has_perm("portal.urge_work")

    # --- the change page ---------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        """The public versions of the replies join the editable fieldset; a read-only viewer
        sees the public fields as they are (no form-only inputs)."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not self.has_change_permission(request, obj):
            return [
                (name, {**options, "fields": tuple(f for f in options["fields"] if f != "withheld_reason")})
                for name, options in fieldsets
            ]
        reply_fields = tuple(public_reply_field_name(reply.pk) for reply in obj.replies.all())
        return [
            (name, {**options, "fields": options["fields"] + reply_fields})
            if "public_title" in options["fields"]
            else (name, options)
            for name, options in fieldsets
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and self.has_change_permission(request, obj):
            kwargs["form"] = public_version_form(list(obj.replies.all()))
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        """Save through the services only: the public version is re-masked, withholding is logged."""
        if not change:
            raise PermissionDenied
        petition = Petition.objects.get(pk=obj.pk)
        data = form.cleaned_data
        changed = set(form.changed_data)
        public_replies = {
            reply_id: data[name] or "" for name in changed if (reply_id := public_reply_id(name)) is not None
        }
        try:
            with transaction.atomic():  # both services or neither
                if {"public_title", "public_content"} & changed or public_replies:
                    services.petition_edit_public_version(
                        petition=petition,
                        actor=request.user,
                        public_title=data["public_title"],
                        public_content=data.get("public_content") or "",
                        public_replies=public_replies,
                    )
                if "publication_withheld" in changed:
                    services.petition_set_withheld(
                        petition=petition,
                        actor=request.user,
                        withheld=data["publication_withheld"],
                        reason=data.get("withheld_reason") or "",
                    )
        except DomainError as error:
            request._petition_save_error = str(error)

    def save_related(self, request, form, formsets, change):
        """Nothing related is edited on this page (co-handling goes through `assign`)."""

    def log_change(self, request, obj, message):
        if not getattr(request, "_petition_save_error", None):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        error = getattr(request, "_petition_save_error", None)
        if error:
            messages.error(request, error)
            return redirect(reverse("admin:petitions_petition_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        petition = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if petition is not None:
            extra_context.update(self._panels(request, petition))
        return super().change_view(request, object_id, form_url, extra_context)

    def _panels(self, request, petition: Petition) -> dict:
        """What the change page shows beside the fields and the workflow's buttons: timeline, notes,
        opinions, replies, clocks."""
        petition_clocks = selectors.petition_clocks(petition)
        timeline = selectors.timeline_for_staff(petition)
        return {
            "may_reissue_code": request.user.has_perm("petitions.record_petition"),
            "timeline": timeline,
            "handling_notes": selectors.internal_notes(timeline),
            "co_handlings": list(petition.co_handlings.select_related("department", "opinion_by")),
            "replies": list(petition.replies.select_related("department", "author").prefetch_related("attachments")),
            "petition_attachments": list(petition.attachments.filter(reply__isnull=True)),
            "clock_explanations": [(clock, clocks.clock_explain(clock)) for clock in petition_clocks],
        }

    # --- action pages ------------------------------------------------------------------------

    def get_urls(self):
        # The workflow's action pages come from WorkflowActionsAdminMixin.
        return [
            path(
                "<path:object_id>/reissue-code/",
                self.admin_site.admin_view(self.reissue_code_view),
                name="petitions_petition_reissue_code",
            ),
            *super().get_urls(),
        ]

    def _object_or_404(self, request, object_id) -> Petition:
        petition = self.get_object(request, object_id)  # another department's ticket: 403
        if petition is None:
            raise Http404
        return petition

    def workflow_action_summary(self, request, obj, action):
        summary = self._action_summary(obj)
        if action == "accept":
            summary.append((gettext("Standard acknowledgement sent to the citizen"), services.ACKNOWLEDGEMENT))
        return summary

    def _action_summary(self, petition: Petition) -> list[tuple[str, str]]:
        """What an action page says about the ticket above its form: state, departments, reply due."""
        summary = [(gettext("State"), petition.get_state_display())]
        if petition.lead_department_id:
            summary.append((gettext("Lead department"), petition.lead_department.name))
        reply_clock = next(
            (c for c in selectors.petition_clocks(petition) if c.kind == policies.REPLY and c.is_open), None
        )
        if reply_clock:
            summary.append((gettext("Reply due"), f"{timezone.localtime(reply_clock.due_at):%Y-%m-%d %H:%M}"))
        return summary

    def reissue_code_view(self, request, object_id):
        if not request.user.has_perm("petitions.record_petition"):
            raise PermissionDenied
        petition = self._object_or_404(request, object_id)
        form = ReissueCodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                code = services.petition_reset_query_code(petition=petition, actor=request.user)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                request.session[SLIP_SESSION_KEY] = {"reference": petition.reference, "code": code}
                return redirect("petitions:slip")
        return action_page(
            request,
            self,
            original=petition,
            form=form,
            title=gettext("Reissue the query code"),
            description=form.description,
            summary=self._action_summary(petition),
        )
