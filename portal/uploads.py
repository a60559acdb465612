"""Checking uploads by their content, not their name (one mechanism for every app).

A file is accepted only if its content says it is of a kind the caller allows, and it is within
the size limit. Citizens' attachments (ALLOWED_TYPES, the default) are PDFs and JPEG/PNG/GIF
images, whose first bytes say so and whose images also decode with Pillow. Staff documents
(DOCUMENT_TYPES: an analysis report, a symposium's minutes) may also be Word (DOCX) and Excel
(XLSX) files: a ZIP archive whose directory holds the parts of that format (read from the
directory alone, nothing is decompressed). The uploaded name is kept for display only (stripped of
any path); files are stored under random names by the models that keep them, with the extension
of the checked type (`extension_for`).
"""

from __future__ import annotations

import functools
import zipfile
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PureWindowsPath

import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Citizens' attachments, and the default of every check.
ALLOWED_TYPES = {PDF, "image/jpeg", "image/png", "image/gif"}
# Documents staff attach (reports, minutes): PDF, Word and Excel.
DOCUMENT_TYPES = {PDF, DOCX, XLSX}
# The extension a stored file gets from its checked type (never from the uploaded name).
EXTENSIONS = {PDF: ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", DOCX: ".docx", XLSX: ".xlsx"}
# What the browser's file picker offers for a set of types.
ACCEPT = EXTENSIONS | {"image/jpeg": ".jpg,.jpeg"}
# An Office Open XML file is a ZIP archive with these parts (ECMA-376 Part 2): the content types,
# and the main part of its format.
_OFFICE_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
_ZIP_SIGNATURE = b"PK\x03\x04"
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    name: str
    content_type: str
    size: int


def display_name(name: str) -> str:
    """The file's own name without any directories (`..\\..\\x.pdf`, `../x.pdf` → `x.pdf`), at most 200 characters."""
    base = PureWindowsPath(name or "").name.replace("/", "").strip() or _("attachment")
    cleaned = "".join(ch for ch in base if ch.isprintable())
    return cleaned[-200:] or _("attachment")


def public_file_name(*, number: int, extension: str) -> str:
    """The name a file goes by wherever the public sees it (the page's list and the download's
    Content-Disposition): "附件1.pdf", the number being its place among the reply's files.

    A neutral name, not the uploaded one masked: staff name reply files after the citizen
    (关于王小民反映问题的答复意见.pdf) or after a neighbour or a company, which no pattern can know;
    nobody reviews a file name before publication (staff edit the public text, not file names);
    and a public page does not even hold the citizen's name to mask it with. What the file is,
    the reply around it says. Its owner and the staff still see the uploaded name."""
    return _("Attachment %(number)s") % {"number": number} + extension


def stored_file_response(
    file, *, content_type: str, filename: str, allowed=ALLOWED_TYPES, public: bool = False
) -> FileResponse:
    """A stored file (a FieldFile) as the response of a view that has decided who may have it:
    only the `allowed` (checked) types are served as themselves, anything else as octet-stream,
    never sniffed; images inline, everything else as a download named `filename`. `public`:
    shared caches may keep it for five minutes; otherwise no cache keeps it. A file gone from
    storage is a 404."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = content_type if content_type in allowed else "application/octet-stream"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        # FileResponse encodes non-ASCII names as RFC 5987 filename*.
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if public:
        patch_cache_control(response, public=True, max_age=300)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def attachment_response(attachment, *, public_name: str | None = None) -> FileResponse:
    """The download of an attachment (portal.abstract_models.AbstractAttachment). `public_name`
    given: the public's copy under that neutral name (`public_file_name`), which shared caches may
    keep; otherwise the owner's or the staff's, under the uploaded name, kept by no cache."""
    return stored_file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=public_name if public_name is not None else attachment.original_name,
        public=public_name is not None,
    )


def extension_for(content_type: str) -> str:
    """The extension a file of this checked type is stored and served under (".bin" if unknown)."""
    return EXTENSIONS.get(content_type, ".bin")


def accept_attribute(types=ALLOWED_TYPES) -> str:
    """The `accept` attribute of a file input taking `types`, e.g. ".pdf,.docx,.xlsx"."""
    return ",".join(ACCEPT[content_type] for content_type in sorted(types) if content_type in ACCEPT)


def _office_type(upload) -> str:
    """DOCX or XLSX if the ZIP archive `upload` holds that format's parts, else "": read from the
    archive's central directory only, so a crafted archive is never decompressed here."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return ""
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return ""
    found = {content_type for part, content_type in _OFFICE_MAIN_PARTS.items() if part in names}
    return found.pop() if len(found) == 1 else ""


def _refusal(name: str, allowed) -> ValidationError:
    if set(allowed) == ALLOWED_TYPES:
        message = _("“%(name)s” is not a PDF document or a JPEG, PNG or GIF image (checked by its content).")
    elif set(allowed) == DOCUMENT_TYPES:
        message = _("“%(name)s” is not a PDF, Word (DOCX) or Excel (XLSX) document (checked by its content).")
    else:
        message = _("“%(name)s” is not a kind of file accepted here (checked by its content).")
    return ValidationError(message % {"name": name}, code="bad_type")


def check_upload(upload, *, max_bytes: int = MAX_FILE_BYTES, allowed=ALLOWED_TYPES) -> CheckedUpload:
    """The upload, checked: its size, and its type by its content, one of `allowed`
    (ALLOWED_TYPES for citizens' attachments; DOCUMENT_TYPES for staff documents)."""
    name = display_name(upload.name)
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s; each file may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(_ZIP_SIGNATURE) and set(allowed) & set(_OFFICE_MAIN_PARTS.values()):
        content_type = _office_type(upload)
    else:
        kind = filetype.guess(head)
        content_type = kind.mime if kind else ""
    if content_type not in allowed:
        raise _refusal(name, allowed)
    if content_type.startswith("image/"):
        try:
            with Image.open(upload) as image:
                image.verify()
        except Image.DecompressionBombError:
            # A few bytes declaring billions of pixels: decoding it would exhaust the memory.
            raise ValidationError(
                _("“%(name)s” declares more pixels than any photo or scan has; it cannot be accepted.")
                % {"name": name},
                code="too_many_pixels",
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                _("“%(name)s” could not be read as an image; it may be damaged.") % {"name": name}, code="bad_image"
            ) from None
        finally:
            upload.seek(0)
    return CheckedUpload(file=upload, name=name, content_type=content_type, size=upload.size)


def check_uploads(uploads, *, max_files: int = MAX_FILES, allowed=ALLOWED_TYPES) -> list[CheckedUpload]:
    uploads = [u for u in uploads if u]
    if len(uploads) > max_files:
        raise ValidationError(
            _("Attach at most %(max)s files (you chose %(count)s).") % {"max": max_files, "count": len(uploads)},
            code="too_many",
        )
    errors, checked = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload, allowed=allowed))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return checked


