"""Who sees which suggestions on the staff side, on top of portal.scoping's department rule:

- reviewers (审核) and the office (clerks, administrators) see every suggestion, and the
  authors' contact details;
- department staff see the suggestions forwarded to their departments, without contacts;
- an invited expert (专家) sees the suggestions of the campaigns they are invited to, without
  contacts, and nothing else.

`SuggestionScopedAdminMixin` applies it to any admin whose rows belong to a suggestion (the
suggestion itself, its forwardings, measures, assessments), with portal's 403 for a row out of
scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portal.scoping import DepartmentScopedAdminMixin, sees_all_departments, user_department_ids
from suggestions.models import Campaign, Forwarding

# The author's private fields: shown only to those who see every suggestion.
CONTACT_FIELDS = ("citizen", "contact_name", "contact_mobile", "contact_email")


def sees_every_suggestion(user) -> bool:
    return bool(
        user and user.is_active and (sees_all_departments(user) or user.has_perm("suggestions.moderate_suggestion"))
    )


def sees_contacts(user) -> bool:
    """Whether `user` may read the authors' names and contact details (reviewers and the office)."""
    return sees_every_suggestion(user)


def expert_campaign_ids(user):
    """The campaigns `user` is invited to as an expert (a subquery)."""
    return Campaign.experts.through.objects.filter(user_id=user.pk).values("campaign_id")


def scope_suggestions(queryset: QuerySet, user, path: str = "") -> QuerySet:
    """`queryset` limited to what `user` may see; `path` leads from its model to the suggestion
    ("" for suggestions themselves, "suggestion" for forwardings). Semi-joins, never a join
    that repeats rows."""
    if sees_every_suggestion(user):
        return queryset
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    prefix = f"{path}__" if path else ""
    condition = Q(**{f"{prefix}campaign_id__in": expert_campaign_ids(user)})
    departments = user_department_ids(user)
    if departments:
        forwarded = Forwarding.objects.filter(department_id__in=departments).values("suggestion_id")
        condition |= Q(**{f"{prefix}pk__in": forwarded})
    return queryset.filter(condition)


class SuggestionScopedAdminMixin(DepartmentScopedAdminMixin):
    """portal's department scoping (403 out of scope, department choices limited) with the
    suggestions' rule of who sees what (`scope_suggestions`). `suggestion_path` leads from the
    admin's model to its suggestion ("" for suggestions)."""

    suggestion_path = ""

    def get_queryset(self, request):
        # Not portal's department paths: reviewers, experts and departments each see their own.
        queryset = super(DepartmentScopedAdminMixin, self).get_queryset(request)
        return scope_suggestions(queryset, request.user, self.suggestion_path)
