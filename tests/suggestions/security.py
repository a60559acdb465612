"""What the security harness (tests/security/) expects of public suggestions (公众建言): who gets
what from each of its URLs and admin models, who may take each workflow action on a suggestion,
its public forms and exports, the records its declarations share, and the personal data the
privacy crawler must never find on a public page.

Found by app label (tests/security/discovery.py lists the attributes); the vocabulary is
tests/security/declarations.py, the roles tests/security/world.py. The world's roles meet
suggestions as: the reviewer moderates and assesses every suggestion (and sees the authors'
contacts); the office's clerk forwards, follows up, records offline intake and runs reports;
department staff see and answer what was forwarded to their department, without contacts; an
invited expert (`world.extras["suggestions"]["expert"]`, not a role of the matrix: the admin's
tests in tests/suggestions/test_admin.py hold what an expert sees) the suggestions of their
campaigns.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.models import Clock
from portal.uploads import DOCUMENT_TYPES, check_upload, check_uploads
from suggestions.models import (
    Assessment,
    Campaign,
    CampaignAnalysis,
    CampaignNews,
    CampaignReport,
    Category,
    Forwarding,
    Measure,
    Phase,
    SocialImport,
    Suggestion,
    SuggestionAttachment,
    Symposium,
)
from suggestions.services import analysis, answers, intake, moderation, offline, recognition, reports
from suggestions.services.common import store_files
from tests.factories import citizen
from tests.factories import clerk as make_clerk
from tests.security.declarations import (
    DEPARTMENT,
    FORBIDDEN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    TO_LOGIN,
    Access,
    AdminModel,
    Outcome,
    PublicForm,
    WorkflowActors,
    access,
    admin_page,
    department_scope,
    public,
    signed_in,
)
from tests.security.payloads import tiny_pdf, tiny_png
from tests.security.privacy import ADDRESS, EMAIL, ID_NUMBER, MOBILE, NAME_FAMILY, NAME_GIVEN, TYPED_VARIANTS
from tests.security.world import (
    ANONYMOUS,
    CITIZEN,
    CLERK,
    NOT_STAFF,
    OTHER_STAFF,
    REVIEWER,
    ROLES,
    STAFF,
    SUPERUSER,
    World,
)
from tests.suggestions.factories import CampaignFactory, CategoryFactory, SuggestionFactory
from tests.suggestions.staffside import expert

STAFF_ROLES = [role for role in ROLES if role not in NOT_STAFF]
MODERATE = "suggestions.moderate_suggestion"
RECORD = "suggestions.record_suggestion"


def _extras(w: World) -> dict:
    return w.extras["suggestions"]


def _pdf(name: str = "建议材料.pdf"):
    return check_upload(SimpleUploadedFile(name, tiny_pdf(), content_type="application/pdf"))


def _analysis_report(name: str = "建言分析报告.pdf"):
    """The analysis report the office forwards suggestions with (a PDF, checked by content)."""
    return check_upload(SimpleUploadedFile(name, tiny_pdf(), content_type="application/pdf"), allowed=DOCUMENT_TYPES)


# --- the records the declarations share ----------------------------------------------------------


def seed_world(world: World) -> dict:
    """A category; a campaign collecting suggestions (the form, similar, following) with the world's
    two departments concerned and an invited expert; a campaign in its analysis phase (forwarding);
    and two suggestions of the world's citizen in the collecting one: one approved and published
    (following), one awaiting review (withdrawing)."""
    category = CategoryFactory(name="社会民生", name_en="Livelihoods", code="SM")
    collecting = CampaignFactory(
        phase=Phase.COLLECTION, slug="security-open", title="汇聚民智 共筑未来", categories=[category]
    )
    analysing = CampaignFactory(
        phase=Phase.ANALYSIS, slug="security-analysis", title="城市更新建言", categories=[category]
    )
    for campaign in (collecting, analysing):
        campaign.departments.set([world.department, world.other_department])
    invited = expert(collecting, analysing, username="expert")
    published = moderation.suggestion_approve(
        suggestion=intake.suggestion_submit(
            citizen=world.owner,
            campaign=collecting,
            category=category,
            title="建议增设社区公交微循环线路",
            problem="小区距离公交站较远,老人出行不便。",
            measures="建议开通一条社区微循环公交。",
            contact_name="张三",
            publish_consent=True,
        ),
        actor=world.user(REVIEWER),
    )
    extras = {
        "category": category,
        "collecting": collecting,
        "analysing": analysing,
        "expert": invited,
        "published": published,
    }
    world.extras["suggestions"] = extras
    extras["pending"] = _pending(world)  # the withdrawal form's
    return extras


def _pending(w: World, **fields) -> Suggestion:
    """A suggestion of the world's citizen awaiting review, through the real intake (clock, timeline)."""
    extras = _extras(w)
    values = {
        "title": "建议在人民公园增设健身步道",
        "problem": "公园缺少适合老年人的健身设施。",
        "measures": "建议沿湖修建一条塑胶健身步道。",
        "contact_name": "李四",
        "contact_mobile": "13912345678",
        "publish_consent": True,
    } | fields
    return intake.suggestion_submit(
        citizen=w.owner, campaign=extras["collecting"], category=extras["category"], **values
    )


