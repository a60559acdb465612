"""The departments' side of forwarded suggestions (答复 and 跟踪落实), and the office's forwarding.

- `ForwardingAdmin`: the suggestions forwarded to the user's departments (portal.scoping; the
  office sees all), each with its answer deadline, overdue markers and measures; the change page
  shows the suggestion, the analysis report, every department's answer, the deadlines with how
  they were computed and the measures, with buttons to answer, record a measure and record one
  done (action pages in the admin's layout, portal.admin_actions.action_page). Every write is one
  service of suggestions.services.answers.
- `forward_selected`: the admin action of the suggestion list (suggestions.admin.suggestions)
  that takes the ticked suggestions to the forwarding page, where the office picks the
  departments and the lead and attaches the analysis report (`ForwardingAdmin.forward_view`).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import clocks, params
from portal.admin_actions import action_page
from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.admin_tools import (
    ClockDueSoonFilter,
    ClockOverdueFilter,
    ReadOnlyAdminMixin,
    subject_clock_ids,
)
from portal.exceptions import DomainError
from portal.history_admin import HistoryAdmin
from portal.models import Clock
from portal.scoping import DepartmentScopedAdminMixin, sees_all_departments, user_department_ids
from portal.search import search as fulltext_search
from portal.uploads import DOCUMENT_TYPES, stored_file_response
from suggestions import workflow
from suggestions.forwarding_forms import AnswerForm, ForwardForm, MeasureDoneForm, MeasureForm
from suggestions.models import Campaign, Forwarding, ForwardingBatch, Measure, Outcome, Suggestion
from suggestions.services import answers

# The suggestions ticked on the suggestion list, kept in the session for the forwarding page.
FORWARD_SESSION_KEY = "suggestions_forward_ids"


def _clocks_of(model, **conditions):
    """Open clocks of the outer row of `model` (a correlated subquery)."""
    return Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
        state__in=Clock.OPEN_STATES,
        **conditions,
    )


def _overdue_milestones():
    """Overdue milestones of the outer forwarding's measures (a correlated subquery)."""
    return Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Measure),
        object_id__in=Measure.objects.filter(forwarding_id=OuterRef(OuterRef("pk"))).values("pk"),
    ).overdue(timezone.now())


# --- filters ----------------------------------------------------------------------------------------


