"""Department staff see and edit only their own departments' work in the admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal import clocks
from portal.models import Clock, Department
from portal.scoping import DepartmentScopedAdminMixin, is_scoped_admin
from tests.factories import DepartmentFactory, clerk, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    housing = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    education = DepartmentFactory(name="教育局", code="JYJ")
    subject = DepartmentFactory(name="主题", code="SUBJ")
    return {
        "housing_clock": clocks.clock_start(subject=subject, policy="petition.reply.ordinary", department=housing),
        "education_clock": clocks.clock_start(subject=subject, policy="petition.acknowledge", department=education),
        "staff_a": staff_of(housing, "staff_a"),
        "staff_b": staff_of(education, "staff_b"),
        "clerk": clerk("clerk"),
    }


def test_changelist_shows_only_own_departments(client, world):
    client.force_login(world["staff_a"])
    response = client.get(reverse("admin:portal_clock_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [world["housing_clock"]]


def test_clerk_sees_every_department(client, world):
    client.force_login(world["clerk"])
    response = client.get(reverse("admin:portal_clock_changelist"))
    assert set(response.context["cl"].result_list) == {world["housing_clock"], world["education_clock"]}


def test_own_detail_page_opens(client, world):
    client.force_login(world["staff_a"])
    response = client.get(reverse("admin:portal_clock_change", args=[world["housing_clock"].pk]))
    assert response.status_code == 200
    assert 'class="clock-explanation"' in response.content.decode()


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_guessing_another_departments_id_is_forbidden(client, world, view):
    client.force_login(world["staff_a"])
    response = client.get(reverse(f"admin:portal_clock_{view}", args=[world["education_clock"].pk]))
    assert response.status_code == 403


def test_guessing_a_missing_id_is_not_found_or_redirected(client, world):
    client.force_login(world["staff_a"])
    response = client.get(reverse("admin:portal_clock_change", args=[999999]))
    assert response.status_code in (302, 404)


def test_post_to_another_departments_object_changes_nothing(client, world):
    client.force_login(world["staff_a"])
    clock = world["education_clock"]
    response = client.post(reverse("admin:portal_clock_extend", args=[clock.pk]), {"days": 5, "reason": "x"})
    assert response.status_code == 403
    response = client.post(reverse("admin:portal_clock_urge", args=[clock.pk]), {"note": "x"})
    assert response.status_code == 403
    clock.refresh_from_db()
    assert clock.extension_days == 0 and clock.last_urged_at is None


@pytest.mark.urls("tests.scoping_urls")
def test_delete_is_scoped(client, world):
    """Deletion (allowed on the test site) works in scope and is forbidden outside it."""
    user = world["staff_a"]
    user.user_permissions.add(Permission.objects.get(codename="delete_clock"))
    client.force_login(user)
    own, other = world["housing_clock"], world["education_clock"]
    assert client.post(reverse("scoping:portal_clock_delete", args=[other.pk]), {"post": "yes"}).status_code == 403
    assert Clock.objects.filter(pk=other.pk).exists()
    response = client.post(reverse("scoping:portal_clock_delete", args=[own.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Clock.objects.filter(pk=own.pk).exists()


def test_clerk_can_extend_and_urge_through_the_admin(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world["clerk"])
    clock = world["education_clock"]  # an hour clock: not extendable
    response = client.post(reverse("admin:portal_clock_extend", args=[clock.pk]), {"days": 2, "reason": "x"})
    assert response.status_code == 200
    assert "A deadline counted in hours cannot be extended" in response.content.decode()
    clock = world["housing_clock"]
    response = client.post(reverse("admin:portal_clock_extend", args=[clock.pk]), {"days": 2, "reason": "需要调查"})
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.extension_days == 2


def test_every_admin_over_department_linked_records_is_scoped():
    """A domain ModelAdmin added later without the shared mixin fails here."""
    exempt = {"portal.Department", "portal.Membership", "portal.User"}  # administrators' own tables
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model.__name__}"
        links_department = any(
            getattr(field, "related_model", None) is Department for field in model._meta.get_fields()
        )
        if links_department and label not in exempt and not is_scoped_admin(model_admin):
            unscoped.append(label)
    assert unscoped == []
    assert issubclass(type(admin.site._registry[Clock]), DepartmentScopedAdminMixin)
