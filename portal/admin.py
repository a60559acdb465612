from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal import calendar, clocks, registry
from portal.admin_actions import action_page
from portal.admin_filters import DeclaredFiltersAdminMixin, adopt_registered_admins
from portal.exceptions import DomainError
from portal.forms import PortalForm
from portal.history_admin import HistoryAdmin
from portal.models import Clock, Department, Notice, OutboundEmail, SweepRun, User, WorkCalendarDay
from portal.pagecache import AnnouncesPublicChangeAdmin
from portal.scoping import DepartmentScopedAdminMixin
from portal.user_admin import DepartmentMembershipInline, UserAdmin

# The admins of apps installed before portal (auth's groups, django-axes) get the declared-filters
# mixin too; every later one declares it (a system check, portal.admin_filters).
adopt_registered_admins(admin.site)

# Users and memberships: nobody raises their own or another's privileges (portal.user_admin).
admin.site.register(User, UserAdmin)


@admin.register(Department)
class DepartmentAdmin(DeclaredFiltersAdminMixin, AnnouncesPublicChangeAdmin, HistoryAdmin):
    list_display = ("name", "name_en", "code", "is_active", "email")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "code")
    inlines = [DepartmentMembershipInline]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(DeclaredFiltersAdminMixin, HistoryAdmin):
    """Administrators enter each year's State Council schedule here (it is announced late)."""

    list_display = ("date", "weekday", "name", "is_working_day", "source")
    list_filter = ("is_working_day", "source", ("date", admin.DateFieldListFilter))
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("source",)

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return obj.date.strftime("%a")

    def changelist_view(self, request, extra_context=None):
        for year in calendar.calendar_missing_years():
            messages.warning(
                request,
                gettext(
                    "The %(year)s holiday schedule has not been entered: deadlines through %(year)s "
                    "count Monday to Friday and are marked provisional."
                )
                % {"year": year},
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        try:
            saved = calendar.work_calendar_day_save(
                day=obj.date, is_working_day=obj.is_working_day, name=obj.name, actor=request.user
            )
        except DomainError as error:
            raise PermissionDenied(str(error)) from error
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar.work_calendar_day_delete(row=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            calendar.work_calendar_day_delete(row=row, actor=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class CalendarDayForm(form):
            def clean(self):
                cleaned = super().clean()
                day, working = cleaned.get("date"), cleaned.get("is_working_day")
                if day is not None and working is not None:
                    if working and day.weekday() < 5:
                        raise forms.ValidationError(_("Only a weekend day can be an adjusted working day."))
                    if not working and day.weekday() >= 5:
                        raise forms.ValidationError(_("A weekend day is already off: it needs no holiday entry."))
                return cleaned

        return CalendarDayForm


class ExtendForm(PortalForm):
    description = _("Working days are added to the deadline; holidays and weekends are skipped as usual.")

    days = forms.IntegerField(label=_("Working days to add"), min_value=1, max_value=60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class UrgeForm(PortalForm):
    description = _("The responsible department's staff receive a notice (催办); the urge is logged.")

    note = forms.CharField(label=_("Note to the department"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ClockAreaFilter(admin.SimpleListFilter):
    """The declared areas by their labels (Clock.area holds the code an app declares)."""

    title = _("area")
    parameter_name = "area"

    def lookups(self, request, model_admin):
        return list(registry.clock_areas().items())

    def queryset(self, request, queryset):
        return queryset.filter(area=self.value()) if self.value() else queryset


class ClockKindFilter(admin.SimpleListFilter):
    """The declared clock kinds by their labels."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind, str(label)) for kind, label in registry.clock_kinds().items()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Clock)
class ClockAdmin(DeclaredFiltersAdminMixin, DepartmentScopedAdminMixin, HistoryAdmin):
    """Deadlines are changed only through their services (extend, urge here; the rest by the
    workflows of the apps); every field is read-only."""

    list_display = (
        "id",
        "area_label",
        "kind_label",
        "department",
        "state",
        "started_at",
        "due_at",
        "provisional",
        "met_at",
    )
    list_filter = ("state", ClockAreaFilter, ClockKindFilter, "provisional", "department")
    list_select_related = ("department", "content_type")
    date_hierarchy = "due_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in Clock._meta.fields] + ["area_label", "kind_label", "explanation"]
    fields = (
        "area_label",
        "kind_label",
        "policy",
        "department",
        "state",
        "started_at",
        "due_at",
        "met_at",
        "provisional",
        "extension_days",
        "extension_reason",
        "paused_at",
        "paused_days",
        "reminded_at",
        "overdue_at",
        "last_urged_at",
        "explanation",
    )
    actions = ["urge_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("area"), ordering="area")
    def area_label(self, obj):
        return obj.get_area_display()

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("How the due moment was computed"))
    def explanation(self, obj):
        from django.template.loader import render_to_string

        return render_to_string("includes/clock_explanation.html", {"explanation": clocks.clock_explain(obj)})

    def get_urls(self):
        return [
            path("<int:pk>/extend/", self.admin_site.admin_view(self.extend_view), name="portal_clock_extend"),
            path("<int:pk>/urge/", self.admin_site.admin_view(self.urge_view), name="portal_clock_urge"),
            *super().get_urls(),
        ]

    def _form_view(self, request, pk, form_class, title, perform):
        clock = get_object_or_404(self.get_queryset(request), pk=pk)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                perform(clock, form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, gettext("Done."))
                return redirect(reverse("admin:portal_clock_change", args=[clock.pk]))
        summary = [(gettext("Deadline"), clock.get_kind_display()), (gettext("State"), clock.get_state_display())]
        if clock.department_id:
            summary.append((gettext("Department"), clock.department.name))
        summary.append((gettext("Due"), f"{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}"))
        return action_page(
            request,
            self,
            original=clock,
            form=form,
            title=title,
            description=form.description,
            summary=summary,
            template="admin/portal/clock/action_form.html",
            extra_context={"explanation": clocks.clock_explain(clock)},
        )

    def extend_view(self, request, pk):
        if not request.user.has_perm("portal.extend_deadline"):
            raise PermissionDenied
        return self._form_view(
            request,
            pk,
            ExtendForm,
            gettext("Extend the deadline"),
            # Through the subject's own service (portal.subjects): its timeline records the extension.
            lambda clock, data: clocks.clock_extend_by_subject(
                clock=clock, days=data["days"], reason=data["reason"], actor=request.user
            ),
        )

    def urge_view(self, request, pk):
        if not request.user.has_perm("portal.urge_work"):
            raise PermissionDenied
        return self._form_view(
            request,
            pk,
            UrgeForm,
            gettext("Urge the department (催办)"),
            lambda clock, data: self._urge_one(clock, note=data["note"], actor=request.user),
        )

    @staticmethod
    def _urge_one(clock, *, note, actor):
        outcome = clocks.clocks_urge_by_subject(clocks=[clock], note=note, actor=actor)
        if outcome.refused:
            raise DomainError(outcome.refusals())

    @admin.action(description=_("Urge the departments (催办)"), permissions=["urge"])
    def urge_selected(self, request, queryset):
        # Each item through its subject's own service (portal.subjects), as on the board.
        outcome = clocks.clocks_urge_by_subject(
            clocks=queryset.filter(state__in=Clock.OPEN_STATES, department__isnull=False).order_by("pk"),
            note=gettext("Please handle this promptly."),
            actor=request.user,
        )
        if outcome.urged or not outcome.refused:
            messages.success(request, gettext("%(count)s departments' deadlines urged.") % {"count": outcome.urged})
        if outcome.refused:
            messages.warning(
                request,
                ngettext(
                    "%(count)s item was not urged: %(reasons)s",
                    "%(count)s items were not urged: %(reasons)s",
                    len(outcome.refused),
                )
                % {"count": len(outcome.refused), "reasons": outcome.refusals()},
            )

    def has_urge_permission(self, request):
        return request.user.has_perm("portal.urge_work")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            links = []
            if obj.is_open and request.user.has_perm("portal.extend_deadline") and obj.unit != Clock.Unit.HOURS:
                links.append((reverse("admin:portal_clock_extend", args=[obj.pk]), gettext("Extend")))
            if obj.is_open and obj.department_id and request.user.has_perm("portal.urge_work"):
                links.append((reverse("admin:portal_clock_urge", args=[obj.pk]), gettext("Urge")))
            context["clock_actions"] = links
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(SweepRun)
class SweepRunAdmin(DeclaredFiltersAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "overdue_count", "reminded_count")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(DeclaredFiltersAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "read_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "clock")
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm("portal.view_all_departments"):
            return queryset
        return queryset.filter(recipient=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(DeclaredFiltersAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "to", "template", "subject", "attempts", "sent_at", "failed_at")
    list_filter = ("template", ("sent_at", admin.EmptyFieldListFilter), ("failed_at", admin.EmptyFieldListFilter))
    search_fields = ("to",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.sent_at:
            return format_html("✔ {}", gettext("sent"))
        return gettext("given up") if obj.failed_at else gettext("pending")
