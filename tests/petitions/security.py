"""What the security harness (tests/security/) expects of petitions: who gets what from each of its
URLs and admin models, who may take each workflow action, its public forms and exports, the records
its declarations share, and the personal data the privacy crawler must never find on a public page.

Found by app label (tests/security/discovery.py lists the attributes); the vocabulary is
tests/security/declarations.py, the roles tests/security/world.py.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from petitions import services
from petitions.models import Category, HandlingNote, MonthlyReport, Petition, Reply
from petitions.reports import monthly_report_generate
from portal import clocks
from portal.models import Clock
from portal.uploads import check_uploads
from tests.factories import citizen, staff_of
from tests.factories import clerk as make_clerk
from tests.petitions.factories import CategoryFactory, PetitionFactory, attachment_for, pdf_upload
from tests.security.declarations import (
    DEPARTMENT,
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    Access,
    AdminModel,
    Outcome,
    PublicForm,
    WorkflowActors,
    access,
    admin_page,
    clerk_only,
    public,
    signed_in,
)
from tests.security.privacy import ADDRESS, EMAIL, ID_NUMBER, MOBILE, NAME_FAMILY, NAME_GIVEN, TYPED_VARIANTS
from tests.security.world import ADMINISTRATOR, ANONYMOUS, CLERK, ROLES, STAFF, SUPERUSER, World

# --- the records the declarations share ----------------------------------------------------------


def seed_world(world: World) -> dict:
    """A category, and a ticket submitted by the world's citizen with its query code (the forms)."""
    category = Category.objects.create(name="城市管理")
    petition, code = services.petition_submit(
        citizen=world.owner,
        kind="message",
        category=category,
        title="路灯不亮",
        content="和平路路灯坏了。",
        contact_name="张三",
    )
    return {"category": category, "petition": petition, "query_code": code}


def running_clock(w: World) -> Clock:
    """A running clock of a new ticket of `w.department` (the board's urge)."""
    subject = PetitionFactory(department=w.department)
    return clocks.clock_start(subject=subject, policy="petition.reply.ordinary", department=w.department)


# --- URLs -------------------------------------------------------------------------------------------

URLS: dict[str, Access] = {}


# The ledger (问题台账) and the monthly reports (月报), petitions/ledger_views.py.
def _stored_report_month(w: World) -> dict:
    report, _created = monthly_report_generate(month=date(2026, 10, 1))
    return {"month": f"{report.month:%Y-%m}"}


URLS["petitions:ledger"] = clerk_only()
URLS["petitions:ledger_export"] = clerk_only(kwargs=lambda w: {"fmt": "csv"})
URLS["petitions:reports"] = clerk_only()
URLS["petitions:report"] = clerk_only(kwargs=lambda w: {"month": "2026-10"})
URLS["petitions:report_xlsx"] = clerk_only(kwargs=_stored_report_month)


# The staff side in the admin and offline intake (petitions/admin/, petitions/staff_views.py).
def _petition_act(w: World) -> dict:
    return {"object_id": PetitionFactory(department=w.department).pk, "action": "note"}


def _petition_pk(w: World) -> dict:
    return {"object_id": PetitionFactory(department=w.department).pk}


URLS["admin:petitions_petition_act"] = admin_page(kwargs=_petition_act, other_staff=FORBIDDEN, reviewer=FORBIDDEN)
URLS["admin:petitions_petition_reissue_code"] = admin_page(
    kwargs=_petition_pk, staff=FORBIDDEN, other_staff=FORBIDDEN, reviewer=FORBIDDEN, administrator=FORBIDDEN
)
URLS["petitions:record"] = clerk_only(administrator=FORBIDDEN)
URLS["petitions:slip"] = clerk_only(  # with nothing recorded in the session: back to the form
    administrator=FORBIDDEN, clerk=Outcome(302, "petitions:record"), superuser=Outcome(302, "petitions:record")
)


# The citizen-facing pages and the public column 部门回应 (petitions/views.py).
def _published_reference(w: World) -> dict:
    return {"reference": PetitionFactory(citizen=w.owner, department=w.department, published=True).reference}


def _own_reference(w: World) -> dict:
    return {"reference": PetitionFactory(citizen=w.owner, department=w.department).reference}


def _citizen_attachment(w: World) -> dict:
    return {"pk": attachment_for(PetitionFactory(citizen=w.owner, department=w.department)).pk}


TO_TRACK = Outcome(302, "petitions:track")
URLS["petitions:index"] = public()
URLS["petitions:detail"] = public(kwargs=_published_reference)
URLS["petitions:new"] = signed_in()
URLS["petitions:receipt"] = signed_in(**{role: Outcome(302, "petitions:mine") for role in ROLES if role != ANONYMOUS})
URLS["petitions:mine"] = signed_in()
URLS["petitions:track"] = public()
URLS["petitions:track_detail"] = access(TO_TRACK, kwargs=_own_reference, citizen=OK)  # or the code in the session
URLS["petitions:rate"] = access(NOT_ALLOWED, kwargs=_own_reference)  # POST only
URLS["petitions:attachment"] = access(  # the owner, and staff whose departments the ticket concerns
    NOT_FOUND, kwargs=_citizen_attachment, citizen=OK, staff=OK, clerk=OK, administrator=OK, superuser=OK
)

