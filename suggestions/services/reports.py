"""The campaign summary report (活动总结报告): figures computed once and frozen in
CampaignReport.figures, the office's written sections (成效 outcomes, 经验教训 lessons learned)
edited with history, and publication.

* Generated automatically when the summary phase starts (suggestions.tasks
  .generate_campaign_reports, hourly, idempotent by the fact that the campaign has a report; twin
  `manage.py generate_campaign_reports`), and again by the office on demand: each generation is a
  new version (v1, v2, …) with the figures of that moment; a stored version's figures are never
  rewritten, so a later answer changes nothing in v1.
* A new version starts with the previous version's written sections, unpublished. Publishing a
  version makes it the public one (the campaign's other versions are unpublished).
* The figures hold no personal data: counts, department and category names, the public (masked)
  titles of excellent and most valuable suggestions, and an author's name only where the author
  consented to show it (the staff pages show it; the public version never does).

What each figure counts is in `report_tables`' captions; the counts come from the same
definitions as the campaign page (suggestions.selectors.campaign_counts), so they agree with it
at the moment of generation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.dashboards import as_percent
from portal.exceptions import DomainError, NotPermitted
from portal.models import Clock, ClockQuerySet
from portal.names import localized_name
from portal.workflow import save_with_history
from suggestions import policies
from suggestions.models import (
    Campaign,
    CampaignReport,
    Forwarding,
    Measure,
    Outcome,
    Suggestion,
)
from suggestions.selectors import campaign_counts
from suggestions.services.analysis import campaign_analysis_compute
from suggestions.services.common import mask

S = Suggestion.State
SCHEMA = 1
HOT_TOPICS_KEPT = 20
VALUABLE_KEPT = 10
PERMISSION = "suggestions.manage_campaign"


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


# --- the figures ----------------------------------------------------------------------------------


def _clock_figures(clocks, now: datetime) -> dict:
    """Met on time, met late, still open and overdue among `clocks` (a Clock queryset)."""
    return clocks.aggregate(
        on_time=Count("id", filter=Q(state=Clock.State.MET_ON_TIME)),
        late=Count("id", filter=Q(state=Clock.State.MET_LATE)),
        open=Count("id", filter=Q(state__in=Clock.OPEN_STATES)),
        overdue=Count("id", filter=ClockQuerySet.overdue_condition(now)),
    )


def _answer_clocks(campaign: Campaign):
    """The departments' answer clocks of the campaign's suggestions, whichever subject they run
    on (a forwarding, or the suggestion itself)."""
    forwarding_type = ContentType.objects.get_for_model(Forwarding)
    suggestion_type = ContentType.objects.get_for_model(Suggestion)
    forwardings = Forwarding.objects.filter(suggestion__campaign=campaign).values("pk")
    suggestions = Suggestion.objects.filter(campaign=campaign).values("pk")
    return Clock.objects.filter(area=policies.AREA, kind=policies.RESPOND).filter(
        Q(content_type=forwarding_type, object_id__in=forwardings)
        | Q(content_type=suggestion_type, object_id__in=suggestions)
    )


def _moderation_clocks(campaign: Campaign):
    return Clock.objects.filter(
        area=policies.AREA,
        kind=policies.MODERATE,
        content_type=ContentType.objects.get_for_model(Suggestion),
        object_id__in=Suggestion.objects.filter(campaign=campaign).values("pk"),
    )


def _collection(campaign: Campaign) -> tuple[dict, dict, dict]:
    """(collection by channel and category, moderation outcomes, answered by outcome) from one
    GROUP BY over the campaign's suggestions."""
    rows = (
        Suggestion.objects.filter(campaign=campaign)
        .values("channel", "category_id", "category__name", "category__name_en", "state", "outcome")
        .annotate(count=Count("id"))
        .order_by()
    )
    channels: dict[str, Counter] = {}
    categories: dict[int, dict] = {}
    states: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for row in rows:
        state, count = row["state"], row["count"]
        states[state] += count
        if state == S.WITHDRAWN:
            continue  # withdrawn suggestions are not "received" (suggestions.selectors)
        accepted = count if state in Suggestion.ACCEPTED_STATES else 0
        channel = channels.setdefault(row["channel"], Counter())
        channel.update(received=count, approved=accepted)
        category = categories.setdefault(
            row["category_id"],
            {
                "category_id": row["category_id"],
                "name": row["category__name"],
                "name_en": row["category__name_en"],
                "received": 0,
                "approved": 0,
            },
        )
        category["received"] += count
        category["approved"] += accepted
        if state == S.ANSWERED:
            outcomes[row["outcome"]] += count
    collection = {
        "by_channel": [
            {"channel": channel, "received": channels[channel]["received"], "approved": channels[channel]["approved"]}
            for channel in Suggestion.Channel.values
            if channel in channels
        ],
        "by_category": sorted(categories.values(), key=lambda row: (-row["received"], row["name"])),
    }
    moderation = {
        "approved": sum(states[state] for state in Suggestion.ACCEPTED_STATES),
        "rejected": states[S.REJECTED],
        "merged": states[S.MERGED],
        "pending": states[S.PENDING],
        "withdrawn": states[S.WITHDRAWN],
    }
    adoption = {outcome: outcomes[outcome] for outcome in Outcome.values}
    return collection, moderation, adoption


