"""The suggestion admin (审核, 价值评估): the scoped list with the moderation queue, the change page
with its workflow buttons and panels, the action pages (portal.admin_actions.
WorkflowActionsAdminMixin, from admin_forms.MODERATION_ACTIONS), and the assessments.

Who sees what is suggestions.scoping's rule: reviewers and the office every suggestion and the
authors' contacts; departments what was forwarded to them; experts their campaigns' suggestions;
neither of the last two any contact detail, on the page or in its history. Every write goes
through suggestions.services: nothing here saves a suggestion.
"""

from __future__ import annotations

import re

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import clocks
from portal.admin_actions import WorkflowActionsAdminMixin
from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.admin_tools import ReadOnlyAdminMixin, ReferenceSearchAdminMixin, act_on_each
from portal.history_admin import HistoryAdmin
from portal.models import Clock, ClockQuerySet
from portal.search import similar
from suggestions import policies, workflow
from suggestions.admin.filters import (
    CampaignFilter,
    CategoryFilter,
    DueSoonFilter,
    ExcellentFilter,
    HighAttentionFilter,
    ModerationQueueFilter,
    OverdueFilter,
    in_queue,
)
from suggestions.admin.forwarding import forward_selected
from suggestions.admin.intake import RecordSuggestionAdminMixin
from suggestions.admin_forms import MODERATION_ACTIONS, RECOGNITION_ACTIONS
from suggestions.models import Assessment, Suggestion
from suggestions.scoping import CONTACT_FIELDS, SuggestionScopedAdminMixin, sees_contacts
from suggestions.services import moderation

# A tracking number (JY-20261120-0001) or a classified number (JY2026-SM-0042, or as a campaign's
# pattern makes it: letters, digits and hyphens with at least one digit).
REFERENCE_PATTERN = re.compile(r"^JY-\d{8}-\d+$", re.IGNORECASE)
NUMBER_PATTERN = re.compile(r"^(?=.*\d)[A-Z0-9]+(?:-[A-Z0-9]+)+$", re.IGNORECASE)
LONG_TEXT_FIELDS = (
    "problem",
    "measures",
    "public_problem",
    "public_measures",
    "search_document",
    "public_search_document",
    "excellent_citation",
)


def _moderation_clocks(**conditions):
    """Open moderation clocks of the outer suggestion (a correlated subquery)."""
    return Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Suggestion),
        object_id=OuterRef("pk"),
        kind=policies.MODERATE,
        state__in=Clock.OPEN_STATES,
        **conditions,
    )


