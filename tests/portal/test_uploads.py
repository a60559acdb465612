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


# --- staff documents: PDF, Word and Excel ------------------------------------------------------


def office_bytes(main_part: str, *, content_types: bool = True) -> bytes:
    """A minimal Office Open XML archive: the content types and the format's main part."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(main_part, '<?xml version="1.0"?><root/>')
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "分析报告"
    workbook.save(buffer)
    return buffer.getvalue()


def test_staff_documents_may_be_pdf_word_or_excel_by_content():
    from portal.uploads import DOCUMENT_TYPES, DOCX, XLSX, extension_for

    checked = [
        check_upload(SimpleUploadedFile("报告.bin", office_bytes("word/document.xml")), allowed=DOCUMENT_TYPES),
        check_upload(SimpleUploadedFile("报告.docx", xlsx_bytes()), allowed=DOCUMENT_TYPES),
        check_upload(SimpleUploadedFile("报告", PDF), allowed=DOCUMENT_TYPES),
    ]
    assert [upload.content_type for upload in checked] == [DOCX, XLSX, "application/pdf"]
    assert [extension_for(upload.content_type) for upload in checked] == [".docx", ".xlsx", ".pdf"]


@pytest.mark.parametrize(
    "content",
    [
        office_bytes("word/document.xml", content_types=False),  # a ZIP, not an Office file
        office_bytes("ppt/presentation.xml"),  # PowerPoint is not accepted
        b"PK\x03\x04" + b"\x00" * 100,  # a broken archive
        png_bytes(),  # an image is a citizen's attachment, not a document
    ],
    # Named ids: the archives hold the time they were built, and xdist's workers must collect
    # the same test names.
    ids=["zip-not-office", "powerpoint", "broken-archive", "png"],
)
def test_other_archives_and_images_are_not_staff_documents(content):
    from portal.uploads import DOCUMENT_TYPES

    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("报告.docx", content), allowed=DOCUMENT_TYPES)
    assert refused.value.code == "bad_type"
    assert "DOCX" in refused.value.messages[0]


def test_citizens_attachments_are_still_only_pdfs_and_images():
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("报告.docx", office_bytes("word/document.xml")))