# Files written by the service running now: deleted again if its transaction rolls back, so a
# refused or failed submission leaves no orphan file behind (Django has no on-rollback hook).
_stored_files: ContextVar[list | None] = ContextVar("stored_files", default=None)


def remember_stored_file(storage, name: str) -> None:
    stored = _stored_files.get()
    if stored is not None:
        stored.append((storage, name))


def discard_files_on_error(service):
    """Decorate a service (outside its `transaction.atomic`) that stores uploaded files."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        token = _stored_files.set([])
        try:
            return service(*args, **kwargs)
        except BaseException:
            for storage, name in _stored_files.get():
                storage.delete(name)
            raise
        finally:
            _stored_files.reset(token)

    return wrapper


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's "Uploading multiple files"): cleans to a list;
    `check_uploads` then checks them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.gif"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def attachments_store(attachment_model, files, *, actor, **links) -> list:
    """Store checked uploads as rows of `attachment_model` (a portal.abstract_models
    .AbstractAttachment) linked by `links` (e.g. petition=…, reply=…), inside the caller's
    transaction; the service is wrapped in `discard_files_on_error`, so a rollback leaves no file."""
    stored = []
    for upload in files:
        attachment = attachment_model(
            **links,
            original_name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=actor if actor and actor.is_authenticated else None,
        )
        attachment.file.save(upload.name, upload.file, save=False)
        remember_stored_file(attachment.file.storage, attachment.file.name)
        attachment._history_user = actor
        attachment.save()
        stored.append(attachment)
    return stored
