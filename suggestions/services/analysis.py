"""Analysis (建言分析): a campaign's hot topics, its breakdowns and its most valuable suggestions,
computed by a task (suggestions.tasks.compute_campaign_analyses, every ten minutes, twin
`manage.py compute_campaign_analyses`) and stored in CampaignAnalysis; pages only read it.

**Which suggestions.** The approved ones (approved, forwarded, answered), the campaign page's
"approved" count (suggestions.selectors.campaign_counts): every breakdown adds up to it.

**Hot topics (热点).** Words by jieba, ranked by TF-IDF against all campaigns:

* the words are each suggestion's `search_document`, which the intake already segmented with jieba
  (portal.search.segment) and keeps current. Segmenting again here would cost about 2.5 µs a
  character, some 50 s for 50,000 suggestions; reading the stored words keeps the task under 10 s;
* a word is two or more Chinese characters (numbers, tracking numbers, e-mail and web addresses
  are never words here) and not a stop word: stopwords-iso's Chinese list plus the genre's own
  words (suggestions/data/, each file says where it comes from);
* term frequency is the number of suggestions using the word (a suggestion repeating it counts
  once), document frequency the number of campaigns whose vocabulary has it, and
  score = suggestions × (ln((1 + campaigns) / (1 + campaigns with the word)) + 1): a word every
  campaign uses sinks, a word of this campaign rises;
* jieba's search mode also emits the shorter words inside a long one (公交 and 线路 inside 公交线路);
  a word found almost only inside a longer hot word (in ≥ 80 % of its suggestions) is left out;
* privacy: a word used by fewer than two suggestions is never kept, and each suggestion's own
  author name is taken out of its words, so a name does not become a "topic".

**Idempotent by a recorded fact.** `fingerprint` records what the task saw (the counts and the last
history rows of the campaign's suggestions and assessments, the phase dates, the method's
version and the stop words); a run that sees the same recomputes nothing. After any campaign's
vocabulary changed, every campaign's ranking is redone from the stored vocabularies (cheap:
no text is read), since the document frequencies moved.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import jieba.posseg
from django.db import transaction
from django.db.models import Avg, Count, F, FloatField, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from portal.masking import mask_personal_data
from portal.pagecache import public_content_changed
from suggestions.models import Assessment, Campaign, CampaignAnalysis, Category, Phase, Suggestion

# Bump when the method changes, so every stored analysis is recomputed on the next run.
METHOD_VERSION = 2  # 2: words jieba tags as a person's name are never topics
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STOPWORD_FILES = ("stopwords_zh.txt", "stopwords_suggestions.txt")

MIN_SUGGESTIONS = 2  # a word (or an area) of fewer suggestions is never shown
KEYWORDS_KEPT = 30
CANDIDATES = 200  # ranked words checked for "part of a longer word"
PART_OF_LONGER = 0.8
AREAS_SHOWN = 10
VALUABLE_KEPT = 20
ROWS_PER_FETCH = 2000

# Two or more CJK unified ideographs: what a Chinese hot word is made of.
_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")

ACCEPTED = Q(state__in=Suggestion.ACCEPTED_STATES)
PHASES = [phase.value for phase in Phase]
_PHASE_FIELDS = ("preparation_on", "collection_on", "analysis_on", "feedback_on", "summary_on", "ends_on")


@cache
def stop_words() -> frozenset[str]:
    words: set[str] = set()
    for name in STOPWORD_FILES:
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
            word = line.strip()
            if word and not word.startswith("#"):
                words.add(word.lower())
    return frozenset(words)


@cache
def _stop_words_digest() -> str:
    return hashlib.sha256("\n".join(sorted(stop_words())).encode()).hexdigest()[:8]


def _name_parts(name: str) -> set[str]:
    """Every piece of two or more characters of an author's name (jieba may split 欧阳小明)."""
    name = name.strip().lower()
    return {name[start:end] for start in range(len(name)) for end in range(start + 2, len(name) + 1)}


def _accepted(campaign: Campaign):
    return Suggestion.objects.filter(campaign=campaign).filter(ACCEPTED)


