"""Intake (我要问政), the one-time receipt, "my tickets", the citizen e-mails and the home page cards."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from petitions import services
from petitions.models import Attachment, Petition
from portal import notifications
from portal.models import Clock, OutboundEmail
from tests.factories import citizen, clerk
from tests.petitions.factories import (
    ELF_BYTES,
    CategoryFactory,
    PetitionFactory,
    pdf_upload,
    png_upload,
    replied,
    submitted,
)
from tests.portal.test_pages import assert_csp_clean

pytestmark = pytest.mark.django_db

NEW = reverse("petitions:new")
RECEIPT = reverse("petitions:receipt")
REFERENCE = re.compile(r"^WZ-\d{8}-\d{4}$")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def owner():
    return citizen("xiaoming", email="xiaoming@example.com", mobile="13800138000")


@pytest.fixture
def signed_in(client, owner):
    client.force_login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def form_data(**overrides):
    return {
        "kind": "complaint",
        "category": CategoryFactory(name="城市管理").pk,
        "title": "人民路路灯不亮",
        "content": "人民路与解放路交叉口的路灯坏了两周。",
        "location": "人民路",
        "contact_name": "王小明",
        "contact_mobile": "13800138000",
        "contact_email": "xiaoming@example.com",
        "publish_consent": "on",
    } | overrides


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_intake_needs_an_account(client, method):
    response = getattr(client, method)(NEW, form_data() if method == "post" else None)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Petition.objects.exists()


def test_intake_form_is_prefilled_labelled_and_csp_clean(signed_in, owner):
    response = signed_in.get(NEW)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'type="radio" class="form-check-input"\s+name="kind" value="consultation"', html)
    assert 'name="attachments"' in html and "multiple" in html
    assert 'value="xiaoming@example.com"' in html
    assert 'value="13800138000"' in html
    assert "部门回应" in html  # the consent says where it would be published
    assert_csp_clean(html)


# --- the happy path and the one-time receipt -------------------------------------------------


def test_submit_stores_the_ticket_and_shows_the_code_once(signed_in, owner):
    response = signed_in.post(NEW, form_data(attachments=[pdf_upload(), png_upload()]))
    assert response.status_code == 302
    assert response.url == RECEIPT

    petition = Petition.objects.get()
    assert REFERENCE.match(petition.reference)
    assert petition.citizen == owner
    assert petition.channel == Petition.Channel.ONLINE
    assert petition.publish_consent is True
    assert petition.contact_name == "王小明"
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    assert set(Clock.objects.for_subject(petition).values_list("kind", flat=True)) == {"acknowledge", "reply"}

    receipt = signed_in.get(RECEIPT)
    html = receipt.content.decode()
    code = re.search(r"data-receipt-code>([A-Z0-9]{8})<", html).group(1)
    assert services.query_code_matches(petition, code)
    assert petition.reference in html
    assert "shown only on this page" in html
    assert "Acknowledgement" in html and "Reply" in html  # the due dates of both clocks
    assert "data-print" in html
    assert receipt["Cache-Control"].startswith("max-age=0")
    assert_csp_clean(html)

    again = signed_in.get(RECEIPT)
    assert again.status_code == 302
    assert again.url == reverse("petitions:mine")
    assert code not in signed_in.get(reverse("petitions:track_detail", args=[petition.reference])).content.decode()


def test_receipt_email_has_reference_and_link_but_no_code(signed_in):
    signed_in.post(NEW, form_data())
    code = signed_in.session["petitions.receipt"]["code"]
    petition = Petition.objects.get()
    row = OutboundEmail.objects.get(template="emails/petition_receipt")
    assert row.to == "xiaoming@example.com"
    subject, body = notifications.render_email(row)
    assert petition.reference in subject
    assert petition.reference in body
    assert reverse("petitions:track_detail", args=[petition.reference]) in body
    assert code not in subject + body
    assert "\n" not in subject


def test_no_email_without_an_address(signed_in):
    signed_in.post(NEW, form_data(contact_email=""))
    assert Petition.objects.count() == 1
    assert not OutboundEmail.objects.filter(template="emails/petition_receipt").exists()


# --- refusals keep what was typed ------------------------------------------------------------


def test_validation_error_keeps_typed_values_and_asks_for_files_again(signed_in):
    response = signed_in.post(NEW, form_data(contact_mobile="12345", attachments=[pdf_upload()]))
    html = response.content.decode()
    assert response.status_code == 200
    assert not Petition.objects.exists()
    assert 'value="人民路路灯不亮"' in html
    assert "人民路与解放路交叉口的路灯坏了两周。" in html
    assert 'value="王小明"' in html
    assert re.search(r'value="complaint"[^>]*checked', html)
    assert 'role="alert"' in html
    assert 'href="#id_contact_mobile"' in html
    assert "choose your files again" in html
    assert_csp_clean(html)


def test_disguised_upload_is_rejected_and_nothing_stored(signed_in, settings):
    elf = SimpleUploadedFile("证明.pdf", ELF_BYTES, content_type="application/pdf")
    response = signed_in.post(NEW, form_data(attachments=[elf]))
    assert response.status_code == 200
    assert "not a PDF document" in response.content.decode()
    assert not Petition.objects.exists()
    assert not Attachment.objects.exists()


def test_six_files_are_rejected(signed_in):
    response = signed_in.post(NEW, form_data(attachments=[pdf_upload(f"{n}.pdf") for n in range(6)]))
    assert response.status_code == 200
    assert "Attach at most 5 files" in response.content.decode()
    assert not Petition.objects.exists()


def test_file_over_ten_megabytes_is_rejected(signed_in):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = signed_in.post(NEW, form_data(attachments=[big]))
    assert response.status_code == 200
    assert "each file may be at most" in response.content.decode()
    assert not Petition.objects.exists()


def test_domain_error_becomes_a_form_error(signed_in, monkeypatch):
    category = CategoryFactory(name="旧分类")
    data = form_data(category=category.pk)

    def refuse(**kwargs):
        from portal.exceptions import DomainError

        raise DomainError("This category is no longer in use; choose another.")

    monkeypatch.setattr(services, "petition_submit", refuse)
    response = signed_in.post(NEW, data)
    assert response.status_code == 200
    assert "This category is no longer in use" in response.content.decode()


def test_submitting_is_rate_limited(signed_in, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"petitions.submit": "2/h"}
    for _ in range(2):
        assert signed_in.post(NEW, form_data(title="")).status_code == 200
    response = signed_in.post(NEW, form_data())
    assert response.status_code == 429
    assert not Petition.objects.exists()
    assert signed_in.get(NEW).status_code == 200  # reading the form is not counted


# --- my tickets ------------------------------------------------------------------------------


def test_mine_lists_only_my_tickets_with_state_and_links(signed_in, owner):
    mine = PetitionFactory(citizen=owner, title="我的事项")
    PetitionFactory(title="别人的事项")
    html = signed_in.get(reverse("petitions:mine")).content.decode()
    assert "我的事项" in html
    assert "别人的事项" not in html
    assert reverse("petitions:track_detail", args=[mine.reference]) in html
    assert "Awaiting assignment" in html


def test_mine_paginates(signed_in, owner):
    PetitionFactory.create_batch(25, citizen=owner)
    html = signed_in.get(reverse("petitions:mine")).content.decode()
    assert 'href="?page=2"' in html
    assert signed_in.get(reverse("petitions:mine"), {"page": 2}).status_code == 200


def test_mine_reads_a_page_in_a_fixed_number_of_queries(signed_in, owner, django_assert_num_queries):
    PetitionFactory.create_batch(3, citizen=owner)
    signed_in.get(reverse("petitions:mine"))
    PetitionFactory.create_batch(20, citizen=owner)
    # The user, the unread notices, the count, the page (no text it does not show), the page's clocks.
    with django_assert_num_queries(5):
        response = signed_in.get(reverse("petitions:mine"))
    assert len(response.context["page"].object_list) == 20


def test_mine_needs_an_account(client):
    response = client.get(reverse("petitions:mine"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- citizen e-mails -------------------------------------------------------------------------


def test_accepted_and_replied_emails_render():
    petition, _code = submitted(contact_email="a@example.com")
    replied(petition)
    rows = {row.template: row for row in OutboundEmail.objects.filter(to="a@example.com")}
    subject, body = notifications.render_email(rows["emails/petition_accepted"])
    assert petition.reference in subject
    assert services.ACKNOWLEDGEMENT in body
    subject, body = notifications.render_email(rows["emails/petition_replied"])
    assert petition.reference in subject
    assert reverse("petitions:track_detail", args=[petition.reference]) in body
    assert "不满意" in body  # how to rate, and that 不满意 reopens it


def test_staff_notice_email_renders():
    clerk(email="clerk@example.gov.cn")
    petition, _code = submitted()
    row = OutboundEmail.objects.get(template="emails/petition_staff", to="clerk@example.gov.cn")
    subject, body = notifications.render_email(row)
    assert petition.reference in subject
    assert petition.reference in body
    assert reverse("admin:petitions_petition_change", args=[petition.pk]) in body
    assert "等待交办" in body  # says what happened: a new ticket to assign


# --- home page -------------------------------------------------------------------------------


def test_home_shows_the_petitions_card_and_the_tracking_link(client):
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'class="stretched-link" href="{reverse("petitions:index")}">网络问政</a>' in html
    assert "bi-chat-square-text" in html
    assert f'href="{reverse("petitions:track")}"' in html
