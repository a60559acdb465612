"""Demo data of the suggestions app (`manage.py load_demo`, see portal/demo.py): three campaigns
a newcomer can walk through.

* **汇聚民智，共筑美好未来** (slug `huiju-minzhi`), in its collection phase: open to take part, with
  its news, tips, approved and published suggestions in several categories, some awaiting review
  (one past its 24 hours), one not approved, one merged into an earlier one, one withdrawn.
* **宜居社区，共建共享** (`yiju-shequ`), in its feedback and publication phase: suggestions forwarded
  to departments with the analysis report, answered (adopted, partly adopted, under study, not
  adopted with an explanation), one by two departments, one still within its deadline and one past
  it; measures with milestones, some done; assessments by the reviewer and the invited expert;
  follows, one suggestion past the campaign's high-attention threshold.
* **绿色低碳，美好生活** (`lvse-ditan`), in its summary phase: everything answered, its summary
  report generated when the phase began, written up and published, and its hot topics computed.

Every record is made through the services, as the pages and the admin make them, so timelines,
clocks, numbers, notices and history are real. Each step runs now and is then moved back to its
moment in the story by `_move_back`, a DEMO-ONLY helper like petitions.demo's: it shifts the
timestamps the step wrote and recomputes the moved clocks from their policy and the work calendar
(portal.clocks.clock_explain). Phase dates are relative to the day the demo is loaded, so the
phases hold whenever it is. Personal data here is fictional.

Idempotent: a demo campaign is recognised by its slug; one that exists is left alone, so a second
run writes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Case, F, Q, When
from django.utils import timezone
from openpyxl import Workbook

from portal import clocks, deadlines, roles
from portal.demo import CHANGE_REASON, DEMO_EMAIL_DOMAIN, DemoData
from portal.models import Clock, User
from portal.uploads import DOCUMENT_TYPES, CheckedUpload, check_upload
from suggestions import policies
from suggestions.models import (
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
)
from suggestions.services import (
    analysis,
    answers,
    campaigns,
    follows,
    intake,
    moderation,
    recognition,
    reports,
)

H = timedelta(hours=1)
D = timedelta(days=1)

Channel = Suggestion.Channel

# The department demo staff answer for: staff_a for 住建局, staff_b for 教育局; the superuser
# "admin" for the departments that have no demo staff (as in petitions.demo).
ACTOR_OF_DEPARTMENT = {"ZJJ": "staff_a", "JYJ": "staff_b"}

# Residents who take part besides the demo citizen (fictional; no password, they cannot sign in).
RESIDENTS = (
    ("demo_resident_1", "林晓燕"),
    ("demo_resident_2", "郑海涛"),
    ("demo_resident_3", "何雨婷"),
    ("demo_resident_4", "周建平"),
    ("demo_resident_5", "吴佳怡"),
    ("demo_resident_6", "马志强"),
)
CITIZEN_MOBILE = "13912345678"


@dataclass(frozen=True)
class Answer:
    """A department's answer, `after` the forwarding."""

    department: str
    outcome: str
    text: str
    after: timedelta


@dataclass(frozen=True)
class DemoMeasure:
    """A measure the lead department records `recorded_ago`, planned `planned_in` days from today,
    done `done_ago` days before today (None: not yet)."""

    description: str
    recorded_ago: timedelta
    planned_in: int
    done_ago: int | None = None


@dataclass(frozen=True)
class Idea:
    """One demo suggestion and what happens to it. `decision`: approve, reject (reason), merge
    (reason = the key of the suggestion it duplicates), withdraw (reason) or "" (awaiting review)."""

    key: str
    category: str
    title: str
    problem: str
    measures: str
    received_ago: timedelta
    author: str = "citizen"  # a demo account or resident; "" for an offline channel
    channel: str = Channel.ONLINE
    contact_name: str = ""  # offline: the name given
    contact_mobile: str = ""
    area: str = ""
    place: str = ""
    publish: bool = True
    show_name: bool = False
    decision: str = "approve"
    decided_after: timedelta = 4 * H
    reason: str = ""
    assessments: tuple[tuple[str, int, int, int, str], ...] = ()
    followers: tuple[str, ...] = ()
    answers: tuple[Answer, ...] = ()
    milestones: tuple[DemoMeasure, ...] = ()  # the lead department's measures (落实措施)
    excellent: str = ""  # the citation when the office selects it as excellent (优秀建言), `excellent_ago`
    excellent_ago: timedelta = 0 * D
    briefing_ago: int | None = None  # days before today a press briefing was held on it (high attention)


@dataclass(frozen=True)
class Batch:
    """One act of forwarding by the office, `ago`, to `lead` (and `others`)."""

    ago: timedelta
    lead: str
    ideas: tuple[str, ...]
    others: tuple[str, ...] = ()
    note: str = "请在规定时限内答复，采纳的建议请同步录入落实措施和完成时间。"


@dataclass(frozen=True)
class DemoCampaign:
    slug: str
    title: str
    theme: str
    description: str
    tips: str
    # Days from today to the first day of preparation, collection, analysis, feedback, summary,
    # and to the campaign's last day.
    offsets: tuple[int, int, int, int, int, int]
    categories: tuple[str, ...]
    departments: tuple[str, ...]
    news: tuple[tuple[int, str, str], ...]  # (days from today, title, text)
    ideas: tuple[Idea, ...]
    batches: tuple[Batch, ...] = ()
    attention_threshold: int = 50
    report: tuple[str, str] | None = None  # the summary report's outcomes (成效) and lessons (经验教训)


TIPS = (
    "一事一议：每条建议只讲一件事，便于分类转交和答复。\n"
    "问题具体：写清楚问题发生的地点、时间和影响范围。\n"
    "措施可行：提出切实可行的解决办法，可以附上图片或文件。\n"
    "先看看相似建议：已有相同建议的，关注它即可，答复时会通知您。\n"
    "联系方式只用于工作人员与您沟通，不会公开。"
)
PHASE_FIELDS = ("preparation_on", "collection_on", "analysis_on", "feedback_on", "summary_on", "ends_on")

ADOPTED_ELEVATOR = (
    "感谢您的建议。您提出的老旧小区加装电梯补贴建议切实可行，我局予以采纳：已会同财政局制定《既有住宅加装电梯"
    "财政补贴实施细则》，每台电梯补贴20万元，并开通审批绿色通道，由街道协调业主意见。首批试点小区已确定。"
)