def _departments(campaign: Campaign, now: datetime) -> list[dict]:
    """Per department: forwardings, answered, adopted (in full or in part), and their answer
    clocks met on time, late, and overdue."""
    rows = {
        row["department_id"]: row
        for row in Forwarding.objects.filter(suggestion__campaign=campaign)
        .values("department_id", "department__name", "department__name_en")
        .annotate(
            forwardings=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            adopted=Count("id", filter=Q(answered_at__isnull=False, outcome__in=Outcome.with_measures())),
        )
        .order_by()
    }
    clocks = {
        row["department_id"]: row
        for row in _answer_clocks(campaign)
        .values("department_id")
        .annotate(
            on_time=Count("id", filter=Q(state=Clock.State.MET_ON_TIME)),
            late=Count("id", filter=Q(state=Clock.State.MET_LATE)),
            overdue=Count("id", filter=ClockQuerySet.overdue_condition(now)),
        )
        .order_by()
    }
    result = []
    for department_id, row in rows.items():
        clock = clocks.get(department_id, {})
        result.append(
            {
                "department_id": department_id,
                "name": row["department__name"],
                "name_en": row["department__name_en"],
                "forwardings": row["forwardings"],
                "answered": row["answered"],
                "adopted": row["adopted"],
                "on_time": clock.get("on_time", 0),
                "late": clock.get("late", 0),
                "overdue": clock.get("overdue", 0),
            }
        )
    return sorted(result, key=lambda row: (-row["forwardings"], row["name"]))


def _measures(campaign: Campaign, today) -> dict:
    return Measure.objects.filter(forwarding__suggestion__campaign=campaign).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(done_on__isnull=False)),
        done_on_time=Count("id", filter=Q(done_on__isnull=False, done_on__lte=F("planned_on"))),
        overdue=Count("id", filter=Q(done_on__isnull=True, planned_on__lt=today)),
    )


def _suggestion_row(suggestion: Suggestion) -> dict:
    return {
        "suggestion_id": suggestion.pk,
        "number": suggestion.number,
        "title": suggestion.public_title,
        "category": suggestion.category.name,
        "category_en": suggestion.category.name_en,
        "published": suggestion.published_at is not None,
    }


def _excellent(campaign: Campaign) -> list[dict]:
    suggestions = (
        Suggestion.objects.filter(campaign=campaign, excellent_at__isnull=False)
        .select_related("category", "citizen")
        .order_by("excellent_at", "pk")
    )
    return [
        _suggestion_row(suggestion)
        | {"citation": mask(suggestion, suggestion.excellent_citation), "author": suggestion.public_author}
        for suggestion in suggestions
    ]


