"""Upload checks by content (portal.uploads), and cleanup of files after a rollback."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.uploads import (
    MAX_FILE_BYTES,
    check_upload,
    check_uploads,
    discard_files_on_error,
    display_name,
    remember_stored_file,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_pdf_and_png_are_accepted_by_content_whatever_their_names():
    assert check_upload(SimpleUploadedFile("scan.bin", PDF)).content_type == "application/pdf"
    assert check_upload(SimpleUploadedFile("photo.pdf", png_bytes())).content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", ELF),
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("page.png", b"<script>alert(1)</script>"),
        ("empty.pdf", b""),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10),
    ],
)
def test_disguised_or_damaged_files_are_refused(name, content):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile(name, content))


def test_oversized_files_are_refused_before_reading():
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_FILE_BYTES)
    with pytest.raises(ValidationError) as error:
        check_upload(big)
    assert error.value.code == "too_large"


def test_at_most_five_files_and_every_error_is_reported():
    with pytest.raises(ValidationError) as error:
        check_uploads([SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)])
    assert error.value.code == "too_many"
    with pytest.raises(ValidationError) as error:
        check_uploads([SimpleUploadedFile("a.pdf", ELF), SimpleUploadedFile("b.pdf", ELF)])
    assert len(error.value.error_list) == 2


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("报告\x00.pdf", "报告.pdf"),
        ("", "attachment"),
    ],
)
def test_display_names_lose_directories_and_control_characters(name, shown, settings):
    settings.LANGUAGE_CODE = "en"
    assert display_name(name) == shown


def test_files_stored_by_a_failed_service_are_deleted(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path

    @discard_files_on_error
    def failing_service():
        name = default_storage.save("x/test.pdf", io.BytesIO(PDF))
        remember_stored_file(default_storage, name)
        raise RuntimeError("refused after storing")

    with pytest.raises(RuntimeError):
        failing_service()
    assert not list(tmp_path.rglob("*.pdf"))


def test_an_image_declaring_billions_of_pixels_is_refused_clearly():
    """120 bytes declaring 50,000 × 50,000 pixels: Pillow's DecompressionBombError was a 500."""
    from tests.security.payloads import pixel_bomb_png

    bomb = pixel_bomb_png()
    assert len(bomb) < 200
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("photo.png", bomb))
    assert refused.value.code == "too_many_pixels"
    assert "photo.png" in refused.value.messages[0]
