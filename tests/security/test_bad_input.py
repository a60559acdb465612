"""Hostile input against every public form (tests/security/forms.py) and every public page."""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlparse

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.models import Notice, User
from tests.factories import PASSWORD
from tests.security.access import ADMIN_MODELS, URLS
from tests.security.forms import PUBLIC_FORMS, PublicForm
from tests.security.parameters import (
    ADMIN_OTHER_PARAMETERS,
    COMMON_PARAMETERS,
    admin_list_parameters,
    get_views,
    recording_query_reads,
)
from tests.security.payloads import (
    HOSTILE_PARAMETER_VALUES,
    HOSTILE_STRINGS,
    INVALID_UTF8_BODIES,
    MARKUP,
    UPLOAD_PAYLOADS,
    assert_handled_safely,
    assert_no_raw_markup,
    assert_reflected_escaped,
    assert_rejected_cleanly,
    body,
    count_rows,
)
from tests.security.urlconf import admin_models, admin_page_name, public_parameterless_paths
from tests.security.world import SUPERUSER, World

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


def _csrf_cookie(client: Client, url: str, world: World | None = None, form: PublicForm | None = None) -> str:
    """The CSRF token a browser has after opening the form's page (`url`, or the page showing a
    form whose address takes only POSTs)."""
    client.get(form.shown_on(world) if form is not None and form.shown_on else url)
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
    _csrf_cookie(client, url, world, form)
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
    token = _csrf_cookie(client, url, world, form)
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


# --- hostile query parameters: every GET view, every parameter it reads ------------------------------

NUL_VALUES = {"nul", "utf16_bytes"}  # what portal.middleware.RejectNulMiddleware answers with a 400
MARKUP_PAYLOAD = '"><script>alert(1)</script>'


def _fetch(client: Client, url: str):
    """The response, its streamed body read too (an export fails only while it streams)."""
    response = client.get(url)
    if response.streaming:
        response.content_read = b"".join(response.streaming_content)
    return response


def _assert_parameters_handled(client: Client, path: str, read: set[str], together=()) -> None:
    """Each parameter `path` reads alone, then the common ones and `together` all at once, with
    each hostile value: never a server error; NUL is a 400; markup never comes back unescaped."""
    failures = []
    separator = "&" if "?" in path else "?"
    for value_name, value in HOSTILE_PARAMETER_VALUES.items():
        queries = [f"{quote(name)}={value}" for name in sorted(read)]
        queries.append("&".join(f"{quote(name)}={value}" for name in sorted({*COMMON_PARAMETERS, *together})))
        for query in queries:
            try:
                response = _fetch(client, path + separator + query)
            except Exception as error:
                failures.append(f"{query[:60]}… ({value_name}): {error!r}")
                continue
            if response.status_code >= 500 or (value_name in NUL_VALUES and response.status_code != 400):
                failures.append(f"{query[:60]}… ({value_name}): {response.status_code}")
            elif not response.streaming and MARKUP_PAYLOAD in body(response):
                failures.append(f"{query[:60]}… ({value_name}): markup reflected unescaped")
    assert not failures, f"{path}: " + "; ".join(failures[:20])


def _signed_in(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if world.user(role):
        client.force_login(world.user(role))
    return client


@pytest.mark.parametrize(("url_name", "role"), get_views())
def test_hostile_query_parameters_never_cause_a_server_error(world, url_name, role):
    access = URLS[url_name]
    path = reverse(url_name, kwargs=access.kwargs(world) if access.kwargs else None)
    client = _signed_in(world, role)
    with recording_query_reads() as read:
        assert _fetch(client, f"{path}?_probe=1").status_code < 500
    _assert_parameters_handled(client, path, read - {"_probe"})


ADMIN_PAGES = ("changelist", "add", "change", "history")


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("label", sorted(ADMIN_MODELS))
def test_hostile_admin_parameters_never_cause_a_server_error(world, label, page):
    """The admin's pages, as the superuser: each list's filters, search, ordering and date
    hierarchy; the add page's initial values (one per field); the change and history pages."""
    model, model_admin = admin_models()[label]
    client = _signed_in(world, SUPERUSER)
    request = RequestFactory().get("/")
    request.user = world.user(SUPERUSER)
    obj = ADMIN_MODELS[label].obj(world) if page in ("change", "history") else None
    path = reverse(admin_page_name(label, page), args=[obj.pk] if obj is not None else None)
    if page == "changelist":
        _assert_parameters_handled(client, path, admin_list_parameters(model_admin, request), ADMIN_OTHER_PARAMETERS)
    elif page == "add":  # every field's initial value, all together
        _assert_parameters_handled(client, path, set(), {f.name for f in model._meta.get_fields() if f.concrete})
    else:
        _assert_parameters_handled(client, path, set(), ADMIN_OTHER_PARAMETERS)


def test_nul_anywhere_in_the_address_is_a_400(client):
    for url in ("/stats/%00/", "/%00", "/stats/?q=%00", "/stats/?%00=1", "/admin/?q=a%00b"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "请求无效" in body(response) and "Bad request" in body(response)


# --- hostile uploads ------------------------------------------------------------------------------------


UPLOAD_CASES = [
    pytest.param(form_name, file_field, payload_name, id=f"{form_name}-{file_field}-{payload_name}")
    for form_name, form in PUBLIC_FORMS.items()
    for file_field in form.files
    for payload_name in UPLOAD_PAYLOADS
]


@pytest.mark.parametrize(("form_name", "file_field", "payload_name"), UPLOAD_CASES)
def test_hostile_upload_is_refused_or_stored_safely(world, settings, tmp_path, form_name, file_field, payload_name):
    settings.MEDIA_ROOT = tmp_path
    form = PUBLIC_FORMS[form_name]
    client = form_client(world, form)
    before = count_rows()

    response = client.post(
        form_url(world, form_name, form), {**form.valid(world), file_field: UPLOAD_PAYLOADS[payload_name]()}
    )

    accepted = assert_handled_safely(response, before, "")
    if payload_name == "pixel_bomb_png":
        assert not accepted
        assert "声明的像素数超过任何照片或扫描件" in body(response)


# --- bodies that cannot be read, and POSTed ids -----------------------------------------------------


@pytest.mark.parametrize("form_name", PUBLIC_FORMS)
@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "x-unknown"])
def test_a_form_body_in_another_charset_is_a_clear_400(world, form_name, charset):
    """Django refuses a form body declared in anything but UTF-8 (BadRequest); the 400 page must
    not read the body again (Django's own one checks the CSRF token, and that read raised a 500)."""
    form = PUBLIC_FORMS[form_name]
    client = form_client(world, form, enforce_csrf_checks=True)
    url = form_url(world, form_name, form)
    token = _csrf_cookie(client, url, world, form)
    before = count_rows()
    data = {**form.valid(world), "csrfmiddlewaretoken": token}
    encoded = urlencode(data).encode("utf-16" if charset == "x-unknown" else charset)

    response = client.generic(
        "POST", url, encoded, content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )

    assert response.status_code in (400, 403)
    assert "请求无效" in body(response) or "页面已过期" in body(response)
    assert_rejected_cleanly(response, before)


@pytest.mark.parametrize("value", ["9" * 10_000, "9" * 20, "-1", "０", "²", "1\x00", ""])
def test_urging_hostile_ids_is_refused_clearly(world, value):
    client = Client()
    client.force_login(world.user("clerk"))
    before = count_rows()
    response = client.post(reverse("dashboard_urge"), {"clocks": [value, value], "query": "page=1\x00&sort=" + value})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard"))
    assert_rejected_cleanly(client.get(response["Location"]), before)