def _forwarded(w: World, *, departments=None, published: bool = False, **fields) -> Suggestion:
    """An approved suggestion of the world's citizen in the analysis-phase campaign, forwarded by
    the office to `w.department` (the lead) and `departments` besides, on their answer clocks."""
    extras = _extras(w)
    values = {
        "campaign": extras["analysing"],
        "category": extras["category"],
        "state": Suggestion.State.APPROVED,
        "citizen": w.owner,
        "contact_name": "王小民",
        "contact_email": "wangxm@example.com",
        "published": published,
    } | fields
    suggestion = SuggestionFactory(**values)
    answers.suggestions_forward(
        suggestions=[suggestion],
        actor=w.user(CLERK),
        departments=[w.department, *(departments or [])],
        lead=w.department,
        report=_analysis_report(),
    )
    suggestion.refresh_from_db()
    return suggestion


def _forwarding(w: World, **fields) -> Forwarding:
    return Forwarding.objects.get(suggestion=_forwarded(w, **fields), department=w.department)


def _adopted(w: World) -> Forwarding:
    """`w.department`'s forwarding, answered "adopted" by its staff (measures are due)."""
    return answers.suggestion_answer(
        forwarding=_forwarding(w), actor=w.staff, outcome=Forwarding.Outcome.ADOPTED, answer="采纳,年内实施。"
    )


def _measure(w: World) -> Measure:
    return answers.measure_record(
        forwarding=_adopted(w),
        actor=w.staff,
        description="开通社区微循环公交线路",
        planned_on=timezone.localdate() + timedelta(days=30),
    )


def _with_attachment(suggestion: Suggestion, name: str = "现场照片说明.pdf") -> Suggestion:
    store_files(suggestion, [_pdf(name)], actor=suggestion.citizen)
    return suggestion


def _summary_campaign(w: World, slug: str = "security-summary") -> Campaign:
    """A campaign in its summary phase with an answered suggestion, its analysis computed, and
    version 1 of its summary report published."""
    campaign = CampaignFactory(
        phase=Phase.SUMMARY, slug=slug, title="幸福城市建言", categories=[_extras(w)["category"]]
    )
    SuggestionFactory(campaign=campaign, state=Suggestion.State.APPROVED, published=True)
    office = w.user(CLERK)
    report = reports.campaign_report_generate(campaign=campaign)
    report = reports.campaign_report_edit(
        report=report, actor=office, outcomes="共收到建言一千余条。", lessons="线下座谈会参与度高。"
    )
    reports.campaign_report_publish(report=report, actor=office)
    return campaign


def _campaign_with_banner(w: World) -> Campaign:
    campaign = CampaignFactory(phase=Phase.COLLECTION, slug="security-banner", categories=[_extras(w)["category"]])
    campaign.banner.save("banner.png", ContentFile(tiny_png()), save=True)
    return campaign


def _symposium(w: World) -> Symposium:
    extras = _extras(w)
    return offline.symposium_record(
        actor=w.user(CLERK),
        campaign=extras["collecting"],
        held_on=timezone.localdate(),
        place="市民中心第三会议室",
        participants=12,
        departments=[w.department],
        minutes=_analysis_report("座谈会纪要.pdf"),
        suggestions=[
            offline.RaisedSuggestion(
                category=extras["category"],
                title="建议延长图书馆开放时间",
                problem="上班族下班后无法借书。",
                measures="建议工作日开放至晚上九点。",
            )
        ],
    )