def _valuable(campaign: Campaign, ranked: list[dict]) -> list[dict]:
    scores = {row["suggestion_id"]: row for row in ranked}
    suggestions = Suggestion.objects.filter(
        campaign=campaign, pk__in=scores, state__in=Suggestion.ACCEPTED_STATES
    ).select_related("category")
    rows = [
        _suggestion_row(suggestion)
        | {"mean": scores[suggestion.pk]["mean"], "assessments": scores[suggestion.pk]["assessments"]}
        for suggestion in suggestions
    ]
    return sorted(rows, key=lambda row: (-row["mean"], -row["assessments"], row["suggestion_id"]))[:VALUABLE_KEPT]


def campaign_report_figures(campaign: Campaign, now: datetime) -> dict:
    """Every figure of the summary report as of `now` (JSON, no translated text, no personal
    data but consented author names). The analysis is brought up to date first (a task's work,
    never a request's)."""
    analysis, _recomputed = campaign_analysis_compute(campaign=campaign, now=now)
    counts = campaign_counts(campaign)
    collection, moderation, adoption = _collection(campaign)
    moderation |= _clock_figures(_moderation_clocks(campaign), now)
    answers = _clock_figures(_answer_clocks(campaign), now)
    return {
        "schema": SCHEMA,
        "computed_at": now.isoformat(),
        "campaign": {
            "title": campaign.title,
            "theme": campaign.theme,
            "collection_on": campaign.collection_on.isoformat(),
            "summary_on": campaign.summary_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat(),
        },
        "counts": {
            "received": counts.received,
            "approved": counts.approved,
            "forwarded": counts.forwarded,
            "answered": counts.answered,
            "adopted": counts.adopted,
        },
        "collection": collection,
        "moderation": moderation,
        "answers": answers,
        "departments": _departments(campaign, now),
        "adoption": adoption,
        "measures": _measures(campaign, timezone.localdate(now)),
        "hot_topics": analysis.keywords[:HOT_TOPICS_KEPT],
        "excellent": _excellent(campaign),
        "valuable": _valuable(campaign, analysis.figures.get("valuable", [])),
    }


# --- the services ---------------------------------------------------------------------------------


def _require(actor) -> None:
    if actor is not None and not (actor.is_authenticated and actor.is_staff and actor.has_perm(PERMISSION)):
        raise NotPermitted(_("You are not allowed to run campaign reports."))


def _summary_started(campaign: Campaign, now: datetime) -> bool:
    return timezone.localdate(now) >= campaign.summary_on


def campaign_report_generate(*, campaign: Campaign, actor=None, now: datetime | None = None) -> CampaignReport:
    """A new version of the campaign's summary report with the figures of now (the summary
    phase must have begun). `actor` None is the beat task. The written sections are carried over
    from the latest version; the new version is not published."""
    _require(actor)
    now = now or timezone.now()
    if not _summary_started(campaign, now):
        raise DomainError(
            _("The summary report is generated once the summary phase begins (%(date)s).")
            % {"date": f"{campaign.summary_on:%Y-%m-%d}"}
        )
    figures = campaign_report_figures(campaign, now)  # outside the lock: it reads for seconds
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        latest = CampaignReport.objects.filter(campaign=campaign).order_by("-version").first()
        report = CampaignReport(
            campaign=campaign,
            version=(latest.version + 1) if latest else 1,
            figures=figures,
            outcomes=latest.outcomes if latest else "",
            lessons=latest.lessons if latest else "",
            generated_at=now,
            generated_by=actor,
        )
        save_with_history(report, actor, "generated")
    return report


def campaign_reports_generate_due(*, now: datetime | None = None) -> list[CampaignReport]:
    """The periodic run: version 1 of the report of every campaign whose summary phase has begun
    and that has no report yet. Idempotent by that fact (a campaign with a report is skipped; two
    runs at once make one: the campaign row is locked and the version unique)."""
    now = now or timezone.now()
    due = Campaign.objects.filter(summary_on__lte=timezone.localdate(now)).exclude(reports__isnull=False)
    made = []
    for campaign in due.order_by("pk"):
        figures = campaign_report_figures(campaign, now)
        try:
            with transaction.atomic():
                Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
                if CampaignReport.objects.filter(campaign=campaign).exists():
                    continue
                report = CampaignReport(campaign=campaign, version=1, figures=figures, generated_at=now)
                save_with_history(report, None, "generated when the summary phase began")
        except IntegrityError:
            continue
        made.append(report)
    return made


