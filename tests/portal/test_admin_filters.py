"""Admin lists filter by what they declare and nothing else (portal/admin_filters.py), on every
ModelAdmin registered on the admin site: a column named in the address is no filter."""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from portal.admin_filters import DeclaredFiltersAdminMixin, check_admins_declare_their_filters
from portal.models import User
from tests.security.urlconf import admin_models, admin_page_name
from tests.security.world import SUPERUSER, build_world

ADMIN = admin_models()
LABELS = sorted(ADMIN)


@pytest.fixture
def superuser_client(db) -> Client:
    world = build_world()
    client = Client()
    client.force_login(world.user(SUPERUSER))
    return client


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = urlparse(response["Location"])
        return f"{response.status_code} to {location.path}?{location.query}"
    return str(response.status_code)


def test_every_registered_admin_declares_its_filters():
    assert check_admins_declare_their_filters() == []
    assert all(isinstance(model_admin, DeclaredFiltersAdminMixin) for _model, model_admin in ADMIN.values())


def test_the_system_check_names_an_admin_without_the_mixin(monkeypatch):
    monkeypatch.setitem(admin.site._registry, Group, admin.ModelAdmin(Group, admin.site))
    errors = check_admins_declare_their_filters()
    assert [error.id for error in errors] == ["portal.E001"]
    assert "auth.Group" in errors[0].msg


def undeclared_lookups(model) -> list[str]:
    """A lookup on every column of the model, none of which a list filter declares."""
    lookups = []
    for field in model._meta.concrete_fields:
        lookups.append(f"{field.attname}__startswith")
        if field.is_relation:
            lookups.append(f"{field.name}__{field.target_field.name}__startswith")
    return lookups


@pytest.mark.parametrize("label", LABELS)
def test_a_column_the_admin_does_not_declare_is_no_filter(superuser_client, label):
    """e.g. /admin/petitions/petition/?query_code_digest__startswith=a: the admin's "invalid
    filter" answer (a redirect with ?e=1), or 400 across a relation; never a filtered list."""
    model, _model_admin = ADMIN[label]
    url = reverse(admin_page_name(label, "changelist"))
    refused = {f"302 to {url}?e=1", "400"}
    wrong = []
    for lookup in undeclared_lookups(model):
        got = outcome(superuser_client.get(url, {lookup: "a"}))
        if got not in refused:
            wrong.append(f"?{lookup}=a: {got}")
    assert not wrong, f"{label} filters by undeclared columns:\n" + "\n".join(wrong)


def declared_queries(response, model_admin) -> list[str]:
    """Every query string the list itself offers or accepts: each choice of each declared filter,
    the date hierarchy, search (where declared), ordering, pages, show-all, facets and a popup."""
    changelist = response.context["cl"]
    queries = [choice["query_string"] for spec in changelist.filter_specs for choice in spec.choices(changelist)]
    if model_admin.date_hierarchy:
        queries.append(f"?{model_admin.date_hierarchy}__year=2026&{model_admin.date_hierarchy}__month=11")
    if model_admin.search_fields:
        queries.append("?q=1")
    queries += ["?o=1", "?p=1", "?all=", "?_facets=1", "?_popup=1&_to_field=id"]
    return queries


@pytest.mark.parametrize("label", LABELS)
def test_every_declared_filter_still_works(superuser_client, label):
    _model, model_admin = ADMIN[label]
    url = reverse(admin_page_name(label, "changelist"))
    response = superuser_client.get(url)
    assert response.status_code == 200
    wrong = []
    for query in declared_queries(response, model_admin):
        got = outcome(superuser_client.get(url + query))
        if got != "200":
            wrong.append(f"{query}: {got}")
    assert not wrong, f"{label} refuses its own filters:\n" + "\n".join(wrong)


def test_a_raw_id_popup_keeps_its_limit_choices_to(superuser_client, monkeypatch):
    """A raw-id widget's popup passes its foreign key's `limit_choices_to` as lookups (Django's
    ModelAdmin.lookup_allowed allows them); those values, and only those, are accepted."""
    monkeypatch.setattr(User._meta, "related_fkey_lookups", [{"email__endswith": "@example.gov.cn"}])
    url = reverse("admin:portal_user_changelist")
    popup = {"_popup": "1", "_to_field": "id"}
    allowed = superuser_client.get(f"{url}?{urlencode({**popup, 'email__endswith': '@example.gov.cn'})}")
    assert allowed.status_code == 200
    assert {user.email for user in allowed.context["cl"].result_list} == {"root@example.gov.cn"}
    other = superuser_client.get(f"{url}?{urlencode({**popup, 'email__endswith': '@example.com'})}")
    assert outcome(other) == f"302 to {url}?e=1"