# The public column's pages, cached for every anonymous visitor (portal.pagecache).
SHARED_WITH_ANONYMOUS = {"petitions:index", "petitions:detail"}


# --- admin models (petitions/admin/) ------------------------------------------------------------------


def _petition_of(w: World) -> Petition:
    return PetitionFactory(department=w.department, published=True)


def _handling_note(w: World) -> HandlingNote:
    petition = _petition_of(w)
    return HandlingNote.objects.create(petition=petition, department=w.department, author=w.staff, body="已电话联系")


def _monthly_report(w: World) -> MonthlyReport:
    return MonthlyReport.objects.create(month=date(2026, 9, 1), figures={})


ADMIN_MODELS: dict[str, AdminModel] = {
    "petitions.petition": AdminModel(obj=_petition_of, scope=DEPARTMENT, add=False, delete=False),
    "petitions.category": AdminModel(obj=lambda w: CategoryFactory()),
    "petitions.reply": AdminModel(
        obj=lambda w: _petition_of(w).replies.get(), scope=DEPARTMENT, add=False, delete=False
    ),
    "petitions.handlingnote": AdminModel(obj=_handling_note, scope=DEPARTMENT, add=False, delete=False),
    "petitions.monthlyreport": AdminModel(obj=_monthly_report, add=False, delete=False),
}


# --- workflow actions on a ticket (petitions.admin_forms.ACTIONS, petitions/workflow.py) ------------
# Who may take each action on an assigned ticket led by `w.department`, with no co-handling
# department: the action's permission and its role on the ticket. Everyone else gets 403 for every
# method, before anything of the ticket is looked up or shown; non-staff go to the admin login.


def action_post_data(w: World) -> dict:
    """Valid input for any action form, so a refusal is the view's, never the form's."""
    return {
        "lead_department": w.department.pk,
        "department": w.department.pk,
        "body": "已联系市政部门维修。",
        "reason": "需要进一步核实情况。",
        "note": "请尽快办理。",
        "opinion": "同意牵头单位意见。",
        "days": "3",
        "confirm": "on",
    }


WORKFLOW_ACTORS: dict[str, WorkflowActors] = {
    "petitions.petition": WorkflowActors(
        actors={
            "assign": frozenset({CLERK, SUPERUSER}),
            "return": frozenset({STAFF, SUPERUSER}),
            "accept": frozenset({STAFF, SUPERUSER}),
            "decline": frozenset({STAFF, SUPERUSER}),
            "reply": frozenset({STAFF, SUPERUSER}),
            "opinion": frozenset({SUPERUSER}),  # co-handling departments only, and the ticket has none
            "note": frozenset({STAFF, CLERK, ADMINISTRATOR, SUPERUSER}),
            "extend": frozenset({CLERK, ADMINISTRATOR, SUPERUSER}),
            "urge": frozenset({CLERK, ADMINISTRATOR, SUPERUSER}),
            "close": frozenset({CLERK, SUPERUSER}),
        },
        record=lambda w: PetitionFactory(
            department=w.department, state=Petition.State.ASSIGNED, title="和平路井盖缺失"
        ),
        secrets=lambda w, petition: [petition.reference, petition.title, w.department.name],
        state=lambda p: (p.state, p.notes.count(), p.events.count(), p.replies.count()),
        data=action_post_data,
    ),
}


# --- public forms (tests/security/test_bad_input.py) ---------------------------------------------------


def _petition_stored_whole(world: World, data: dict) -> None:
    petition = Petition.objects.filter(citizen=world.owner).latest("received_at")
    assert Clock.objects.for_subject(petition).count() == 2, "a ticket was stored without its two clocks"
    assert petition.events.filter(action="received").count() == 1


PUBLIC_FORMS: dict[str, PublicForm] = {
    "petitions:new": PublicForm(
        valid=lambda w: {
            "kind": "complaint",
            "category": w.extras["petitions"]["category"].pk,
            "title": "小区门口道路积水",
            "content": "每逢下雨积水严重,行人无法通行。",
            "location": "幸福小区",
            "contact_name": "王芳",
            "contact_mobile": "13900001111",
            "contact_email": "wangfang@example.com",
        },
        fields={
            "title": ("title",),
            "content": ("content",),
            "location": ("location",),
            "contact_name": ("contact_name",),
            "contact_mobile": ("contact_mobile",),
            "contact_email": ("contact_email",),
        },
        echoed={"title", "content", "location", "contact_name", "contact_mobile", "contact_email"},
        signed_in_as="citizen",
        accepted=_petition_stored_whole,
        files=("attachments",),
    ),
    "petitions:track": PublicForm(
        valid=lambda w: {
            "reference": w.extras["petitions"]["petition"].reference,
            "query_code": w.extras["petitions"]["query_code"],
        },
        fields={"reference": ("reference",), "query_code": ("query_code",)},
        echoed={"reference"},
    ),
}


