"""Generated petition tickets for load tests (`manage.py generate_data --petitions N`).

Realistic in shape: Chinese titles and contents built from a vocabulary of everyday city matters,
contact data in the real formats (so privacy tests have something to find), kinds, channels and
states in proportions like a city portal's, a year of receipt dates, co-handling departments,
replies, ratings, published tickets, and the clocks each state implies — due moments computed
by portal.deadlines on the real work calendar, overdue ones already marked and reminded.
Segmenting text with jieba is the slow part, so a pool of texts is segmented once and reused.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from petitions.models import REFERENCE_PREFIX, Category, Petition, PetitionEvent, Reply
from petitions.services import ACKNOWLEDGEMENT, query_code_digest
from portal import deadlines
from portal.generate import CHUNK, GenerationContext, copy_rows, reserve_ids
from portal.masking import mask_personal_data
from portal.models import Clock, ReferenceCounter
from portal.search import segment

# Every generated ticket shares this query code, so a load test can track any of them.
GENERATED_QUERY_CODE = "LOADTEST"
CATEGORIES = (
    ("城市管理", "City management"),
    ("交通出行", "Transport"),
    ("教育", "Education"),
    ("环境保护", "Environmental protection"),
    ("医疗卫生", "Health"),
    ("社会保障", "Social security"),
    ("市场监管", "Market regulation"),
    ("住房保障", "Housing"),
    ("其他", "Other"),
)
PLACES = (
    "幸福小区",
    "和平路",
    "建设街道",
    "人民公园",
    "第三中学",
    "中心医院",
    "火车站广场",
    "滨江花园",
    "开发区",
    "老城区",
)
MATTERS = (
    ("道路积水", "每逢下雨道路积水严重,行人和车辆无法通行,希望尽快疏通排水管道。"),
    ("噪音扰民", "附近工地夜间施工噪音很大,严重影响居民休息,请有关部门依法处理。"),
    ("路灯不亮", "路灯已经坏了一个多月,晚上出行很不安全,希望尽快维修。"),
    ("垃圾清运不及时", "垃圾桶满了好几天没有人清运,气味难闻,影响环境卫生。"),
    ("停车难", "小区周边停车位严重不足,车辆乱停乱放,消防通道被堵。"),
    ("占道经营", "商贩长期占用人行道经营,行人只能走机动车道,存在安全隐患。"),
    ("学位紧张", "片区小学学位紧张,孩子可能无法就近入学,想咨询具体政策。"),
    ("物业收费", "物业公司擅自提高收费标准,服务质量却没有改善,请求核查。"),
    ("公交线路", "建议增加早晚高峰公交班次,并延长末班车时间,方便上班族出行。"),
    ("食品安全", "在菜市场买到过期食品,商家拒绝退换,要求市场监管部门处理。"),
    ("医保报销", "异地就医医保报销手续复杂,想咨询需要准备哪些材料。"),
    ("违章建筑", "楼顶有人私自搭建违章建筑,存在安全隐患,请求查处。"),
)
REPLIES = (
    "您好,经核实,您反映的问题属实。我单位已安排工作人员现场处理,问题已于近日解决。感谢您的监督。",
    "您好,您咨询的问题答复如下:相关政策规定可在我单位官网查询,如有疑问请拨打咨询电话。",
    "您好,经调查,该情况已列入整改计划,预计本月底前完成,届时将向社会公示。",
)
# (state, share of tickets); the rest of each ticket follows from its state. A year of tickets
# with about 4.5% open: the last couple of weeks' work, as on a portal that keeps its deadlines.
STATES = (
    ("closed", 0.955),
    ("replied", 0.012),
    ("accepted", 0.012),
    ("assigned", 0.007),
    ("reexamining", 0.004),
    ("submitted", 0.006),
    ("returned", 0.004),
)
KINDS = (("consultation", 0.4), ("message", 0.35), ("complaint", 0.25))
CHANNELS = (("online", 0.85), ("plaza", 0.05), ("hotline", 0.07), ("mailbox", 0.03))
TEXT_POOL = 3000

PETITION_COLUMNS = (
    "id",
    "reference",
    "query_code_digest",
    "kind",
    "channel",
    "category_id",
    "title",
    "content",
    "location",
    "citizen_id",
    "contact_name",
    "contact_mobile",
    "contact_email",
    "publish_consent",
    "reception_place",
    "reception_date",
    "state",
    "is_complex",
    "lead_department_id",
    "received_at",
    "assigned_at",
    "accepted_at",
    "replied_at",
    "closed_at",
    "closure",
    "return_reason",
    "rating",
    "rating_comment",
    "rated_at",
    "reexamined",
    "public_title",
    "public_content",
    "publication_withheld",
    "published_at",
    "search_document",
    "public_search_document",
)
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
EVENT_COLUMNS = ("petition_id", "action", "department_id", "note", "public", "created_at", "choice")
REPLY_COLUMNS = ("petition_id", "department_id", "author_id", "body", "public_body", "is_decline", "created_at")


def _pick(rng, weighted):
    return rng.choices([value for value, _ in weighted], weights=[weight for _, weight in weighted])[0]


@lru_cache(maxsize=4096)
def _working_day_due(start_day, days):
    return deadlines.count_working_days(start_day, days).due_at


class _Texts:
    """A pool of ticket texts, each segmented once."""

    def __init__(self, rng, context: GenerationContext):
        self.items = []
        for _ in range(TEXT_POOL):
            place = rng.choice(PLACES)
            matter, body = rng.choice(MATTERS)
            name = context.person_name()
            mobile = context.mobile()
            title = f"{place}{matter}问题"
            content = f"我是{place}的居民{name},{body}联系电话{mobile}。"
            public_content = mask_personal_data(content, names=[name])
            self.items.append(
                (title, content, name, mobile, public_content, segment(title, content), segment(title, public_content))
            )
        self.replies = [(text, segment(text)) for text in REPLIES]


def generate_petitions(*, count: int, context: GenerationContext) -> int:
    rng = context.random
    now = context.now
    categories = [
        Category.objects.get_or_create(name=name, defaults={"name_en": english, "order": order})[0].pk
        for order, (name, english) in enumerate(CATEGORIES)
    ]
    departments = [department.pk for department in context.departments]
    content_type = ContentType.objects.get_for_model(Petition).pk
    digest = query_code_digest(GENERATED_QUERY_CODE)
    texts = _Texts(rng, context)
    first_id = reserve_ids(Petition, count)
    counters = dict(
        ReferenceCounter.objects.filter(prefix=REFERENCE_PREFIX).values_list("day", "value")
    )  # day → last number used
    written = 0
    bar = context.bar(count, "petitions")
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        petitions, clocks, events, replies = [], [], [], []
        for offset in range(size):
            pk = first_id + start + offset
            # Receipt within the last year, more of them recent (the portal grows).
            state = _pick(rng, STATES)
            if state == "closed":  # closed ones over the last year, more of them recent
                received_at = now - timedelta(days=12 + 353 * rng.random() ** 1.6, seconds=rng.randrange(86400))
            else:  # open work is recent; a few of them overdue
                received_at = now - timedelta(days=25 * rng.random() ** 1.5, seconds=rng.randrange(86400))
            day = timezone.localdate(received_at)
            counters[day] = counters.get(day, 0) + 1
            title, content, name, mobile, public_content, document, public_document = rng.choice(texts.items)
            lead = rng.choice(departments) if state != "submitted" else None
            co = rng.random() < 0.08 and lead is not None
            is_complex = co or rng.random() < 0.05
            channel = _pick(rng, CHANNELS)
            consent = rng.random() < 0.6
            row = dict.fromkeys(PETITION_COLUMNS, None)
            row.update(
                id=pk,
                reference=f"{REFERENCE_PREFIX}-{day:%Y%m%d}-{counters[day]:04d}",
                query_code_digest=digest,
                kind=_pick(rng, KINDS),
                channel=channel,
                category_id=rng.choice(categories),
                title=title,
                content=content,
                location="",
                citizen_id=rng.choice(context.citizens) if channel == "online" else None,
                contact_name=name,
                contact_mobile=mobile,
                contact_email="",
                publish_consent=consent,
                reception_place="广场接访点" if channel == "plaza" else "",
                reception_date=day if channel == "plaza" else None,
                state=state,
                is_complex=is_complex,
                lead_department_id=lead,
                received_at=received_at,
                closure="",
                return_reason="退回：不属于本单位职责" if state == "returned" else "",
                rating="",
                rating_comment="",
                reexamined=state == "reexamining",
                public_title=title,
                public_content=public_content,
                publication_withheld=False,
                search_document=document,
                public_search_document="",
            )
            events.append((pk, "received", None, "", True, received_at, channel))
            acknowledge_due = received_at + timedelta(hours=24)
            reply_days = 15 if is_complex else 7
            reply_due = _working_day_due(day, reply_days)
            reply_policy = "petition.reply.complex" if is_complex else "petition.reply.ordinary"
            accepted_at = replied_at = None
            if state not in ("submitted", "returned"):
                row["assigned_at"] = _not_after(received_at, timedelta(hours=rng.uniform(0.5, 10)), now, rng)
                events.append((pk, "assigned", lead, "", True, row["assigned_at"], ""))
            if state in ("accepted", "replied", "reexamining", "closed"):
                accepted_at = _not_after(row["assigned_at"], timedelta(hours=rng.expovariate(1 / 8)), now, rng)
                row["accepted_at"] = accepted_at
                events.append((pk, "accepted", lead, ACKNOWLEDGEMENT, True, accepted_at, ""))
            if state in ("replied", "reexamining", "closed"):
                replied_at = _not_after(accepted_at, timedelta(days=rng.expovariate(1 / 6)), now, rng)
                if state == "replied":  # still inside its 7-day rating period
                    replied_at = max(replied_at, now - timedelta(days=rng.uniform(0, 6.5)))
                row["replied_at"] = replied_at
                reply_text, reply_document = rng.choice(texts.replies)
                replies.append((pk, lead, context.staff[lead], reply_text, reply_text, False, replied_at))
                events.append((pk, "replied", lead, "", True, replied_at, ""))
                if consent:
                    row["published_at"] = replied_at
                    row["public_search_document"] = f"{public_document} {reply_document}"
            if state == "returned":
                events.append((pk, "returned", rng.choice(departments), row["return_reason"], False, received_at, ""))
            # Acknowledgement clock.
            clocks.append(
                _clock(
                    content_type,
                    pk,
                    lead,
                    "acknowledge",
                    "petition.acknowledge",
                    "hours",
                    24,
                    received_at,
                    acknowledge_due,
                    accepted_at,
                    now,
                )
            )
            # Reply clock.
            clocks.append(
                _clock(
                    content_type,
                    pk,
                    lead,
                    "reply",
                    reply_policy,
                    "working_days",
                    reply_days,
                    received_at,
                    reply_due,
                    replied_at,
                    now,
                )
            )
            if state == "reexamining":
                rated_at = _not_after(replied_at, timedelta(days=rng.uniform(0, 6)), now, rng)
                row.update(rating="unsatisfied", rated_at=rated_at)
                events.append((pk, "rated", None, "", True, rated_at, "unsatisfied"))
                events.append((pk, "reopened", lead, "", True, rated_at, ""))
                clocks.append(
                    _clock(
                        content_type,
                        pk,
                        lead,
                        "reply",
                        "petition.reply.reexamine",
                        "working_days",
                        7,
                        rated_at,
                        _working_day_due(timezone.localdate(rated_at), 7),
                        None,
                        now,
                    )
                )
            if state == "closed":
                if rng.random() < 0.7:
                    rated_at = _not_after(replied_at, timedelta(days=rng.uniform(0, 6)), now, rng)
                    rating = rng.choices(("satisfied", "basically", "unsatisfied"), weights=(0.7, 0.2, 0.1))[0]
                    row.update(rating=rating, rated_at=rated_at, closed_at=rated_at, closure="rated")
                    events.append((pk, "rated", None, "", True, rated_at, rating))
                else:
                    row.update(closed_at=min(replied_at + timedelta(days=7), now), closure="unrated")
                events.append((pk, "closed", None, "", True, row["closed_at"], row["closure"]))
            petitions.append([row[column] for column in PETITION_COLUMNS])
        with connection.cursor():
            copy_rows(Petition._meta.db_table, PETITION_COLUMNS, petitions)
            copy_rows(Clock._meta.db_table, CLOCK_COLUMNS, clocks)
            copy_rows(PetitionEvent._meta.db_table, EVENT_COLUMNS, events)
            copy_rows(Reply._meta.db_table, REPLY_COLUMNS, replies)
        written += size
        bar.update(size)
    bar.close()
    for day, value in counters.items():
        ReferenceCounter.objects.update_or_create(prefix=REFERENCE_PREFIX, day=day, defaults={"value": value})
    with connection.cursor() as cursor:
        for model in (Petition, Clock, PetitionEvent, Reply):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return written


def _not_after(start, delay, now, rng):
    """`start + delay`, or a random moment between `start` and `now` if that would be in the
    future (never exactly `now`: thousands of identical timestamps are not what a portal sees)."""
    moment = start + delay
    return moment if moment < now else start + (now - start) * rng.random()


def _clock(content_type, pk, department, kind, policy, unit, amount, started_at, due_at, met_at, now):
    if met_at is not None:
        state = "met_on_time" if met_at <= due_at else "met_late"
        overdue_at = None
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
        "petition",
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
