"""factory_boy factories and workflow helpers for petition tests.

`PetitionFactory` writes a row directly (fast; any state): its query code is QUERY_CODE. The
helpers below it move a ticket through the real services, clocks and events included, for tests
whose subject is the flow.
"""

from __future__ import annotations

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from petitions import services
from petitions.models import Attachment, Category, Petition, PetitionEvent, Reply
from portal.masking import mask_personal_data
from portal.search import segment
from portal.uploads import check_uploads
from tests.factories import DepartmentFactory, UserFactory, citizen, clerk, staff_of

QUERY_CODE = "ABCD2345"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"分类{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class PetitionFactory(factory.django.DjangoModelFactory):
    """A ticket row. `department=` sets the lead department (as tests/security/access.py expects)."""

    class Meta:
        model = Petition
        skip_postgeneration_save = True

    class Params:
        department = None

    reference = factory.Sequence(lambda n: f"WZ-20261120-{n + 1:04d}")
    query_code_digest = factory.LazyFunction(lambda: services.query_code_digest(QUERY_CODE))
    kind = Petition.Kind.COMPLAINT
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"人民路路灯不亮{n}")
    content = "人民路与解放路交叉口的路灯已经坏了两周,夜间出行很不安全。"
    citizen = factory.SubFactory(UserFactory)
    contact_name = "张三"
    contact_mobile = "13800138000"
    contact_email = factory.LazyAttribute(lambda o: o.citizen.email if o.citizen else "")
    lead_department = factory.LazyAttribute(lambda o: o.department)
    published_at = None
    publish_consent = factory.LazyAttribute(lambda o: o.published_at is not None)
    public_title = factory.LazyAttribute(lambda o: mask_personal_data(o.title, names=[o.contact_name]))
    public_content = factory.LazyAttribute(lambda o: mask_personal_data(o.content, names=[o.contact_name]))
    search_document = factory.LazyAttribute(lambda o: segment(o.reference, o.title, o.content))

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        """`published=True`: replied, consented and on the public column (with a public reply)."""
        if not (create and extracted):
            return
        now = timezone.now()
        department = self.lead_department or DepartmentFactory()
        body = kwargs.get("reply", "来信已收悉,已安排专人处理并答复。")
        Reply.objects.create(
            petition=self,
            department=department,
            author=kwargs.get("author") or staff_of(department),
            body=body,
            public_body=mask_personal_data(body, names=[self.contact_name]),
        )
        self.lead_department = department
        self.state = Petition.State.REPLIED
        self.publish_consent = True
        self.replied_at = self.replied_at or now
        self.published_at = self.published_at or now
        self.public_search_document = segment(self.public_title, self.public_content, self.replies.get().public_body)
        self.save()
        PetitionEvent.objects.create(petition=self, action=PetitionEvent.Action.RECEIVED, public=True)


# --- files ---------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def pdf_upload(name: str = "证明材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_upload(name: str = "现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def attachment_for(petition: Petition, *, reply: Reply | None = None, upload=None) -> Attachment:
    """Store a checked file on `petition` (or on one of its replies) as the services do."""
    checked = check_uploads([upload or pdf_upload()])[0]
    attachment = Attachment(
        petition=petition,
        reply=reply,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
    )
    attachment.file.save(checked.name, checked.file, save=False)
    attachment.save()
    return attachment


# --- the real flow, through the services ---------------------------------------------------


def submitted(*, owner=None, publish_consent: bool = True, **fields) -> tuple[Petition, str]:
    """A ticket submitted online by `owner` (a new citizen by default); returns (ticket, query code)."""
    values = {
        "kind": Petition.Kind.COMPLAINT,
        "category": CategoryFactory(),
        "title": "人民路路灯不亮",
        "content": "人民路的路灯坏了两周。",
        "contact_name": "张三",
        "contact_mobile": "13800138000",
        "contact_email": "zhangsan@example.com",
        "publish_consent": publish_consent,
    } | fields
    return services.petition_submit(citizen=owner or citizen(), **values)


def accepted(petition: Petition, department=None, *, staff=None) -> Petition:
    department = department or petition.lead_department or DepartmentFactory()
    services.petition_assign(petition=petition, actor=clerk(), lead_department=department)
    return services.petition_accept(petition=petition, actor=staff or staff_of(department))


def replied(petition: Petition, department=None, *, body: str = "已安排维修,路灯已修复。", staff=None) -> Petition:
    department = department or petition.lead_department or DepartmentFactory()
    staff = staff or staff_of(department)
    petition = accepted(petition, department, staff=staff)
    return services.petition_reply(petition=petition, actor=staff, body=body)