def _locked(report: CampaignReport) -> CampaignReport:
    return CampaignReport.objects.select_for_update().select_related("campaign").get(pk=report.pk)


@transaction.atomic
def campaign_report_edit(*, report: CampaignReport, actor, outcomes: str, lessons: str) -> CampaignReport:
    """The office writes the report's sections (成效, 经验教训); every change is kept in its history."""
    _require(actor)
    if actor is None:
        raise NotPermitted(_("You are not allowed to run campaign reports."))
    report = _locked(report)
    report.outcomes, report.lessons = outcomes.strip(), lessons.strip()
    save_with_history(report, actor, "sections edited", public=report.is_published)
    return report


@transaction.atomic
def campaign_report_publish(*, report: CampaignReport, actor) -> CampaignReport:
    """Make this version the campaign's public report (any other version is withdrawn from the
    public page)."""
    _require(actor)
    if actor is None:
        raise NotPermitted(_("You are not allowed to run campaign reports."))
    report = _locked(report)
    if not (report.outcomes and report.lessons):
        raise DomainError(_("Write the outcomes (成效) and the lessons learned (经验教训) before publishing."))
    others = CampaignReport.objects.select_for_update().filter(campaign=report.campaign, is_published=True)
    for other in others.exclude(pk=report.pk):
        other.is_published = False
        save_with_history(other, actor, f"replaced by version {report.version}", public=True)
    if not report.is_published:
        report.is_published = True
        save_with_history(report, actor, "published", public=True)
    return report


@transaction.atomic
def campaign_report_unpublish(*, report: CampaignReport, actor) -> CampaignReport:
    """Take the report off the public page."""
    _require(actor)
    if actor is None:
        raise NotPermitted(_("You are not allowed to run campaign reports."))
    report = _locked(report)
    if report.is_published:
        report.is_published = False
        save_with_history(report, actor, "unpublished", public=True)
    return report


# --- how the figures are shown (staff page, public page, workbook) --------------------------------


@dataclass
class ReportTable:
    """One table of the report: the same rows on the page and in the workbook."""

    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    caption: str = ""
    # Columns of text (left-aligned); the others are figures, aligned right. The first is the row's heading.
    text_columns: tuple[int, ...] = (0,)


def percent(numerator: int, denominator: int):
    """A share as a percentage with one decimal, rounded half up; None when nothing to divide."""
    value = as_percent(_rate(numerator, denominator))
    return float(value) if value is not None else None


def public_suggestion_ids(figures: dict) -> set[int]:
    """Which of the report's listed suggestions are published now: the public version lists
    only those (a suggestion taken off the public pages since is not shown again)."""
    ids = {row["suggestion_id"] for key in ("excellent", "valuable") for row in figures.get(key, [])}
    return set(Suggestion.objects.published().filter(pk__in=ids).values_list("pk", flat=True))