# --- exports (tests/security/test_exports.py) ------------------------------------------------------------

# url name -> [(kwargs, query string, format)]
EXPORTS = {
    "petitions:ledger_export": [({"fmt": "csv"}, "", "csv"), ({"fmt": "xlsx"}, "", "xlsx")],
    "petitions:report_xlsx": [({"month": "2026-10"}, "", "xlsx")],
}


def seed_hostile_names(*, departments, received_at) -> None:
    """A category and a ticket titled with each hostile name; that month's report stored (its
    department names frozen into it)."""
    for name, department in departments:
        category = Category.objects.create(name=name[:50])
        PetitionFactory(department=department, category=category, title=name, received_at=received_at)
    monthly_report_generate(month=received_at.date())


# --- personal data for the privacy crawler (tests/security/test_privacy.py) --------------------------------


def seed_petitions(world: World) -> list[str]:
    """A published, replied petition whose citizen wrote her name, mobile, ID number and e-mail
    into the text (masked before publication) and gave her address in the private location field;
    the department's reply names her too. A second, unpublished ticket holds the same data."""
    category, _ = Category.objects.get_or_create(name="城市管理")
    person = citizen("petitioner_secret", first_name=NAME_GIVEN, last_name=NAME_FAMILY, email=EMAIL, mobile=MOBILE)
    office, handler = make_clerk("privacy_clerk"), staff_of(world.department, "privacy_staff")
    text = f"我是{NAME_FAMILY}{NAME_GIVEN},身份证{ID_NUMBER},电话{MOBILE},邮箱{EMAIL}。小区门口道路积水。"
    for consent in (True, False):
        petition, _code = services.petition_submit(
            citizen=person,
            kind="complaint",
            category=category,
            title=f"{NAME_FAMILY}{NAME_GIVEN}反映道路积水 {MOBILE}",
            content=text,
            location=ADDRESS,
            contact_name=f"{NAME_FAMILY}{NAME_GIVEN}",
            contact_mobile=MOBILE,
            contact_email=EMAIL,
            publish_consent=consent,
        )
        services.petition_assign(petition=petition, actor=office, lead_department=world.department)
        services.petition_accept(petition=petition, actor=handler)
        services.petition_reply(
            petition=petition, actor=handler, body=f"{NAME_FAMILY}{NAME_GIVEN}您好,已回电{MOBILE},积水已排除。"
        )
    return [f"{NAME_FAMILY}{NAME_GIVEN}", MOBILE, ID_NUMBER, EMAIL, ADDRESS]


REPLY_FILE = f"关于{NAME_FAMILY}{NAME_GIVEN}反映问题的答复意见.pdf"


def seed_typed_variants(world: World) -> list[str]:
    """Published, replied tickets holding every typed variant in the title, the content and the
    department's reply, with a reply file named after the citizen; and one whose public texts
    were stored unmasked, as by the weaker rules before (the pages mask again as they render)."""
    category, _ = Category.objects.get_or_create(name="城市管理")
    person = citizen("typed_secret", first_name=NAME_GIVEN, last_name=NAME_FAMILY)
    office, handler = make_clerk("typed_clerk"), staff_of(world.department, "typed_staff")
    variants = list(TYPED_VARIANTS)
    everything = "，".join(variants)
    for legacy in (False, True):
        petition, _code = services.petition_submit(
            citizen=person,
            kind="complaint",
            category=category,
            title=f"{NAME_FAMILY}{NAME_GIVEN}反映 {variants[0]} {variants[1]}",
            content=f"我是{NAME_FAMILY}{NAME_GIVEN}：{everything}。",
            contact_name=f"{NAME_FAMILY}{NAME_GIVEN}",
            publish_consent=True,
        )
        services.petition_assign(petition=petition, actor=office, lead_department=world.department)
        services.petition_accept(petition=petition, actor=handler)
        services.petition_reply(
            petition=petition,
            actor=handler,
            body=f"{NAME_FAMILY}{NAME_GIVEN}您好，已回电{variants[0]}，核实{everything}。",
            files=check_uploads([pdf_upload(REPLY_FILE)]),
        )
        if legacy:
            Petition.objects.filter(pk=petition.pk).update(
                public_title=f"反映 {variants[2]} {variants[3]}", public_content=everything
            )
            Reply.objects.filter(petition=petition).update(public_body=everything)
    return [*TYPED_VARIANTS.values(), REPLY_FILE]


PRIVACY_SEEDERS = [seed_petitions, seed_typed_variants]


def public_pages(world: World) -> list[str]:
    """The public column and every published ticket's page (the crawler follows their links)."""
    published = Petition.objects.published().order_by("pk")
    details = [reverse("petitions:detail", kwargs={"reference": petition.reference}) for petition in published]
    return [reverse("petitions:index"), *details]