# --- the fingerprint ------------------------------------------------------------------------------


def campaign_fingerprint(campaign: Campaign) -> str:
    """What the analysis of `campaign` depends on, in a few index reads: any new, changed or
    re-stated suggestion, any assessment, a phase moved, the method or the stop words."""
    suggestions = Suggestion.objects.filter(campaign=campaign).aggregate(
        count=Count("id"), accepted=Count("id", filter=ACCEPTED), last=Max("id")
    )
    changes = Suggestion.history.filter(campaign_id=campaign.pk).aggregate(last=Max("history_id"))
    assessments = Assessment.history.filter(suggestion__campaign_id=campaign.pk).aggregate(
        count=Count("history_id"), last=Max("history_id")
    )
    phases = ",".join(f"{getattr(campaign, field):%Y%m%d}" for field in _PHASE_FIELDS)
    seen = (
        f"v{METHOD_VERSION}:{_stop_words_digest()}:{phases}:"
        f"s{suggestions['count']}/{suggestions['accepted']}/{suggestions['last'] or 0}/{changes['last'] or 0}:"
        f"a{assessments['count']}/{assessments['last'] or 0}"
    )
    return seen if len(seen) <= 100 else hashlib.sha256(seen.encode()).hexdigest()


# --- hot topics -----------------------------------------------------------------------------------


def campaign_terms(campaign: Campaign) -> dict[str, int]:
    """The campaign's vocabulary: {word: approved suggestions using it}, words of at least
    MIN_SUGGESTIONS suggestions, stop words and authors' names left out."""
    counts: Counter[str] = Counter()
    rows = _accepted(campaign).values_list("search_document", "contact_name").order_by().iterator(ROWS_PER_FETCH)
    for document, name in rows:
        words = set(_WORD.findall(document))
        if name:
            words -= _name_parts(name)
        counts.update(words)
    stopped = stop_words()
    return {word: count for word, count in counts.items() if count >= MIN_SUGGESTIONS and word not in stopped}


def inverse_document_frequency(campaigns: int, with_word: int) -> float:
    """Smoothed IDF: ln((1 + N) / (1 + df)) + 1; never zero, so a campaign alone still ranks its
    words by how many suggestions use them."""
    return math.log((1 + campaigns) / (1 + with_word)) + 1


PERSON_NAME_FLAGS = frozenset({"nr", "nrfg", "nrt"})


def looks_like_a_persons_name(word: str) -> bool:
    """Whether jieba's part-of-speech tagger reads `word` as one person's name (陈晓静, 张三): the
    topics are public and counted over suggestions not published, so a third person named in
    several of them must not become a topic. Authors' own names are already left out."""
    tagged = jieba.posseg.lcut(word)
    return len(tagged) == 1 and tagged[0].flag in PERSON_NAME_FLAGS


def rank_keywords(terms: dict[str, int], document_frequency: Counter, campaigns: int) -> list[dict]:
    """The hot topics of one vocabulary: [{term, suggestions, score}], highest score first (ties:
    more suggestions, then the word), without words found almost only inside a longer one."""

    def score(item):
        word, count = item
        return count * inverse_document_frequency(campaigns, document_frequency.get(word, 1))

    ranked = heapq.nlargest(CANDIDATES, terms.items(), key=lambda item: (score(item), item[1], item[0]))
    ranked.sort(key=lambda item: (-score(item), -item[1], item[0]))
    kept = []
    for word, count in ranked:
        if looks_like_a_persons_name(word):  # only the candidates are tagged: a few dozen words
            continue
        inside_longer = any(
            word != other and word in other and other_count >= PART_OF_LONGER * count for other, other_count in ranked
        )
        if not inside_longer:
            kept.append({"term": word, "suggestions": count, "score": round(score((word, count)), 3)})
        if len(kept) == KEYWORDS_KEPT:
            break
    return kept


def _document_frequency(vocabularies: list[dict[str, int]]) -> Counter:
    frequency: Counter[str] = Counter()
    for vocabulary in vocabularies:
        frequency.update(vocabulary.keys())
    return frequency


