"""Hostile input and the assertions every public form must pass with it. Reusable by every app.

    from tests.security.payloads import HOSTILE_STRINGS, assert_rejected_cleanly, count_rows

A public form, given any of HOSTILE_STRINGS in any field, must either refuse it with a clear
error (the form again with an error summary, or a 4xx page) and store nothing at all, or accept
it and store it whole; never a server error, and never the payload's markup unescaped in a page.
Upload builders (`executable_as_pdf`, `traversal_png`, `html_as_png`, `oversized`, `multipart_body`)
are for the forms with files.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterable
from urllib.parse import quote

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

# name -> value; the names become test ids.
HOSTILE_STRINGS: dict[str, str] = {
    "empty": "",
    "whitespace_only": " \t\u3000\n ",  # \u3000: the ideographic (full-width) space of Chinese input methods
    "over_long": "长" * 10_000,
    "nul_byte": "abc\x00def",
    "control_characters": "abc\x01\x07\x08\x1b[31mdef\x7f",
    "crlf_header_injection": "abc\r\nSet-Cookie: injected=1",
    "bidi_override": "abc\u202egnp.exe",
    "zero_width": "\u200b\u200c\u200d\ufeff",
    "script_tag": '<script>alert("xss")</script>',
    "attribute_breakout": '"><img src=x onerror=alert(1)>',
    "svg_onload": "<svg/onload=alert(1)>",
    "javascript_url": "javascript:alert(document.cookie)",
    "template_syntax": "{{ request.user.password }}{% debug %}",
    "sql_quote": "' OR '1'='1' --",
    "sql_stacked": "1; DROP TABLE portal_user; --",
    "sql_comment": "admin'/*",
    "astral_unicode": "😀𠀀𪚥",
    "lone_surrogate_escape": "\\ud800",
    "path_traversal": "../../../../etc/passwd",
    "percent_encoded": "%00%ff%2e%2e%2f",
}

# Hostile values of query parameters, already percent-encoded as a client sends them (raw bytes
# included); name -> the value as it appears after "name=" in the address.
HOSTILE_PARAMETER_VALUES: dict[str, str] = {
    "nul": "1%00",
    "utf16_bytes": "%FF%FE2%000%002%006%00",  # "2026" in UTF-16, NULs and all
    "invalid_utf8": "%C0%AF%FF%FE%3D%D8",
    "ten_thousand_digits": "9" * 10_000,  # beyond int()'s 4,300-digit limit
    "beyond_bigint": "9" * 20,
    "minus_one": "-1",
    "year_9999": "9999",  # the year after it is 10000
    "month_9999_12": "9999-12",
    "month_0000_01": "0000-01",
    "date_9999_12_31": "9999-12-31",
    "very_long": quote("长" * 10_000),
    "control_characters": "%01%07%0B%1B%5B31m%7F%C2%85",
    "full_width_digits": quote("２０２６－１１"),
    "superscript_digits": quote("²³"),  # str.isdigit() says yes, int() says no
    "markup": quote('"><script>alert(1)</script>'),
}

# Markup whose unescaped appearance in a page means an injection worked.
MARKUP = re.compile(r"[<>]")

# Raw form bodies that are not valid UTF-8 (percent-encoded and literal).
INVALID_UTF8_BODIES: dict[str, bytes] = {
    "percent_encoded_invalid_utf8": b"%ff%fe%fd",
    "raw_invalid_utf8": b"\xff\xfe\xc3\x28",
    "overlong_encoding": b"%c0%af",
}


# --- database ----------------------------------------------------------------------------------

# Rows that a refused form may legitimately add: django-axes records failed logins, sessions come and go.
IGNORED_MODELS = {"axes.accessattempt", "axes.accessfailurelog", "axes.accesslog", "sessions.session"}


def count_rows(ignore: Iterable[str] = IGNORED_MODELS) -> dict[str, int]:
    """The row count of every table, to compare before and after a request."""
    ignored = set(ignore)
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.proxy or not model._meta.managed or label in ignored:
            continue
        counts[label] = model._default_manager.count()
    return counts


def changed_rows(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = count_rows(ignore=set())
    return {label: (count, after[label]) for label, count in before.items() if after.get(label) != count}


# --- responses ---------------------------------------------------------------------------------


def body(response) -> str:
    return response.content.decode("utf-8", errors="replace")


def assert_no_raw_markup(response, payload: str) -> None:
    """The payload's markup never reaches the page unescaped (reflected or stored)."""
    if not MARKUP.search(payload):
        return
    html = body(response)
    assert payload not in html, f"{payload!r} appears unescaped in the page"


