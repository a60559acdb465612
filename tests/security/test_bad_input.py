"""Hostile input against every public form (tests/security/forms.py) and every public page."""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Notice, User
from tests.factories import PASSWORD
from tests.security.forms import PUBLIC_FORMS, PublicForm
from tests.security.payloads import (
    HOSTILE_STRINGS,
    INVALID_UTF8_BODIES,
    MARKUP,
    assert_handled_safely,
    assert_no_raw_markup,
    assert_reflected_escaped,
    assert_rejected_cleanly,
    body,
    count_rows,
)
from tests.security.urlconf import public_parameterless_paths
from tests.security.world import World

pytestmark = pytest.mark.django_db

CASES = [
    pytest.param(form_name, target, payload_name, id=f"{form_name}-{target}-{payload_name}")
    for form_name, form in PUBLIC_FORMS.items()
    for target in form.fields
    for payload_name in HOSTILE_STRINGS
]


def form_client(world: World, form: PublicForm, **client_options) -> Client:
    client = Client(**client_options)
    if form.signed_in_as:
        client.force_login(world.user(form.signed_in_as))
    return client


def form_url(world: World, form_name: str, form: PublicForm) -> str:
    return reverse(form_name, kwargs=form.url_kwargs(world) if form.url_kwargs else None)


@pytest.mark.parametrize(("form_name", "target", "payload_name"), CASES)
def test_hostile_field_is_refused_or_stored_whole(world, form_name, target, payload_name):
    form = PUBLIC_FORMS[form_name]
    payload = HOSTILE_STRINGS[payload_name]
    data = form.valid(world)
    for key in form.fields[target]:
        data[key] = payload
    client = form_client(world, form)
    before = count_rows()

    response = client.post(form_url(world, form_name, form), data)

    accepted = assert_handled_safely(response, before, payload)
    if accepted and form.accepted:
        form.accepted(world, data)
    if not accepted and target in form.echoed and MARKUP.search(payload):
        assert_reflected_escaped(response, payload)