@admin.register(Suggestion)
class SuggestionAdmin(
    RecordSuggestionAdminMixin,  # the "record" page for letters, field visits and hotline calls
    DeclaredFiltersAdminMixin,
    WorkflowActionsAdminMixin,
    ReferenceSearchAdminMixin,
    # Suggestions are records, changed only through their actions: online submission and offline
    # intake have their own pages, every change is a workflow action (its page calls one service).
    ReadOnlyAdminMixin,
    SuggestionScopedAdminMixin,
    HistoryAdmin,
):
    workflow_table = workflow.TABLE
    workflow_actions = {**MODERATION_ACTIONS, **RECOGNITION_ACTIONS}
    workflow_object_argument = "suggestion"
    exact_searches = ((REFERENCE_PATTERN, "reference"), (NUMBER_PATTERN, "number"))
    list_per_page = 50
    list_display = (
        "reference",
        "number",
        "title",
        "campaign",
        "category",
        "channel",
        "state",
        "received_at",
        "review_due",
        "deadline_marker",
    )
    list_display_links = ("reference", "title")
    list_select_related = ("campaign", "category")
    list_filter = (
        ModerationQueueFilter,
        "state",
        OverdueFilter,
        DueSoonFilter,
        CampaignFilter,
        CategoryFilter,
        "channel",
        ExcellentFilter,
        HighAttentionFilter,
    )
    ordering = ("-received_at", "-id")
    search_fields = ("reference",)  # shows the search box; get_search_results does the work
    search_help_text = _(
        "A tracking number (JY-…) or a classified number (e.g. JY2026-SM-0042) finds that suggestion; other words "
        "search titles and texts."
    )
    # The office's forwarding with the analysis report (suggestions.admin.forwarding).
    actions = ["approve_selected", forward_selected]
    fieldsets = (
        (
            _("Suggestion"),
            {
                "fields": (
                    ("reference", "number", "state"),
                    ("campaign", "category", "channel"),
                    "title",
                    "problem",
                    "measures",
                    "area",
                    ("received_at", "received_on", "place"),
                    ("symposium", "source_url"),
                )
            },
        ),
        (
            _("Review (审核)"),
            {
                "fields": (
                    ("decided_at", "decided_by"),
                    "rejection_reason",
                    "merged_into",
                    "withdrawal_reason",
                )
            },
        ),
        (
            _("Contact details (reviewers and the office only, never published)"),
            {
                "fields": (
                    "citizen",
                    ("contact_name", "contact_mobile", "contact_email"),
                    "recorded_by",
                )
            },
        ),
        (
            _("Consent and the public version"),
            {
                "fields": (
                    ("publish_consent", "name_consent", "published_at"),
                    "public_title",
                    "public_problem",
                    "public_measures",
                )
            },
        ),
        (
            _("Forwarding and answers"),
            {
                "fields": (
                    ("forwarded_at", "answered_at"),
                    ("lead_department", "outcome"),
                )
            },
        ),
        (
            _("Attention and excellence"),
            {
                "fields": (
                    ("follower_count", "high_attention_at"),
                    ("briefing_held_on", "briefing_link"),
                    ("excellent_at", "excellent_citation"),
                )
            },
        ),
    )

    # --- list --------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # scoped (suggestions.scoping)
        if getattr(request, "_suggestion_changelist", False):
            queryset = queryset.defer(*LONG_TEXT_FIELDS)
        now = timezone.now()
        return queryset.annotate(
            review_due_at=Subquery(_moderation_clocks().order_by("due_at").values("due_at")[:1]),
            # One LIMIT 1 subquery per marker, on the shared vocabulary (ClockQuerySet).
            review_overdue=Subquery(_moderation_clocks().filter(ClockQuerySet.overdue_condition(now)).values("pk")[:1]),
            review_due_soon=Subquery(
                _moderation_clocks().filter(ClockQuerySet.due_soon_condition(now)).values("pk")[:1]
            ),
        )

    def get_ordering(self, request):
        if in_queue(request):
            # The queue: the review that ends first comes first.
            return (F("review_due_at").asc(nulls_last=True), "received_at", "id")
        return super().get_ordering(request)

    @admin.display(description=_("review due"), ordering="review_due_at")
    def review_due(self, obj):
        return getattr(obj, "review_due_at", None)

    @admin.display(description=_("deadline"))
    def deadline_marker(self, obj):
        if getattr(obj, "review_overdue", None):
            return format_html('<strong class="suggestion-overdue">{}</strong>', gettext("Review overdue (审核超期)"))
        if getattr(obj, "review_due_soon", None):
            return format_html('<span class="suggestion-due-soon">{}</span>', gettext("Review due soon"))
        return ""

    def changelist_view(self, request, extra_context=None):
        request._suggestion_changelist = True
        extra_context = extra_context or {}
        if request.user.has_perm("suggestions.moderate_suggestion"):
            extra_context["queue_url"] = moderation.moderation_queue_url()
        return super().changelist_view(request, extra_context)

    # --- bulk actions (deleting is not one: ReadOnlyAdminMixin) ---------------------------------

    @admin.action(description=_("Approve the selected suggestions (审核通过)"), permissions=["moderate"])
    def approve_selected(self, request, queryset):
        act_on_each(
            request,
            queryset.order_by("received_at", "id"),
            lambda suggestion: moderation.suggestion_approve(suggestion=suggestion, actor=request.user),
            done=gettext("%(count)s suggestions approved."),
            refused=gettext("%(count)s suggestions could not be approved (no longer awaiting review)."),
        )

    def has_moderate_permission(self, request):
        return request.user.has_perm("suggestions.moderate_suggestion")

    def has_forward_permission(self, request):
        # The bulk forwarding (forward_selected) is the office's (suggestions.admin.forwarding).
        return request.user.has_perm("suggestions.forward_suggestion")

    # --- the change page: contacts only for those who see them ----------------------------------

    def get_readonly_fields(self, request, obj=None):
        # Every field is read-only, the history's version pages included.
        return flatten_fieldsets(self.get_fieldsets(request, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if sees_contacts(request.user):
            return fieldsets
        return [(name, options) for name, options in fieldsets if "citizen" not in options["fields"]]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The history's list of changes, without the contact fields for those who do not see
        them, nor the author's account as the one who made a change (their submission)."""
        contacts = sees_contacts(request.user)
        excluded = [] if contacts else list(CONTACT_FIELDS)
        if not contacts:
            for record in historical_records:
                if record.history_user_id and record.history_user_id == record.citizen_id:
                    record.history_user = None
        previous = None
        for current in historical_records:
            if previous is None:
                previous = current
                continue
            delta = previous.diff_against(
                current, excluded_fields=excluded, foreign_keys_are_objs=foreign_keys_are_objs
            )
            helper = self.get_historical_record_context_helper(request, previous)
            previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def change_view(self, request, object_id, form_url="", extra_context=None):
        suggestion = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if suggestion is not None:
            extra_context.update(self._panels(request, suggestion))
        return super().change_view(request, object_id, form_url, extra_context)

    def _panels(self, request, suggestion: Suggestion) -> dict:
        """What the change page shows beside the fields: clocks, assessments, merges, timeline."""
        contacts = sees_contacts(request.user)
        timeline = list(suggestion.events.select_related("actor", "department").order_by("created_at", "id"))
        for event in timeline:
            # The author's own steps do not name their account to those who do not see contacts.
            event.shown_actor = (
                event.actor if event.actor_id and (contacts or event.actor_id != suggestion.citizen_id) else None
            )
        assessments = list(suggestion.assessments.select_related("assessor").order_by("created_at", "id"))
        clock_rows = list(Clock.objects.for_subject(suggestion).select_related("department").order_by("started_at"))
        return {
            "timeline": timeline,
            "assessments": assessments,
            "assessment_means": _means(assessments),
            "merged_here": list(suggestion.merged.order_by("received_at", "id").only("pk", "reference", "title")),
            "clock_explanations": [(clock, clocks.clock_explain(clock)) for clock in clock_rows],
            "suggestion_attachments": list(suggestion.attachments.all()),
            "attachment_url_name": _attachment_url_name(),
        }

    # --- action pages ------------------------------------------------------------------------

    def workflow_action_summary(self, request, obj, action):
        summary = [
            (gettext("State"), obj.get_state_display()),
            (gettext("Campaign"), obj.campaign.title),
            (gettext("Category"), obj.category.display_name),
        ]
        if obj.number:
            summary.append((gettext("Classified number"), obj.number))
        clock = Clock.objects.for_subject(obj).open().filter(kind=policies.MODERATE).first()
        if clock is not None:
            summary.append((gettext("Review due"), f"{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}"))
        summary += _recognition_summary(obj, action)
        if action == "merge":
            candidates = similar(
                Suggestion.objects.filter(campaign_id=obj.campaign_id, state__in=Suggestion.ACCEPTED_STATES)
                .exclude(pk=obj.pk)
                .filter(received_at__lt=obj.received_at),
                "search_document",
                obj.title,
            )
            for candidate in candidates:
                summary.append((gettext("Similar earlier suggestion"), f"{candidate.number} {candidate.title}"))
        return summary


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


def _recognition_summary(suggestion: Suggestion, action: str) -> list[tuple[str, object]]:
    """What the office weighs on the excellence and briefing pages (suggestions.services.recognition)."""
    if action == "excellent":
        return [
            (gettext("Published"), _when(suggestion.published_at)),
            (gettext("Author named in public"), gettext("yes") if suggestion.name_consent else gettext("no")),
            (gettext("Followers"), suggestion.follower_count),
        ]
    if action == "unselect_excellent":
        return [
            (gettext("Selected as excellent"), _when(suggestion.excellent_at)),
            (gettext("Citation (推荐理由)"), suggestion.excellent_citation),
        ]
    if action == "briefing":
        rows = [
            (gettext("Followers"), suggestion.follower_count),
            (gettext("High attention since"), _when(suggestion.high_attention_at)),
        ]
        if suggestion.briefing_held_on:
            rows.append(
                (
                    gettext("Press briefing recorded"),
                    f"{suggestion.briefing_held_on:%Y-%m-%d} {suggestion.briefing_link}",
                )
            )
        return rows
    return []


def _means(assessments: list[Assessment]) -> dict | None:
    if not assessments:
        return None
    count = len(assessments)
    return {
        name: round(sum(getattr(a, name) for a in assessments) / count, 1)
        for name in ("reasonableness", "feasibility", "innovation")
    } | {"count": count}


def _attachment_url_name() -> str:
    """The public side's attachment view, where it is installed (it checks who may see the file)."""
    try:
        reverse("suggestions:attachment", args=[1])
    except NoReverseMatch:
        return ""
    return "suggestions:attachment"


@admin.register(Assessment)
class AssessmentAdmin(DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, SuggestionScopedAdminMixin, HistoryAdmin):
    """Assessments (价值评估), written only through the assess action; listed for reviewers and the
    office, with their history (the earlier scores of a re-assessment)."""

    suggestion_path = "suggestion"
    reference_lookup = "suggestion__reference"
    search_help_text = _("The suggestion's tracking number (JY-…).")
    list_display = ("suggestion", "assessor", "reasonableness", "feasibility", "innovation", "created_at")
    list_select_related = ("suggestion", "assessor")
    search_fields = ("suggestion__reference",)
    fields = ("suggestion", "assessor", "reasonableness", "feasibility", "innovation", "note", "created_at")