# --- breakdowns -----------------------------------------------------------------------------------


def _by_category(campaign: Campaign) -> list[dict]:
    rows = _accepted(campaign).values("category_id").annotate(count=Count("id")).order_by()
    counts = {row["category_id"]: row["count"] for row in rows}
    categories = Category.objects.filter(pk__in=counts).order_by("order", "name")
    result = [
        {"category_id": category.pk, "name": category.name, "name_en": category.name_en, "count": counts[category.pk]}
        for category in categories
    ]
    return sorted(result, key=lambda row: -row["count"])  # stable: category order among equals


def _by_channel(campaign: Campaign) -> list[dict]:
    rows = _accepted(campaign).values("channel").annotate(count=Count("id")).order_by()
    counts = {row["channel"]: row["count"] for row in rows}
    return [
        {"channel": channel, "count": counts[channel]} for channel in Suggestion.Channel.values if channel in counts
    ]


def _by_area(campaign: Campaign) -> list[dict]:
    """The areas most named (at least MIN_SUGGESTIONS suggestions each, masked like any public
    text), then "other areas" and "not given": the rows add up to the total."""
    rows = _accepted(campaign).values("area").annotate(count=Count("id")).order_by()
    named: Counter[str] = Counter()
    unknown = 0
    for row in rows:
        area = " ".join((row["area"] or "").split())
        if area:
            named[area] += row["count"]
        else:
            unknown += row["count"]
    shown = [(area, count) for area, count in named.most_common() if count >= MIN_SUGGESTIONS][:AREAS_SHOWN]
    other = sum(named.values()) - sum(count for _area, count in shown)
    result = [{"area": mask_personal_data(area), "kind": "named", "count": count} for area, count in shown]
    if other:
        result.append({"area": "", "kind": "other", "count": other})
    if unknown:
        result.append({"area": "", "kind": "unknown", "count": unknown})
    return result


