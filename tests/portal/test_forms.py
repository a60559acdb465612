"""Input cleaned once for every form (portal.forms.CleanTextMixin, portal.text.clean_text): control
characters never reach the database, multi-line text keeps its lines, passwords are left alone.
Guards: every form class of the project and every form the admin builds has the mixin."""

from __future__ import annotations

import importlib
import io
import pkgutil

import pytest
from django import forms
from django.contrib import admin
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from petitions.models import Category, Petition
from portal.forms import CleanTextMixin, PortalForm
from portal.text import clean_text
from tests.factories import citizen, clerk

PROJECT_PACKAGES = ("portal", "petitions", "suggestions", "disclosure")
NOT_IMPORTED = {"portal.wsgi", "portal.asgi"}


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("路灯\x0b不亮", False, "路灯不亮"),
        ("路灯\x00不亮", False, "路灯不亮"),
        ("a\x01\x07\x08\x1b[31mb\x7f\x85\x9f", False, "a[31mb"),
        ("a\ud800b\udfffc\ufffe\uffff", False, "abc"),
        ("第一行\r\n\t第二行\r第三行\n", True, "第一行\n\t第二行\n第三行\n"),
        ("路灯\r\n不亮\t了", False, "路灯 不亮 了"),
        ("😀𠀀 \u3000全角", False, "😀𠀀 \u3000全角"),
        ("\u202egnp.exe", False, "\u202egnp.exe"),  # format characters stay: they are text (Arabic, Hebrew)
    ],
)
def test_clean_text(value, multiline, expected):
    assert clean_text(value, multiline=multiline) == expected


class SampleForm(PortalForm):
    title = forms.CharField(max_length=10)
    body = forms.CharField(widget=forms.Textarea)
    secret = forms.CharField(widget=forms.PasswordInput, strip=False)
    tags = forms.MultipleChoiceField(choices=[("a", "a"), ("b", "b")], required=False)


@pytest.mark.parametrize("as_querydict", [True, False])
def test_a_bound_form_cleans_every_text_but_passwords(as_querydict):
    data = {"title": "路灯\x0b不亮\n了", "body": "一\r\n\t二\x00", "secret": "pa\x0bss", "tags": ["a\x00"]}
    if as_querydict:
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        data = query
    form = SampleForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "路灯不亮 了"
    assert form.cleaned_data["body"] == "一\n\t二"
    assert form.cleaned_data["secret"] == "pa\x0bss"
    assert form.cleaned_data["tags"] == ["a"]


def _project_modules():
    for package_name in PROJECT_PACKAGES:
        try:
            package = importlib.import_module(package_name)
        except ImportError:
            continue
        yield package
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if module.name not in NOT_IMPORTED and ".migrations" not in module.name:
                yield importlib.import_module(module.name)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_form_of_the_project_cleans_its_input():
    list(_project_modules())
    forms_of_project = {
        form for form in _subclasses(forms.BaseForm) if form.__module__.split(".")[0] in PROJECT_PACKAGES
    }
    assert len(forms_of_project) > 10
    missing = sorted(
        f"{form.__module__}.{form.__qualname__}" for form in forms_of_project if not issubclass(form, CleanTextMixin)
    )
    assert not missing, f"derive these from portal.forms.PortalForm / PortalModelForm: {missing}"


@pytest.mark.django_db
def test_every_admin_form_cleans_its_input():
    from tests.security.access import ADMIN_MODELS
    from tests.security.world import SUPERUSER, build_world

    world = build_world()
    request = RequestFactory().get("/admin/")
    request.user = world.user(SUPERUSER)
    missing = []
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if label not in ADMIN_MODELS:
            continue  # the access matrix fails for an undeclared model
        obj = ADMIN_MODELS[label].obj(world)
        built = []
        if model_admin.has_add_permission(request):
            built.append(("add form", model_admin.get_form(request, None, change=False)))
        if model_admin.has_change_permission(request, obj):
            built.append(("change form", model_admin.get_form(request, obj, change=True)))
            if (
                model_admin.get_list_editable(request)
                if hasattr(model_admin, "get_list_editable")
                else model_admin.list_editable
            ):
                built.append(("list form", model_admin.get_changelist_form(request)))
            built += [
                (f"inline {inline}", formset.form)
                for formset, inline in model_admin.get_formsets_with_inlines(request, obj)
            ]
        missing += [f"{label} {what}" for what, form in built if not issubclass(form, CleanTextMixin)]
    assert not missing, f"admin forms without portal.admin_input.AdminInputMixin (HistoryAdmin has it): {missing}"


@pytest.mark.django_db
def test_a_title_with_control_characters_is_stored_clean_and_exports(settings, tmp_path):
    """The case that broke the ledger: "路灯\\x0b不亮" stored, then every XLSX export a 500."""
    settings.MEDIA_ROOT = tmp_path
    owner = citizen("xiaoming", mobile="13800138000")
    category = Category.objects.create(name="城市管理")
    client = Client()
    client.force_login(owner)
    response = client.post(
        reverse("petitions:new"),
        {
            "kind": "complaint",
            "category": category.pk,
            "title": "路灯\x0b不亮",
            "content": "和平路路灯坏了。\r\n\t已经两周\x07。",
            "contact_name": "王\x1b小明",
            "contact_mobile": "13800138000",
        },
    )
    assert response.status_code == 302
    petition = Petition.objects.get(citizen=owner)
    assert (petition.title, petition.content, petition.contact_name) == (
        "路灯不亮",
        "和平路路灯坏了。\n\t已经两周。",
        "王小明",
    )

    client.force_login(clerk("office"))
    export = client.get(reverse("petitions:ledger_export", kwargs={"fmt": "xlsx"}))
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    assert "路灯不亮" in [cell.value for row in workbook.active.iter_rows() for cell in row]


@pytest.mark.django_db
def test_the_admin_stores_names_clean():
    from tests.security.world import SUPERUSER, build_world

    world = build_world()
    client = Client()
    client.force_login(world.user(SUPERUSER))
    response = client.post(
        reverse("admin:petitions_category_add"), {"name": "园林\x0b绿化\x00", "name_en": "City\x01", "order": "1"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Category.objects.filter(name="园林绿化", name_en="City").exists()
