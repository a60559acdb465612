"""Demo data of the petitions app (`manage.py load_demo`, see portal/demo.py): the categories
and a set of tickets in every state, handled by the demo accounts.

Every ticket is made through the services, exactly as the pages and the admin make them, so its
timeline, clocks, replies, notices and history are real; it is received at its moment in the
past through services._create (the intake under petition_submit and petition_record, which
takes `received_at`). To spread a ticket over past days (so
that some are overdue, some replied late, some rated, and last month's report has figures), each
step runs now and is then moved back to its place in the story by `_move_back`: a DEMO-ONLY
helper that shifts the timestamps the step wrote and recomputes the moved clocks' due moments
through portal.clocks.clock_explain, so every clock stays consistent with its policy and the
work calendar. Nothing outside this module moves timestamps.

Idempotent: a demo ticket is recognised by its title (the titles below are the stable marker);
one that exists is left alone, so a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case, F, When
from django.utils import timezone

from petitions import services
from petitions.models import Attachment, Category, CoHandling, HandlingNote, Petition, PetitionEvent, Reply
from portal import clocks, deadlines
from portal.demo import CHANGE_REASON, DemoData
from portal.models import Clock

CATEGORIES = (
    ("城市管理", "City management"),
    ("交通出行", "Transport"),
    ("教育", "Education"),
    ("环境保护", "Environmental protection"),
    ("医疗卫生", "Health care"),
    ("社会保障", "Social security"),
    ("市场监管", "Market regulation"),
    ("住房保障", "Housing"),
    ("其他", "Other"),
)

# The department demo staff act for: staff_a for 住建局, staff_b for 教育局; the superuser
# "admin" for the departments that have no demo staff.
ACTOR_OF_DEPARTMENT = {"ZJJ": "staff_a", "JYJ": "staff_b"}

H = timedelta(hours=1)
D = timedelta(days=1)


@dataclass(frozen=True)
class Step:
    """One action, `after` the receipt: assign, return, accept, decline, reply, opinion, rate,
    close (by the office) or close_unrated (the hourly task)."""

    action: str
    after: timedelta
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoTicket:
    title: str
    category: str
    kind: str
    content: str
    received_ago: timedelta
    steps: tuple[Step, ...] = ()
    channel: str = Petition.Channel.ONLINE
    contact_name: str = "王小民"
    contact_mobile: str = ""
    publish_consent: bool = False
    location: str = ""


K = Petition.Kind
C = Petition.Channel


def _assign(lead: str, *co: str, complex_matter: bool = False, after: timedelta = 2 * H) -> Step:
    return Step("assign", after, {"lead": lead, "co": co, "is_complex": complex_matter})


TICKETS = (
    DemoTicket(
        "小区门口道路破损,雨天严重积水",
        "城市管理",
        K.COMPLAINT,
        "幸福路88号小区南门外的路面坑洼已有两个月,下雨天积水没过脚踝,老人孩子出行很不方便,请尽快修复。",
        received_ago=2 * H,
        location="幸福路88号",
    ),
    DemoTicket(
        "公交站台缺少遮雨棚",
        "交通出行",
        K.MESSAGE,
        "人民医院站只有站牌没有遮雨棚,看病的老人下雨天只能淋雨候车,建议加装。",
        received_ago=3 * D,
    ),
    DemoTicket(
        "老旧小区加装电梯的补贴政策咨询",
        "住房保障",
        K.CONSULTATION,
        "我们小区建于1995年,想了解加装电梯的申请流程和财政补贴标准。",
        received_ago=30 * H,
        steps=(_assign("ZJJ"),),
    ),
    DemoTicket(
        "学校门口上下学时段交通拥堵",
        "教育",
        K.MESSAGE,
        "实验小学门口每天放学时车辆乱停,道路堵塞,存在安全隐患,希望增派交警疏导。",
        received_ago=2 * D,
        steps=(
            _assign("JYJ"),
            Step("return", 5 * H, {"reason": "道路交通疏导属交通运输和公安交管部门职责,请改派交通运输局。"}),
        ),
    ),
    DemoTicket(
        "夜间施工噪音扰民",
        "环境保护",
        K.COMPLAINT,
        "城东地铁站工地连续一周在晚上十一点后施工,噪音很大,影响周边居民休息。",
        received_ago=5 * D,
        steps=(
            _assign("ZJJ", "STHJJ", complex_matter=True),
            Step("accept", 6 * H),
            Step(
                "opinion", 2 * D, {"department": "STHJJ", "opinion": "已安排执法人员夜间巡查,监测噪声超标后依法处罚。"}
            ),
        ),
    ),
    DemoTicket(
        "商铺违规占道经营",
        "城市管理",
        K.COMPLAINT,
        "建设路沿街商铺长期把货架摆到人行道上,行人只能走机动车道。",
        received_ago=25 * D,
        steps=(_assign("ZJJ"), Step("accept", 20 * H)),
    ),
    DemoTicket(
        "幼儿园收费标准咨询",
        "教育",
        K.CONSULTATION,
        "请问公办幼儿园的保育教育费标准是多少?我是家长王小民,电话13912345678,邮箱wxm@example.com。",
        received_ago=4 * D,
        publish_consent=True,
        contact_mobile="13912345678",
        steps=(
            _assign("JYJ"),
            Step("accept", 5 * H),
            Step(
                "reply",
                2 * D,
                {
                    "body": "您好!我市公办幼儿园保育教育费按市发展改革委核定标准执行,"
                    "具体以各园公示为准。如有疑问可致电王小民家长所在片区的教育局学前教育科。"
                },
            ),
        ),
    ),
    DemoTicket(
        "小区绿化带被私自占用种菜",
        "城市管理",
        K.COMPLAINT,
        "3号楼前的公共绿化带被个别住户圈起来种菜,物业劝阻无效。",
        received_ago=9 * D,
        publish_consent=True,
        steps=(
            _assign("ZJJ"),
            Step("accept", 3 * H),
            Step("reply", 3 * D, {"body": "已责成物业公司限期恢复绿化,并将持续跟进。"}),
            Step("rate", 6 * D, {"rating": Petition.Rating.UNSATISFIED, "comment": "至今没有恢复,物业仍未处理。"}),
        ),
    ),
    DemoTicket(
        "高校毕业生就业补贴何时发放",
        "社会保障",
        K.CONSULTATION,
        "我于今年七月毕业并在本市就业,已提交就业补贴申请,想了解发放时间。",
        received_ago=40 * D,
        publish_consent=True,
        steps=(
            _assign("JYJ"),
            Step("accept", 4 * H),
            Step("reply", 4 * D, {"body": "经核实,您的申请已审核通过,补贴将于本月底前发放至登记的银行账户。"}),
            Step("rate", 5 * D, {"rating": Petition.Rating.SATISFIED, "comment": "回复及时,谢谢!"}),
        ),
    ),
    DemoTicket(
        "背街小巷路灯不亮",
        "城市管理",
        K.MESSAGE,
        "和平巷的路灯已经坏了一个多月,晚上漆黑一片,请尽快维修。",
        received_ago=38 * D,
        publish_consent=True,
        steps=(
            _assign("ZJJ"),
            Step("accept", 30 * H),
            Step("reply", 16 * D, {"body": "已更换和平巷全部故障灯具,恢复正常照明。回复较晚,深表歉意。"}),
            Step("rate", 18 * D, {"rating": Petition.Rating.BASICALLY}),
        ),
    ),
    DemoTicket(
        "农贸市场熟食摊点卫生堪忧",
        "市场监管",
        K.COMPLAINT,
        "南门农贸市场部分熟食摊点无防蝇设施,从业人员不戴口罩手套。",
        received_ago=20 * D,
        steps=(
            _assign("SCJGJ"),
            Step("accept", 6 * H),
            Step("reply", 8 * D, {"body": "已对该市场开展专项检查,责令6家摊点整改,并将加强日常巡查。"}),
            Step("close_unrated", 17 * D),
        ),
    ),
    DemoTicket(
        "重复反映的个人债务纠纷",
        "其他",
        K.MESSAGE,
        "与他人的借款纠纷,对方一直不还钱,希望政府帮助追讨。",
        received_ago=15 * D,
        steps=(
            _assign("ZJJ"),
            Step(
                "decline",
                1 * D,
                {"reason": "您反映的属民间借贷纠纷,不属于行政机关职责范围,建议通过人民调解或向人民法院起诉解决。"},
            ),
            Step("close", 10 * D, {"reason": "已告知诉求人依法解决的途径,作办结处理。"}),
        ),
    ),
    DemoTicket(
        "拖欠农民工工资",
        "社会保障",
        K.COMPLAINT,
        "在城南安置房项目务工三个月,包工头拖欠工资共计两万余元。",
        received_ago=6 * D,
        channel=C.PLAZA,
        contact_name="张师傅",
        contact_mobile="13800001111",
        steps=(_assign("ZJJ", "SCJGJ", complex_matter=True), Step("accept", 10 * H)),
    ),
    DemoTicket(
        "社区卫生服务中心排队时间过长",
        "医疗卫生",
        K.MESSAGE,
        "周一上午在社区卫生服务中心取号后等了两个多小时,建议增加窗口或推行预约。",
        received_ago=1 * D,
        channel=C.HOTLINE,
        contact_name="刘女士",
    ),
    DemoTicket(
        "河道垃圾漂浮",
        "环境保护",
        K.COMPLAINT,
        "清水河大桥下游河面漂浮大量生活垃圾,气味难闻。",
        received_ago=12 * D,
        channel=C.MAILBOX,
        contact_name="市民来信",
        steps=(_assign("STHJJ"), Step("accept", 1 * D)),
    ),
)

# Timestamps a step may write, per model: what `_move_back` shifts.
_TIMESTAMPS = (
    (
        Petition,
        "pk",
        ("received_at", "assigned_at", "accepted_at", "replied_at", "closed_at", "rated_at", "published_at"),
    ),
    (PetitionEvent, "petition", ("created_at",)),
    (Reply, "petition", ("created_at",)),
    (HandlingNote, "petition", ("created_at",)),
    (CoHandling, "petition", ("opinion_at",)),
    (Attachment, "petition", ("created_at",)),
)


def _move_back(petition: Petition, *, since: datetime, to: datetime) -> None:
    """DEMO ONLY: make what happened to `petition` since `since` look as if it happened at `to`.

    Timestamps written at or after `since` move back by `since - to`; the clocks that started or
    were met since then move too, and their due moment and state are recomputed from their policy
    (portal.clocks.clock_explain), as the clock engine would have computed them at that time.
    Never used outside the demo: real tickets are never re-dated.
    """
    delta = since - to
    if delta <= timedelta(0):
        return
    for model, key, names in _TIMESTAMPS:
        rows = model.objects.filter(**{key: petition.pk if key == "pk" else petition})
        rows.update(
            **{name: Case(When(**{f"{name}__gte": since}, then=F(name) - delta), default=F(name)) for name in names}
        )
    for clock in Clock.objects.for_subject(petition):
        moved = False
        if clock.started_at >= since:
            clock.started_at -= delta
            moved = True
        if clock.met_at and clock.met_at >= since:
            clock.met_at -= delta
            moved = True
        if not moved:
            continue
        explanation = clocks.clock_explain(clock)
        clock.due_at, clock.provisional = explanation.due_at, bool(explanation.provisional_years)
        if clock.met_at:
            clock.state = Clock.State.MET_ON_TIME if clock.met_at <= clock.due_at else Clock.State.MET_LATE
        Clock.objects.filter(pk=clock.pk).update(
            started_at=clock.started_at,
            met_at=clock.met_at,
            due_at=clock.due_at,
            provisional=clock.provisional,
            state=clock.state,
        )


def _categories_ensure(demo: DemoData) -> dict[str, Category]:
    categories = {}
    for order, (name, name_en) in enumerate(CATEGORIES, start=1):
        category = Category.objects.filter(name=name).first()
        if category is None:
            category = Category(name=name, name_en=name_en, order=order * 10)
            category._change_reason = CHANGE_REASON
            category.save()
            demo.report.append(f"created petition category {name}")
        elif not category.is_active or not category.name_en:
            category.is_active, category.name_en = True, category.name_en or name_en
            category._change_reason = CHANGE_REASON
            category.save(update_fields=["is_active", "name_en"])
            demo.report.append(f"restored petition category {name}")
        categories[name] = category
    return categories


def _department_actor(demo: DemoData, code: str):
    return demo.accounts[ACTOR_OF_DEPARTMENT.get(code, "admin")]


def _take(step: Step, petition: Petition, demo: DemoData, at: datetime) -> Petition:
    """Run one step through the services (at the real now, except ratings, which take `at`)."""
    clerk = demo.accounts["clerk"]
    lead = petition.lead_department
    lead_actor = _department_actor(demo, next(c for c, d in demo.departments.items() if d == lead)) if lead else None
    options = step.options
    if step.action == "assign":
        return services.petition_assign(
            petition=petition,
            actor=clerk,
            lead_department=demo.departments[options["lead"]],
            co_departments=[demo.departments[code] for code in options["co"]],
            is_complex=options["is_complex"],
        )
    if step.action == "return":
        return services.petition_return(petition=petition, actor=lead_actor, reason=options["reason"])
    if step.action == "accept":
        return services.petition_accept(petition=petition, actor=lead_actor)
    if step.action == "decline":
        return services.petition_decline(petition=petition, actor=lead_actor, reason=options["reason"])
    if step.action == "reply":
        return services.petition_reply(petition=petition, actor=lead_actor, body=options["body"])
    if step.action == "opinion":
        code = options["department"]
        services.petition_submit_opinion(
            petition=petition,
            actor=_department_actor(demo, code),
            department=demo.departments[code],
            opinion=options["opinion"],
        )
        return petition
    if step.action == "rate":
        return services.petition_rate(
            petition=petition, rating=options["rating"], comment=options.get("comment", ""), now=at
        )
    if step.action == "close":
        return services.petition_close(petition=petition, actor=clerk, reason=options["reason"])
    if step.action == "close_unrated":
        # What the hourly task does: it closes every replied ticket past its rating period, this
        # one included (the demo's "replied" tickets are replied within the last few days).
        services.petitions_close_unrated()
        return petition
    raise ValueError(f"unknown demo step {step.action}")


def _ticket_create(spec: DemoTicket, demo: DemoData, categories: dict[str, Category], received_at: datetime):
    """The ticket as received at `received_at`: through services._create, the intake both
    petition_submit (online, the citizen) and petition_record (offline, the clerk) use; it takes
    the moment of receipt, so the tracking number, timeline and clocks start on the right day."""
    offline = spec.channel != C.ONLINE
    citizen = None if offline else demo.accounts["citizen"]
    return services._create(
        citizen=citizen,
        recorded_by=demo.accounts["clerk"] if offline else None,
        channel=spec.channel,
        kind=spec.kind,
        category=categories[spec.category],
        title=spec.title,
        content=spec.content,
        location=spec.location,
        contact_name=spec.contact_name,
        contact_mobile=spec.contact_mobile,
        contact_email=citizen.email if citizen else "",
        publish_consent=spec.publish_consent,
        files=(),
        reception_place="市民广场接访点" if spec.channel == C.PLAZA else "",
        reception_date=deadlines.local_date(received_at) if spec.channel == C.PLAZA else None,
        received_at=received_at,
    )


def _ticket_play(spec: DemoTicket, demo: DemoData, categories: dict[str, Category], now: datetime) -> Petition:
    received_at = now - spec.received_ago
    petition, _code = _ticket_create(spec, demo, categories, received_at)
    for step in spec.steps:
        at = received_at + step.after
        since = timezone.now()
        petition = _take(step, Petition.objects.get(pk=petition.pk), demo, at)
        _move_back(petition, since=since, to=at)
    return Petition.objects.get(pk=petition.pk)


def load_demo(demo: DemoData) -> None:
    """Categories and the demo tickets (called by portal.demo.load_demo, in its transaction)."""
    categories = _categories_ensure(demo)
    existing = set(Petition.objects.filter(title__in=[spec.title for spec in TICKETS]).values_list("title", flat=True))
    now = timezone.now()
    for spec in TICKETS:
        if spec.title in existing:
            continue
        petition = _ticket_play(spec, demo, categories, now)
        demo.report.append(f"created petition ticket {petition.reference} ({petition.state}) {spec.title}")