CAMPAIGNS = (
    DemoCampaign(
        slug="huiju-minzhi",
        title="“汇聚民智，共筑美好未来”公众建言活动",
        theme="汇聚民智，共筑美好未来",
        description=(
            "为进一步畅通群众建言献策渠道，推进科学决策、民主决策，市人民政府办公室面向社会公开征集意见建议。"
            "本次活动围绕经济发展、社会民生、环境保护、文化教育、城乡建设、交通出行、政务服务等领域，欢迎广大"
            "市民、企业和社会组织积极参与，为城市高质量发展贡献智慧和力量。\n\n"
            "建议经审核后分类编号，征得您同意的将在本页公开；征集结束后，市政府办公室将对建议进行分析梳理，"
            "附分析报告转交相关部门研究办理，部门答复和采纳落实情况将在本页公示。"
        ),
        tips=TIPS,
        offsets=(-20, -12, 18, 35, 60, 75),
        categories=("JJ", "SM", "HB", "WJ", "CJ", "JT", "ZW", "QT"),
        departments=("ZJJ", "JYJ", "STHJJ", "JTYSJ", "SCJGJ"),
        news=(
            (
                -14,
                "“汇聚民智，共筑美好未来”公众建言活动即将启动",
                "市人民政府办公室将于近日启动公众建言活动，通过网站、意见箱、市民热线、座谈会和政务新媒体等"
                "渠道广泛征集意见建议，欢迎市民朋友踊跃参与。",
            ),
            (
                -12,
                "建言征集正式开始",
                "即日起至征集结束，市民可登录本网站在线提交建议，也可投递到各街道社区意见箱或拨打12345市民热线。"
                "每条建议将在24小时内完成审核。",
            ),
            (
                -3,
                "首批建言已审核公开",
                "截至目前，活动已收到建议百余条，首批经审核的建议已分类编号并在本页公开。欢迎关注您认同的建议，"
                "关注人数较多的建议将安排部门专题回应。",
            ),
        ),
        ideas=(
            Idea(
                "a-meals",
                "SM",
                "建议在社区增设老年助餐点",
                "幸福路街道60岁以上老人占比超过三成，不少独居老人做饭不便，附近没有价格实惠的老年食堂。我家楼上的"
                "张奶奶每天只能煮面条凑合。我是王小民，如需实地了解情况可以联系我：13912345678。",
                "建议依托社区党群服务中心开设老年助餐点，对80岁以上老人给予用餐补贴，并为行动不便的老人提供送餐"
                "上门服务。",
                received_ago=10 * D + 3 * H,
                area="幸福路街道",
                show_name=True,
                decided_after=5 * H,
                assessments=(("reviewer", 5, 4, 3, "需求明确，社区已有场地，可行性较高。"),),
                followers=("demo_resident_1", "demo_resident_2", "demo_resident_3"),
            ),
            Idea(
                "a-metro",
                "JT",
                "早晚高峰增开地铁2号线区间车",
                "地铁2号线早高峰城南段满载率很高，市民站台要等两三趟才能上车，换乘站秩序混乱。",
                "建议在早晚高峰增开城南新区至市中心的区间车，缩短行车间隔，并在换乘站增派站务人员疏导。",
                received_ago=9 * D + 20 * H,
                author="demo_resident_1",
                area="地铁2号线城南段",
                decided_after=3 * H,
                followers=("citizen", "demo_resident_4"),
            ),
            Idea(
                "a-waste",
                "HB",
                "推广小区厨余垃圾定时定点投放",
                "我们小区垃圾分类投放点设置在单元门口，混投现象多，夏天厨余垃圾气味很大，招来蚊蝇。",
                "建议推行厨余垃圾定时定点投放，撤桶并点，投放时段安排督导员值守，并对分类准确率高的楼栋给予表扬。",
                received_ago=9 * D + 2 * H,
                author="demo_resident_2",
                area="滨江花园小区",
                decided_after=20 * H,
            ),
            Idea(
                "a-library",
                "WJ",
                "延长市图书馆周末开放时间",
                "市图书馆周末下午五点就闭馆，上班族和学生平时没时间，周末去了也坐不了多久。",
                "建议周末开放时间延长到晚上九点，在人口密集社区建设24小时自助图书馆，实现通借通还。",
                received_ago=8 * D + 5 * H,
                author="demo_resident_3",
                show_name=True,
                decided_after=4 * H,
                assessments=(
                    ("reviewer", 4, 5, 3, "投入小、见效快。"),
                    ("expert", 4, 4, 4, "可结合城市书房建设统筹推进，注意夜间安保和人员配置。"),
                ),
                followers=("demo_resident_5",),
            ),
            Idea(
                "a-finance",
                "JJ",
                "为小微企业开设融资对接服务专窗",
                "小微企业缺少抵押物，向银行贷款门槛高、周期长，很多企业不知道有哪些政策性融资产品。",
                "建议在政务服务中心开设融资对接服务专窗，定期举办银企对接会，推广信用贷款产品和政府性融资担保。",
                received_ago=7 * D + 6 * H,
                author="demo_resident_4",
                decided_after=6 * H,
            ),
            Idea(
                "a-elevator",
                "CJ",
                "老旧小区加装电梯简化审批流程",
                "东湖新村多层住宅老人多，大家都想加装电梯，但要跑规划、住建、市场监管好几个部门，审批时间长。",
                "建议实行加装电梯联合审批、一窗受理，明确办理时限，并公布费用分摊的参考办法。",
                received_ago=7 * D + 1 * H,
                author="demo_resident_5",
                area="东湖新村",
                decided_after=30 * H,
                assessments=(("expert", 5, 4, 4, "联合审批已有外地成熟经验，建议借鉴。"),),
            ),
            Idea(
                "a-oneservice",
                "ZW",
                "推行政务服务“一件事一次办”",
                "办理新生儿出生落户、医保参保、社保卡申领要跑好几个窗口，重复提交材料。",
                "建议梳理高频事项，把关联事项整合为“一件事”，一次申请、一套材料、一窗办结，并支持网上办理。",
                received_ago=6 * D + 8 * H,
                author="demo_resident_1",
                decided_after=2 * H,
            ),
            Idea(
                "a-river",
                "HB",
                "清水河两岸增设垃圾收集点",
                "清水河沿岸步道散步的人很多，但沿途没有垃圾桶，河边经常有塑料袋和饮料瓶。",
                "建议沿河步道每隔两百米设置分类垃圾收集点，并安排保洁人员定时清运。",
                received_ago=6 * D + 2 * H,
                author="",
                channel=Channel.LETTER,
                contact_name="刘先生",
                contact_mobile="13700001234",
                area="清水河沿岸",
                place="和平社区意见箱",
                decided_after=8 * H,
            ),
            Idea(
                "a-school",
                "JT",
                "实验小学周边增设护学岗和减速带",
                "实验小学门口是丁字路口，上下学时段车流大，孩子过马路很危险。",
                "建议上下学时段设置护学岗，路口施划斑马线和限速标志，加装减速带。",
                received_ago=5 * D + 4 * H,
                author="",
                channel=Channel.HOTLINE,
                contact_name="陈女士",
                contact_mobile="13600005678",
                area="实验小学周边",
                place="12345市民服务热线",
                decided_after=5 * H,
            ),
            Idea(
                "a-childcare",
                "SM",
                "增加社区普惠托育服务供给",
                "双职工家庭三岁以下孩子无人照看，附近的托育机构收费每月四五千元，普通家庭负担不起。",
                "建议在新建小区配套建设托育设施，支持幼儿园开设托班，对普惠托育机构给予运营补贴。",
                received_ago=4 * D + 3 * H,
                author="demo_resident_6",
                decided_after=10 * H,
            ),
            Idea(
                "a-bikes",
                "JT",
                "地铁站出口规划共享单车停放区",
                "人民广场地铁站出口共享单车乱停乱放，占用盲道，行人通行困难。",
                "建议在地铁站出口划定共享单车停放区，设置电子围栏，由运营企业定时调度清理。",
                received_ago=3 * D + 6 * H,
                author="demo_resident_2",
                publish=False,
                decided_after=4 * H,
            ),
            Idea(
                "a-metro-again",
                "JT",
                "建议地铁2号线高峰时段加密班次",
                "地铁2号线早上太挤了，城南新区站根本挤不上去。",
                "希望高峰时段加开列车。",
                received_ago=2 * D + 10 * H,
                author="demo_resident_3",
                decision="merge",
                reason="a-metro",
                decided_after=3 * H,
            ),
            Idea(
                "a-renovation",
                "QT",
                "请帮忙推荐靠谱的装修公司",
                "我家准备装修，想请政府推荐几家靠谱的装修公司。",
                "希望能提供装修公司名单。",
                received_ago=2 * D + 4 * H,
                author="demo_resident_4",
                decision="reject",
                reason="您反映的是个人消费事项，不属于本次建言活动的征集范围。装修消费纠纷可拨打12315热线或向消费者协会反映。",
                decided_after=6 * H,
            ),
            Idea(
                "a-playground",
                "WJ",
                "周末开放学校操场",
                "周末想带孩子运动，附近学校操场都锁着。",
                "建议周末开放学校操场。",
                received_ago=3 * D,
                decision="withdraw",
                reason="内容写得太简单，我补充后重新提交。",
                decided_after=2 * H,
            ),
            Idea(
                "a-streetlights",
                "CJ",
                "背街小巷增设路灯",
                "和平巷、建设巷一带晚上没有路灯，下夜班回家只能打手电，老人孩子都不敢走。",
                "建议对背街小巷照明情况进行排查，增设节能路灯，并建立路灯故障快速报修机制。",
                received_ago=5 * H,
                area="和平巷",
                decision="",
            ),
            Idea(
                "a-afterschool",
                "WJ",
                "中小学课后托管延长到六点",
                "学校四点半放学，家长六点才下班，中间这段时间孩子没人管。",
                "建议课后延时服务延长到下午六点，引入体育、艺术社团活动，困难家庭费用给予减免。",
                received_ago=20 * H,
                author="demo_resident_5",
                decision="",
            ),
            Idea(
                "a-parkbins",
                "HB",
                "人民公园增设分类垃圾桶",
                "人民公园里垃圾桶少，而且都是不分类的，和小区的要求不一致。",
                "建议公园内按分类标准更换垃圾桶，增加投放点并设置分类指引牌。",
                received_ago=30 * H,
                author="demo_resident_6",
                decision="",
            ),
        ),
    ),
    DemoCampaign(
        slug="yiju-shequ",
        title="“宜居社区，共建共享”老旧小区改造建言征集",
        theme="宜居社区，共建共享",
        description=(
            "老旧小区改造是群众身边的民生实事。为把好事办好、实事办实，市住房和城乡建设局会同相关部门，"
            "就老旧小区改造的内容、方式和长效管理公开征求意见建议。\n\n"
            "征集的建议已完成分析梳理，附分析报告转交相关部门办理，部门答复和落实措施在本页公示，欢迎监督。"
        ),
        tips=TIPS,
        offsets=(-80, -70, -40, -12, 25, 40),
        categories=("SM", "HB", "WJ", "CJ", "JT", "QT"),
        departments=("ZJJ", "JYJ", "STHJJ", "JTYSJ", "SCJGJ"),
        attention_threshold=5,
        news=(
            (-70, "老旧小区改造建言征集启动", "即日起，市住建局面向社会征集老旧小区改造意见建议，为期一个月。"),
            (
                -55,
                "东湖新村召开居民座谈会",
                "市住建局在东湖新村社区召开老旧小区改造居民座谈会，二十余位居民代表就加装电梯、停车、"
                "绿化等问题提出意见建议。",
            ),
            (
                -38,
                "建言分析完成，首批建议转交部门办理",
                "本次活动共收到建议七十余条，经审核、分类和专家论证，首批建议已附分析报告转交相关部门办理，"
                "部门将在规定时限内答复。",
            ),
            (
                -10,
                "部门答复陆续公开",
                "相关部门已陆续答复，采纳的建议已明确落实措施和完成时间，答复和落实进展在本页公示。",
            ),
        ),
        ideas=(
            Idea(
                "b-elevator",
                "CJ",
                "老旧小区加装电梯给予财政补贴",
                "我住的东湖新村6号楼是1995年建的六层楼，楼里一半是老人，上下楼非常困难。加装一台电梯要六七十万元，"
                "居民分摊压力大，一楼住户也有顾虑。",
                "建议市里出台加装电梯财政补贴政策，按台给予补贴，简化审批流程，由街道社区牵头协调业主达成一致。",
                received_ago=68 * D,
                area="东湖新村",
                show_name=True,
                decided_after=3 * H,
                assessments=(
                    ("reviewer", 5, 5, 4, "群众呼声高，建议作为重点建议转交。"),
                    ("expert", 5, 4, 4, "补贴标准可参照周边城市，按楼层和户数分档。"),
                ),
                followers=(
                    "demo_resident_1",
                    "demo_resident_2",
                    "demo_resident_3",
                    "demo_resident_4",
                    "demo_resident_5",
                ),
                answers=(Answer("ZJJ", Outcome.ADOPTED, ADOPTED_ELEVATOR, 4 * D),),
                excellent="建议切中老旧小区居民上下楼难的痛点，补贴和审批方案测算清晰、可操作性强，已被采纳并纳入年度民生实事项目。",
                excellent_ago=25 * D,
                briefing_ago=30,
                milestones=(
                    DemoMeasure("出台加装电梯财政补贴实施细则", 32 * D, 5, done_ago=20),
                    DemoMeasure("开通加装电梯联合审批绿色通道", 32 * D, 20, done_ago=8),
                    DemoMeasure("完成首批20台电梯加装", 31 * D, 120),
                ),
            ),
            Idea(
                "b-parking",
                "CJ",
                "统一规划小区停车位和充电桩",
                "和平社区老旧小区车位少，电动车在楼道里充电，存在火灾隐患；私家车占用消防通道。",
                "建议改造时统一规划停车位，建设集中充电棚和新能源汽车充电桩，清理消防通道。",
                received_ago=66 * D,
                author="demo_resident_1",
                area="和平社区",
                decided_after=5 * H,
                assessments=(("expert", 4, 4, 3, "需同步考虑电力增容。"),),
                followers=("citizen", "demo_resident_6"),
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.PARTLY,
                        "感谢您的建议。停车位规划和集中充电棚建设已纳入和平社区改造方案，予以采纳；新能源汽车充电桩"
                        "受电力容量限制，将在电网改造完成后分批建设。",
                        9 * D,
                    ),
                    Answer(
                        "JTYSJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。我局将配合做好小区周边道路停车泊位施划和公共充电设施布点，予以采纳。",
                        6 * D,
                    ),
                ),
                milestones=(DemoMeasure("建成和平社区电动自行车集中充电棚", 26 * D, 30, done_ago=3),),
            ),
            Idea(
                "b-daycare",
                "SM",
                "社区增设老年人日间照料中心",
                "北关社区老年人多，白天子女上班，老人独自在家缺少照料。",
                "建议利用小区闲置用房改建日间照料中心，提供助餐、休息和康复服务。",
                received_ago=65 * D,
                author="demo_resident_2",
                area="北关社区",
                decided_after=6 * H,
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。北关社区闲置的原物业用房已纳入改造，将改建为社区日间照料中心，予以采纳。",
                        16 * D,
                    ),
                ),
                milestones=(DemoMeasure("完成日间照料中心改建设计", 20 * D, 15),),
            ),
            Idea(
                "b-sewage",
                "HB",
                "老旧小区实施雨污分流改造",
                "翠苑小区雨水和污水管道混接，一下大雨污水就从井盖冒出来，气味很大。",
                "建议在老旧小区改造中同步实施雨污分流，更换老化管网。",
                received_ago=63 * D,
                author="demo_resident_3",
                area="翠苑小区",
                decided_after=2 * H,
                assessments=(("reviewer", 5, 4, 3, "涉及环境和民生，建议优先。"),),
                answers=(
                    Answer(
                        "STHJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。翠苑小区雨污分流改造已列入今年的污水管网提质增效项目，予以采纳。",
                        5 * D,
                    ),
                ),
                milestones=(
                    DemoMeasure("完成翠苑小区管网排查", 29 * D, 2, done_ago=18),
                    DemoMeasure("完成雨污分流改造施工", 29 * D, 90),
                ),
            ),
            Idea(
                "b-bookroom",
                "WJ",
                "利用闲置用房建设社区书屋",
                "小区孩子放学后没有看书学习的地方。",
                "建议利用闲置用房建设社区书屋，由学校和社区志愿者共同管理。",
                received_ago=61 * D,
                author="demo_resident_4",
                decided_after=4 * H,
                answers=(
                    Answer(
                        "JYJ",
                        Outcome.PARTLY,
                        "感谢您的建议。我局将协调辖区学校向社区书屋捐赠图书并组织志愿者服务，予以部分采纳；用房改造由"
                        "住建部门统筹。",
                        7 * D,
                    ),
                ),
            ),
            Idea(
                "b-roads",
                "CJ",
                "修复小区破损道路和排水管网",
                "东湖新村小区内道路坑洼不平，下雨积水，老人容易摔倒。",
                "建议改造时把小区道路和排水管网一并修复。",
                received_ago=60 * D,
                author="",
                channel=Channel.LETTER,
                contact_name="赵先生",
                contact_mobile="13500009876",
                area="东湖新村",
                place="东湖新村社区意见箱",
                decided_after=7 * H,
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。东湖新村道路和排水管网修复已纳入改造工程第一批次，予以采纳。",
                        3 * D,
                    ),
                ),
                milestones=(DemoMeasure("完成东湖新村道路和排水管网修复", 30 * D, 10, done_ago=5),),
            ),
            Idea(
                "b-crossing",
                "JT",
                "小区出入口增设人行横道和信号灯",
                "和平社区南门正对建设路，车速快，居民出门过马路很危险。",
                "建议在小区南门增设人行横道和行人过街信号灯。",
                received_ago=58 * D,
                author="demo_resident_5",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "JTYSJ",
                        Outcome.NOT_ADOPTED,
                        "感谢您的建议。经现场勘查，和平社区南门距建设路现有信号灯路口仅80米，按照规范不宜再设置信号灯，"
                        "故暂不采纳。我局已在南门路段增设减速标线和警示标志，并请交警部门加强高峰时段管理。",
                        6 * D,
                    ),
                ),
            ),
            Idea(
                "b-fees",
                "SM",
                "老旧小区物业收费标准公开透明",
                "改造后引入物业，居民担心收费标准不透明、服务跟不上。",
                "建议公开物业服务收费标准和服务内容，建立居民评议机制。",
                received_ago=57 * D,
                author="demo_resident_6",
                decided_after=9 * H,
                answers=(
                    Answer(
                        "SCJGJ",
                        Outcome.STUDYING,
                        "感谢您的建议。老旧小区物业服务收费涉及价格政策调整，我局正会同住建部门开展调研，"
                        "研究结果将及时公布。",
                        8 * D,
                    ),
                ),
            ),
            Idea(
                "b-school-gate",
                "JT",
                "学校周边老旧小区改造同步建设接送区",
                "第三中学旁边的老旧小区改造时，能不能顺便解决学校门口接送拥堵的问题。",
                "建议改造时利用小区临街空地建设家长接送区，错峰放学。",
                received_ago=56 * D,
                author="demo_resident_1",
                decided_after=3 * H,
                answers=(
                    Answer(
                        "JYJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。第三中学已实行分年级错峰放学，并将与社区共建家长接送区，予以采纳。",
                        12 * D,
                    ),
                    Answer(
                        "JTYSJ",
                        Outcome.PARTLY,
                        "感谢您的建议。我局将配合施划接送区临时停车泊位；临街空地的规划调整需另行论证。",
                        10 * D,
                    ),
                ),
            ),
            Idea(
                "b-green",
                "HB",
                "小区绿化改造增加健身设施",
                "小区绿地杂草多，没有健身设施，居民只能在路边锻炼。",
                "建议改造绿地，增设健身步道和适老化健身器材。",
                received_ago=55 * D,
                area="幸福路街道",
                decided_after=4 * H,
                followers=("demo_resident_2",),
            ),
            Idea(
                "b-ramps",
                "CJ",
                "加装楼道扶手和无障碍坡道",
                "楼道没有扶手，单元门口有台阶，坐轮椅的老人出不了门。",
                "建议改造时加装楼道扶手，单元门口建设无障碍坡道。",
                received_ago=54 * D,
                author="demo_resident_3",
                decided_after=6 * H,
            ),
            Idea(
                "b-lockers",
                "SM",
                "小区增设智能快递柜",
                "快递只能堆在门卫室，经常丢件。",
                "建议在小区出入口增设智能快递柜。",
                received_ago=50 * D,
                author="demo_resident_2",
                decided_after=5 * H,
            ),
            Idea(
                "b-elevator-again",
                "CJ",
                "老旧小区电梯能不能政府补贴",
                "我们楼也想装电梯，费用太高了。",
                "希望政府给补贴。",
                received_ago=48 * D,
                author="demo_resident_4",
                decision="merge",
                reason="b-elevator",
                decided_after=5 * H,
            ),
            Idea(
                "b-prices",
                "QT",
                "要求降低商品房价格",
                "房价太高，年轻人买不起房。",
                "建议政府降低房价。",
                received_ago=46 * D,
                author="demo_resident_5",
                decision="reject",
                reason="您的建议与本次老旧小区改造建言征集的主题无关，未予通过。住房政策方面的意见可通过“网络问政”栏目反映。",
                decided_after=8 * H,
            ),
        ),
        batches=(
            Batch(38 * D, "ZJJ", ("b-elevator", "b-daycare", "b-roads")),
            Batch(37 * D + 20 * H, "ZJJ", ("b-parking",), others=("JTYSJ",)),
            Batch(37 * D, "STHJJ", ("b-sewage",)),
            Batch(36 * D + 22 * H, "JYJ", ("b-bookroom",)),
            Batch(36 * D + 21 * H, "JTYSJ", ("b-crossing",)),
            Batch(36 * D + 20 * H, "SCJGJ", ("b-fees",)),
            Batch(36 * D, "JYJ", ("b-school-gate",), others=("JTYSJ",)),
            Batch(30 * D, "ZJJ", ("b-ramps",)),
            Batch(4 * D, "ZJJ", ("b-green",)),
        ),
    ),
    DemoCampaign(
        slug="lvse-ditan",
        title="“绿色低碳，美好生活”建言活动",
        theme="绿色低碳，美好生活",
        description=(
            "为推动形成绿色低碳的生产生活方式，市生态环境局会同相关部门，围绕垃圾分类、绿色出行、节能降碳和"
            "生态保护征集意见建议。活动已进入总结阶段，活动总结报告已在本页公布。"
        ),
        tips=TIPS,
        offsets=(-150, -140, -110, -90, -14, 30),
        categories=("HB", "JT", "CJ", "JJ", "WJ", "QT"),
        departments=("STHJJ", "JTYSJ", "ZJJ", "SCJGJ", "JYJ"),
        news=(
            (-140, "“绿色低碳，美好生活”建言活动启动", "活动面向全体市民征集绿色低碳方面的意见建议，为期一个月。"),
            (-108, "建言转交部门办理", "征集的建议已完成分析，附分析报告转交相关部门办理。"),
            (-60, "部门答复全部公开", "转交的建议已全部答复，采纳建议的落实进展将持续公示。"),
            (-12, "活动总结报告发布", "活动总结报告已经发布，全面介绍征集、办理、采纳和落实情况。"),
        ),
        ideas=(
            Idea(
                "c-sorting",
                "HB",
                "推行垃圾分类定时定点投放",
                "小区垃圾分类桶常年摆在楼下，混投严重，分类效果差。",
                "建议推行垃圾分类定时定点投放，配备垃圾分类督导员，对混投混运的收运单位进行处罚。",
                received_ago=138 * D,
                show_name=True,
                decided_after=3 * H,
                assessments=(
                    ("reviewer", 5, 5, 3, "覆盖面广，示范意义强。"),
                    ("expert", 5, 4, 4, "督导员可由物业和志愿者共同承担。"),
                ),
                followers=("demo_resident_1", "demo_resident_2", "demo_resident_3"),
                answers=(
                    Answer(
                        "STHJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。我局已会同城管部门在全市推行垃圾分类定时定点投放，首批100个小区完成撤桶并点，"
                        "每个投放点配备督导员，予以采纳。",
                        6 * D,
                    ),
                ),
                excellent="建议抓住垃圾分类“投放”这一关键环节，定时定点和督导员的做法已在首批100个小区落地，成效明显。",
                excellent_ago=60 * D,
                milestones=(
                    DemoMeasure("首批100个小区完成撤桶并点", 95 * D, 1, done_ago=70),
                    DemoMeasure("全市住宅小区推行定时定点投放", 95 * D, 60),
                ),
            ),
            Idea(
                "c-kitchen",
                "HB",
                "建设厨余垃圾就地处理设施",
                "厨余垃圾运输距离远，运输过程中滴漏，影响市容。",
                "建议在大型农贸市场和学校食堂建设厨余垃圾就地处理设施。",
                received_ago=136 * D,
                author="demo_resident_1",
                decided_after=4 * H,
                answers=(
                    Answer(
                        "STHJJ",
                        Outcome.PARTLY,
                        "感谢您的建议。大型农贸市场厨余垃圾就地处理设施已纳入规划，予以部分采纳；学校食堂由"
                        "集中收运处理。",
                        9 * D,
                    ),
                ),
                milestones=(DemoMeasure("建成南门农贸市场厨余垃圾处理设施", 90 * D, 1, done_ago=30),),
            ),
            Idea(
                "c-charging",
                "JT",
                "加快建设新能源汽车充电桩",
                "新能源汽车越来越多，小区和公共停车场充电桩不够，排队充电要一两个小时。",
                "建议在公共停车场和老旧小区建设充电桩，统一建设运营标准，推广有序充电。",
                received_ago=135 * D,
                author="demo_resident_2",
                decided_after=2 * H,
                assessments=(("expert", 4, 4, 4, "应与电网规划衔接。"),),
                followers=("citizen", "demo_resident_4", "demo_resident_5", "demo_resident_6"),
                answers=(
                    Answer(
                        "JTYSJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。我局已制定公共充电设施建设三年行动计划，今年新建公共充电桩2000个，予以采纳。",
                        11 * D,
                    ),
                    Answer(
                        "ZJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。老旧小区改造已将充电设施列为基础类改造内容，予以采纳。",
                        5 * D,
                    ),
                ),
                excellent="建议回应新能源汽车车主的普遍关切，推动出台公共充电设施建设三年行动计划。",
                excellent_ago=58 * D,
                milestones=(
                    DemoMeasure("新建公共充电桩2000个", 92 * D, 45),
                    DemoMeasure("出台充电设施建设运营管理办法", 92 * D, 1, done_ago=40),
                ),
            ),
            Idea(
                "c-bus",
                "JT",
                "优化公交线路鼓励绿色出行",
                "城南新区公交线路少，班次间隔长，大家只好开车上班。",
                "建议开通城南新区到地铁站的接驳公交，高峰时段加密班次，推广公交优先。",
                received_ago=133 * D,
                author="demo_resident_3",
                decided_after=5 * H,
                followers=("demo_resident_1",),
                answers=(
                    Answer(
                        "JTYSJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。城南新区至地铁2号线的接驳公交已开通，高峰时段发车间隔缩短至8分钟，予以采纳。",
                        7 * D,
                    ),
                ),
                milestones=(DemoMeasure("开通城南新区接驳公交线路", 90 * D, 1, done_ago=75),),
            ),
            Idea(
                "c-greenway",
                "CJ",
                "建设连通城市公园的绿道",
                "城市公园之间不连通，骑行和步行的线路断断续续。",
                "建议建设连通主要公园和滨河步道的城市绿道，完善慢行系统。",
                received_ago=131 * D,
                author="demo_resident_4",
                decided_after=3 * H,
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.PARTLY,
                        "感谢您的建议。滨河绿道一期已纳入年度计划，予以部分采纳；其余线路将结合城市更新逐步实施。",
                        8 * D,
                    ),
                ),
            ),
            Idea(
                "c-solar",
                "JJ",
                "推广公共建筑屋顶光伏",
                "学校、医院等公共建筑屋顶大多闲置。",
                "建议在公共建筑屋顶推广分布式光伏发电，节能降碳。",
                received_ago=130 * D,
                author="demo_resident_5",
                decided_after=6 * H,
                assessments=(("expert", 4, 3, 5, "创新性强，需评估屋顶荷载和投资回收期。"),),
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.STUDYING,
                        "感谢您的建议。我局正会同发展改革部门对公共建筑屋顶光伏的可行性进行评估，研究结果将及时公布。",
                        12 * D,
                    ),
                ),
            ),
            Idea(
                "c-packaging",
                "JJ",
                "治理快递过度包装",
                "网购快递包装层层叠叠，产生大量垃圾。",
                "建议推广可循环快递包装，对过度包装进行监管。",
                received_ago=128 * D,
                author="demo_resident_6",
                decided_after=4 * H,
                answers=(
                    Answer(
                        "SCJGJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。我局已开展商品过度包装专项检查，并推动快递企业使用可循环包装，予以采纳。",
                        6 * D,
                    ),
                ),
                milestones=(DemoMeasure("开展商品过度包装专项检查", 92 * D, 1, done_ago=50),),
            ),
            Idea(
                "c-trees",
                "HB",
                "保护城市古树名木",
                "部分道路施工时古树被圈在工地里，生长受影响。",
                "建议建立古树名木档案，施工中划定保护范围。",
                received_ago=126 * D,
                author="",
                channel=Channel.FIELD_VISIT,
                contact_name="孙老师",
                area="老城区",
                place="老城区实地走访",
                decided_after=20 * H,
                answers=(
                    Answer(
                        "STHJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。全市古树名木普查建档已完成，施工涉及古树的须先制定保护方案，予以采纳。",
                        10 * D,
                    ),
                ),
            ),
            Idea(
                "c-car-free",
                "JT",
                "设立每月无车日",
                "城市交通拥堵、尾气污染严重。",
                "建议每月设立一天无车日，当天公交免费。",
                received_ago=124 * D,
                author="demo_resident_1",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "JTYSJ",
                        Outcome.NOT_ADOPTED,
                        "感谢您的建议。经评估，全市统一设立无车日对通勤影响较大，暂不采纳。我局将在绿色出行宣传月"
                        "开展公交优惠活动，鼓励市民绿色出行。",
                        9 * D,
                    ),
                ),
            ),
            Idea(
                "c-sorting-again",
                "HB",
                "垃圾分类要有人督导",
                "我们小区垃圾分类没人管。",
                "希望安排督导员。",
                received_ago=122 * D,
                author="demo_resident_2",
                decision="merge",
                reason="c-sorting",
                decided_after=6 * H,
            ),
            Idea(
                "c-sorting-washbasin",
                "HB",
                "垃圾分类投放点增设洗手池",
                "垃圾分类投放点没有洗手的地方，居民投放厨余垃圾后手很脏，不愿意认真分类。",
                "建议在垃圾分类投放点配套建设洗手池，并设置破袋器，方便居民分类投放。",
                received_ago=137 * D,
                author="demo_resident_4",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "STHJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。新建和改造的垃圾分类投放点将统一配套洗手池和破袋器，予以采纳。",
                        7 * D,
                    ),
                ),
            ),
            Idea(
                "c-sorting-school",
                "HB",
                "中小学开展垃圾分类教育",
                "孩子对垃圾分类知识了解不多，家里的垃圾分类主要靠老人。",
                "建议把垃圾分类纳入中小学课程，开展“小手拉大手”垃圾分类实践活动。",
                received_ago=134 * D,
                author="demo_resident_5",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "JYJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。我局已将垃圾分类纳入中小学劳动教育内容，并在全市学校开展“小手拉大手”活动，予以采纳。",
                        6 * D,
                    ),
                ),
            ),
            Idea(
                "c-sorting-points",
                "HB",
                "推行垃圾分类积分兑换",
                "居民参与垃圾分类的积极性不高，分类质量参差不齐。",
                "建议推行垃圾分类积分制，准确分类可以积分，积分兑换生活用品。",
                received_ago=132 * D,
                author="demo_resident_6",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "STHJJ",
                        Outcome.PARTLY,
                        "感谢您的建议。我局将在部分街道试点垃圾分类积分兑换，总结经验后再推广，予以部分采纳。",
                        8 * D,
                    ),
                ),
            ),
            Idea(
                "c-charging-home",
                "JT",
                "简化自家车位安装充电桩手续",
                "想在自家车位安装充电桩，物业不配合，供电报装手续也复杂。",
                "建议明确物业配合安装充电桩的义务，简化充电桩报装流程，推行小区充电桩统建统营。",
                received_ago=129 * D,
                author="citizen",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。我局已印发通知，明确物业服务企业配合安装充电桩的责任，并会同供电企业推行一站式报装，予以采纳。",
                        6 * D,
                    ),
                ),
            ),
            Idea(
                "c-ebike",
                "JT",
                "建设电动自行车集中充电棚",
                "电动自行车在楼道里充电，火灾隐患大，小区缺少充电设施。",
                "建议小区建设电动自行车集中充电棚，配备智能充电桩和消防设施。",
                received_ago=127 * D,
                author="demo_resident_1",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。电动自行车集中充电棚已列入老旧小区改造基础类内容，今年建成300处，予以采纳。",
                        9 * D,
                    ),
                ),
            ),
            Idea(
                "c-bus-screens",
                "JT",
                "公交站台增设实时到站显示屏",
                "等公交不知道车什么时候来，不少人因此改为开车出行。",
                "建议在公交站台增设实时到站电子显示屏，推广公交出行手机应用，鼓励绿色出行。",
                received_ago=125 * D,
                author="demo_resident_2",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "JTYSJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。主城区300个公交站台将于年内安装实时到站显示屏，予以采纳。",
                        5 * D,
                    ),
                ),
            ),
            Idea(
                "c-bike-transfer",
                "JT",
                "完善共享单车与公交换乘",
                "公交站和地铁站周边共享单车停放混乱，换乘不方便。",
                "建议在公交站点周边规划共享单车停放点，实现公交、地铁和单车便捷换乘，鼓励绿色出行。",
                received_ago=123 * D,
                author="demo_resident_3",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "JTYSJ",
                        Outcome.PARTLY,
                        "感谢您的建议。我局将在主要公交站点周边施划共享单车停放区，予以部分采纳；电子围栏建设需与运营企业协商。",
                        9 * D,
                    ),
                ),
            ),
            Idea(
                "c-greenway-rest",
                "CJ",
                "滨河绿道增设休息设施",
                "滨河绿道沿线缺少座椅和公共厕所，走远了没处休息。",
                "建议在绿道沿线增设座椅、公共厕所和直饮水点。",
                received_ago=120 * D,
                author="demo_resident_5",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。滨河绿道一期已同步建设休息驿站和公共厕所，予以采纳。",
                        8 * D,
                    ),
                ),
            ),
            Idea(
                "c-led",
                "CJ",
                "路灯改造为节能灯具",
                "部分道路路灯还是高耗能的钠灯，耗电多、亮度低。",
                "建议将城市路灯改造为节能灯具，推行智能控制，节能降碳。",
                received_ago=118 * D,
                author="",
                channel=Channel.LETTER,
                contact_name="黄先生",
                contact_mobile="13300002468",
                place="青山镇意见箱",
                decided_after=5 * H,
                answers=(
                    Answer(
                        "ZJJ",
                        Outcome.ADOPTED,
                        "感谢您的建议。城市道路路灯节能改造已列入年度计划，将分批更换为节能灯具并接入智能控制系统，予以采纳。",
                        7 * D,
                    ),
                ),
            ),
            Idea(
                "c-lottery",
                "QT",
                "建议发放购车补贴",
                "想买车但是太贵了。",
                "希望政府发购车补贴。",
                received_ago=121 * D,
                author="demo_resident_3",
                decision="reject",
                reason="您的建议与本次绿色低碳建言活动的主题不符，未予通过。",
                decided_after=7 * H,
            ),
        ),
        batches=(
            Batch(108 * D, "STHJJ", ("c-sorting", "c-kitchen", "c-trees", "c-sorting-washbasin", "c-sorting-points")),
            Batch(107 * D + 20 * H, "JYJ", ("c-sorting-school",)),
            Batch(107 * D, "JTYSJ", ("c-charging",), others=("ZJJ",)),
            Batch(106 * D + 20 * H, "JTYSJ", ("c-bus", "c-car-free", "c-bus-screens", "c-bike-transfer")),
            Batch(106 * D, "ZJJ", ("c-greenway", "c-solar", "c-charging-home", "c-ebike", "c-greenway-rest", "c-led")),
            Batch(105 * D, "SCJGJ", ("c-packaging",)),
        ),
        report=(
            "本次活动共收到市民建议二十余条，经审核通过的建议全部转交相关部门办理并按时答复，多数建议被采纳或部分"
            "采纳。垃圾分类定时定点投放已在首批100个小区推行，城南新区接驳公交开通，公共充电设施建设三年行动"
            "计划正在实施，商品过度包装专项检查完成。市民对垃圾分类、充电桩和绿色出行的关注度最高。",
            "一是征集渠道要更加多元，线下意见箱和实地走访收集到不少网上听不到的声音；二是转交时附上分析报告，"
            "部门答复针对性明显增强；三是采纳建议要明确落实措施和完成时间，并持续公示进展，接受群众监督；"
            "四是对暂不采纳的建议要讲清理由，争取群众理解。",
        ),
    ),
)


