"""Accounts in the admin: nobody raises their own or another's privileges.

Who may change what follows from the rank order of portal.roles (`ROLES`, lowest first):

* only a superuser grants superuser status, or changes a superuser's account at all (its page,
  its password form, its deletion); others may only look;
* anyone else with `portal.change_user` changes its own account's personal fields and the
  accounts of users ranked below it, never a peer's;
* roles, directly given permissions, the staff and active flags and department memberships of
  a user change only if the actor ranks above that user, never on one's own account, and only to
  roles and permissions ranked below the actor's own.

Enforced on the server for every method: a locked field is read-only on the page and a POST that
carries it anyway is refused (403); the choices of roles and permissions hold only what the actor
may give, so a crafted value is a form error; the membership inlines, on the user's page and on
the department's, refuse rows of users the actor does not rank above. Every change lands in the
history: the user's (simple-history, groups and permissions included, portal.models.User) and the
membership's.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from portal import roles
from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.history_admin import HistoryAdmin
from portal.models import Membership, User

# What makes up a user's privileges: changed only by those ranking above the user.
ROLE_FIELDS = ("is_active", "is_staff", "groups", "user_permissions")
PRIVILEGE_FIELDS = ("is_superuser", *ROLE_FIELDS)


class RoleGuardedMembershipFormSet(BaseInlineFormSet):
    """Membership rows added, changed or deleted only for users the actor ranks above."""

    actor = None  # set by the inline for each request

    def clean(self):
        super().clean()
        touched: set[int] = set()
        for form in self.forms:
            if not (form.has_changed() or self._should_delete_form(form)):
                continue
            if form.instance.pk:
                touched.update(Membership.objects.filter(pk=form.instance.pk).values_list("user_id", flat=True))
            user = (getattr(form, "cleaned_data", None) or {}).get("user")
            if user is not None:
                touched.add(user.pk)
        if not touched:
            return
        if self.actor is None or not all(
            roles.may_change_roles(self.actor, user) for user in User.objects.filter(pk__in=touched)
        ):
            raise ValidationError(_("You may change the department memberships only of users ranked below you."))


class RoleGuardedMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    formset = RoleGuardedMembershipFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # a new class on every call
        formset.actor = request.user
        return formset


class MembershipInline(RoleGuardedMembershipInline):
    """A user's departments, on the user's page: read-only unless the actor ranks above the user."""

    autocomplete_fields = ["department"]
    fk_name = "user"

    def _may_change(self, request, obj) -> bool:
        return obj is None or roles.may_change_roles(request.user, obj)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)


class DepartmentMembershipInline(RoleGuardedMembershipInline):
    """A department's members, on the department's page."""

    autocomplete_fields = ["user"]
    fk_name = "department"


class UserAdmin(DeclaredFiltersAdminMixin, HistoryAdmin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Portal"), {"fields": ("mobile", "language")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, (_("Portal"), {"fields": ("email", "mobile", "language")}))
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    inlines = [MembershipInline]

    # --- whose account -------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or roles.may_edit_user(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or roles.may_change_roles(request.user, obj)
        )

    def delete_queryset(self, request, queryset):
        """The list's "delete selected" action checks the permission without the objects."""
        if not all(roles.may_change_roles(request.user, user) for user in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    # --- which fields ---------------------------------------------------------------------------

    def locked_fields(self, request, obj=None) -> tuple[str, ...]:
        """The privilege fields `request.user` may not change on `obj`'s page."""
        if request.user.is_superuser:
            return ()
        if obj is not None and not roles.may_change_roles(request.user, obj):
            return PRIVILEGE_FIELDS
        return ("is_superuser",)

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly + tuple(name for name in self.locked_fields(request, obj) if name not in readonly)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A POST carrying a privilege field the page does not offer is refused, not ignored."""
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            editable = set(flatten_fieldsets(self.get_fieldsets(request, obj))) - set(
                self.get_readonly_fields(request, obj)
            )
            if any(name in request.POST for name in PRIVILEGE_FIELDS if name not in editable):
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Roles and permissions to choose from: only those ranked below the actor's own. A user
        the actor may change holds no others, so nothing it has is lost on saving."""
        if not request.user.is_superuser and db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=roles.grantable_roles(request.user))
            kwargs["error_messages"] = {
                "invalid_choice": _("You may give only roles ranked below your own; %(value)s is not one of them.")
            }
        if not request.user.is_superuser and db_field.name == "user_permissions":
            grantable = roles.grantable_permissions(request.user)
            kwargs["queryset"] = Permission.objects.filter(
                pk__in=[
                    permission.pk
                    for permission in Permission.objects.select_related("content_type")
                    if f"{permission.content_type.app_label}.{permission.codename}" in grantable
                ]
            )
            kwargs["error_messages"] = {
                "invalid_choice": _(
                    "You may give only permissions of roles ranked below your own; %(value)s is not one of them."
                )
            }
        return super().formfield_for_manytomany(db_field, request, **kwargs)