@pytest.mark.parametrize("form_name", PUBLIC_FORMS)
@pytest.mark.parametrize("body_name", INVALID_UTF8_BODIES)
def test_invalid_utf8_body_is_handled(world, form_name, body_name):
    form = PUBLIC_FORMS[form_name]
    data = form.valid(world)
    first_key = next(iter(form.fields.values()))[0]
    data[first_key] = "PLACEHOLDER"
    raw = urlencode(data).encode().replace(b"PLACEHOLDER", INVALID_UTF8_BODIES[body_name])
    client = form_client(world, form)
    before = count_rows()

    response = client.generic(
        "POST", form_url(world, form_name, form), raw, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code < 500
    if response.status_code not in (301, 302, 303):
        assert_rejected_cleanly(response, before)


# --- CSRF -----------------------------------------------------------------------------------------


def _csrf_cookie(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


@pytest.mark.parametrize("form_name", PUBLIC_FORMS)
def test_post_without_csrf_token_is_refused_clearly(world, form_name):
    form = PUBLIC_FORMS[form_name]
    client = form_client(world, form, enforce_csrf_checks=True)
    url = form_url(world, form_name, form)
    before = count_rows()
    response = client.post(url, form.valid(world))
    assert response.status_code == 403
    html = body(response)
    assert "页面已过期" in html and "The form has expired" in html
    assert_rejected_cleanly(response, before)


@pytest.mark.parametrize("form_name", PUBLIC_FORMS)
def test_post_with_a_wrong_csrf_token_is_refused(world, form_name):
    form = PUBLIC_FORMS[form_name]
    client = form_client(world, form, enforce_csrf_checks=True)
    url = form_url(world, form_name, form)
    _csrf_cookie(client, url)
    before = count_rows()
    response = client.post(url, {**form.valid(world), "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert_rejected_cleanly(response, before)


@pytest.mark.parametrize("form_name", PUBLIC_FORMS)
def test_post_with_the_right_csrf_token_is_accepted(world, form_name):
    """The control: the CSRF tests above fail for the token, not for the data."""
    form = PUBLIC_FORMS[form_name]
    client = form_client(world, form, enforce_csrf_checks=True)
    url = form_url(world, form_name, form)
    token = _csrf_cookie(client, url)
    response = client.post(url, {**form.valid(world), "csrfmiddlewaretoken": token})
    assert response.status_code == 302


# --- oversized requests ---------------------------------------------------------------------------


def test_too_many_fields_is_a_clear_400(world):
    data = {f"field{number}": "x" for number in range(1100)}
    before = count_rows()
    response = Client().post(reverse("register"), data)
    assert response.status_code == 400
    assert "请求无效" in body(response) and "Bad request" in body(response)
    assert_rejected_cleanly(response, before)


def test_oversized_body_is_a_clear_400(world):
    before = count_rows()
    response = Client().post(reverse("register"), {"username": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 400
    assert_rejected_cleanly(response, before)


# --- reflected and stored markup ------------------------------------------------------------------

SCRIPT = HOSTILE_STRINGS["script_tag"]
BREAKOUT = HOSTILE_STRINGS["attribute_breakout"]


@pytest.mark.parametrize("path", public_parameterless_paths())
def test_query_string_is_never_reflected_unescaped(world, path):
    query = urlencode({"next": BREAKOUT, "q": SCRIPT, "page": SCRIPT})
    for user in (None, world.owner):
        client = Client()
        if user:
            client.force_login(user)
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, path
        assert_no_raw_markup(response, SCRIPT)
        assert_no_raw_markup(response, BREAKOUT)


def test_not_found_path_is_not_reflected_unescaped(client):
    response = client.get("/" + SCRIPT + "/")
    assert response.status_code == 404
    assert_no_raw_markup(response, SCRIPT)


def test_stored_markup_in_names_is_escaped_in_the_admin(client, world):
    User.objects.filter(pk=world.owner.pk).update(first_name=SCRIPT, last_name=BREAKOUT)
    client.force_login(world.user("superuser"))
    for url in (
        reverse("admin:portal_user_changelist"),
        reverse("admin:portal_user_change", args=[world.owner.pk]),
        reverse("admin:portal_user_history", args=[world.owner.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_raw_markup(response, SCRIPT)
        assert_no_raw_markup(response, BREAKOUT)


def test_stored_markup_in_notices_is_escaped(client, world):
    Notice.objects.create(recipient=world.staff, kind="clock_overdue", context={"reference": BREAKOUT, "title": SCRIPT})
    client.force_login(world.staff)
    for url in (reverse("notice_list"), reverse("home"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_raw_markup(response, SCRIPT)
        assert_no_raw_markup(response, BREAKOUT)


# --- open redirects -------------------------------------------------------------------------------

FOREIGN = ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com", "javascript:alert(1)"]


@pytest.mark.parametrize("target", FOREIGN)
def test_login_never_redirects_off_site(client, world, target):
    response = client.post(reverse("login"), {"username": world.owner.username, "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert urlparse(response["Location"]).netloc == ""
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("target", FOREIGN)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert urlparse(response["Location"]).netloc == ""
    assert not response["Location"].startswith(("//", "/\\", "javascript:"))


# --- the upload payloads (used by the forms with files) ---------------------------------------------


def test_upload_payloads_are_what_they_claim():
    import io

    import filetype
    from PIL import Image

    from tests.security.payloads import executable_as_pdf, oversized, tiny_pdf, tiny_png, traversal_png

    Image.open(io.BytesIO(tiny_png())).verify()
    assert filetype.guess_mime(tiny_pdf()) == "application/pdf"
    elf, mz = executable_as_pdf(), executable_as_pdf(windows=True)
    assert elf.name.endswith(".pdf") and elf.content_type == "application/pdf"
    assert filetype.guess_mime(elf.read()) == "application/x-executable"
    assert filetype.guess_mime(mz.read()) == "application/x-msdownload"
    assert traversal_png().name == "passwd.png"  # Django's UploadedFile already drops the directories
    assert oversized(1000).size == 1001


def test_a_raw_multipart_body_keeps_a_hostile_file_name(rf):
    from tests.security.payloads import multipart_body, tiny_png

    body, content_type = multipart_body({"title": "x"}, {"file": ("../../etc/passwd.png", tiny_png(), "image/png")})
    assert b'filename="../../etc/passwd.png"' in body
    request = rf.generic("POST", "/", body, content_type=content_type)
    assert request.POST["title"] == "x"
    assert request.FILES["file"].name == "passwd.png"  # what Django's parser makes of it
