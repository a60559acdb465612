"""Generated suggestions for load tests and benchmarks (`manage.py generate_data --suggestions N`).

Four published campaigns, one in each phase that has suggestions (collection, analysis, feedback
and publication, summary; slugs `gen-…`, reused by later runs, which add to them), share the
suggestions 20 : 10 : 50 : 20. Realistic in shape: Chinese titles, problem descriptions and
proposed measures built from the matters city residents raise in each category, private contact
data in the real formats (some of it typed into the text, so the masking has something to find),
six channels, states in the proportions the campaign's phase implies (pending only while
collecting), classified numbers per campaign and category from the campaign's pattern,
publication with consent, forwardings to one or two departments in batches, answers with the four
outcomes, measures with milestones (some done), assessments, follows (a few suggestions past the
high-attention threshold), a few excellent ones, the timeline events, the public and staff search
documents, and the clocks each state implies (moderation, each department's answer, each
milestone), due moments on the real work calendar and those already past marked overdue.

Consistent with what the services write, so later work continues from it: tracking numbers
continue portal.references' day counters, and each campaign and category's SequenceCounter is
moved to the last classified number generated, so the next approval continues the sequence. Texts
are segmented by jieba once per distinct text (a pool), as the petitions' generator does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from portal import deadlines, roles
from portal.generate import CHUNK, GenerationContext, copy_rows, reserve_ids
from portal.masking import mask_personal_data
from portal.models import Clock, ReferenceCounter, SequenceCounter, User
from portal.policies import get_policy
from portal.search import segment
from suggestions import policies
from suggestions.models import (
    REFERENCE_PREFIX,
    Assessment,
    Campaign,
    Category,
    Follow,
    Forwarding,
    ForwardingBatch,
    Measure,
    Outcome,
    Suggestion,
    SuggestionEvent,
    Symposium,
)
from suggestions.services.moderation import number_format, number_scope

S = Suggestion.State
C = Suggestion.Channel

# (slug, title, theme, share of the suggestions, days from today to each phase's first day and the end)
CAMPAIGNS = (
    (
        "gen-collection",
        "“汇聚民智,共筑美好未来”城市发展建言(生成数据)",
        "汇聚民智,共筑美好未来",
        0.20,
        (-40, -30, 30, 45, 70, 90),
    ),
    ("gen-analysis", "“宜居城市 共建共享”建言征集(生成数据)", "宜居城市,共建共享", 0.10, (-100, -90, -20, 10, 40, 60)),
    (
        "gen-feedback",
        "“民生实事 你提我办”建言征集(生成数据)",
        "民生实事,你提我办",
        0.50,
        (-220, -210, -120, -60, 30, 60),
    ),
    (
        "gen-summary",
        "“绿色低碳 美好生活”建言活动(生成数据)",
        "绿色低碳,美好生活",
        0.20,
        (-330, -320, -250, -200, -20, 40),
    ),
)
_PHASE_FIELDS = ("preparation_on", "collection_on", "analysis_on", "feedback_on", "summary_on", "ends_on")

# (state, share) by the campaign's phase; answered and forwarded only once forwarding began.
STATES = {
    "gen-collection": (
        (S.APPROVED, 0.80),
        (S.PENDING, 0.06),
        (S.REJECTED, 0.08),
        (S.MERGED, 0.04),
        (S.WITHDRAWN, 0.02),
    ),
    "gen-analysis": (
        (S.APPROVED, 0.55),
        (S.FORWARDED, 0.25),
        (S.ANSWERED, 0.06),
        (S.REJECTED, 0.08),
        (S.MERGED, 0.04),
        (S.WITHDRAWN, 0.02),
    ),
    "gen-feedback": (
        (S.ANSWERED, 0.72),
        (S.FORWARDED, 0.08),
        (S.APPROVED, 0.06),
        (S.REJECTED, 0.09),
        (S.MERGED, 0.04),
        (S.WITHDRAWN, 0.01),
    ),
    "gen-summary": ((S.ANSWERED, 0.83), (S.APPROVED, 0.03), (S.REJECTED, 0.09), (S.MERGED, 0.04), (S.WITHDRAWN, 0.01)),
}
CHANNELS = (
    (C.ONLINE, 0.72),
    (C.LETTER, 0.05),
    (C.FIELD_VISIT, 0.04),
    (C.HOTLINE, 0.07),
    (C.SYMPOSIUM, 0.04),
    (C.SOCIAL_MEDIA, 0.08),
)
OUTCOMES = ((Outcome.ADOPTED, 0.35), (Outcome.PARTLY, 0.30), (Outcome.STUDYING, 0.10), (Outcome.NOT_ADOPTED, 0.25))

# What residents raise, by category code: (matter, the problem, the proposed measures).
MATTERS = {
    "JJ": (
        (
            "优化营商环境",
            "企业办理开办、变更等手续仍需多次往返,材料重复提交,耗时较长。",
            "建议推行企业开办全程网办,实行一表申请、一窗发放,把办理时限压缩到一个工作日。",
        ),
        (
            "小微企业融资",
            "小微企业缺少抵押物,向银行贷款门槛高、周期长,资金周转困难。",
            "建议设立政府性融资担保基金,搭建银企对接平台,推广信用贷款产品。",
        ),
        (
            "夜间经济",
            "城区夜间消费场所少,晚上九点后商业街基本关门,夜间经济活力不足。",
            "建议规划特色夜市街区,延长公共交通运营时间,鼓励商场和餐饮延时营业。",
        ),
        (
            "农产品销售",
            "郊区农户种植的蔬菜水果销售渠道单一,经常出现丰产不丰收。",
            "建议发展农村电商和直播带货,建设产地冷链仓储设施,组织农超对接。",
        ),
        (
            "高校毕业生就业",
            "高校毕业生留在本市就业的比例不高,人才流失较多。",
            "建议完善人才公寓和租房补贴政策,举办本地企业专场招聘会,支持大学生创业孵化。",
        ),
    ),
    "SM": (
        (
            "社区养老服务",
            "社区老年人越来越多,日间照料、助餐助浴等养老服务供给不足。",
            "建议在每个社区建设日间照料中心,引入专业养老机构运营,为高龄老人提供上门服务。",
        ),
        (
            "老年助餐",
            "独居老人做饭不便,附近缺少价格实惠的老年食堂。",
            "建议依托社区服务中心开设老年助餐点,给予用餐补贴并提供送餐上门。",
        ),
        (
            "婴幼儿托育",
            "双职工家庭三岁以下婴幼儿无人照看,普惠托育机构少、收费高。",
            "建议新建小区配套建设托育设施,支持幼儿园开设托班,给予普惠托育机构运营补贴。",
        ),
        (
            "社区医疗服务",
            "社区卫生服务中心医生少、药品种类不全,居民看小病也要去大医院排队。",
            "建议推行家庭医生签约服务,扩充社区常用药品目录,开通上级医院预约转诊绿色通道。",
        ),
        (
            "菜市场改造",
            "老旧菜市场环境脏乱,地面湿滑,夏天气味难闻。",
            "建议对老旧农贸市场进行标准化改造,完善排水通风设施,引入智慧管理。",
        ),
    ),
    "HB": (
        (
            "垃圾分类",
            "小区垃圾分类投放点设置不合理,混投混运现象仍然存在。",
            "建议推行定时定点投放,配备垃圾分类督导员,对分类运输车辆实行全程监管。",
        ),
        (
            "河道整治",
            "城区河道部分河段水质较差,岸边有垃圾堆放。",
            "建议开展河道清淤和截污纳管,落实河长制巡查,建设滨河生态绿道。",
        ),
        (
            "噪音扰民",
            "主干道夜间大货车和改装车噪音扰民,影响周边居民休息。",
            "建议设置噪音监测抓拍设备,加强夜间路面执法,在敏感路段设置隔音屏障。",
        ),
        (
            "扬尘治理",
            "建筑工地和渣土车扬尘严重,周边空气质量差。",
            "建议严格落实工地围挡、洒水和车辆冲洗措施,对渣土车实行密闭运输和路线管控。",
        ),
        (
            "口袋公园",
            "部分老城区绿化覆盖率低,缺少居民休闲的绿地。",
            "建议利用边角地建设口袋公园,推广立体绿化和屋顶绿化。",
        ),
    ),
    "WJ": (
        (
            "课后托管服务",
            "小学放学时间早,家长下班前孩子无人接送和看管。",
            "建议学校普遍开展课后延时服务,引入体育、艺术社团活动,费用由财政适当补贴。",
        ),
        (
            "图书馆开放时间",
            "市图书馆周末和晚上开放时间短,上班族难以利用。",
            "建议延长图书馆周末及夜间开放时间,建设二十四小时自助图书馆和社区书屋。",
        ),
        (
            "学位供给",
            "新建小区入住人口多,周边学校学位紧张,班额偏大。",
            "建议加快配套学校建设,合理调整学区划分,推进集团化办学。",
        ),
        (
            "青少年运动场地",
            "青少年课外运动场地少,学校操场周末不对外开放。",
            "建议在保障安全的前提下推动学校体育场地错时开放,新建社区多功能运动场。",
        ),
        (
            "非遗文化传承",
            "本地传统手工艺和地方戏曲后继乏人,年轻人了解不多。",
            "建议开设非遗进校园课程,建设非遗传习所,支持传承人开展展演活动。",
        ),
    ),
    "CJ": (
        (
            "老旧小区改造",
            "老旧小区管网老化、外墙脱落、缺少电梯,居民生活不便。",
            "建议统筹推进老旧小区综合改造,同步实施管网更新、外墙修缮和加装电梯。",
        ),
        (
            "加装电梯",
            "多层住宅老人上下楼困难,加装电梯审批环节多、费用分摊难。",
            "建议简化加装电梯审批流程,给予财政补贴,由社区协调业主达成一致。",
        ),
        (
            "停车难",
            "小区停车位严重不足,车辆占用消防通道和人行道。",
            "建议挖潜建设立体停车库,推行错时共享停车,规范路内停车收费管理。",
        ),
        (
            "背街小巷路灯",
            "背街小巷路灯损坏后长期无人维修,夜间出行不安全。",
            "建议开展背街小巷照明专项整治,建立路灯故障快速报修和维修机制。",
        ),
        (
            "城市内涝",
            "暴雨天气部分路段积水严重,车辆无法通行。",
            "建议改造易涝点排水管网,建设海绵城市设施,汛前清理雨水井。",
        ),
    ),
    "JT": (
        (
            "公交线路优化",
            "新建小区距离公交站较远,早晚高峰公交班次少、等车时间长。",
            "建议增设社区微循环公交线路,加密高峰时段班次,优化站点设置。",
        ),
        (
            "地铁站接驳",
            "地铁站周边缺少公交接驳和非机动车停放区,最后一公里不方便。",
            "建议优化地铁站接驳公交,规划共享单车停放区,完善步行通道。",
        ),
        (
            "学校周边交通",
            "学校门口上下学时段车辆乱停,道路拥堵,存在安全隐患。",
            "建议设置家长临时停车接送区,增派交警和护学岗,施划限速标志和减速带。",
        ),
        (
            "充电桩建设",
            "新能源汽车越来越多,小区和公共停车场充电桩数量不足。",
            "建议将充电设施纳入老旧小区改造内容,在公共停车场配建快充桩,统一建设运营标准。",
        ),
        (
            "慢行系统",
            "部分道路非机动车道被占用,骑行和步行不安全。",
            "建议完善非机动车道物理隔离,建设连续的城市绿道和步行系统。",
        ),
    ),
    "ZW": (
        (
            "一网通办",
            "部分事项还需到多个窗口重复提交材料,网上办事系统不好用。",
            "建议推进政务服务一网通办,实现数据共享、材料免交,优化手机端办事体验。",
        ),
        (
            "12345热线",
            "12345热线高峰时段难以接通,部分诉求办理结果反馈不及时。",
            "建议增加热线坐席,建立诉求办理回访和督办机制,公开办理情况。",
        ),
        (
            "政策解读",
            "部分政策文件公布后缺少解读,群众不清楚如何享受政策。",
            "建议同步发布政策解读和办事指南,用图解、短视频等形式讲清楚。",
        ),
        (
            "老年人办事",
            "老年人不会使用智能手机,在网上预约和扫码办事时遇到困难。",
            "建议保留线下办理渠道,设置老年人绿色通道,提供志愿者帮办代办服务。",
        ),
    ),
    "QT": (
        (
            "志愿服务",
            "社区志愿服务活动形式单一,年轻人参与不多。",
            "建议搭建志愿服务信息平台,推行志愿服务积分兑换,丰富服务项目。",
        ),
        (
            "应急避难场所",
            "很多居民不知道附近应急避难场所的位置,标识不清。",
            "建议完善应急避难场所标识,在社区公示位置地图,定期开展应急演练。",
        ),
    ),
}
PLACES = (
    "幸福路街道",
    "和平社区",
    "建设路",
    "人民公园周边",
    "滨江花园小区",
    "经济开发区",
    "老城区",
    "东湖新村",
    "火车站片区",
    "城南新区",
    "翠苑小区",
    "第三中学周边",
    "中心医院周边",
    "长江路",
    "青山镇",
    "北关社区",
)
TITLES = (
    "关于{matter}的建议",
    "建议改进{place}的{matter}",
    "{place}{matter}问题亟待解决",
    "进一步做好{matter}工作的建议",
)
ANSWERS = {
    Outcome.ADOPTED: (
        "感谢您的建议。经研究,您提出的建议针对性和可操作性强,我单位予以采纳,已纳入年度重点工作计划,"
        "将于年内组织实施,实施进展将在本页面公示。",
        "感谢您对城市发展的关心。您的建议已被采纳,我单位已制定工作方案,明确责任科室和完成时限,欢迎继续监督。",
    ),
    Outcome.PARTLY: (
        "感谢您的建议。经研究,建议中的部分内容我单位予以采纳,已列入下一阶段工作安排;其余内容受资金和规划"
        "条件限制,暂不具备实施条件,我们将结合实际逐步推进。",
    ),
    Outcome.STUDYING: (
        "感谢您的建议。您反映的问题涉及多个部门和规划调整,我单位正在会同相关部门开展调研论证,研究结果将及时反馈。",
    ),
    Outcome.NOT_ADOPTED: (
        "感谢您的建议。经研究,该区域已纳入城市更新统一规划,现阶段单独实施将造成重复建设,故暂不采纳。"
        "我们将在规划实施中统筹考虑您反映的问题。",
        "感谢您的建议。经核实,相关事项已有政策规定并在执行中,您反映的情况我们将通过加强日常监管解决,故不再另行采纳。",
    ),
}
MEASURES = ("制定实施方案并报批", "完成项目选址和设计", "完成项目招标", "开工建设", "完成首批试点", "全面推广实施")
REJECTIONS = (
    "您反映的是个人消费纠纷,不属于本次建言活动征集范围,建议拨打12315热线反映。",
    "建议内容与本次活动主题无关,且未提出具体措施,请围绕活动主题重新提交。",
)
WITHDRAWALS = ("内容填写有误,重新提交。", "问题已经解决,不再需要。")
CITATIONS = ("建议切中群众急难愁盼,措施具体可行,已被采纳并纳入年度民生实事项目。",)
TEXT_POOL = 3000
SYMPOSIUMS_PER_CAMPAIGN = 6
BATCH_REPORT = "suggestions/analysis/generated/analysis-report.pdf"
BATCH_REPORT_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SUGGESTION_COLUMNS = tuple(field.column for field in Suggestion._meta.concrete_fields)
FORWARDING_COLUMNS = tuple(field.column for field in Forwarding._meta.concrete_fields)
BATCH_COLUMNS = tuple(field.column for field in ForwardingBatch._meta.concrete_fields)
MEASURE_COLUMNS = tuple(field.column for field in Measure._meta.concrete_fields)
ASSESSMENT_COLUMNS = tuple(field.column for field in Assessment._meta.concrete_fields if field.column != "id")
FOLLOW_COLUMNS = tuple(field.column for field in Follow._meta.concrete_fields if field.column != "id")
EVENT_COLUMNS = ("suggestion_id", "action", "actor_id", "department_id", "note", "public", "created_at", "choice")
CLOCK_COLUMNS = (
    "content_type_id",
    "object_id",
    "department_id",
    "area",
    "kind",
    "policy",
    "unit",
    "amount",
    "started_at",
    "due_at",
    "met_at",
    "state",
    "extension_days",
    "extension_reason",
    "paused_days",
    "provisional",
    "reminded_at",
    "overdue_at",
    "created_at",
)


def _pick(rng, weighted):
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


@lru_cache(maxsize=8192)
def _working_day_due(start_day: date, days: int) -> datetime:
    return deadlines.count_working_days(start_day, days).due_at


def _tokens(code: str) -> str:
    """What portal.search.segment makes of a tracking or classified number (JY-20261129-0001 →
    "jy 20261129 0001"), without jieba."""
    return " ".join(part for part in code.lower().replace("-", " ").split())


class _Text(NamedTuple):
    title: str
    problem: str
    measures: str
    area: str
    name: str
    mobile: str
    public_title: str
    public_problem: str
    document: str  # segmented title, problem and measures (the staff search)
    public_document: str  # segmented public version (the public search, with the public answers)


class _Texts:
    """A pool of suggestion texts by category, each segmented once; and the answers."""

    def __init__(self, rng, context: GenerationContext, size: int = TEXT_POOL):
        self.by_category: dict[str, list[_Text]] = {code: [] for code in MATTERS}
        codes = list(MATTERS)
        for n in range(size):
            code = codes[n % len(codes)]
            matter, problem, measures = rng.choice(MATTERS[code])
            place = rng.choice(PLACES)
            name = context.person_name()
            mobile = context.mobile()
            title = rng.choice(TITLES).format(matter=matter, place=place)
            text = f"我是{place}的居民{name}。{problem}"
            if rng.random() < 0.3:
                text += f"如需了解情况可以联系我,电话{mobile}。"
            public_title = mask_personal_data(title, names=[name])
            public_problem = mask_personal_data(text, names=[name])
            self.by_category[code].append(
                _Text(
                    title,
                    text,
                    measures,
                    place,
                    name,
                    mobile,
                    public_title,
                    public_problem,
                    segment(title, text, measures),
                    segment(public_title, public_problem, measures),
                )
            )
        self.answers = {outcome: [(text, segment(text)) for text in texts] for outcome, texts in ANSWERS.items()}


def _campaigns(context: GenerationContext, categories: list[Category]) -> list[tuple[Campaign, float]]:
    today = timezone.localdate(context.now)
    found = []
    for slug, title, theme, share, offsets in CAMPAIGNS:
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            campaign = Campaign(
                slug=slug,
                title=title,
                theme=theme,
                description="本活动为负载测试生成的数据:面向社会征集意见建议,经审核后公开,并转交相关部门研究答复。",
                tips="一事一议,便于分类转交。\n写清楚问题发生的地点和影响。\n提出切实可行的措施。",
                is_published=True,
                **{field: today + timedelta(days=offset) for field, offset in zip(_PHASE_FIELDS, offsets, strict=True)},
            )
            campaign._change_reason = "generated (manage.py generate_data)"
            campaign.save()
            campaign.categories.set(categories)
            campaign.departments.set(context.departments)
        found.append((campaign, share))
    return found


def _assessors() -> list[int]:
    """Two generated assessors: a reviewer and an expert (invited to every generated campaign)."""
    ids = []
    for username, role in (("gen_reviewer", roles.REVIEWER), ("gen_expert", roles.EXPERT)):
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@generated.invalid"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
        ids.append(user.pk)
    return ids


def _symposiums(campaign: Campaign, context: GenerationContext, clerk_id: int | None) -> list[int]:
    existing = list(campaign.symposiums.values_list("pk", flat=True))
    rng = context.random
    start, end = campaign.collection_on, min(campaign.analysis_on, timezone.localdate(context.now))
    for _ in range(SYMPOSIUMS_PER_CAMPAIGN - len(existing)):
        symposium = Symposium(
            campaign=campaign,
            held_on=start + timedelta(days=rng.randrange(max(1, (end - start).days))),
            place=f"{rng.choice(PLACES)}社区党群服务中心",
            participants=rng.randrange(12, 60),
            recorded_by_id=clerk_id,
        )
        symposium._change_reason = "generated (manage.py generate_data)"
        symposium.save()
        existing.append(symposium.pk)
    return existing


class _Plan:
    """What one campaign's generated suggestions need while rows are built: its sequences, the
    accepted suggestions so far (to merge into), its forwarding batches."""

    def __init__(self, campaign: Campaign, categories: list[Category], symposiums: list[int]):
        self.campaign = campaign
        self.categories = categories
        self.symposiums = symposiums
        used = (
            Suggestion.objects.filter(campaign=campaign, sequence__isnull=False)
            .values("category_id")
            .annotate(last=Max("sequence"))
        )
        last = {row["category_id"]: row["last"] for row in used}
        counters = dict(
            SequenceCounter.objects.filter(
                scope__in=[number_scope(campaign, category) for category in categories]
            ).values_list("scope", "value")
        )
        self.sequences = {
            category.pk: max(last.get(category.pk) or 0, counters.get(number_scope(campaign, category), 0))
            for category in categories
        }
        self.accepted: list[tuple[int, datetime]] = []
        self.batches: dict[tuple, int] = {}

    def numbering(self, category: Category) -> tuple[int, str]:
        self.sequences[category.pk] += 1
        sequence = self.sequences[category.pk]
        number = number_format(
            self.campaign.number_pattern, year=self.campaign.year, category=category.code, number=sequence
        )
        return sequence, number


class _Ids:
    """Primary keys of a model reserved a block at a time (portal.generate.reserve_ids), for rows
    whose number is not known in advance (forwardings, batches, measures)."""

    BLOCK = 5000

    def __init__(self, model):
        self.model = model
        self.next = self.end = 0

    def take(self) -> int:
        if self.next == self.end:
            self.next = reserve_ids(self.model, self.BLOCK)
            self.end = self.next + self.BLOCK
        self.next += 1
        return self.next - 1


class _Rows:
    """One chunk's rows, written with COPY table by table (parents first)."""

    def __init__(self):
        self.suggestions: list[list] = []
        self.batches: list[list] = []
        self.forwardings: list[list] = []
        self.measures: list[list] = []
        self.assessments: list[tuple] = []
        self.follows: list[tuple] = []
        self.events: list[tuple] = []
        self.clocks: list[tuple] = []

    def write(self) -> None:
        copy_rows(Suggestion._meta.db_table, SUGGESTION_COLUMNS, self.suggestions)
        copy_rows(ForwardingBatch._meta.db_table, BATCH_COLUMNS, self.batches)
        copy_rows(Forwarding._meta.db_table, FORWARDING_COLUMNS, self.forwardings)
        copy_rows(Measure._meta.db_table, MEASURE_COLUMNS, self.measures)
        copy_rows(Assessment._meta.db_table, ASSESSMENT_COLUMNS, self.assessments)
        copy_rows(Follow._meta.db_table, FOLLOW_COLUMNS, self.follows)
        copy_rows(SuggestionEvent._meta.db_table, EVENT_COLUMNS, self.events)
        copy_rows(Clock._meta.db_table, CLOCK_COLUMNS, self.clocks)