# --- moving a step back to its moment (DEMO ONLY) ------------------------------------------------

# Timestamps a step may write: model, its link to the campaign, the fields.
_TIMESTAMPS = (
    (
        Suggestion,
        "campaign",
        (
            "received_at",
            "decided_at",
            "forwarded_at",
            "answered_at",
            "published_at",
            "high_attention_at",
            "excellent_at",
        ),
    ),
    (SuggestionEvent, "suggestion__campaign", ("created_at",)),
    (Forwarding, "suggestion__campaign", ("answered_at",)),
    (ForwardingBatch, "campaign", ("created_at",)),
    (Measure, "forwarding__suggestion__campaign", ("created_at",)),
    (Assessment, "suggestion__campaign", ("created_at",)),
    (Follow, "suggestion__campaign", ("created_at",)),
)


def _move_back(campaign: Campaign, *, since: datetime, to: datetime) -> None:
    """DEMO ONLY: make what happened to `campaign`'s suggestions since `since` look as if it
    happened at `to`. Timestamps written at or after `since` move back by `since - to`; the
    suggestions' clocks that started or were met since then move too, and their due moment and
    state are recomputed from their policy (portal.clocks.clock_explain), as the clock engine
    would have computed them then (a clock by date keeps its date). Never used outside the demo."""
    delta = since - to
    if delta <= timedelta(0):
        return
    for model, link, names in _TIMESTAMPS:
        touched = Q()
        for name in names:
            touched |= Q(**{f"{name}__gte": since})
        model.objects.filter(touched, **{link: campaign}).update(
            **{name: Case(When(**{f"{name}__gte": since}, then=F(name) - delta), default=F(name)) for name in names}
        )
    moved = Clock.objects.filter(area=policies.AREA).filter(Q(started_at__gte=since) | Q(met_at__gte=since))
    for clock in moved:
        if clock.started_at >= since:
            day = clocks.fixed_day(clock) if clock.unit == Clock.Unit.DATE else None
            clock.started_at -= delta
            if day is not None:
                clock.amount = (day - deadlines.local_date(clock.started_at)).days
        if clock.met_at and clock.met_at >= since:
            clock.met_at -= delta
        explanation = clocks.clock_explain(clock)
        clock.due_at, clock.provisional = explanation.due_at, bool(explanation.provisional_years)
        if clock.met_at:
            clock.state = Clock.State.MET_ON_TIME if clock.met_at <= clock.due_at else Clock.State.MET_LATE
        Clock.objects.filter(pk=clock.pk).update(
            started_at=clock.started_at,
            amount=clock.amount,
            met_at=clock.met_at,
            due_at=clock.due_at,
            provisional=clock.provisional,
            state=clock.state,
        )


