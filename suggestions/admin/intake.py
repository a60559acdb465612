"""Offline intake in the admin:

* one suggestion from a letter in a suggestion box (意见箱), a field visit (实地走访) or a hotline
  call: the suggestion list's "record" page (RecordSuggestionAdminMixin, on SuggestionAdmin),
  through suggestions.services.intake.suggestion_record, then the new suggestion's page;

and in bulk (suggestions.services.offline):

* symposiums (座谈会): "add" is one page with the meeting and a formset of the suggestions raised at
  it, saved all or nothing; a recorded symposium is read-only, with its suggestions and minutes;
* social-media imports: "add" uploads an export (CSV or XLSX) and shows the rows as a preview, or
  refuses the file with every bad row's problem; the preview's page confirms it, which creates
  one pending suggestion per row (once, however often it is confirmed).

All need `suggestions.record_suggestion` (office clerks); anyone else gets 403 before anything
is read or rendered.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.admin_tools import ReadOnlyAdminMixin
from portal.exceptions import DomainError
from portal.forms import PortalForm
from portal.history_admin import HistoryAdmin
from portal.models import Department
from portal.scoping import NotDepartmentWorkAdminMixin
from portal.uploads import DOCUMENT_TYPES, accept_attribute, check_upload
from suggestions.intake_forms import RecordSuggestionForm, initial_from
from suggestions.models import Campaign, Category, SocialImport, Symposium
from suggestions.services import intake, offline

RECORD = offline.RECORD_PERMISSION


def _may_record(request) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(RECORD)


def _campaigns():
    """Campaigns that may have received suggestions (preparation begun)."""
    return Campaign.objects.filter(preparation_on__lte=timezone.localdate()).order_by("-collection_on", "-pk")


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs.setdefault("rows", 3)
            field.widget.attrs.setdefault("class", "vLargeTextField")
        elif isinstance(field.widget, forms.TextInput | forms.EmailInput | forms.URLInput):
            field.widget.attrs.setdefault("class", "vTextField")


# --- one suggestion: a letter, a field visit, a hotline call ----------------------------------------


class RecordSuggestionAdminMixin:
    """For the suggestion admin: the page that records one suggestion received offline, and the
    button to it on the suggestion list (shown to those who may record)."""

    def _record_url_name(self) -> str:
        return f"{self.admin_site.name}:suggestions_suggestion_record"

    def get_urls(self):
        return [
            path("record/", self.admin_site.admin_view(self.record_view), name="suggestions_suggestion_record"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if _may_record(request):
            extra_context = {**(extra_context or {}), "record_url": reverse(self._record_url_name())}
        return super().changelist_view(request, extra_context)

    def record_view(self, request):
        """The form, then one call to suggestion_record; "save" goes to the new suggestion's page,
        "save and record another" back to the form with the campaign, channel, date and place kept."""
        if not _may_record(request):
            raise PermissionDenied
        if request.method == "POST":
            form = RecordSuggestionForm(request.POST, request.FILES)
        else:
            form = RecordSuggestionForm(initial=initial_from(request.GET))
        _styled(form)
        if request.method == "POST" and form.is_valid():
            try:
                suggestion = intake.suggestion_record(actor=request.user, **form.service_arguments())
            except DomainError as error:
                form.add_error(None, error.message)
                form.ask_for_files_again()
            else:
                messages.success(
                    request,
                    gettext("Suggestion %(reference)s was recorded (%(channel)s); it awaits review.")
                    % {"reference": suggestion.reference, "channel": suggestion.get_channel_display()},
                )
                if "_addanother" in request.POST:
                    return redirect(f"{reverse(self._record_url_name())}?{urlencode(form.next_initial())}")
                return redirect(reverse(f"{self.admin_site.name}:suggestions_suggestion_change", args=[suggestion.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Record a suggestion received offline"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/suggestions/suggestion/record.html", context)


# --- symposiums ------------------------------------------------------------------------------------


class SymposiumForm(PortalForm):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=100)
    participants = forms.IntegerField(label=_("Participants"), min_value=1, max_value=100000)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments present"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.FileField(
        label=_("Minutes (会议纪要)"),
        required=False,
        help_text=_("A PDF, Word (DOCX) or Excel (XLSX) document, checked by its content; at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute(DOCUMENT_TYPES)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = _campaigns()
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("name")
        _styled(self)

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        return check_upload(upload, allowed=DOCUMENT_TYPES) if upload else None


class RaisedSuggestionForm(PortalForm):
    """One suggestion raised at the symposium (a row of the formset)."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    problem = forms.CharField(label=_("Problem description (问题描述)"), max_length=5000, widget=forms.Textarea)
    measures = forms.CharField(label=_("Proposed measures (建议措施)"), max_length=5000, widget=forms.Textarea)
    area = forms.CharField(label=_("Area"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Name of the participant"), max_length=50, required=False)
    contact_mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    contact_email = forms.EmailField(label=_("E-mail address"), required=False)
    publish_consent = forms.BooleanField(label=_("The participant agreed to publish it"), required=False)
    name_consent = forms.BooleanField(label=_("…and to show their name with it"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("order", "name")
        _styled(self)


RaisedSuggestionFormSet = forms.formset_factory(
    RaisedSuggestionForm, extra=3, min_num=1, validate_min=True, max_num=100, validate_max=True
)


@admin.register(Symposium)
class SymposiumAdmin(NotDepartmentWorkAdminMixin, DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, HistoryAdmin):
    """Symposiums as recorded: read-only (their suggestions are moderated like any other); the
    "add" page records a new one with its suggestions."""

    not_department_work_because = "Its departments are those present at the meeting; symposiums are the office records."

    list_display = ("held_on", "place", "campaign", "participants", "suggestion_count")
    list_filter = ("campaign",)
    list_select_related = ("campaign",)
    date_hierarchy = "held_on"
    ordering = ("-held_on", "-id")
    fields = (
        "campaign",
        "held_on",
        "place",
        "participants",
        "department_names",
        "minutes_link",
        "raised",
        "recorded_by",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(raised_count=Count("suggestions"))

    @admin.display(description=_("suggestions"), ordering="raised_count")
    def suggestion_count(self, obj):
        return obj.raised_count

    @admin.display(description=_("departments present"))
    def department_names(self, obj):
        return "、".join(department.name for department in obj.departments.order_by("name")) or "—"

    @admin.display(description=_("minutes"))
    def minutes_link(self, obj):
        if not obj.minutes:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:suggestions_symposium_minutes", args=[obj.pk]), gettext("Download")
        )

    @admin.display(description=_("suggestions raised"))
    def raised(self, obj):
        suggestions = obj.suggestions.order_by("pk").only("pk", "reference", "title", "state")
        return (
            format_html_join(
                "",
                '<div><a href="{}">{}</a> {} ({})</div>',
                (
                    (
                        reverse("admin:suggestions_suggestion_change", args=[s.pk]),
                        s.reference,
                        s.title,
                        s.get_state_display(),
                    )
                    for s in suggestions
                ),
            )
            or "—"
        )

    def has_add_permission(self, request, obj=None):
        return _may_record(request)

    def has_view_permission(self, request, obj=None):
        return _may_record(request) or super().has_view_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/minutes/",
                self.admin_site.admin_view(self.minutes_view),
                name="suggestions_symposium_minutes",
            ),
            *super().get_urls(),
        ]

    def minutes_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        symposium = self.get_object(request, object_id)
        if symposium is None or not symposium.minutes:
            raise Http404
        try:
            handle = symposium.minutes.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        extension = symposium.minutes.name.rsplit(".", 1)[-1] if "." in symposium.minutes.name else "pdf"
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"minutes-{symposium.held_on:%Y%m%d}-{symposium.pk}.{extension}",
            content_type=symposium.minutes_content_type or "application/octet-stream",
        )

    def add_view(self, request, form_url="", extra_context=None):
        """The meeting and its suggestions in one form, saved in one transaction."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SymposiumForm(request.POST or None, request.FILES or None)
        formset = RaisedSuggestionFormSet(request.POST or None, prefix="raised")
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            raised = [
                offline.RaisedSuggestion(**{key: row[key] for key in RaisedSuggestionForm.base_fields})
                for row in formset.cleaned_data
                if row
            ]
            try:
                symposium = offline.symposium_record(
                    actor=request.user,
                    campaign=data["campaign"],
                    held_on=data["held_on"],
                    place=data["place"],
                    participants=data["participants"],
                    departments=list(data["departments"]),
                    minutes=data["minutes"],
                    suggestions=raised,
                )
            except offline.SuggestionRowError as error:
                filled = [row_form for row_form in formset.forms if row_form.cleaned_data]
                filled[error.row].add_error(None, error.message)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    gettext("The symposium and its %(count)s suggestions were recorded; they await review.")
                    % {"count": len(raised)},
                )
                return redirect(reverse("admin:suggestions_symposium_change", args=[symposium.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Record a symposium (座谈会)"),
            "form": form,
            "formset": formset,
            "has_errors": bool(form.errors or formset.total_error_count()),
            "media": self.media + form.media + formset.media,
        }
        return TemplateResponse(request, "admin/suggestions/symposium/record.html", context)


# --- social-media imports --------------------------------------------------------------------------


class SocialImportForm(PortalForm):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    default_category = forms.ModelChoiceField(
        label=_("Default category"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("For rows whose category column is empty (or a file without one)."),
    )
    file = forms.FileField(
        label=_("Export file (CSV or XLSX)"),
        help_text=_(
            "One comment a row, with a header row naming the columns: platform (平台), link (链接), author (昵称), "
            "text (内容), date (日期), and optionally category (分类: a category's name or code). At most 2,000 "
            "rows and 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = _campaigns()
        self.fields["default_category"].queryset = Category.objects.filter(is_active=True).order_by("order", "name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > offline.MAX_IMPORT_BYTES:
            raise ValidationError(gettext("The file is larger than 5 MB; split it into smaller files."))
        return upload


@admin.register(SocialImport)
class SocialImportAdmin(DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, HistoryAdmin):
    list_display = ("file_name", "campaign", "state", "row_count", "created_by", "created_at", "saved_at")
    list_filter = ("state", "campaign")
    list_select_related = ("campaign", "created_by")
    ordering = ("-created_at", "-id")
    fields = ("campaign", "file_name", "state", "created_by", "created_at", "saved_at")
    readonly_fields = fields
    change_form_template = "admin/suggestions/socialimport/change_form.html"

    @admin.display(description=_("rows"))
    def row_count(self, obj):
        return len(obj.rows)

    def has_add_permission(self, request, obj=None):
        return _may_record(request)

    def has_view_permission(self, request, obj=None):
        return _may_record(request) or super().has_view_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/confirm/",
                self.admin_site.admin_view(require_POST(self.confirm_view)),
                name="suggestions_socialimport_confirm",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Upload: a good file becomes a preview; a bad one is refused with its rows' problems."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SocialImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                social_import = offline.social_import_preview(
                    actor=request.user,
                    campaign=data["campaign"],
                    file_name=data["file"].name,
                    content=data["file"].read(),
                    default_category=data["default_category"],
                )
            except offline.ImportRefused as error:
                form.add_error(None, error.message)
                problems = error.problems
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.info(
                    request,
                    gettext("Check the %(count)s comments below, then save them as suggestions.")
                    % {"count": len(social_import.rows)},
                )
                return redirect(reverse("admin:suggestions_socialimport_change", args=[social_import.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import social-media comments (微博、微信公众号)"),
            "form": form,
            "problems": problems,
            "media": self.media + form.media,
            "columns": [(key, aliases) for key, aliases in offline.COLUMNS.items()],
        }
        return TemplateResponse(request, "admin/suggestions/socialimport/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        social_import = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if social_import is not None:
            categories = {
                category.pk: category
                for category in Category.objects.filter(pk__in={row["category_id"] for row in social_import.rows})
            }
            extra_context["import_rows"] = [
                row | {"category": categories.get(row["category_id"])} for row in social_import.rows
            ]
            extra_context["may_confirm"] = social_import.state == SocialImport.State.PREVIEW and _may_record(request)
            extra_context["confirm_url"] = reverse("admin:suggestions_socialimport_confirm", args=[social_import.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def confirm_view(self, request, object_id):
        if not _may_record(request):
            raise PermissionDenied
        social_import = self.get_object(request, object_id)
        if social_import is None:
            raise Http404
        change_url = reverse("admin:suggestions_socialimport_change", args=[social_import.pk])
        try:
            _saved, created = offline.social_import_confirm(social_import=social_import, actor=request.user)
        except offline.ImportRefused as error:
            messages.error(request, error.message)
            for problem in error.problems:
                messages.error(request, str(problem))
            return redirect(change_url)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(change_url)
        if created:
            messages.success(
                request,
                gettext("%(count)s suggestions were saved from the import; they await review.") % {"count": created},
            )
        else:
            messages.info(request, gettext("This import was already saved; nothing more was created."))
        return redirect(change_url)