class _Generator:
    """Builds the rows of one run: the shared pools and counters, one suggestion at a time."""

    def __init__(self, context: GenerationContext, categories: list[Category], count: int = TEXT_POOL):
        self.rng = context.random
        self.now = context.now
        self.today = timezone.localdate(context.now)
        self.context = context
        self.categories = categories
        self.departments = [department.pk for department in context.departments]
        self.staff = context.staff
        self.clerk_id = next(iter(context.staff.values()), None)
        self.reviewer_id, self.expert_id = _assessors()
        self.content_types = {
            model: ContentType.objects.get_for_model(model).pk for model in (Suggestion, Forwarding, Measure)
        }
        # Segmenting is the slow part: a small run needs no more texts than suggestions (and at
        # least a few per category, so that every category has some).
        self.texts = _Texts(self.rng, context, size=min(TEXT_POOL, max(count, 4 * len(MATTERS))))
        self.references = dict(ReferenceCounter.objects.filter(prefix=REFERENCE_PREFIX).values_list("day", "value"))
        self.forwarding_ids = _Ids(Forwarding)
        self.batch_ids = _Ids(ForwardingBatch)
        self.measure_ids = _Ids(Measure)
        self.rows = _Rows()
        self.review_hours = get_policy(policies.MODERATE_POLICY).amount

    # --- one suggestion -------------------------------------------------------------------------

    def suggestion(self, pk: int, received_at: datetime, plan: _Plan) -> None:
        rng, now = self.rng, self.now
        state = _pick(rng, STATES[plan.campaign.slug])
        if state == S.PENDING and received_at < now - timedelta(hours=40):
            # Reviewers keep up: what awaits review came in over the last day or two (a few overdue).
            received_at = now - timedelta(hours=40 * rng.random())
        category = rng.choice(plan.categories)
        text = rng.choice(self.texts.by_category[category.code])
        # The author withdraws online; the other channels come in through staff.
        channel = C.ONLINE if state == S.WITHDRAWN else _pick(rng, CHANNELS)
        online = channel == C.ONLINE
        day = timezone.localdate(received_at)
        self.references[day] = self.references.get(day, 0) + 1
        reference = f"{REFERENCE_PREFIX}-{day:%Y%m%d}-{self.references[day]:04d}"
        consent = rng.random() < 0.75
        row = dict.fromkeys(SUGGESTION_COLUMNS)
        row.update(
            id=pk,
            reference=reference,
            campaign_id=plan.campaign.pk,
            category_id=category.pk,
            channel=channel,
            title=text.title,
            problem=text.problem,
            measures=text.measures,
            area=text.area,
            citizen_id=rng.choice(self.context.citizens) if online else None,
            contact_name=text.name,
            contact_mobile="" if channel == C.SOCIAL_MEDIA else text.mobile,
            contact_email="",
            publish_consent=consent,
            name_consent=consent and rng.random() < 0.3,
            recorded_by_id=None if online else self.clerk_id,
            received_on=None if online else day,
            place="" if online else PLACE_OF_CHANNEL.get(channel, "").format(area=text.area),
            symposium_id=rng.choice(plan.symposiums) if channel == C.SYMPOSIUM and plan.symposiums else None,
            source_url=f"https://weibo.com/{rng.randrange(10**9, 10**10)}/{rng.randrange(10**15, 10**16)}"
            if channel == C.SOCIAL_MEDIA
            else "",
            state=state,
            received_at=received_at,
            rejection_reason="",
            withdrawal_reason="",
            number="",
            outcome="",
            follower_count=0,
            briefing_link="",
            excellent_citation="",
            public_title=text.public_title,
            public_problem=text.public_problem,
            public_measures=text.measures,
            search_document=f"{_tokens(reference)} {text.document}",
            public_search_document="",
        )
        self.rows.events.append((pk, "received", None, None, "", True, received_at, channel))
        decided_at = None
        if state != S.PENDING:
            late = rng.random() < 0.06
            hours = 24 + rng.expovariate(1 / 10) if late else min(23.9, rng.expovariate(1 / 7))
            decided_at = min(received_at + timedelta(hours=hours), now - timedelta(minutes=rng.uniform(1, 60)))
            decided_at = max(decided_at, received_at + timedelta(minutes=5))
        reviewer = self.reviewer_id
        if state == S.MERGED:
            earlier = [item for item in plan.accepted[-200:] if item[1] < received_at]
            if earlier:
                row["merged_into_id"] = rng.choice(earlier)[0]
            else:  # nothing earlier to merge into: a reviewer rejects it instead
                state = row["state"] = S.REJECTED
        if state == S.WITHDRAWN:
            row["withdrawal_reason"] = rng.choice(WITHDRAWALS)
            self.rows.events.append(
                (pk, "withdrawn", row["citizen_id"], None, row["withdrawal_reason"], True, decided_at, "")
            )
        elif state == S.REJECTED:
            row.update(decided_at=decided_at, decided_by_id=reviewer, rejection_reason=rng.choice(REJECTIONS))
            self.rows.events.append((pk, "rejected", reviewer, None, row["rejection_reason"], True, decided_at, ""))
        elif state == S.MERGED:
            row.update(decided_at=decided_at, decided_by_id=reviewer)
            self.rows.events.append((pk, "merged", reviewer, None, "", True, decided_at, ""))
        elif state in Suggestion.ACCEPTED_STATES:
            self.accepted(row, category, plan, text, decided_at)
        self.rows.clocks.append(
            _clock(
                self.content_types[Suggestion],
                pk,
                None,
                policies.MODERATE,
                policies.MODERATE_POLICY,
                "hours",
                self.review_hours,
                received_at,
                deadlines.due_after_hours(received_at, self.review_hours),
                decided_at,
                now,
            )
        )
        self.rows.suggestions.append([row[column] for column in SUGGESTION_COLUMNS])

    def accepted(self, row: dict, category: Category, plan: _Plan, text: _Text, decided_at: datetime) -> None:
        rng, now, pk = self.rng, self.now, row["id"]
        sequence, number = plan.numbering(category)
        row.update(sequence=sequence, number=number, decided_at=decided_at, decided_by_id=self.reviewer_id)
        row["search_document"] = f"{_tokens(row['reference'])} {_tokens(number)} {text.document}"
        plan.accepted.append((pk, row["received_at"]))
        events = self.rows.events
        events.append((pk, "approved", self.reviewer_id, None, number, True, decided_at, ""))
        if row["publish_consent"]:
            row["published_at"] = decided_at
            events.append((pk, "published", self.reviewer_id, None, "", True, decided_at, ""))
        if rng.random() < 0.03:
            for assessor in (self.reviewer_id, self.expert_id)[: rng.choice((1, 2))]:
                scores = [min(5, max(1, round(rng.gauss(3.6, 0.9)))) for _ in range(3)]
                at = _moment_between(rng, decided_at, min(now, decided_at + timedelta(days=5)))
                self.rows.assessments.append((pk, assessor, *scores, "论证意见:建议具有一定参考价值。", at))
                events.append((pk, "assessed", assessor, None, "/".join(map(str, scores)), False, at, ""))
        answers = self.forwarded(row, plan, decided_at) if row["state"] in (S.FORWARDED, S.ANSWERED) else []
        if not row["published_at"]:
            return
        row["public_search_document"] = " ".join([text.public_document, *answers])
        # Follows: most published suggestions have none, a few very many (past the high-attention mark).
        followers = int(rng.paretovariate(1.1)) if rng.random() < 0.35 else 0
        followers = min(followers, len(self.context.citizens), 500)
        if followers:
            for user in rng.sample(self.context.citizens, followers):
                self.rows.follows.append((pk, user, _moment_between(rng, row["published_at"], now)))
            row["follower_count"] = followers
            if followers >= plan.campaign.attention_threshold:
                row["high_attention_at"] = _moment_between(rng, row["published_at"], now)
                events.append((pk, "attention", None, None, str(followers), False, row["high_attention_at"], ""))
        if row["outcome"] in Outcome.with_measures() and rng.random() < 0.003:
            row["excellent_at"] = _moment_between(rng, row["answered_at"], now)
            row["excellent_citation"] = rng.choice(CITATIONS)
            events.append(
                (pk, "excellent", self.clerk_id, None, row["excellent_citation"], True, row["excellent_at"], "")
            )

    def forwarded(self, row: dict, plan: _Plan, decided_at: datetime) -> list[str]:
        """Forwardings to one or two departments (a batch per day and departments), their answer
        clocks and, for an answered suggestion, every department's answer; measures for an
        adopting lead. Returns the public answers' search words."""
        rng, now, pk = self.rng, self.now, row["id"]
        campaign = plan.campaign
        answered = row["state"] == S.ANSWERED
        opens = max(decided_at, deadlines.end_of_day(campaign.analysis_on - timedelta(days=1)))
        if answered:
            forwarded_at = _moment_between(rng, opens, min(now - timedelta(days=2), opens + timedelta(days=25)))
        else:  # still waiting for a department: forwarded in the last few weeks
            forwarded_at = _moment_between(rng, max(opens, now - timedelta(days=25)), now - timedelta(hours=1))
        lead = rng.choice(self.departments)
        chosen = [lead]
        if rng.random() < 0.15:
            chosen.append(rng.choice([department for department in self.departments if department != lead]))
        policy = policies.respond_policy(len(chosen))
        days = get_policy(policy).amount
        due = _working_day_due(timezone.localdate(forwarded_at), days)
        key = (campaign.pk, timezone.localdate(forwarded_at), tuple(chosen))
        batch = plan.batches.get(key)
        if batch is None:
            batch = plan.batches[key] = self.batch_ids.take()
            self.rows.batches.append(
                [
                    batch,
                    campaign.pk,
                    "请按时答复,并将采纳情况和落实措施录入系统。",
                    BATCH_REPORT,
                    "建言分析报告.pdf",
                    "application/pdf",
                    self.clerk_id,
                    forwarded_at,
                ]
            )
        row.update(forwarded_at=forwarded_at, lead_department_id=lead)
        self.rows.events.append((pk, "forwarded", self.clerk_id, lead, "", True, forwarded_at, ""))
        words, answered_moments = [], []
        unanswered_lead = not answered
        for department in chosen:
            forwarding = self.forwarding_ids.take()
            is_lead = department == lead
            answer_at = None
            if answered or (not is_lead and rng.random() < 0.5):
                answer_at = self._answer_moment(forwarded_at, due)
            if unanswered_lead and is_lead:
                answer_at = None
            outcome, text, public_words = "", "", ""
            if answer_at is not None:
                outcome = _pick(rng, OUTCOMES)
                text, public_words = rng.choice(self.texts.answers[outcome])
                words.append(public_words)
                answered_moments.append(answer_at)
                self.rows.events.append(
                    (pk, "answered", self.staff.get(department), department, "", True, answer_at, outcome)
                )
                if is_lead:
                    row["outcome"] = outcome
            self.rows.forwardings.append(
                [
                    forwarding,
                    pk,
                    department,
                    is_lead,
                    batch,
                    outcome,
                    text,
                    text,
                    answer_at,
                    self.staff.get(department) if answer_at else None,
                ]
            )
            self.rows.clocks.append(
                _clock(
                    self.content_types[Forwarding],
                    forwarding,
                    department,
                    policies.RESPOND,
                    policy,
                    "working_days",
                    days,
                    forwarded_at,
                    due,
                    answer_at,
                    now,
                )
            )
            if is_lead and outcome in Outcome.with_measures() and rng.random() < 0.5:
                self.measures(pk, forwarding, department, answer_at)
        if answered:
            row["answered_at"] = max(answered_moments)
        return words

    def _answer_moment(self, forwarded_at: datetime, due: datetime) -> datetime:
        rng, now = self.rng, self.now
        if rng.random() < 0.1:  # answered late
            moment = due + timedelta(days=rng.expovariate(1 / 3))
        else:
            moment = _moment_between(rng, forwarded_at + timedelta(hours=4), due)
        if moment >= now:
            moment = _moment_between(rng, forwarded_at, now - timedelta(minutes=10))
        return moment

    def measures(self, pk: int, forwarding: int, department: int, answered_at: datetime) -> None:
        rng, now, today = self.rng, self.now, self.today
        for n in range(rng.choice((1, 2, 3))):
            measure = self.measure_ids.take()
            created_at = min(answered_at + timedelta(days=rng.uniform(0.2, 5)), now - timedelta(minutes=5))
            created_on = timezone.localdate(created_at)
            planned_on = created_on + timedelta(days=rng.randrange(15, 150) + 30 * n)
            done_on = None
            if planned_on < today and rng.random() < 0.85:
                done_on = min(today, created_on + timedelta(days=rng.randrange(0, (planned_on - created_on).days + 8)))
            elif planned_on >= today and rng.random() < 0.25:
                done_on = created_on + timedelta(days=rng.randrange(0, (today - created_on).days + 1))
            description = MEASURES[min(n * 2 + rng.randrange(2), len(MEASURES) - 1)]
            self.rows.measures.append([measure, forwarding, description, planned_on, done_on, "", created_at])
            self.rows.events.append(
                (
                    pk,
                    "measure",
                    self.staff.get(department),
                    department,
                    f"{description} ({planned_on:%Y-%m-%d})",
                    True,
                    created_at,
                    "planned",
                )
            )
            met_at = None
            if done_on is not None:
                met_at = max(created_at, min(deadlines.end_of_day(done_on), now - timedelta(minutes=1)))
                self.rows.events.append(
                    (
                        pk,
                        "measure",
                        self.staff.get(department),
                        department,
                        f"{description} ({done_on:%Y-%m-%d})",
                        True,
                        met_at,
                        "done",
                    )
                )
            self.rows.clocks.append(
                _clock(
                    self.content_types[Measure],
                    measure,
                    department,
                    policies.MILESTONE,
                    policies.MILESTONE_POLICY,
                    "date",
                    (planned_on - created_on).days,
                    created_at,
                    deadlines.end_of_day(planned_on),
                    met_at,
                    now,
                )
            )