# --- the records the campaigns need ----------------------------------------------------------------


def _residents_ensure(demo: DemoData) -> dict[str, User]:
    """The fictional residents who take part (citizens without a password)."""
    group = Group.objects.get(name=roles.CITIZEN)
    found = {}
    for username, name in RESIDENTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=name, email=f"{username}@{DEMO_EMAIL_DOMAIN}")
            user.set_unusable_password()
            user._change_reason = CHANGE_REASON
            user.save()
            user.groups.set([group])
            demo.report.append(f"created resident {username} ({name})")
        found[username] = user
    return found


def _categories(codes) -> dict[str, Category]:
    """The standard categories (suggestions migration 0002), active."""
    categories = {category.code: category for category in Category.objects.filter(code__in=codes)}
    missing = set(codes) - set(categories)
    if missing:
        raise ValueError(f"suggestion categories missing (migration 0002): {sorted(missing)}")
    for category in categories.values():
        if not category.is_active:
            category.is_active = True
            category._change_reason = CHANGE_REASON
            category.save(update_fields=["is_active"])
    return categories


def _campaign_create(spec: DemoCampaign, demo: DemoData, categories: dict[str, Category]) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign(
        slug=spec.slug,
        title=spec.title,
        theme=spec.theme,
        description=spec.description,
        tips=spec.tips,
        is_published=True,
        attention_threshold=spec.attention_threshold,
        **{name: today + timedelta(days=offset) for name, offset in zip(PHASE_FIELDS, spec.offsets, strict=True)},
    )
    campaign._change_reason = CHANGE_REASON
    campaign._history_user = demo.accounts["clerk"]
    campaign.save()
    campaign.categories.set([categories[code] for code in spec.categories])
    campaign.departments.set([demo.departments[code] for code in spec.departments])
    campaign.experts.set([demo.accounts["expert"]])
    return campaign