def report_tables(figures: dict, *, public: bool, published_ids: set[int] | None = None) -> list[ReportTable]:
    """The report's tables in the reader's language. `public`: the version for everyone (no
    author names; only suggestions published now, `published_ids`)."""
    counts, moderation, answers = figures["counts"], figures["moderation"], figures["answers"]
    channel_labels = dict(Suggestion.Channel.choices)
    received, approved = counts["received"], counts["approved"]
    tables = []

    overview = ReportTable(
        "overview",
        _("Overview"),
        [_("Figure"), _("Count"), _("Share (%)")],
        caption=_(
            "Received: suggestions through every channel, less those withdrawn. Approved: of those received, the ones "
            "approved (merged ones count once). Forwarded, answered and adopted: each a part of the one before; the "
            "share is of the row before it."
        ),
    )
    previous = None
    for key, label in (
        ("received", pgettext("suggestion count", "Received (收到建言)")),
        ("approved", pgettext("suggestion count", "Approved (审核通过)")),
        ("forwarded", pgettext("suggestion count", "Forwarded (已转交)")),
        ("answered", pgettext("suggestion count", "Answered (已答复)")),
        ("adopted", pgettext("suggestion count", "Adopted (采纳)")),
    ):
        overview.rows.append(
            [label, counts[key], percent(counts[key], counts[previous]) if previous else None],
        )
        previous = key
    overview.rows.append([_("Selected as excellent (优秀建言)"), len(figures["excellent"]), None])
    overview.rows.append([_("Withdrawn by their authors (not counted as received)"), moderation["withdrawn"], None])
    tables.append(overview)

    by_channel = ReportTable(
        "channels",
        _("Collection by channel"),
        [
            _("Channel"),
            pgettext("suggestion count", "Received (收到建言)"),
            pgettext("suggestion count", "Approved (审核通过)"),
        ],
    )
    for row in figures["collection"]["by_channel"]:
        by_channel.rows.append(
            [str(channel_labels.get(row["channel"], row["channel"])), row["received"], row["approved"]]
        )
    by_channel.total = [_("Total"), received, approved]
    tables.append(by_channel)

    by_category = ReportTable(
        "categories",
        _("Collection by category"),
        [
            _("Category"),
            pgettext("suggestion count", "Received (收到建言)"),
            pgettext("suggestion count", "Approved (审核通过)"),
        ],
    )
    for row in figures["collection"]["by_category"]:
        by_category.rows.append([localized_name(row["name"], row["name_en"]), row["received"], row["approved"]])
    by_category.total = [_("Total"), received, approved]
    tables.append(by_category)

    outcomes = ReportTable(
        "moderation",
        _("Moderation outcomes"),
        [_("Outcome"), _("Count"), _("Share of received (%)")],
        caption=_("Withdrawn suggestions are not counted as received; the overview counts them apart."),
    )
    for key, label in (
        ("approved", pgettext("suggestion state", "Approved")),
        ("rejected", pgettext("suggestion state", "Not approved")),
        ("merged", pgettext("suggestion state", "Merged")),
        ("pending", pgettext("suggestion state", "Awaiting review")),
    ):
        outcomes.rows.append([label, moderation[key], percent(moderation[key], received)])
    outcomes.total = [pgettext("suggestion count", "Received (收到建言)"), received, percent(received, received)]
    tables.append(outcomes)

    answering = ReportTable(
        "answers",
        _("Timeliness: review, forwarding and answers"),
        [_("Figure"), _("Count"), _("Out of"), _("Rate (%)")],
        caption=_(
            "Reviewed within 24 hours: moderation deadlines met on time among those met. Forwarding rate: approved "
            "suggestions forwarded to departments. Answer rate: forwarded suggestions every department has answered. "
            "On time: departments' answers made within their deadline (7 working days, 15 when several departments "
            "answer), among the answers made."
        ),
    )
    reviewed = moderation["on_time"] + moderation["late"]
    answers_made = answers["on_time"] + answers["late"]
    answering.rows = [
        [_("Reviewed within 24 hours"), moderation["on_time"], reviewed, percent(moderation["on_time"], reviewed)],
        [_("Forwarding rate"), counts["forwarded"], approved, percent(counts["forwarded"], approved)],
        [_("Answer rate"), counts["answered"], counts["forwarded"], percent(counts["answered"], counts["forwarded"])],
        [_("Answers on time"), answers["on_time"], answers_made, percent(answers["on_time"], answers_made)],
        [_("Answers still due"), answers["open"], None, None],
        [_("Of which overdue"), answers["overdue"], None, None],
    ]
    tables.append(answering)

    departments = ReportTable(
        "departments",
        _("Answers by department"),
        [
            _("Department"),
            _("Forwarded"),
            _("Answered"),
            _("Answered on time"),
            _("On time (%)"),
            _("Adopted (采纳)"),
            _("Adoption (%)"),
        ],
    )
    for row in figures["departments"]:
        made = row["on_time"] + row["late"]
        departments.rows.append(
            [
                localized_name(row["name"], row["name_en"]),
                row["forwardings"],
                row["answered"],
                row["on_time"],
                percent(row["on_time"], made),
                row["adopted"],
                percent(row["adopted"], row["answered"]),
            ]
        )
    tables.append(departments)

    adoption = ReportTable(
        "adoption",
        _("Adoption"),
        [_("Outcome"), _("Count"), _("Share of answered (%)")],
        caption=_(
            "The lead department's outcome of each answered suggestion. Adoption rate: adopted in full or in part."
        ),
    )
    answered = counts["answered"]
    for outcome, label in Outcome.choices:
        adoption.rows.append(
            [str(label), figures["adoption"].get(outcome, 0), percent(figures["adoption"].get(outcome, 0), answered)]
        )
    adopted = sum(figures["adoption"].get(outcome, 0) for outcome in Outcome.with_measures())
    adoption.rows.append([_("Adoption rate"), adopted, percent(adopted, answered)])
    adoption.total = [pgettext("suggestion count", "Answered (已答复)"), answered, percent(answered, answered)]
    tables.append(adoption)

    measures = figures["measures"]
    follow_up = ReportTable(
        "measures",
        _("Measures (落实措施)"),
        [_("Figure"), _("Count"), _("Share (%)")],
        caption=_("Measures the adopting departments recorded, with their planned dates; overdue as of the report."),
    )
    follow_up.rows = [
        [_("Measures recorded"), measures["total"], None],
        [_("Done"), measures["done"], percent(measures["done"], measures["total"])],
        [_("Done by the planned date"), measures["done_on_time"], percent(measures["done_on_time"], measures["done"])],
        [_("Overdue"), measures["overdue"], percent(measures["overdue"], measures["total"])],
    ]
    tables.append(follow_up)

    topics = ReportTable(
        "hot_topics",
        _("Hot topics"),
        [_("Rank"), _("Keyword"), _("Suggestions")],
        text_columns=(0, 1),
        caption=_("Words of the approved suggestions ranked by TF-IDF against all campaigns."),
    )
    topics.rows = [[rank, row["term"], row["suggestions"]] for rank, row in enumerate(figures["hot_topics"], start=1)]
    tables.append(topics)

    def listed(key):
        rows = figures[key]
        if public:
            rows = [row for row in rows if row["suggestion_id"] in (published_ids or set())]
        return rows

    excellent_columns = [_("Classified number"), _("Title"), _("Category"), _("Citation")]
    if not public:
        excellent_columns.append(_("Author (shown with consent)"))
    excellent = ReportTable(
        "excellent", _("Excellent suggestions (优秀建言)"), excellent_columns, text_columns=(0, 1, 2, 3, 4)
    )
    for row in listed("excellent"):
        cells = [row["number"], row["title"], localized_name(row["category"], row["category_en"]), row["citation"]]
        if not public:
            cells.append(row["author"])
        excellent.rows.append(cells)
    tables.append(excellent)

    valuable = ReportTable(
        "valuable",
        _("Most valuable suggestions"),
        [_("Classified number"), _("Title"), _("Category"), _("Mean assessment"), _("Assessments")],
        text_columns=(0, 1, 2),
        caption=_("Mean of the reasonableness, feasibility and innovation scores (1–5) of the reviewers and experts."),
    )
    for row in listed("valuable"):
        valuable.rows.append(
            [
                row["number"],
                row["title"],
                localized_name(row["category"], row["category_en"]),
                row["mean"],
                row["assessments"],
            ]
        )
    tables.append(valuable)
    return tables


def report_rows(report: CampaignReport, *, title: str) -> list[list]:
    """The staff version as spreadsheet rows (portal.exports writes them): the title, each table
    (title, header, rows, total), the written sections, and when the figures were computed."""
    rows: list[list] = [[title], []]
    for table in report_tables(report.figures, public=False):
        rows.append([table.title])
        rows.append(table.columns)
        rows.extend(table.rows)
        if table.total:
            rows.append(table.total)
        rows.append([])
    rows.append([_("Outcomes (成效)")])
    rows.append([report.outcomes])
    rows.append([_("Lessons learned (经验教训)")])
    rows.append([report.lessons])
    rows.append([])
    computed = datetime.fromisoformat(report.figures["computed_at"])
    rows.append([_("Figures as of"), timezone.localtime(computed).strftime("%Y-%m-%d %H:%M")])
    rows.append([_("Version"), report.version])
    return rows