PLACE_OF_CHANNEL = {
    C.LETTER: "{area}社区意见箱",
    C.FIELD_VISIT: "{area}",
    C.HOTLINE: "12345市民服务热线",
    C.SYMPOSIUM: "{area}社区党群服务中心",
    C.SOCIAL_MEDIA: "",
}


def _moment_between(rng, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random() if end > start else start


def _clock(content_type, pk, department, kind, policy, unit, amount, started_at, due_at, met_at, now) -> tuple:
    """A clock row as the engine would hold it at `now`: met on time or late, or running, or
    overdue (already marked and reminded, so the first sweep notifies nobody of old news)."""
    if met_at is not None:
        state, overdue_at = ("met_on_time" if met_at <= due_at else "met_late"), None
    elif due_at < now:
        state, overdue_at = "overdue", due_at
    else:
        state, overdue_at = "running", None
    reminded_at = None
    if met_at is None:
        reminded_at = overdue_at or (due_at - timedelta(hours=4) if due_at < now + timedelta(hours=4) else None)
    return (
        content_type,
        pk,
        department,
        policies.AREA,
        kind,
        policy,
        unit,
        amount,
        started_at,
        due_at,
        met_at,
        state,
        0,
        "",
        0,
        False,
        reminded_at,
        overdue_at,
        started_at,
    )


def generate_suggestions(*, count: int, context: GenerationContext) -> int:
    """Add `count` suggestions to the generated campaigns (portal.generate's contract)."""
    categories = list(Category.objects.filter(is_active=True, code__in=list(MATTERS)).order_by("order", "pk"))
    if not categories:
        raise ValueError("No active suggestion category with a generated vocabulary (suggestions migration 0002).")
    generator = _Generator(context, categories, count)
    if not default_storage.exists(BATCH_REPORT):
        default_storage.save(BATCH_REPORT, ContentFile(BATCH_REPORT_PDF))
    plans = []
    left = count
    campaigns = _campaigns(context, categories)
    for index, (campaign, share) in enumerate(campaigns):
        campaign.experts.add(generator.expert_id)
        size = left if index == len(campaigns) - 1 else min(left, round(count * share))
        left -= size
        plans.append((_Plan(campaign, categories, _symposiums(campaign, context, generator.clerk_id)), size))

    rng, now = context.random, context.now
    next_id = reserve_ids(Suggestion, count) if count else 0
    written = 0
    bar = context.bar(count, "suggestions")
    for plan, size in plans:
        campaign = plan.campaign
        opens = deadlines.end_of_day(campaign.collection_on - timedelta(days=1))
        closes = min(deadlines.end_of_day(campaign.analysis_on - timedelta(days=1)), now - timedelta(minutes=30))
        # Receipt moments in order, so ids follow receipt and a merge points to an earlier one.
        moments = sorted(_moment_between(rng, opens, closes) for _ in range(size))
        for start in range(0, size, CHUNK):
            chunk = moments[start : start + CHUNK]
            for received_at in chunk:
                generator.suggestion(next_id, received_at, plan)
                next_id += 1
            generator.rows.write()
            generator.rows = _Rows()
            written += len(chunk)
            bar.update(len(chunk))
    bar.close()

    for day, value in generator.references.items():
        ReferenceCounter.objects.update_or_create(prefix=REFERENCE_PREFIX, day=day, defaults={"value": value})
    for plan, _size in plans:
        for category in plan.categories:
            if plan.sequences[category.pk]:
                SequenceCounter.objects.update_or_create(
                    scope=number_scope(plan.campaign, category), defaults={"value": plan.sequences[category.pk]}
                )
    with connection.cursor() as cursor:
        for model in (Suggestion, Forwarding, ForwardingBatch, Measure, Assessment, Follow, SuggestionEvent, Clock):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return written