def assert_reflected_escaped(response, payload: str) -> None:
    """The payload is shown back (so the citizen can correct it), escaped."""
    html = body(response)
    assert payload not in html or not MARKUP.search(payload), f"{payload!r} appears unescaped"
    assert escape(payload) in html, f"{payload!r} is not shown back escaped"


def is_form_error_page(response) -> bool:
    """A form shown again with its error summary (templates/includes/form_errors.html)."""
    html = body(response)
    return response.status_code == 200 and ('role="alert"' in html or "errorlist" in html)


def assert_rejected_cleanly(response, before: dict[str, int], payload: str | None = None) -> None:
    """Refused with a clear error (the form again with errors, or a 4xx), nothing stored, nothing injected."""
    assert response.status_code < 500, f"server error {response.status_code}"
    assert is_form_error_page(response) or 400 <= response.status_code < 500, (
        f"expected the form with an error or a 4xx, got {response.status_code}"
    )
    changed = changed_rows(before)
    assert not changed, f"a refused request stored something: {changed}"
    if payload is not None:
        assert_no_raw_markup(response, payload)


def assert_handled_safely(response, before: dict[str, int], payload: str) -> bool:
    """Either refused cleanly, or accepted (a redirect); never a server error or unescaped markup.

    Returns whether it was accepted, so the caller can check that what was stored is whole.
    """
    assert response.status_code < 500, f"server error {response.status_code}"
    assert_no_raw_markup(response, payload)
    if response.status_code in (301, 302, 303):
        return True
    assert_rejected_cleanly(response, before, payload)
    return False


# --- uploads -----------------------------------------------------------------------------------

ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8
MZ_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def tiny_png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def pixel_bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG of about 120 bytes whose header declares `width` × `height` pixels (2.5 billion by
    default): decoding it would take gigabytes, Pillow refuses it as a DecompressionBombError."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def tiny_pdf() -> bytes:
    """A minimal well-formed PDF (one empty page)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def executable_as_pdf(name: str = "申请材料.pdf", windows: bool = False) -> SimpleUploadedFile:
    """An executable (ELF, or Windows MZ) named and typed as a PDF: content sniffing must refuse it."""
    content = (MZ_HEADER if windows else ELF_HEADER) + b"\x00" * 512
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def traversal_png(name: str = "../../etc/passwd.png") -> SimpleUploadedFile:
    """A real PNG whose name tries to climb out of MEDIA_ROOT: it must be stored under a safe name.

    Django's UploadedFile keeps only the base name, so through the test client's `data=` the
    directories never leave; to send the name exactly as a hostile client would, post
    `multipart_body(...)` instead.
    """
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


def multipart_body(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body with file names exactly as given (`../../etc/passwd.png`).

    `files` maps a field to (filename, content, content type). Post it with
    `client.generic("POST", url, *multipart_body(...))`; add the CSRF token to `fields` if needed.
    """
    boundary = "----minsheng-security-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def html_as_png(name: str = "photo.png") -> SimpleUploadedFile:
    """HTML with a script, named as an image (served back, it must not run)."""
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="image/png")


def oversized(limit_bytes: int, name: str = "big.pdf") -> SimpleUploadedFile:
    """A PDF one byte over `limit_bytes` (a real PDF header, then padding)."""
    head = tiny_pdf()
    content = head + b"\x00" * (limit_bytes + 1 - len(head))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def pixel_bomb(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pixel_bomb_png(), content_type="image/png")


UPLOAD_PAYLOADS = {
    "elf_named_pdf": executable_as_pdf,
    "mz_named_pdf": lambda: executable_as_pdf(windows=True),
    "path_traversal_name": traversal_png,
    "html_named_png": html_as_png,
    "pixel_bomb_png": pixel_bomb,
}