class AnswerFilter(admin.SimpleListFilter):
    title = _("answer")
    parameter_name = "answer"

    def lookups(self, request, model_admin):
        return [
            ("awaiting", _("Awaiting the answer")),
            ("studying", _("Under study")),
            ("answered", _("Answered")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "awaiting":
            return queryset.filter(answered_at__isnull=True)
        if value == "studying":
            return queryset.filter(outcome=Outcome.STUDYING)
        if value == "answered":
            return queryset.filter(answered_at__isnull=False)
        return queryset


class AnswerOverdueFilter(ClockOverdueFilter):
    """Forwardings whose answer deadline is past."""

    title = _("answer overdue")


class AnswerDueSoonFilter(ClockDueSoonFilter):
    title = _("answer due soon")
    due_soon_label = _("Answer due within a working day")


class MilestoneOverdueFilter(admin.SimpleListFilter):
    """Forwardings with a measure past its planned date and not done (跟踪落实)."""

    title = _("measures")
    parameter_name = "milestone"

    def lookups(self, request, model_admin):
        return [("overdue", _("A measure past its planned date"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            late = subject_clock_ids(Measure).overdue(timezone.now()).values("object_id")
            return queryset.filter(pk__in=Measure.objects.filter(pk__in=late).values("forwarding_id"))
        return queryset


class CampaignFilter(admin.SimpleListFilter):
    title = _("campaign")
    parameter_name = "campaign"

    def lookups(self, request, model_admin):
        campaigns = Campaign.objects.filter(forwarding_batches__isnull=False).distinct().order_by("-collection_on")
        return [(str(campaign.pk), campaign.title) for campaign in campaigns[:50]]

    def queryset(self, request, queryset):
        campaign_id = params.parse_id(self.value())
        return queryset.filter(suggestion__campaign_id=campaign_id) if campaign_id else queryset


class BatchFilter(admin.SimpleListFilter):
    """One act of forwarding (the link in the departments' notice)."""

    title = _("forwarded together")
    parameter_name = "batch"

    def lookups(self, request, model_admin):
        batches = ForwardingBatch.objects.select_related("campaign").order_by("-created_at", "-id")
        if not sees_all_departments(request.user):
            mine = Forwarding.objects.filter(department_id__in=user_department_ids(request.user)).values("batch_id")
            batches = batches.filter(pk__in=mine)
        return [(str(batch.pk), str(batch)) for batch in batches[:20]]

    def queryset(self, request, queryset):
        batch_id = params.parse_id(self.value())
        return queryset.filter(batch_id=batch_id) if batch_id else queryset


# --- the admin action of the suggestion list --------------------------------------------------------


@admin.action(description=_("Forward to departments with the analysis report (转交)…"), permissions=["forward"])
def forward_selected(modeladmin, request, queryset):
    """Take the ticked suggestions to the forwarding page (the office's, in the analysis phase).
    Offered only where the ModelAdmin's `has_forward_permission` says so (the suggestion list's)."""
    if not request.user.has_perm("suggestions.forward_suggestion"):
        messages.error(request, gettext("You are not allowed to forward suggestions."))
        return None
    ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: answers.MAX_BATCH + 1])
    if len(ids) > answers.MAX_BATCH:
        messages.error(request, gettext("Forward at most %(max)s suggestions at a time.") % {"max": answers.MAX_BATCH})
        return None
    request.session[FORWARD_SESSION_KEY] = ids
    return HttpResponseRedirect(reverse("admin:suggestions_forwarding_forward"))


# --- the departments' list and page -----------------------------------------------------------------


@admin.register(Forwarding)
class ForwardingAdmin(DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, DepartmentScopedAdminMixin, HistoryAdmin):
    """Forwardings are records, changed only through the services (ReadOnlyAdminMixin)."""

    department_paths = ("department",)
    list_display = (
        "number",
        "suggestion_title",
        "campaign",
        "department",
        "is_lead",
        "answer_shown",
        "answer_due",
        "measures_done",
        "overdue_marker",
    )
    list_display_links = ("number", "suggestion_title")
    list_select_related = ("suggestion", "suggestion__campaign", "department")
    list_filter = (
        AnswerFilter,
        AnswerOverdueFilter,
        AnswerDueSoonFilter,
        MilestoneOverdueFilter,
        CampaignFilter,
        BatchFilter,
        "is_lead",
    )
    list_per_page = 50
    search_fields = ("suggestion__number",)  # shows the search box; get_search_results does the work
    search_help_text = _(
        "A classified number (JY2026-SM-0042) or a tracking number finds that suggestion; other words search the "
        "suggestions' titles and texts."
    )
    fields = (
        ("department", "is_lead"),
        ("outcome", "answered_at", "answered_by"),
        "answer",
        "public_answer",
    )
    readonly_fields = ("department", "is_lead", "outcome", "answered_at", "answered_by", "answer", "public_answer")

    # --- list --------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # scoped to the user's departments
        measures = Measure.objects.filter(forwarding=OuterRef("pk")).values("forwarding")
        return queryset.annotate(
            open_answer_due=Subquery(_clocks_of(Forwarding).order_by("due_at").values("due_at")[:1]),
            answer_overdue=Exists(_clocks_of(Forwarding).overdue(timezone.now())),
            milestone_overdue=Exists(_overdue_milestones()),
            measures_total=Subquery(measures.annotate(n=Count("pk")).values("n")[:1]),
            measures_finished=Subquery(measures.filter(done_on__isnull=False).annotate(n=Count("pk")).values("n")[:1]),
        ).order_by("answered_at", "open_answer_due", "-id")

    def get_search_results(self, request, queryset, search_term):
        term = (search_term or "").strip()
        if not term:
            return queryset, False
        exact = queryset.filter(Q(suggestion__number=term.upper()) | Q(suggestion__reference=term.upper()))
        if exact.exists():
            return exact, False
        found = fulltext_search(Suggestion.objects.all(), "search_document", term).values("pk")
        return queryset.filter(suggestion_id__in=found), False

    @admin.display(description=_("classified number"), ordering="suggestion__number")
    def number(self, obj):
        return obj.suggestion.number or obj.suggestion.reference

    @admin.display(description=_("title"))
    def suggestion_title(self, obj):
        return obj.suggestion.title

    @admin.display(description=_("campaign"))
    def campaign(self, obj):
        return obj.suggestion.campaign.title

    @admin.display(description=_("answer"), ordering="outcome")
    def answer_shown(self, obj):
        return obj.get_outcome_display() if obj.outcome else gettext("Awaiting the answer")

    @admin.display(description=_("answer due"), ordering="open_answer_due")
    def answer_due(self, obj):
        return getattr(obj, "open_answer_due", None)

    @admin.display(description=_("measures done"))
    def measures_done(self, obj):
        total = getattr(obj, "measures_total", None) or 0
        if not total:
            return "—"
        return gettext("%(done)s of %(total)s") % {"done": getattr(obj, "measures_finished", None) or 0, "total": total}

    @admin.display(description=_("overdue"))
    def overdue_marker(self, obj):
        markers = [
            label
            for attribute, label in (
                ("answer_overdue", gettext("Answer overdue (答复超期)")),
                ("milestone_overdue", gettext("Measure overdue (落实超期)")),
            )
            if getattr(obj, attribute, False)
        ]
        return "、".join(markers)

    # --- what a user may do now ----------------------------------------------------------------

    @staticmethod
    def _own(user, forwarding: Forwarding) -> bool:
        return user.is_superuser or forwarding.department_id in set(user_department_ids(user))

    def may_answer(self, user, forwarding: Forwarding) -> bool:
        return (
            workflow.TABLE.may(user, forwarding.suggestion, "answer")
            and self._own(user, forwarding)
            and (forwarding.answered_at is None or forwarding.outcome == Outcome.STUDYING)
        )

    def may_record_measures(self, user, forwarding: Forwarding) -> bool:
        return (
            workflow.TABLE.may(user, forwarding.suggestion, "measure")
            and self._own(user, forwarding)
            and forwarding.outcome in Outcome.with_measures()
        )

    # --- the change page -----------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        forwarding = self.get_object(request, object_id)  # another department's: 403
        extra_context = extra_context or {}
        if forwarding is not None:
            extra_context.update(self._panels(request, forwarding))
        return super().change_view(request, object_id, form_url, extra_context)

    def _panels(self, request, forwarding: Forwarding) -> dict:
        suggestion = forwarding.suggestion
        measures = list(forwarding.measures.order_by("planned_on", "pk"))
        measure_type = ContentType.objects.get_for_model(Measure)
        clock_rows = list(
            (Clock.objects.for_subject(forwarding) | Clock.objects.for_subjects(Measure, [m.pk for m in measures]))
            .select_related("department")
            .order_by("started_at", "pk")
        )
        milestone = {clock.object_id: clock for clock in clock_rows if clock.content_type_id == measure_type.pk}
        user = request.user
        may_measures = self.may_record_measures(user, forwarding)
        for measure in measures:
            measure.milestone = milestone.get(measure.pk)
            measure.done_url = (
                reverse("admin:suggestions_forwarding_measure_done", args=[forwarding.pk, measure.pk])
                if may_measures and measure.done_on is None
                else ""
            )
        others = [f for f in suggestion.forwardings.select_related("department") if f.pk != forwarding.pk]
        return {
            "suggestion": suggestion,
            "suggestion_url": _admin_url(suggestion),
            "batch": forwarding.batch,
            "report_url": reverse("admin:suggestions_forwarding_report", args=[forwarding.pk]),
            "other_forwardings": others,
            "measures": measures,
            "clock_explanations": clocks.clocks_explain(clock_rows),
            "forwarding_buttons": [
                (url, label)
                for url, label, shown in (
                    (
                        reverse("admin:suggestions_forwarding_answer", args=[forwarding.pk]),
                        workflow.TABLE["answer"].label,
                        self.may_answer(user, forwarding),
                    ),
                    (
                        reverse("admin:suggestions_forwarding_measure", args=[forwarding.pk]),
                        workflow.TABLE["measure"].label,
                        may_measures,
                    ),
                )
                if shown
            ],
        }

    # --- pages -----------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("forward/", view(self.forward_view), name="suggestions_forwarding_forward"),
            path("<path:object_id>/answer/", view(self.answer_view), name="suggestions_forwarding_answer"),
            path("<path:object_id>/measure/", view(self.measure_view), name="suggestions_forwarding_measure"),
            path(
                "<path:object_id>/measure/<int:measure_id>/done/",
                view(self.measure_done_view),
                name="suggestions_forwarding_measure_done",
            ),
            path("<path:object_id>/report/", view(self.report_view), name="suggestions_forwarding_report"),
            *super().get_urls(),
        ]

    def _forwarding(self, request, object_id) -> Forwarding:
        if not self.has_view_permission(request):
            raise PermissionDenied
        forwarding = self.get_object(request, object_id)  # another department's: 403
        if forwarding is None:
            raise Http404
        return forwarding

    def _summary(self, forwarding: Forwarding) -> list[tuple[str, object]]:
        suggestion = forwarding.suggestion
        summary = [
            (gettext("Suggestion"), f"{suggestion.number or suggestion.reference} {suggestion.title}"),
            (gettext("Campaign"), suggestion.campaign.title),
            (gettext("Department"), forwarding.department.name),
            (gettext("Lead department"), gettext("yes") if forwarding.is_lead else gettext("no")),
        ]
        if forwarding.outcome:
            summary.append((gettext("Answer"), forwarding.get_outcome_display()))
        due = Clock.objects.for_subject(forwarding).open().order_by("due_at").first()
        if due is not None:
            summary.append((gettext("Answer due"), timezone.localtime(due.due_at).strftime("%Y-%m-%d %H:%M")))
        return summary

    def _act(self, request, forwarding, *, form, title, service):
        """Run `service` with the form's arguments on a valid POST, else render the action page."""
        if request.method == "POST" and form.is_valid():
            try:
                service(**form.service_arguments())
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("%(action)s: done.") % {"action": title})
                return redirect(reverse("admin:suggestions_forwarding_change", args=[forwarding.pk]))
        return action_page(
            request,
            self,
            original=forwarding,
            form=form,
            title=str(title),
            description=form.description,
            summary=self._summary(forwarding),
        )

    def answer_view(self, request, object_id):
        if not request.user.has_perm("suggestions.answer_suggestion"):
            raise PermissionDenied
        forwarding = self._forwarding(request, object_id)
        if not self._own(request.user, forwarding):
            raise PermissionDenied
        if request.method != "POST" and not self.may_answer(request.user, forwarding):
            raise PermissionDenied
        form = AnswerForm(request.POST or None, obj=forwarding, user=request.user)
        return self._act(
            request,
            forwarding,
            form=form,
            title=workflow.TABLE["answer"].label,
            service=lambda **arguments: answers.suggestion_answer(
                forwarding=forwarding, actor=request.user, **arguments
            ),
        )

    def measure_view(self, request, object_id):
        if not request.user.has_perm("suggestions.answer_suggestion"):
            raise PermissionDenied
        forwarding = self._forwarding(request, object_id)
        if not self._own(request.user, forwarding):
            raise PermissionDenied
        if request.method != "POST" and not self.may_record_measures(request.user, forwarding):
            raise PermissionDenied
        form = MeasureForm(request.POST or None, obj=forwarding, user=request.user)
        return self._act(
            request,
            forwarding,
            form=form,
            title=workflow.TABLE["measure"].label,
            service=lambda **arguments: answers.measure_record(forwarding=forwarding, actor=request.user, **arguments),
        )

    def measure_done_view(self, request, object_id, measure_id):
        if not request.user.has_perm("suggestions.answer_suggestion"):
            raise PermissionDenied
        forwarding = self._forwarding(request, object_id)
        if not self._own(request.user, forwarding):
            raise PermissionDenied
        measure = forwarding.measures.filter(pk=measure_id).first()
        if measure is None:
            raise Http404
        if request.method != "POST" and (
            measure.done_on is not None or not self.may_record_measures(request.user, forwarding)
        ):
            raise PermissionDenied
        form = MeasureDoneForm(request.POST or None, obj=measure, user=request.user)
        return self._act(
            request,
            forwarding,
            form=form,
            title=gettext("Record the measure done: %(measure)s") % {"measure": measure.description},
            service=lambda **arguments: answers.measure_complete(measure=measure, actor=request.user, **arguments),
        )

    def report_view(self, request, object_id):
        """The analysis report forwarded with the suggestion: to whoever sees the forwarding."""
        forwarding = self._forwarding(request, object_id)
        batch = forwarding.batch
        return stored_file_response(
            batch.report, content_type=batch.report_content_type, filename=batch.report_name, allowed=DOCUMENT_TYPES
        )

    # --- the office's forwarding page ------------------------------------------------------------

    def forward_view(self, request):
        if not request.user.has_perm("suggestions.forward_suggestion") or not sees_all_departments(request.user):
            raise PermissionDenied
        ids = params.parse_ids(str(value) for value in request.session.get(FORWARD_SESSION_KEY, []))
        chosen = list(
            Suggestion.objects.filter(pk__in=ids).select_related("campaign").order_by("campaign_id", "number", "pk")
        )
        back = _changelist_url(Suggestion)
        if not chosen:
            messages.warning(request, gettext("Choose the suggestions to forward on the list of suggestions first."))
            return redirect(back or reverse("admin:index"))
        campaign = chosen[0].campaign
        form = ForwardForm(request.POST or None, request.FILES or None, campaign=campaign)
        title = gettext("Forward suggestions to departments (转交)")
        if request.method == "POST" and form.is_valid():
            arguments = form.service_arguments()
            try:
                batch = answers.suggestions_forward(suggestions=chosen, actor=request.user, **arguments)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                request.session.pop(FORWARD_SESSION_KEY, None)
                departments = {arguments["lead"].pk: arguments["lead"]} | {d.pk: d for d in arguments["departments"]}
                messages.success(
                    request,
                    gettext("%(count)s suggestions forwarded to %(departments)s.")
                    % {"count": len(chosen), "departments": "、".join(d.name for d in departments.values())},
                )
                return redirect(f"{reverse('admin:suggestions_forwarding_changelist')}?batch={batch.pk}")
        names = "\n".join(f"{s.number or s.reference} {s.title}" for s in chosen[:50])
        if len(chosen) > 50:
            names += "\n" + gettext("… and %(count)s more") % {"count": len(chosen) - 50}
        summary = [
            (gettext("Campaign"), campaign.title),
            (gettext("Suggestions"), gettext("%(count)s chosen") % {"count": len(chosen)}),
            (gettext("Chosen"), names),
        ]
        return action_page(
            request,
            self,
            original=campaign,
            form=form,
            title=title,
            description=form.description,
            summary=summary,
            extra_context={"opts": Campaign._meta, "subtitle": campaign.title},
        )


def _admin_url(obj) -> str:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def _changelist_url(model) -> str:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return ""