def _social_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A social-media export: (link, author's nickname, text, date) a row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["平台", "链接", "昵称", "内容", "日期"])
    for link, author, text, day in rows:
        writer.writerow(["微博", link, author, text, day])
    return out.getvalue().encode("utf-8")


_imports = iter(range(1, 10**6))


def _today() -> str:
    return f"{timezone.localdate():%Y-%m-%d}"


def _social_import(w: World) -> SocialImport:
    extras = _extras(w)
    number = next(_imports)
    content = _social_csv(
        [
            (
                f"https://weibo.example.com/c/{number}",
                "热心市民",
                "建议小区增加充电桩。",
                _today(),
            )
        ]
    )
    return offline.social_import_preview(
        actor=w.user(CLERK),
        campaign=extras["collecting"],
        file_name="微博评论.csv",
        content=content,
        default_category=extras["category"],
    )


def _news(w: World) -> CampaignNews:
    return CampaignNews.objects.create(campaign=_extras(w)["collecting"], title="建言征集启动", body="欢迎参与。")


def _analysis(w: World) -> CampaignAnalysis:
    analysed, _recomputed = analysis.campaign_analysis_compute(campaign=_extras(w)["analysing"], force=True)
    return analysed


def _report(w: World) -> CampaignReport:
    return CampaignReport.objects.get(campaign=_summary_campaign(w, slug="security-report-admin"), version=1)


def running_clock(w: World) -> Clock:
    """A running answer clock of `w.department` on a forwarded suggestion (the board's urge); the
    first installed app declaring one serves, so this one is used only without petitions."""
    forwarding = _forwarding(w)
    return Clock.objects.for_subject(forwarding).open().get()


# --- URLs -------------------------------------------------------------------------------------------

URLS: dict[str, Access] = {}
POSTS: dict[str, Access] = {}


def _collecting(w: World) -> dict:
    return {"slug": _extras(w)["collecting"].slug}


def _published(w: World) -> dict:
    suggestion = _extras(w)["published"]
    return {"slug": suggestion.campaign.slug, "pk": suggestion.pk}


def _own_pending(w: World) -> dict:
    return {"reference": _pending(w).reference}


def _unpublished_attachment(w: World) -> dict:
    """A file of the world's citizen's suggestion, unpublished (no consent), forwarded to `w.department`."""
    suggestion = _with_attachment(_forwarded(w, publish_consent=False))
    return {"pk": suggestion.attachments.get().pk}


# The public side (suggestions/views.py). The campaigns, a campaign, a published suggestion: shared
# by every anonymous visitor (portal.pagecache). Similar suggestions while a title is typed, and a
# published campaign's banner: anyone. The form, "my suggestions" and following: signed in.
URLS["suggestions:index"] = public()
URLS["suggestions:campaign"] = public(kwargs=_collecting)
URLS["suggestions:detail"] = public(kwargs=_published)
URLS["suggestions:similar"] = public(kwargs=_collecting)
URLS["suggestions:banner"] = public(kwargs=lambda w: {"slug": _campaign_with_banner(w).slug})
URLS["suggestions:submit"] = signed_in(kwargs=_collecting)
URLS["suggestions:mine"] = signed_in()
URLS["suggestions:follow"] = access(NOT_ALLOWED, kwargs=_published, anonymous=TO_LOGIN)  # POST only
POSTS["suggestions:follow"] = signed_in(
    kwargs=_published,
    method="post",
    data=lambda w: {"action": "follow"},
    **{role: Outcome(302, "suggestions:detail", with_parameters=True) for role in ROLES if role != ANONYMOUS},
)
# One's own suggestion, in any state, and withdrawing it: its author only; 404 for anyone else,
# staff included (they have the admin), whether or not it exists.
URLS["suggestions:mine_detail"] = access(NOT_FOUND, kwargs=_own_pending, anonymous=TO_LOGIN, citizen=OK)
URLS["suggestions:withdraw"] = access(NOT_ALLOWED, kwargs=_own_pending, anonymous=TO_LOGIN)  # POST only
POSTS["suggestions:withdraw"] = access(
    NOT_FOUND,
    kwargs=_own_pending,
    method="post",
    data=lambda w: {"reason": "已通过其他渠道反映。"},
    anonymous=TO_LOGIN,
    citizen=Outcome(302, "suggestions:mine_detail", with_parameters=True),
)
# A file of an unpublished suggestion: its author, and the staff working on it (the reviewers and
# the office every suggestion's, a department those forwarded to it); 404 for everyone else. (A
# published suggestion's files are everyone's, under neutral names: tests/suggestions/test_views.py.)
URLS["suggestions:attachment"] = access(
    NOT_FOUND,
    kwargs=_unpublished_attachment,
    citizen=OK,
    staff=OK,
    clerk=OK,
    reviewer=OK,
    administrator=OK,
    superuser=OK,
)

# A campaign's analysis and its published summary report, for everyone (shared when anonymous);
# any version of the report, its workbook and the export of every suggestion, for the office
# (suggestions/report_views.py).
URLS["suggestions:analysis"] = public(kwargs=lambda w: {"slug": _analysis(w).campaign.slug})
URLS["suggestions:report"] = public(kwargs=lambda w: {"slug": _summary_campaign(w).slug})


def _report_version(w: World) -> dict:
    return {"slug": _summary_campaign(w).slug, "version": 1}


def _office_only(**kw) -> Access:
    """A staff page of the public site for the office: clerks (and superusers), 403 for other staff
    and for citizens, the login for visitors."""
    return access(FORBIDDEN, anonymous=TO_LOGIN, clerk=OK, superuser=OK, **kw)


URLS["suggestions:report_staff"] = _office_only(kwargs=_report_version)
URLS["suggestions:report_xlsx"] = _office_only(kwargs=_report_version)
# Every suggestion of a campaign for those who see every department's work (administrators too).
URLS["suggestions:export"] = _office_only(
    kwargs=lambda w: {"slug": _extras(w)["analysing"].slug, "fmt": "csv"}, administrator=OK
)

SHARED_WITH_ANONYMOUS = {
    "suggestions:index",
    "suggestions:campaign",
    "suggestions:detail",
    "suggestions:analysis",
    "suggestions:report",
}
# A published campaign's banner image is the same for everyone: Cache-Control public on purpose.
EXPLICITLY_PUBLIC = {"suggestions:banner"}


# The staff side's own pages in the admin (suggestions/admin/).
def _act_approve(w: World) -> dict:
    return {"object_id": _pending(w).pk, "action": "approve"}


def _only(*roles_ok: str, **kw) -> Access:
    """An admin page for `roles_ok` only: other staff 403, non-staff the admin login."""
    return admin_page(**{role: FORBIDDEN for role in STAFF_ROLES if role not in roles_ok}, **kw)


URLS["admin:suggestions_suggestion_act"] = _only(REVIEWER, SUPERUSER, kwargs=_act_approve)
URLS["admin:suggestions_campaign_close_phase"] = _only(
    CLERK, SUPERUSER, kwargs=lambda w: {"object_id": _extras(w)["collecting"].pk}
)
# A department answers and records measures on its own forwardings only (the superuser acts in every
# staff role); the analysis report forwarded with a suggestion is for whoever sees the forwarding.
URLS["admin:suggestions_forwarding_answer"] = _only(STAFF, SUPERUSER, kwargs=lambda w: {"object_id": _forwarding(w).pk})
URLS["admin:suggestions_forwarding_measure"] = _only(STAFF, SUPERUSER, kwargs=lambda w: {"object_id": _adopted(w).pk})
URLS["admin:suggestions_forwarding_measure_done"] = _only(
    STAFF,
    SUPERUSER,
    kwargs=lambda w: (lambda measure: {"object_id": measure.forwarding_id, "measure_id": measure.pk})(_measure(w)),
)
URLS["admin:suggestions_forwarding_report"] = _only(
    STAFF, CLERK, SUPERUSER, kwargs=lambda w: {"object_id": _forwarding(w).pk}
)
# The office's forwarding page, with nothing chosen on the suggestion list: back to the list.
TO_SUGGESTION_LIST = Outcome(302, "admin:suggestions_suggestion_changelist")
URLS["admin:suggestions_forwarding_forward"] = _only(
    CLERK, SUPERUSER, clerk=TO_SUGGESTION_LIST, superuser=TO_SUGGESTION_LIST
)
URLS["admin:suggestions_symposium_minutes"] = _only(CLERK, SUPERUSER, kwargs=lambda w: {"object_id": _symposium(w).pk})
# One suggestion received offline (a letter, a field visit, a hotline call), recorded by the office
# (suggestions.record_suggestion): 403 before the form for other staff, on every method; an empty
# POST is the office's form returned with its errors.
URLS["admin:suggestions_suggestion_record"] = _only(CLERK, SUPERUSER)
POSTS["admin:suggestions_suggestion_record"] = _only(CLERK, SUPERUSER, method="post", data=lambda w: {})
# POST only: confirming a social-media import (the office's), a report's publish / unpublish /
# regenerate commands.
URLS["admin:suggestions_socialimport_confirm"] = admin_page(
    kwargs=lambda w: {"object_id": _social_import(w).pk}, **dict.fromkeys(STAFF_ROLES, NOT_ALLOWED)
)
POSTS["admin:suggestions_socialimport_confirm"] = _only(
    CLERK,
    SUPERUSER,
    kwargs=lambda w: {"object_id": _social_import(w).pk},
    method="post",
    clerk=Outcome(302, "admin:suggestions_socialimport_change", with_parameters=True),
    superuser=Outcome(302, "admin:suggestions_socialimport_change", with_parameters=True),
)
URLS["admin:suggestions_campaignreport_command"] = admin_page(
    kwargs=lambda w: {"object_id": _report(w).pk, "command": "publish"}, **dict.fromkeys(STAFF_ROLES, NOT_ALLOWED)
)


# --- admin models (suggestions/admin/) ------------------------------------------------------------------

# Suggestions and their assessments: portal's department scoping with the suggestions' own rule on
# top (suggestions.scoping): a department sees what was forwarded to it, and whoever moderates sees
# every suggestion, as the office does.
SUGGESTION_SCOPE = department_scope(MODERATE)


def _assessment(w: World) -> Assessment:
    suggestion = _forwarded(w)
    moderation.suggestion_assess(
        suggestion=suggestion, actor=w.user(REVIEWER), reasonableness=4, feasibility=3, innovation=5, note="可行。"
    )
    return Assessment.objects.get(suggestion=suggestion)


ADMIN_MODELS: dict[str, AdminModel] = {
    "suggestions.suggestion": AdminModel(obj=_forwarded, scope=SUGGESTION_SCOPE, add=False, delete=False),
    "suggestions.assessment": AdminModel(obj=_assessment, scope=SUGGESTION_SCOPE, add=False, delete=False),
    "suggestions.forwarding": AdminModel(obj=_forwarding, scope=DEPARTMENT, add=False, delete=False),
    "suggestions.category": AdminModel(obj=lambda w: CategoryFactory(name="城市安全建言", code="AQ")),
    "suggestions.campaign": AdminModel(obj=lambda w: _extras(w)["collecting"], delete=False),
    "suggestions.campaignnews": AdminModel(obj=_news),
    # Offline intake in bulk: read-only records, added by the office's recording permission.
    "suggestions.symposium": AdminModel(obj=_symposium, delete=False, add_permission=RECORD),
    "suggestions.socialimport": AdminModel(obj=_social_import, delete=False, add_permission=RECORD),
    "suggestions.campaignanalysis": AdminModel(obj=_analysis, add=False, delete=False),
    "suggestions.campaignreport": AdminModel(obj=_report, add=False, delete=False),
}


# --- workflow actions on a suggestion (suggestions.admin_forms: moderation and recognition) ----------
# Moderation and the public version are the reviewers'; assessing theirs and the campaign's invited
# experts' (not a role of the matrix); selecting excellent suggestions and recording press briefings
# the office's. A department the suggestion was forwarded to sees it, and is refused every action.


def moderation_post_data(w: World) -> dict:
    """Valid input for every action form, so a refusal is the view's, never the form's."""
    return {
        "category": _extras(w)["category"].pk,
        "reason": "与本次活动主题无关。",
        "into": _extras(w)["published"].number,
        "note": "同一事项。",
        "reasonableness": "4",
        "feasibility": "4",
        "innovation": "3",
        "public_title": "建议增设社区公交线路",
        "public_problem": "出行不便。",
        "public_measures": "开通微循环公交。",
        # The office's recognition (suggestions.admin_forms.RECOGNITION_ACTIONS).
        "citation": "思路清晰,可操作性强。",
        "held_on": timezone.localdate().isoformat(),
        "link": "https://news.example.gov.cn/briefing",
    }


WORKFLOW_ACTORS: dict[str, WorkflowActors] = {
    "suggestions.suggestion": WorkflowActors(
        actors={
            "approve": frozenset({REVIEWER, SUPERUSER}),
            "reject": frozenset({REVIEWER, SUPERUSER}),
            "merge": frozenset({REVIEWER, SUPERUSER}),
            "assess": frozenset({REVIEWER, SUPERUSER}),
            "edit_public": frozenset({REVIEWER, SUPERUSER}),
            # Excellence and press briefings are the campaign office's (suggestions.manage_campaign).
            "excellent": frozenset({CLERK, SUPERUSER}),
            "unselect_excellent": frozenset({CLERK, SUPERUSER}),
            "briefing": frozenset({CLERK, SUPERUSER}),
        },
        record=lambda w: _forwarded(w, title="和平路口增设信号灯", contact_name="赵秘书"),
        secrets=lambda w, suggestion: [suggestion.reference, suggestion.number, suggestion.title, "赵秘书"],
        state=lambda s: (s.state, s.public_title, s.events.count(), s.assessments.count(), s.history.count()),
        data=moderation_post_data,
    ),
}


# --- public forms (tests/security/test_bad_input.py) ---------------------------------------------------


def _suggestion_stored_whole(world: World, data: dict) -> None:
    suggestion = Suggestion.objects.filter(citizen=world.owner).latest("received_at", "pk")
    assert suggestion.state == Suggestion.State.PENDING
    assert Clock.objects.for_subject(suggestion).open().count() == 1, "a suggestion stored without its review clock"
    assert suggestion.events.filter(action="received").count() == 1
    assert suggestion.reference and suggestion.public_title


PUBLIC_FORMS: dict[str, PublicForm] = {
    "suggestions:submit": PublicForm(
        valid=lambda w: {
            "category": _extras(w)["category"].pk,
            "title": "建议在地铁站增设非机动车停放点",
            "problem": "地铁站出口共享单车乱停放,影响通行。",
            "measures": "建议划定停放区域并安排专人管理。",
            "area": "城东区",
            "contact_name": "王芳",
            "contact_mobile": "13900001111",
            "contact_email": "wangfang@example.com",
            "publish_consent": "on",
        },
        fields={
            "title": ("title",),
            "problem": ("problem",),
            "measures": ("measures",),
            "area": ("area",),
            "contact_name": ("contact_name",),
            "contact_mobile": ("contact_mobile",),
            "contact_email": ("contact_email",),
        },
        echoed={"title", "problem", "measures", "area", "contact_name", "contact_mobile", "contact_email"},
        url_kwargs=_collecting,
        signed_in_as=CITIZEN,
        accepted=_suggestion_stored_whole,
        files=("attachments",),
    ),
    "suggestions:withdraw": PublicForm(
        valid=lambda w: {"reason": "已通过其他渠道反映。"},
        fields={"reason": ("reason",)},
        echoed={"reason"},
        url_kwargs=lambda w: {"reference": _extras(w)["pending"].reference},
        signed_in_as=CITIZEN,
        shown_on=lambda w: reverse("suggestions:mine_detail", args=[_extras(w)["pending"].reference]),
    ),
    "suggestions:follow": PublicForm(
        valid=lambda w: {"action": "follow"},
        fields={"action": ("action",)},
        url_kwargs=_published,
        signed_in_as=CITIZEN,
        shown_on=lambda w: reverse("suggestions:detail", kwargs=_published(w)),
    ),
}


# --- exports (tests/security/test_exports.py) ------------------------------------------------------------

HOSTILE_SLUG = "hostile-names"
# url name -> [(kwargs, query string, format)]
EXPORTS = {
    "suggestions:export": [
        ({"slug": HOSTILE_SLUG, "fmt": "csv"}, "", "csv"),
        ({"slug": HOSTILE_SLUG, "fmt": "xlsx"}, "", "xlsx"),
    ],
    "suggestions:report_xlsx": [({"slug": HOSTILE_SLUG, "version": 1}, "", "xlsx")],
}


def seed_hostile_names(*, departments, received_at) -> None:
    """A campaign in its summary phase; per hostile name, a category so named and an approved
    suggestion so titled, in it, forwarded to the department so named as the lead, received at
    `received_at`; then version 1 of the campaign's summary report (the names frozen into it)."""
    office = make_clerk("hostile_suggestions_clerk")
    categories = [
        Category.objects.create(name=name[:50], name_en=name[:80], code=f"H{number}")
        for number, (name, _department) in enumerate(departments)
    ]
    campaign = CampaignFactory(phase=Phase.SUMMARY, slug=HOSTILE_SLUG, title="建言活动", categories=categories)
    campaign.departments.set([department for _name, department in departments])
    for (name, department), category in zip(departments, categories, strict=True):
        suggestion = SuggestionFactory(
            campaign=campaign,
            category=category,
            title=name[:100],
            area=name[:100],
            state=Suggestion.State.APPROVED,
            received_at=received_at,
            published=True,
        )
        answers.suggestions_forward(
            suggestions=[suggestion], actor=office, departments=[department], lead=department, report=_analysis_report()
        )
    reports.campaign_report_generate(campaign=campaign)


# --- personal data for the privacy crawler (tests/security/test_privacy.py) --------------------------------

NAME = f"{NAME_FAMILY}{NAME_GIVEN}"
ATTACHMENT_FILE = f"{NAME}身份证{ID_NUMBER}.pdf"
MINUTES_FILE = f"座谈会纪要-{NAME}-{MOBILE}.pdf"
IMPORT_FILE = f"微博评论-{NAME}.csv"


def _privacy_campaign(world: World, slug: str, phase: str) -> Campaign:
    category, _ = Category.objects.get_or_create(code="SM", defaults={"name": "社会民生", "name_en": "Livelihoods"})
    campaign = CampaignFactory(phase=phase, slug=slug, title=f"建言活动 {slug}", categories=[category])
    campaign.departments.set([world.department, world.other_department])
    return campaign


def _answered(world: World, suggestion: Suggestion, lead_text: str, other_text: str, measure: str) -> None:
    """Forwarded to the world's department (lead) and the other; both answer; the lead records a measure."""
    office = world.user(CLERK)
    answers.suggestions_forward(
        suggestions=[suggestion],
        actor=office,
        departments=[world.department, world.other_department],
        lead=world.department,
        report=_analysis_report(f"关于{NAME}建议的分析报告.pdf"),
    )
    lead = Forwarding.objects.get(suggestion=suggestion, department=world.department)
    other = Forwarding.objects.get(suggestion=suggestion, department=world.other_department)
    answers.suggestion_answer(forwarding=lead, actor=world.staff, outcome=Forwarding.Outcome.ADOPTED, answer=lead_text)
    answers.suggestion_answer(
        forwarding=other, actor=world.user(OTHER_STAFF), outcome=Forwarding.Outcome.PARTLY, answer=other_text
    )
    answers.measure_record(
        forwarding=Forwarding.objects.get(pk=lead.pk),
        actor=world.staff,
        description=measure[:300],
        planned_on=timezone.localdate() + timedelta(days=20),
        note=measure,
    )


def seed_suggestions(world: World) -> list[str]:
    """A citizen who wrote her name, ID number, mobile, e-mail and address into her suggestions
    (texts, area, the names of the files attached), with the same data in her private contact
    fields. In a campaign in its feedback phase: one published with consent to the suggestion but
    not to her name, answered by two departments and a measure recorded, each naming her; one she
    did not let be published, answered the same way; one awaiting review; a symposium whose minutes
    and participant name her; a social-media import whose comments and nickname do; the campaign's
    analysis computed (her address, the area of two approved suggestions, masked there). One
    published in a campaign since taken off the site. The files of every suggestion not public
    hold her numbers. In a campaign in its summary phase: her published suggestion selected as
    excellent with a citation naming her, and the published summary report whose written
    sections hold her mobile, e-mail and ID number."""
    person = citizen("suggester_secret", first_name=NAME_GIVEN, last_name=NAME_FAMILY, email=EMAIL, mobile=MOBILE)
    reviewer = world.user(REVIEWER)
    feedback = _privacy_campaign(world, "privacy-feedback", Phase.FEEDBACK)
    category = feedback.categories.get()
    text = f"我是{NAME},身份证{ID_NUMBER},电话{MOBILE},邮箱{EMAIL},住{ADDRESS}。小区门口道路积水。"
    contact = {"contact_name": NAME, "contact_mobile": MOBILE, "contact_email": EMAIL}

    def create(campaign, *, consent: bool, channel=Suggestion.Channel.ONLINE, files=(), **fields):
        values = (
            {
                "campaign": campaign,
                "category": campaign.categories.get(),
                "channel": channel,
                "title": f"{NAME}反映道路积水 {MOBILE}",
                "problem": text,
                "measures": f"请联系{NAME} {MOBILE},地址{ADDRESS}。",
                "area": ADDRESS,
                "actor": person,
                "citizen": person,
                "publish_consent": consent,
                "name_consent": False,
                "files": files,
            }
            | contact
            | fields
        )
        return intake.suggestion_create(**values)

    lead_text = f"{NAME}您好,已回电{MOBILE},积水已排除。"
    other_text = f"已联系{NAME}({EMAIL}),将配合整改,身份证{ID_NUMBER}已核实。"
    measure = f"回访{NAME} {MOBILE},{ADDRESS}门口加装排水管"
    for consent in (True, False):
        # The file of the one she let be published is public by her consent: only its name is hers.
        upload = _pdf_upload(ATTACHMENT_FILE, secret=not consent)
        suggestion = create(feedback, consent=consent, files=check_uploads([upload]))
        suggestion = moderation.suggestion_approve(suggestion=suggestion, actor=reviewer)
        _answered(world, suggestion, lead_text, other_text, measure)
    create(feedback, consent=True, files=check_uploads([_pdf_upload(ATTACHMENT_FILE, secret=True)]))  # in review
    # A campaign taken off the site: its published suggestion's page and file go with it.
    hidden = _privacy_campaign(world, "privacy-hidden", Phase.FEEDBACK)
    upload = _pdf_upload(ATTACHMENT_FILE, secret=True)
    moderation.suggestion_approve(
        suggestion=create(hidden, consent=True, files=check_uploads([upload])), actor=reviewer
    )
    Campaign.objects.filter(pk=hidden.pk).update(is_published=False)

    offline.symposium_record(
        actor=world.user(CLERK),
        campaign=feedback,
        held_on=timezone.localdate() - timedelta(days=3),
        place=f"{ADDRESS}社区活动室",
        participants=8,
        departments=[world.department],
        minutes=_analysis_report(MINUTES_FILE),
        suggestions=[
            offline.RaisedSuggestion(
                category=category,
                title=f"{NAME}建议增设路灯",
                problem=text,
                measures=f"请回电{MOBILE}。",
                area=ADDRESS,
                contact_name=NAME,
                contact_mobile=MOBILE,
                contact_email=EMAIL,
                publish_consent=True,
            )
        ],
    )
    preview = offline.social_import_preview(
        actor=world.user(CLERK),
        campaign=feedback,
        file_name=IMPORT_FILE,
        content=_social_csv(
            [
                ("https://weibo.example.com/c/privacy-1", NAME, text, _today()),
                (
                    "https://weibo.example.com/c/privacy-2",
                    NAME,
                    f"邮箱{EMAIL},电话{MOBILE}",
                    _today(),
                ),
            ]
        ),
        default_category=category,
    )
    offline.social_import_confirm(social_import=preview, actor=world.user(CLERK))
    # Every suggestion of the symposium and the import approved: only consented ones are published.
    for suggestion in Suggestion.objects.filter(campaign=feedback, state=Suggestion.State.PENDING).exclude(
        channel=Suggestion.Channel.ONLINE
    ):
        moderation.suggestion_approve(suggestion=suggestion, actor=reviewer)
    analysis.campaign_analysis_compute(campaign=feedback, force=True)

    summary = _privacy_campaign(world, "privacy-summary", Phase.SUMMARY)
    excellent = moderation.suggestion_approve(suggestion=create(summary, consent=True), actor=reviewer)
    _answered(world, excellent, lead_text, other_text, measure)
    recognition.suggestion_select_excellent(
        suggestion=excellent, actor=world.user(CLERK), citation=f"{NAME}({MOBILE})的建议切实可行。"
    )
    moderation.suggestion_assess(
        suggestion=excellent, actor=reviewer, reasonableness=5, feasibility=5, innovation=4, note=f"{NAME} {MOBILE}"
    )
    report = reports.campaign_report_generate(campaign=summary)
    office = world.user(CLERK)
    report = reports.campaign_report_edit(
        report=report, actor=office, outcomes=f"市民参与踊跃,回访电话{MOBILE}。", lessons=f"{EMAIL} {ID_NUMBER}"
    )
    reports.campaign_report_publish(report=report, actor=office)
    return [NAME, f"{NAME_GIVEN} {NAME_FAMILY}", MOBILE, ID_NUMBER, EMAIL, ADDRESS, ATTACHMENT_FILE, MINUTES_FILE]


def _pdf_upload(name: str, *, secret: bool = False) -> SimpleUploadedFile:
    """A PDF named `name`; `secret`: its content holds the author's ID and mobile numbers, so that
    the crawler finds it if it is served to the public."""
    content = tiny_pdf()
    if secret:
        content = content.replace(b"\n", f"\n% {ID_NUMBER} {MOBILE}\n".encode(), 1)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def seed_typed_variants(world: World) -> list[str]:
    """Published, answered suggestions holding every typed variant (TYPED_VARIANTS) in the title,
    the texts, the area, both departments' answers and a measure; and one whose public texts,
    answers, measure and excellent citation were stored unmasked, as by weaker rules before (the
    pages mask again as they render)."""
    variants = list(TYPED_VARIANTS)
    everything = ",".join(variants)
    campaign = _privacy_campaign(world, "privacy-typed", Phase.FEEDBACK)
    person = citizen("typed_suggester", first_name=NAME_GIVEN, last_name=NAME_FAMILY)
    for legacy in (False, True):
        suggestion = intake.suggestion_create(
            campaign=campaign,
            category=campaign.categories.get(),
            channel=Suggestion.Channel.ONLINE,
            title=f"{NAME}反映 {variants[0]} {variants[1]}",
            problem=f"我是{NAME}:{everything}。",
            measures=f"请联系 {variants[2]} 或 {variants[3]}。",
            area=variants[-1],
            actor=person,
            citizen=person,
            contact_name=NAME,
            publish_consent=True,
        )
        suggestion = moderation.suggestion_approve(suggestion=suggestion, actor=world.user(REVIEWER))
        _answered(
            world,
            suggestion,
            f"{NAME}您好,已回电{variants[0]},核实{everything}。",
            f"已联系 {variants[4]}、{variants[6]}。",
            f"回访 {variants[7]} {variants[8]}",
        )
        if legacy:
            Suggestion.objects.filter(pk=suggestion.pk).update(
                public_title=f"反映 {variants[2]} {variants[3]}", public_problem=everything, public_measures=everything
            )
            Forwarding.objects.filter(suggestion=suggestion).update(public_answer=everything)
            Suggestion.objects.filter(pk=suggestion.pk).update(
                excellent_at=timezone.now(), excellent_citation=f"{NAME}:{everything}"
            )
            Measure.objects.filter(forwarding__suggestion=suggestion).update(description=everything[:300])
    analysis.campaign_analysis_compute(campaign=campaign, force=True)
    return list(TYPED_VARIANTS.values())


PRIVACY_SEEDERS = [seed_suggestions, seed_typed_variants]


def public_pages(world: World) -> list[str]:
    """The campaigns, each published campaign's page, analysis and report, and every published
    suggestion's page (the crawler follows their links: files, filters, pages)."""
    pages = [reverse("suggestions:index")]
    for campaign in Campaign.objects.published().order_by("pk"):
        pages += [
            reverse("suggestions:campaign", args=[campaign.slug]),
            reverse("suggestions:analysis", args=[campaign.slug]),
        ]
        if campaign.reports.filter(is_published=True).exists():
            pages.append(reverse("suggestions:report", args=[campaign.slug]))
    published = Suggestion.objects.published().select_related("campaign").order_by("pk")
    pages += [reverse("suggestions:detail", args=[s.campaign.slug, s.pk]) for s in published]
    # Every file by its address, linked or not: those of suggestions not public must not be served.
    files = SuggestionAttachment.objects.order_by("pk").values_list("pk", flat=True)
    pages += [reverse("suggestions:attachment", args=[pk]) for pk in files]
    return pages
