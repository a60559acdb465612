"""Benchmark: a campaign's analysis (hot topics, breakdowns, most valuable) over 50,000 suggestions.

The issue's bar: the hot-topic computation of a 50,000-suggestion campaign takes under 10 s, in a
task (never in a request). This times suggestions.services.analysis.campaign_analysis_compute,
forced, best of --repeat, on PostgreSQL, and the idle periodic run (nothing changed: the
fingerprint only), and prints the figures.

    createdb -h 127.0.0.1 -U postgres minsheng_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/minsheng_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python tests/perf/bench_hot_topics.py --suggestions 50000

The first run inserts the campaign (slug bench-hot-topics) and a second one (bench-hot-topics-other,
10,000 suggestions, so TF-IDF has another campaign to weigh against): approved suggestions on one
of 46 city topics (a title, two to four templated sentences of problem and two or three of
measures, each part with a free sentence of words drawn from jieba's dictionary by frequency:
about 210 characters, a vocabulary of some 40,000 words), their search documents segmented by
jieba as the intake does, 20 categories, six channels, ten areas, spread over the collection
phase, and 3,000 assessments. Inserting takes about six minutes; later runs reuse the data
(`--fresh` rebuilds). The database's name must contain "bench" (or pass --yes).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.models import User  # noqa: E402
from portal.search import segment  # noqa: E402
from suggestions.models import Assessment, Campaign, CampaignAnalysis, Category, Suggestion  # noqa: E402
from suggestions.services import analysis  # noqa: E402

SLUG = "bench-hot-topics"
OTHER_SLUG = "bench-hot-topics-other"
BATCH = 2000

TOPICS = (
    "社区公交微循环",
    "地铁站接驳",
    "老旧小区加装电梯",
    "停车位不足",
    "电动车充电桩",
    "垃圾分类投放",
    "公园健身步道",
    "学校周边交通",
    "社区养老服务",
    "婴幼儿托育",
    "菜市场改造",
    "夜间路灯照明",
    "道路积水",
    "噪音扰民",
    "河道整治",
    "城市绿道",
    "共享单车停放",
    "政务服务一网通办",
    "医院挂号难",
    "社区卫生服务站",
    "公共厕所",
    "老年食堂",
    "背街小巷改造",
    "口袋公园",
    "农贸市场",
    "快递柜设置",
    "无障碍设施",
    "消防通道占用",
    "餐饮油烟",
    "建筑垃圾清运",
    "文化馆开放时间",
    "图书馆分馆",
    "青少年活动场所",
    "社区足球场",
    "旅游公厕",
    "景区预约",
    "乡村客运",
    "农村污水",
    "物业管理",
    "房屋维修基金",
    "保障性住房",
    "人才公寓",
    "营商环境",
    "小微企业融资",
    "夜市经济",
    "老字号保护",
)
PLACES = ("东城区", "西城区", "南湖街道", "北山镇", "高新区", "滨江新区", "老城区", "开发区", "城南片区", "城北片区")
PROBLEMS = (
    "{place}的{topic}问题长期存在,居民反映强烈。",
    "目前{topic}设施数量不足,高峰时段排队时间较长。",
    "{topic}相关管理不到位,存在安全隐患。",
    "{place}周边{topic}配套滞后,给老人和儿童出行带来不便。",
    "很多市民不了解{topic}的办理流程,信息公开不够。",
    "{topic}建设标准偏低,维护保养不及时。",
)
MEASURES = (
    "建议由相关部门牵头,统筹规划{topic}布局。",
    "建议加大{topic}财政投入,引入社会资本参与建设运营。",
    "建议在{place}先行试点{topic},总结经验后全市推广。",
    "建议建立{topic}定期巡查和居民评议机制。",
    "建议通过线上平台公开{topic}进展,接受群众监督。",
)
CHANNELS = list(Suggestion.Channel.values)


def _sentences(rng: random.Random, templates, count: int, topic: str) -> list[str]:
    return [rng.choice(templates).format(topic=topic, place=rng.choice(PLACES)) for _ in range(count)]


def _common_words(limit: int = 40_000) -> tuple[list[str], list[int]]:
    """The `limit` most frequent Chinese words of jieba's own dictionary, with their frequencies:
    the free-form part of each suggestion draws from them, so the vocabulary is as wide as real
    text's (tens of thousands of words), not the templates' few hundred."""
    import jieba

    rows = []
    with open(jieba.get_dict_file().name, encoding="utf-8") as handle:
        for line in handle:
            word, frequency, *_rest = line.split()
            if 2 <= len(word) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                rows.append((int(frequency), word))
    rows.sort(reverse=True)
    rows = rows[:limit]
    return [word for _f, word in rows], [frequency for frequency, _w in rows]


class Texts:
    """Suggestion texts, each distinct sentence segmented once (as the intake would, per text)."""

    def __init__(self, rng: random.Random):
        self.segmented: dict[str, str] = {}
        self.rng = rng
        self.words_pool, self.weights = _common_words()

    def free_sentence(self) -> str:
        """A sentence of 12 to 20 dictionary words, drawn by their frequency."""
        return "".join(self.rng.choices(self.words_pool, self.weights, k=self.rng.randint(12, 20))) + "。"

    def words(self, sentence: str) -> str:
        if sentence not in self.segmented:
            self.segmented[sentence] = segment(sentence)
        return self.segmented[sentence]


def _fill(campaign: Campaign, count: int, categories: list[Category], rng: random.Random, texts: Texts, prefix: str):
    start = timezone.make_aware(datetime.combine(campaign.collection_on, time_of_day.min))
    span = (campaign.analysis_on - campaign.collection_on).days * 86400
    sequences: dict[int, int] = {}
    made = 0
    while made < count:
        rows = []
        for _ in range(min(BATCH, count - made)):
            made += 1
            topic = rng.choice(TOPICS)
            category = (
                categories[TOPICS.index(topic) % len(categories)] if rng.random() < 0.8 else rng.choice(categories)
            )
            sequences[category.pk] = sequences.get(category.pk, 0) + 1
            sequence = sequences[category.pk]
            title = f"关于{topic}的建议"
            problem_sentences = _sentences(rng, PROBLEMS, rng.randint(2, 4), topic)
            measure_sentences = _sentences(rng, MEASURES, rng.randint(2, 3), topic)
            free = [texts.free_sentence(), texts.free_sentence()]
            number = f"JY{campaign.year}-{category.code}-{sequence:05d}"
            reference = f"{prefix}-{made:08d}"
            words = " ".join(
                [segment(reference, number), texts.words(title)]
                + [texts.words(s) for s in problem_sentences + measure_sentences]
                + [segment(s) for s in free]
            )
            problem, measures = "".join(problem_sentences) + free[0], "".join(measure_sentences) + free[1]
            rows.append(
                Suggestion(
                    reference=reference,
                    campaign=campaign,
                    category=category,
                    channel=rng.choice(CHANNELS),
                    title=title,
                    problem=problem,
                    measures=measures,
                    area=rng.choice(PLACES) if rng.random() < 0.7 else "",
                    contact_name=rng.choice(("张伟", "王芳", "李娜", "刘洋", "陈静")),
                    state=Suggestion.State.APPROVED,
                    number=number,
                    sequence=sequence,
                    received_at=start + timedelta(seconds=rng.randrange(span)),
                    public_title=title,
                    public_problem=problem,
                    public_measures=measures,
                    search_document=words,
                )
            )
        Suggestion.objects.bulk_create(rows)


def _prepare(total: int, other_total: int, fresh: bool) -> Campaign:
    campaign = Campaign.objects.filter(slug=SLUG).first()
    if campaign is not None and not fresh and Suggestion.objects.filter(campaign=campaign).count() == total:
        return campaign
    with transaction.atomic():
        for slug in (SLUG, OTHER_SLUG):
            old = Campaign.objects.filter(slug=slug).first()
            if old is not None:
                Assessment.objects.filter(suggestion__campaign=old).delete()
                Suggestion.objects.filter(campaign=old).delete()
                CampaignAnalysis.objects.filter(campaign=old).delete()
                old.delete()
    today = timezone.localdate()
    categories = []
    for index in range(20):
        category, _created = Category.objects.get_or_create(
            code=f"B{index:02d}", defaults={"name": f"基准分类{index:02d}", "name_en": f"Bench {index}"}
        )
        categories.append(category)
    rng = random.Random(14)
    texts = Texts(rng)
    made = []
    for slug, count, offset in ((SLUG, total, 0), (OTHER_SLUG, other_total, 400)):
        campaign = Campaign.objects.create(
            title=f"基准活动 {slug}",
            slug=slug,
            theme="汇聚民智,共筑美好未来",
            description="基准测试",
            is_published=False,
            preparation_on=today - timedelta(days=offset + 90),
            collection_on=today - timedelta(days=offset + 80),
            analysis_on=today - timedelta(days=offset + 5),
            feedback_on=today + timedelta(days=10) - timedelta(days=offset),
            summary_on=today + timedelta(days=30) - timedelta(days=offset),
            ends_on=today + timedelta(days=50) - timedelta(days=offset),
        )
        campaign.categories.set(categories)
        started = time.perf_counter()
        _fill(campaign, count, categories, rng, texts, prefix="BH" if slug == SLUG else "BO")
        print(f"inserted {count:,} suggestions into {slug} in {time.perf_counter() - started:.1f} s")
        made.append(campaign)
    assessors = [User.objects.get_or_create(username=f"bench_expert_{n}")[0] for n in range(5)]
    ids = list(Suggestion.objects.filter(campaign=made[0]).values_list("pk", flat=True)[:600])
    Assessment.objects.bulk_create(
        Assessment(
            suggestion_id=pk,
            assessor=assessor,
            reasonableness=rng.randint(1, 5),
            feasibility=rng.randint(1, 5),
            innovation=rng.randint(1, 5),
        )
        for pk in ids
        for assessor in assessors
    )
    with connection.cursor() as cursor:
        for table in ("suggestions_suggestion", "suggestions_assessment"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return made[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suggestions", type=int, default=50_000)
    parser.add_argument("--other", type=int, default=10_000, help="suggestions of the second campaign")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark campaigns")
    parser.add_argument("--yes", action="store_true", help="allow a database whose name lacks 'bench'")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_hot_topics measures PostgreSQL; set DATABASE_URL to a PostgreSQL database.")
    name = connection.settings_dict["NAME"]
    if "bench" not in name and not options.yes:
        sys.exit(f"bench_hot_topics writes 60,000 suggestions into {name!r}; use a *bench* database or --yes.")
    campaign = _prepare(options.suggestions, options.other, options.fresh)
    other = Campaign.objects.get(slug=OTHER_SLUG)
    analysis.campaign_analysis_compute(campaign=other, force=True)  # the other vocabulary, for TF-IDF
    characters = sum(
        len(t) + len(p) + len(m)
        for t, p, m in Suggestion.objects.filter(campaign=campaign).values_list("title", "problem", "measures")
    )
    count = Suggestion.objects.filter(campaign=campaign).count()
    print(f"database {name}: {count:,} suggestions, {characters / count:.0f} characters each on average")
    timings = []
    for _ in range(options.repeat):
        started = time.perf_counter()
        result, _recomputed = analysis.campaign_analysis_compute(campaign=campaign, force=True)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    started = time.perf_counter()
    analysis.campaign_analysis_compute(campaign=campaign)
    idle_ms = (time.perf_counter() - started) * 1000
    verdict = "under" if best < 10 else "OVER"
    print(f"hot topics + breakdowns of {count:,} suggestions: best {best:.2f} s of {options.repeat} ({verdict} 10 s)")
    print(f"  all runs: {', '.join(f'{t:.2f} s' for t in timings)}")
    print(f"periodic run with nothing changed (fingerprint only): {idle_ms:.0f} ms")
    print(f"vocabulary: {len(result.terms):,} words; top ten: {'、'.join(k['term'] for k in result.keywords[:10])}")


if __name__ == "__main__":
    main()