def _analysis_report(campaign: Campaign, suggestions: list[Suggestion]) -> CheckedUpload:
    """The analysis report the office attaches when forwarding (建言分析报告), as an XLSX."""
    book = Workbook()
    sheet = book.active
    sheet.title = "分析报告"
    sheet.append([f"{campaign.title} 建言分析报告"])
    sheet.append(["生成日期", f"{timezone.localdate():%Y-%m-%d}"])
    sheet.append([])
    sheet.append(["分类编号", "分类", "标题", "分析意见"])
    for suggestion in suggestions:
        sheet.append(
            [suggestion.number, suggestion.category.name, suggestion.public_title, "建议转交办理，请研究答复。"]
        )
    content = io.BytesIO()
    book.save(content)
    upload = SimpleUploadedFile(f"{campaign.slug}-建言分析报告.xlsx", content.getvalue())
    return check_upload(upload, allowed=DOCUMENT_TYPES)


# --- playing a campaign's story ----------------------------------------------------------------------


@dataclass(order=True)
class _Step:
    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


class _Story:
    """The steps of one campaign, each a call to a service at its moment."""

    def __init__(self, spec: DemoCampaign, campaign: Campaign, demo: DemoData, people: dict[str, User], now: datetime):
        self.spec = spec
        self.campaign = campaign
        self.demo = demo
        self.people = people
        self.now = now
        self.made: dict[str, int] = {}  # idea key → suggestion id
        self.received: dict[str, datetime] = {}
        self.steps: list[_Step] = []

    def add(self, at: datetime, run: Callable[[], None]) -> None:
        if at >= self.now:
            raise ValueError(f"a demo step of {self.spec.slug} would be in the future: {at}")
        self.steps.append(_Step(at, len(self.steps), run))

    def get(self, key: str) -> Suggestion:
        return Suggestion.objects.select_related("campaign", "category").get(pk=self.made[key])

    def actor(self, department: str) -> User:
        return self.demo.accounts[ACTOR_OF_DEPARTMENT.get(department, "admin")]

    def play(self) -> None:
        for step in sorted(self.steps):
            since = timezone.now()
            step.run()
            _move_back(self.campaign, since=since, to=step.at)

    # --- the steps ------------------------------------------------------------------------------

    def idea(self, idea: Idea, categories: dict[str, Category]) -> None:
        received_at = self.now - idea.received_ago
        self.received[idea.key] = received_at
        self.add(received_at, lambda: self._receive(idea, categories[idea.category], received_at))
        decided_at = received_at + idea.decided_after
        if idea.decision:
            self.add(decided_at, lambda: self._decide(idea))
        for n, (username, *scores, note) in enumerate(idea.assessments):
            self.add(decided_at + D + n * H, lambda u=username, s=scores, t=note: self._assess(idea, u, s, t))
        for n, username in enumerate(idea.followers):
            self.add(decided_at + (n + 1) * 7 * H, lambda u=username: self._follow(idea, u))
        if idea.excellent:
            self.add(self.now - idea.excellent_ago, lambda: self._excellent(idea))
        if idea.briefing_ago is not None:
            held_on = timezone.localdate(self.now) - timedelta(days=idea.briefing_ago)
            held_at = datetime.combine(held_on, time(17, 0), tzinfo=deadlines.LOCAL_TZ)
            self.add(held_at, lambda: self._briefing(idea, held_on))

    def _receive(self, idea: Idea, category: Category, received_at: datetime) -> None:
        citizen = self.people.get(idea.author) if idea.author else None
        offline = idea.channel != Channel.ONLINE
        suggestion = intake.suggestion_create(
            campaign=self.campaign,
            category=category,
            channel=idea.channel,
            title=idea.title,
            problem=idea.problem,
            measures=idea.measures,
            actor=self.demo.accounts["clerk"] if offline else citizen,
            citizen=citizen,
            recorded_by=self.demo.accounts["clerk"] if offline else None,
            contact_name=citizen.get_full_name() if citizen else idea.contact_name,
            contact_mobile=CITIZEN_MOBILE if idea.author == "citizen" else idea.contact_mobile,
            contact_email=citizen.email if idea.author == "citizen" else "",
            area=idea.area,
            publish_consent=idea.publish,
            name_consent=idea.show_name,
            received_on=deadlines.local_date(received_at) if offline else None,
            place=idea.place,
            received_at=received_at,
        )
        self.made[idea.key] = suggestion.pk

    def _decide(self, idea: Idea) -> None:
        suggestion = self.get(idea.key)
        reviewer = self.demo.accounts["reviewer"]
        if idea.decision == "approve":
            moderation.suggestion_approve(suggestion=suggestion, actor=reviewer)
        elif idea.decision == "reject":
            moderation.suggestion_reject(suggestion=suggestion, actor=reviewer, reason=idea.reason)
        elif idea.decision == "merge":
            moderation.suggestion_merge(suggestion=suggestion, actor=reviewer, into=self.get(idea.reason))
        elif idea.decision == "withdraw":
            intake.suggestion_withdraw(suggestion=suggestion, citizen=self.people[idea.author], reason=idea.reason)
        else:
            raise ValueError(f"unknown demo decision {idea.decision}")

    def _assess(self, idea: Idea, username: str, scores: list[int], note: str) -> None:
        reasonableness, feasibility, innovation = scores
        moderation.suggestion_assess(
            suggestion=self.get(idea.key),
            actor=self.demo.accounts[username],
            reasonableness=reasonableness,
            feasibility=feasibility,
            innovation=innovation,
            note=note,
        )

    def _follow(self, idea: Idea, username: str) -> None:
        follows.suggestion_follow(suggestion=self.get(idea.key), user=self.people[username])

    def _excellent(self, idea: Idea) -> None:
        recognition.suggestion_select_excellent(
            suggestion=self.get(idea.key), actor=self.demo.accounts["clerk"], citation=idea.excellent
        )

    def _briefing(self, idea: Idea, held_on: date) -> None:
        recognition.suggestion_record_briefing(
            suggestion=self.get(idea.key),
            actor=self.demo.accounts["clerk"],
            held_on=held_on,
            link=f"https://www.example.com/xwfb/{self.campaign.slug}-{idea.key}.html",
        )

    def batch(self, batch: Batch, ideas: dict[str, Idea]) -> None:
        forwarded_at = self.now - batch.ago
        self.add(forwarded_at, lambda: self._forward(batch))
        for key in batch.ideas:
            idea = ideas[key]
            for answer in idea.answers:
                self.add(forwarded_at + answer.after, lambda i=idea, a=answer: self._answer(i, a))
            for measure in idea.milestones:
                recorded_at = self.now - measure.recorded_ago
                self.add(recorded_at, lambda i=idea, m=measure: self._measure(i, m))
                if measure.done_ago is not None:
                    done_on = timezone.localdate(self.now) - timedelta(days=measure.done_ago)
                    done_at = datetime.combine(done_on, time(16, 30), tzinfo=deadlines.LOCAL_TZ)
                    self.add(done_at, lambda i=idea, m=measure, d=done_on: self._measure_done(i, m, d))

    def _forward(self, batch: Batch) -> None:
        suggestions = [self.get(key) for key in batch.ideas]
        answers.suggestions_forward(
            suggestions=suggestions,
            actor=self.demo.accounts["clerk"],
            departments=[self.demo.departments[code] for code in (batch.lead, *batch.others)],
            lead=self.demo.departments[batch.lead],
            report=_analysis_report(self.campaign, suggestions),
            note=batch.note,
        )

    def _forwarding(self, idea: Idea, department: str) -> Forwarding:
        return Forwarding.objects.get(suggestion_id=self.made[idea.key], department=self.demo.departments[department])

    def _answer(self, idea: Idea, answer: Answer) -> None:
        answers.suggestion_answer(
            forwarding=self._forwarding(idea, answer.department),
            actor=self.actor(answer.department),
            outcome=answer.outcome,
            answer=answer.text,
        )

    def _lead(self, idea: Idea) -> str:
        return idea.answers[0].department

    def _measure(self, idea: Idea, measure: DemoMeasure) -> None:
        department = self._lead(idea)
        answers.measure_record(
            forwarding=self._forwarding(idea, department),
            actor=self.actor(department),
            description=measure.description,
            planned_on=timezone.localdate(self.now) + timedelta(days=measure.planned_in),
        )

    def _measure_done(self, idea: Idea, measure: DemoMeasure, done_on: date) -> None:
        department = self._lead(idea)
        recorded = Measure.objects.get(forwarding=self._forwarding(idea, department), description=measure.description)
        answers.measure_complete(measure=recorded, actor=self.actor(department), done_on=done_on)

    def report(self, outcomes: str, lessons: str) -> None:
        """The summary report: version 1 generated by the hourly task when the summary phase
        began (at 00:20), the office's sections written the next morning and published."""
        starts = datetime.combine(self.campaign.summary_on, time(0, 20), tzinfo=deadlines.LOCAL_TZ)
        self.add(starts, lambda: reports.campaign_report_generate(campaign=self.campaign, actor=None, now=starts))
        self.add(starts + 10 * H, lambda: self._report_write(outcomes, lessons))
        self.add(starts + 15 * H, self._report_publish)

    def _report_write(self, outcomes: str, lessons: str) -> None:
        report = self.campaign.reports.get(version=1)
        reports.campaign_report_edit(
            report=report, actor=self.demo.accounts["clerk"], outcomes=outcomes, lessons=lessons
        )

    def _report_publish(self) -> None:
        reports.campaign_report_publish(report=self.campaign.reports.get(version=1), actor=self.demo.accounts["clerk"])


