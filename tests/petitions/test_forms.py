"""The citizen-facing forms: intake (uploads checked by content), tracking, rating, public filters."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from petitions.forms import PetitionForm, PublicFilterForm, TrackForm
from portal.uploads import MAX_FILE_BYTES, CheckedUpload
from tests.factories import citizen
from tests.petitions.factories import ELF_BYTES, PDF_BYTES, CategoryFactory, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def data(**overrides):
    return {
        "kind": "complaint",
        "category": str(CategoryFactory().pk),
        "title": "人民路路灯不亮",
        "content": "路灯坏了两周。",
        "location": "人民路",
        "contact_name": "张三",
        "contact_mobile": "13800138000",
        "contact_email": "zhangsan@example.com",
        "publish_consent": "on",
    } | overrides


def form_with(files=(), **overrides) -> PetitionForm:
    return PetitionForm(data(**overrides), MultiValueDict({"attachments": list(files)}))


def test_valid_form_checks_files_by_content():
    form = form_with([pdf_upload(), png_upload()])
    assert form.is_valid(), form.errors
    checked = form.cleaned_data["attachments"]
    assert [type(c) for c in checked] == [CheckedUpload, CheckedUpload]
    assert [c.content_type for c in checked] == ["application/pdf", "image/png"]
    assert form.cleaned_data["publish_consent"] is True


def test_no_files_is_fine_and_consent_defaults_to_no():
    form = form_with(publish_consent="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachments"] == []
    assert form.cleaned_data["publish_consent"] is False


def test_disguised_executable_is_rejected():
    form = form_with([SimpleUploadedFile("报告.pdf", ELF_BYTES, content_type="application/pdf")])
    assert not form.is_valid()
    assert "not a PDF document" in " ".join(form.errors["attachments"])


def test_six_files_are_rejected():
    form = form_with([pdf_upload(f"{n}.pdf") for n in range(6)])
    assert not form.is_valid()
    assert "at most 5 files" in " ".join(form.errors["attachments"])


def test_file_over_ten_megabytes_is_rejected():
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * MAX_FILE_BYTES, content_type="application/pdf")
    form = form_with([big])
    assert not form.is_valid()
    assert "each file may be at most 10.0" in " ".join(form.errors["attachments"])


def test_files_must_be_chosen_again_when_another_field_fails():
    form = form_with([pdf_upload()], contact_mobile="12345")
    assert not form.is_valid()
    assert "11-digit mainland mobile number" in " ".join(form.errors["contact_mobile"])
    assert "choose your files again" in " ".join(form.errors["attachments"])


@pytest.mark.parametrize("field", ["kind", "category", "title", "content", "contact_name", "contact_mobile"])
def test_required_fields(field):
    form = form_with(**{field: ""})
    assert not form.is_valid()
    assert field in form.errors


def test_inactive_category_cannot_be_chosen():
    form = form_with(category=str(CategoryFactory(is_active=False).pk))
    assert not form.is_valid()
    assert "no longer in use" in " ".join(form.errors["category"])


def test_contact_fields_start_from_the_account():
    user = citizen(first_name="三", last_name="张", mobile="13900139000", email="z@example.com")
    initial = PetitionForm(user=user).initial
    assert initial["contact_mobile"] == "13900139000"
    assert initial["contact_email"] == "z@example.com"
    assert initial["contact_name"] == user.get_full_name()


def test_chinese_error_messages_by_default():
    with translation.override("zh-hans"):
        form = form_with(contact_email="not-an-address")
        assert not form.is_valid()
        assert "有效的 Email 地址" in " ".join(form.errors["contact_email"])  # Django's own translation


def test_track_form_normalises_case_and_spaces():
    form = TrackForm({"reference": " wz-20261120-0001 ", "query_code": " abcd2345"})
    assert form.is_valid()
    assert form.cleaned_data == {"reference": "WZ-20261120-0001", "query_code": "ABCD2345"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-11", date(2026, 11, 1)), ("", None), ("2026-13", "error"), ("11/2026", "error"), ("1999-01", "error")],
)
def test_public_filter_month(value, expected):
    form = PublicFilterForm({"month": value})
    if expected == "error":
        assert not form.is_valid()
        assert "YYYY-MM" in " ".join(form.errors["month"])
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["month"] == expected


def test_public_filter_rejects_unknown_choices():
    form = PublicFilterForm({"department": "999999", "kind": "nonsense", "category": "abc"})
    assert not form.is_valid()
    assert set(form.errors) == {"department", "kind", "category"}