def _by_day(campaign: Campaign) -> dict[date, int]:
    rows = (
        _accepted(campaign)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {row["day"]: row["count"] for row in rows}


def _by_phase_and_week(campaign: Campaign) -> tuple[list[dict], list[dict]]:
    """Approved suggestions by the phase they were received in (offline channels bring some in
    after the collection phase) and by week (Monday first), each week labelled with its phase."""
    phases: Counter[str] = Counter()
    weeks: Counter[date] = Counter()
    for day, count in _by_day(campaign).items():
        phases[campaign.phase_on(day) or ""] += count
        weeks[day - timedelta(days=day.weekday())] += count
    by_phase = [{"phase": phase, "count": phases[phase]} for phase in [*PHASES, ""] if phases.get(phase)]
    by_week = []
    if weeks:
        monday = min(weeks)
        while monday <= max(weeks):
            labelled = campaign.phase_on(max(monday, campaign.preparation_on)) or ""
            by_week.append({"week": monday.isoformat(), "phase": labelled, "count": weeks.get(monday, 0)})
            monday += timedelta(days=7)
    return by_phase, by_week


def _valuable(campaign: Campaign) -> list[dict]:
    """The approved suggestions with the best mean assessment (合理性, 可行性, 创新性 averaged over
    the three scales and the assessors), best first; ties: more assessments, then the earlier."""
    rows = (
        Assessment.objects.filter(suggestion__campaign=campaign, suggestion__state__in=Suggestion.ACCEPTED_STATES)
        .values("suggestion_id")
        .annotate(
            mean=Avg(F("reasonableness") + F("feasibility") + F("innovation"), output_field=FloatField()) / 3.0,
            reasonableness=Avg("reasonableness", output_field=FloatField()),
            feasibility=Avg("feasibility", output_field=FloatField()),
            innovation=Avg("innovation", output_field=FloatField()),
            assessments=Count("id"),
        )
        .order_by("-mean", "-assessments", "suggestion_id")[:VALUABLE_KEPT]
    )
    return [
        {
            "suggestion_id": row["suggestion_id"],
            "mean": round(row["mean"], 2),
            "reasonableness": round(row["reasonableness"], 2),
            "feasibility": round(row["feasibility"], 2),
            "innovation": round(row["innovation"], 2),
            "assessments": row["assessments"],
        }
        for row in rows
    ]


def campaign_figures(campaign: Campaign) -> dict:
    """Every breakdown of the campaign's approved suggestions; each adds up to `total`."""
    by_phase, by_week = _by_phase_and_week(campaign)
    return {
        "total": _accepted(campaign).count(),
        "by_category": _by_category(campaign),
        "by_channel": _by_channel(campaign),
        "by_area": _by_area(campaign),
        "by_phase": by_phase,
        "by_week": by_week,
        "valuable": _valuable(campaign),
    }


# --- the services ---------------------------------------------------------------------------------


def _campaigns_to_analyse(today: date):
    """Campaigns that may have suggestions: collection under way or over (any phase after it)."""
    return Campaign.objects.filter(collection_on__lte=today).order_by("pk")


def campaign_analysis_compute(
    *, campaign: Campaign, now: datetime | None = None, force: bool = False, rank: bool = True
) -> tuple[CampaignAnalysis, bool]:
    """Recompute the campaign's analysis if its data changed since the last run (or `force`).
    Returns (analysis, recomputed). With `rank`, its hot topics are ranked against the other
    campaigns' stored vocabularies at once (the task ranks every campaign once at the end)."""
    now = now or timezone.now()
    fingerprint = campaign_fingerprint(campaign)
    # The vocabulary is large (tens of thousands of words): not read just to compare fingerprints.
    existing = CampaignAnalysis.objects.filter(campaign=campaign).defer("terms").first()
    if existing is not None and existing.fingerprint == fingerprint and not force:
        return existing, False
    terms = campaign_terms(campaign)
    figures = campaign_figures(campaign)
    keywords = existing.keywords if existing is not None else []
    if rank:
        others = list(CampaignAnalysis.objects.exclude(campaign=campaign).values_list("terms", flat=True))
        keywords = rank_keywords(terms, _document_frequency([*others, terms]), len(others) + 1)
    analysis = _store(campaign, terms=terms, figures=figures, keywords=keywords, fingerprint=fingerprint, now=now)
    return analysis, True


@transaction.atomic
def _store(campaign: Campaign, *, terms, figures, keywords, fingerprint: str, now: datetime) -> CampaignAnalysis:
    analysis, _created = CampaignAnalysis.objects.select_for_update().get_or_create(campaign=campaign)
    analysis.terms, analysis.figures, analysis.keywords = terms, figures, keywords
    analysis.fingerprint, analysis.suggestions_counted, analysis.computed_at = fingerprint, figures["total"], now
    analysis.save()
    if campaign.is_published:
        public_content_changed()
    return analysis


@transaction.atomic
def campaign_keywords_rank_all() -> int:
    """Rank every stored analysis's hot topics against the current document frequencies (after
    a vocabulary changed). Returns how many rankings changed."""
    analyses = list(CampaignAnalysis.objects.select_for_update().select_related("campaign").order_by("pk"))
    frequency = _document_frequency([analysis.terms for analysis in analyses])
    changed = 0
    for analysis in analyses:
        keywords = rank_keywords(analysis.terms, frequency, len(analyses))
        if keywords != analysis.keywords:
            analysis.keywords = keywords
            analysis.save(update_fields=["keywords"])
            changed += 1
            if analysis.campaign.is_published:
                public_content_changed()
    return changed


def campaign_analyses_refresh(*, now: datetime | None = None, force: bool = False) -> dict:
    """The periodic run: recompute each campaign whose data changed, then, if any did, re-rank
    them all. Returns {"campaigns", "recomputed", "reranked"}."""
    now = now or timezone.now()
    campaigns = list(_campaigns_to_analyse(timezone.localdate(now)))
    recomputed = 0
    for campaign in campaigns:
        _analysis, changed = campaign_analysis_compute(campaign=campaign, now=now, force=force, rank=False)
        recomputed += changed
    reranked = campaign_keywords_rank_all() if recomputed else 0
    return {"campaigns": len(campaigns), "recomputed": recomputed, "reranked": reranked}