def _news_create(spec: DemoCampaign, campaign: Campaign, demo: DemoData) -> None:
    today = timezone.localdate()
    for offset, title, body in spec.news:
        campaigns.campaign_news_create(
            campaign=campaign,
            actor=demo.accounts["clerk"],
            title=title,
            body=body,
            published_on=today + timedelta(days=offset),
        )


def _campaign_play(spec: DemoCampaign, demo: DemoData, people: dict[str, User], now: datetime) -> Campaign:
    categories = _categories(spec.categories)
    campaign = _campaign_create(spec, demo, categories)
    _news_create(spec, campaign, demo)
    story = _Story(spec, campaign, demo, people, now)
    ideas = {idea.key: idea for idea in spec.ideas}
    for idea in spec.ideas:
        story.idea(idea, categories)
    for batch in spec.batches:
        story.batch(batch, ideas)
    if spec.report:
        story.report(*spec.report)
    story.play()
    return campaign


def load_demo(demo: DemoData) -> None:
    """The demo campaigns and their suggestions (called by portal.demo.load_demo, in its
    transaction)."""
    existing = set(Campaign.objects.filter(slug__in=[spec.slug for spec in CAMPAIGNS]).values_list("slug", flat=True))
    if len(existing) == len(CAMPAIGNS):
        return
    people = dict(_residents_ensure(demo)) | {"citizen": demo.accounts["citizen"]}
    now = timezone.now()
    made = []
    for spec in CAMPAIGNS:
        if spec.slug in existing:
            continue
        campaign = _campaign_play(spec, demo, people, now)
        made.append(campaign)
        demo.report.append(
            f"created suggestion campaign {spec.slug} ({campaign.phase}) with "
            f"{campaign.suggestions.count()} suggestions"
        )
    # The hot topics, as the periodic task computes them (ranked against every campaign).
    for campaign in made:
        analysis.campaign_analysis_compute(campaign=campaign, rank=False)
    analysis.campaign_keywords_rank_all()
