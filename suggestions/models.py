"""Public suggestions (公众建言): campaigns with five dated phases, the suggestions citizens and
staff bring in through every channel, their moderation, classified numbers, forwarding to
departments with timed answers, follow-up measures, assessment, follows and the campaign report.

Every state change goes through suggestions.services, which checks suggestions.workflow's
transition table and writes a `SuggestionEvent` (the timeline) in the same transaction. Contact
details and the author's name never leave the private fields: public pages read only the
`public_*` texts, masked by portal.masking, and the name only where the author consented.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.abstract_models import AbstractAttachment, AbstractTimelineEvent
from portal.models import Department
from portal.names import LocalizedName

# The tracking number every suggestion gets on receipt (portal.references): JY-20261129-0001.
REFERENCE_PREFIX = "JY"
# The classified number (分类编号) approval gives, per campaign and category: JY2026-SM-0042.
# Fields: {year} (the campaign's year), {category} (the category's code), {number} (the sequence).
DEFAULT_NUMBER_PATTERN = "JY{year}-{category}-{number:04d}"
# Follows at which a suggestion is flagged "high attention" for the office (per campaign).
DEFAULT_ATTENTION_THRESHOLD = 50


class Category(LocalizedName, models.Model):
    """A suggestion category (建言分类), edited by administrators; a campaign accepts some of them.
    `code` is the category's part of the classified number (SM in JY2026-SM-0042)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    code = models.CharField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Capital letters, used in classified numbers (e.g. SM for 社会民生)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("suggestion category")
        verbose_name_plural = _("suggestion categories")

    def __str__(self) -> str:
        return self.display_name


class Phase(models.TextChoices):
    """The five phases of a campaign, in order (the campaign plan's 活动安排)."""

    PREPARATION = "preparation", pgettext_lazy("campaign phase", "Preparation")
    COLLECTION = "collection", pgettext_lazy("campaign phase", "Collection")
    ANALYSIS = "analysis", pgettext_lazy("campaign phase", "Analysis")
    FEEDBACK = "feedback", pgettext_lazy("campaign phase", "Feedback and publication")
    SUMMARY = "summary", pgettext_lazy("campaign phase", "Summary")


# Each phase starts on its own date (Beijing time, at 00:00) and lasts until the next one starts;
# the summary lasts until `ends_on` (inclusive). The field holding each phase's first day:
PHASE_START_FIELDS = {
    Phase.PREPARATION: "preparation_on",
    Phase.COLLECTION: "collection_on",
    Phase.ANALYSIS: "analysis_on",
    Phase.FEEDBACK: "feedback_on",
    Phase.SUMMARY: "summary_on",
}


class CampaignQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Campaign(models.Model):
    """A public-suggestion campaign (建言活动) with its theme and five dated phases."""

    title = models.CharField(_("title"), max_length=100)
    slug = models.SlugField(
        _("web address"),
        max_length=40,
        unique=True,
        help_text=_("Letters, digits and hyphens, used in the campaign's web address (e.g. 2026-future)."),
    )
    theme = models.CharField(_("theme"), max_length=100, help_text=_("e.g. 汇聚民智,共筑美好未来"))
    description = models.TextField(_("description"), max_length=5000)
    tips = models.TextField(
        _("tips for suggestions (建言小贴士)"),
        max_length=2000,
        blank=True,
        help_text=_("Shown beside the suggestion form. One tip per line."),
    )
    banner = models.ImageField(_("banner image"), upload_to="suggestions/banners/%Y/", blank=True, max_length=200)
    categories = models.ManyToManyField(Category, related_name="campaigns", verbose_name=_("categories accepted"))
    departments = models.ManyToManyField(
        Department, related_name="suggestion_campaigns", blank=True, verbose_name=_("departments concerned")
    )
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="expert_campaigns",
        blank=True,
        verbose_name=_("invited experts"),
        help_text=_("Experts (专家论证) see and assess this campaign's suggestions only."),
    )
    is_published = models.BooleanField(_("Published"), default=False)

    preparation_on = models.DateField(pgettext_lazy("campaign phase", "preparation starts"))
    collection_on = models.DateField(pgettext_lazy("campaign phase", "collection starts"))
    analysis_on = models.DateField(pgettext_lazy("campaign phase", "analysis starts"))
    feedback_on = models.DateField(pgettext_lazy("campaign phase", "feedback and publication starts"))
    summary_on = models.DateField(pgettext_lazy("campaign phase", "summary starts"))
    ends_on = models.DateField(pgettext_lazy("campaign phase", "campaign ends"))

    number_pattern = models.CharField(
        _("classified number pattern"),
        max_length=60,
        default=DEFAULT_NUMBER_PATTERN,
        help_text=_("{year}, {category} and {number} are filled in, e.g. JY{year}-{category}-{number:04d}."),
    )
    attention_threshold = models.PositiveIntegerField(
        _("high-attention threshold"),
        default=DEFAULT_ATTENTION_THRESHOLD,
        validators=[MinValueValidator(1)],
        help_text=_("A published suggestion with this many followers is flagged for the office."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords(m2m_fields=[categories, departments, experts])
    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-collection_on", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        permissions = [
            ("manage_campaign", _("Can run campaigns: phases, news, forwarding, excellence, reports")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(preparation_on__lte=F("collection_on"))
                & Q(collection_on__lt=F("analysis_on"))
                & Q(analysis_on__lte=F("feedback_on"))
                & Q(feedback_on__lte=F("summary_on"))
                & Q(summary_on__lte=F("ends_on")),
                name="campaign_phases_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        return self.collection_on.year

    def phase_on(self, day: date) -> str | None:
        """The phase `day` falls in; None before preparation starts and after the campaign ends."""
        if day < self.preparation_on or day > self.ends_on:
            return None
        current = None
        for phase, field in PHASE_START_FIELDS.items():
            if getattr(self, field) <= day:
                current = phase
        return current

    @property
    def phase(self) -> str | None:
        return self.phase_on(timezone.localdate())

    def phase_starts(self, phase: str) -> date:
        return getattr(self, PHASE_START_FIELDS[phase])

    @property
    def is_collecting(self) -> bool:
        return self.phase == Phase.COLLECTION


class CampaignNews(models.Model):
    """A post in the campaign's news column (活动动态), written by clerks."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="news", verbose_name=_("campaign"))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=5000)
    published_on = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("campaign news")
        verbose_name_plural = _("campaign news")

    def __str__(self) -> str:
        return self.title


def minutes_path(instance: Symposium, filename: str) -> str:
    return f"suggestions/minutes/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class Symposium(models.Model):
    """A symposium (座谈会): one meeting, many suggestions recorded under it."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="symposiums", verbose_name=_("campaign")
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    participants = models.PositiveIntegerField(_("participants"))
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments present")
    )
    minutes = models.FileField(_("minutes"), upload_to=minutes_path, blank=True, max_length=200)
    minutes_content_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("symposium")
        verbose_name_plural = _("symposiums")

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.place}"


class Outcome(models.TextChoices):
    """A department's answer (答复意见). A suggestion's public outcome is its lead department's."""

    ADOPTED = "adopted", pgettext_lazy("suggestion outcome", "Adopted")
    PARTLY = "partly", pgettext_lazy("suggestion outcome", "Partly adopted")
    STUDYING = "studying", pgettext_lazy("suggestion outcome", "Under study")
    NOT_ADOPTED = "not_adopted", pgettext_lazy("suggestion outcome", "Not adopted")

    @classmethod
    def with_measures(cls) -> tuple[str, ...]:
        """Outcomes that oblige the department to record its measures (跟踪回应措施)."""
        return (cls.ADOPTED, cls.PARTLY)


class SuggestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)


class Suggestion(models.Model):
    """One suggestion (建言), online or recorded by staff from an offline channel."""

    class Channel(models.TextChoices):
        ONLINE = "online", pgettext_lazy("suggestion channel", "Online")
        LETTER = "letter", pgettext_lazy("suggestion channel", "Suggestion box letter")
        FIELD_VISIT = "field_visit", pgettext_lazy("suggestion channel", "Field visit")
        HOTLINE = "hotline", pgettext_lazy("suggestion channel", "Hotline")
        SYMPOSIUM = "symposium", pgettext_lazy("suggestion channel", "Symposium")
        SOCIAL_MEDIA = "social_media", pgettext_lazy("suggestion channel", "Social media")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("suggestion state", "Awaiting review")
        APPROVED = "approved", pgettext_lazy("suggestion state", "Approved")
        REJECTED = "rejected", pgettext_lazy("suggestion state", "Not approved")
        WITHDRAWN = "withdrawn", pgettext_lazy("suggestion state", "Withdrawn")
        MERGED = "merged", pgettext_lazy("suggestion state", "Merged")
        FORWARDED = "forwarded", pgettext_lazy("suggestion state", "Forwarded to departments")
        ANSWERED = "answered", pgettext_lazy("suggestion state", "Answered")

    # States in which a suggestion is an accepted one (approved and onwards): it has its number,
    # it may be public, and the counts of a campaign count it.
    ACCEPTED_STATES = (State.APPROVED, State.FORWARDED, State.ANSWERED)

    Outcome = Outcome

    reference = models.CharField(_("tracking number"), max_length=24, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("campaign")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("suggestion category")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    title = models.CharField(_("title"), max_length=100)
    problem = models.TextField(_("problem description (问题描述)"), max_length=5000)
    measures = models.TextField(_("proposed measures (建议措施)"), max_length=5000)
    area = models.CharField(
        pgettext_lazy("suggestion", "Area"),
        max_length=100,
        blank=True,
        help_text=_("The district or place the suggestion concerns."),
    )

    # Private: the author and how to reach them. Never on a public page, feed or export.
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("citizen account"),
    )
    contact_name = models.CharField(_("name"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    publish_consent = models.BooleanField(_("the suggestion may be published"), default=False)
    name_consent = models.BooleanField(_("my name may be shown with it"), default=False)

    # Offline intake: where and when staff received it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    received_on = models.DateField(_("date received"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    symposium = models.ForeignKey(
        Symposium,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("symposium"),
    )
    source_url = models.URLField(_("source link"), max_length=500, blank=True)

    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    received_at = models.DateTimeField(pgettext_lazy("suggestion time", "received"), default=timezone.now)
    decided_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    rejection_reason = models.TextField(_("reason for not approving"), blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawing"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )

    # The classified number (分类编号), given on approval: gap-free per campaign and category.
    number = models.CharField(_("classified number"), max_length=40, blank=True, editable=False)
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)

    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_suggestions",
        verbose_name=pgettext_lazy("suggestion", "lead department"),
    )

    # Follows (关注): a count kept beside the Follow rows, and the office's high-attention flag.
    follower_count = models.PositiveIntegerField(_("followers"), default=0)
    high_attention_at = models.DateTimeField(_("high attention since"), null=True, blank=True)
    briefing_held_on = models.DateField(_("press briefing held on"), null=True, blank=True)
    briefing_link = models.URLField(_("press briefing link"), max_length=500, blank=True)

    # Excellent suggestions (优秀建言), selected by the office with a citation.
    excellent_at = models.DateTimeField(_("selected as excellent"), null=True, blank=True)
    excellent_citation = models.TextField(_("citation"), max_length=1000, blank=True)

    # The public version: masked automatically, editable by reviewers; originals stay private.
    public_title = models.CharField(_("public title"), max_length=100, blank=True)
    public_problem = models.TextField(_("public problem description"), blank=True)
    public_measures = models.TextField(_("public proposed measures"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    # jieba-segmented text for full-text search (GIN indexes in migration 0002, PostgreSQL only).
    search_document = models.TextField(editable=False, default="")
    public_search_document = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_document", "public_search_document", "follower_count"])
    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        permissions = [
            ("moderate_suggestion", _("Can review suggestions: approve, reject, merge (审核)")),
            ("assess_suggestion", _("Can assess suggestions (合理性, 可行性, 创新性)")),
            ("record_suggestion", _("Can record suggestions from offline channels")),
            ("forward_suggestion", _("Can forward suggestions to departments")),
            ("answer_suggestion", _("Can answer suggestions forwarded to the department")),
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "-received_at"], name="suggestion_campaign_state"),
            models.Index(fields=["state", "received_at"], name="suggestion_state_received"),
            # The public list of a campaign, newest first, and overall.
            models.Index(
                fields=["campaign", "-published_at", "-id"],
                name="suggestion_published",
                condition=Q(published_at__isnull=False),
            ),
            # The campaign page's figures (received, approved, … adopted): counted from the index
            # alone, without reading the campaign's rows.
            models.Index(fields=["campaign", "state", "outcome", "id"], name="suggestion_campaign_counts"),
            # The campaign's excellent suggestions (a handful among many thousands).
            models.Index(
                fields=["campaign", "excellent_at", "id"],
                name="suggestion_excellent",
                condition=Q(excellent_at__isnull=False),
            ),
            # The public list filtered by the month a suggestion was received.
            models.Index(
                fields=["campaign", "-received_at", "-id"],
                name="suggestion_published_received",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(fields=["citizen", "-received_at"], name="suggestion_citizen"),
            models.Index(fields=["lead_department", "-received_at"], name="suggestion_lead_department"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(publish_consent=True),
                name="suggestion_published_only_with_consent",
            ),
            models.UniqueConstraint(
                fields=["campaign", "number"], condition=~Q(number=""), name="suggestion_unique_number"
            ),
            models.UniqueConstraint(
                fields=["campaign", "category", "sequence"],
                condition=Q(sequence__isnull=False),
                name="suggestion_unique_sequence",
            ),
            models.CheckConstraint(
                condition=Q(state="merged", merged_into__isnull=False)
                | (~Q(state="merged") & Q(merged_into__isnull=True)),
                name="suggestion_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "forwarded", "answered"]) | ~Q(number=""),
                name="suggestion_accepted_has_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.reference} {self.title}"

    @property
    def public_author(self) -> str:
        """The author's name where they consented to show it; "" otherwise."""
        return self.contact_name if self.name_consent else ""


class Forwarding(models.Model):
    """A suggestion forwarded (转交) to one department, which answers it. The response clock runs
    per forwarding: 7 working days when one department has the suggestion, 15 when several do."""

    Outcome = Outcome

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="forwardings", verbose_name=_("suggestion")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="suggestion_forwardings", verbose_name=_("department")
    )
    is_lead = models.BooleanField(pgettext_lazy("suggestion", "lead department"), default=False)
    batch = models.ForeignKey(
        "ForwardingBatch", on_delete=models.PROTECT, related_name="forwardings", verbose_name=_("forwarding")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer"), max_length=10000, blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_lead", "department__name", "id"]
        verbose_name = _("forwarding to a department")
        verbose_name_plural = _("forwardings to departments")
        indexes = [models.Index(fields=["department", "answered_at"], name="forwarding_department")]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "department"], name="forwarding_unique_department"),
            models.UniqueConstraint(fields=["suggestion"], condition=Q(is_lead=True), name="forwarding_one_lead"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, outcome="") | (Q(answered_at__isnull=False) & ~Q(outcome="")),
                name="forwarding_answer_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion} → {self.department}"


def report_path(instance: ForwardingBatch, filename: str) -> str:
    return (
        f"suggestions/analysis/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"
    )


class ForwardingBatch(models.Model):
    """One act of forwarding by the office: the suggestions it sent, the departments, and the
    analysis report attached (the campaign plan: 附上分析报告和建议)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="forwarding_batches", verbose_name=_("campaign")
    )
    note = models.TextField(_("note to departments"), max_length=2000, blank=True)
    report = models.FileField(_("analysis report"), upload_to=report_path, max_length=200)
    report_name = models.CharField(_("file name"), max_length=200)
    report_content_type = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("forwarded by")
    )
    created_at = models.DateTimeField(_("forwarded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")

    def __str__(self) -> str:
        return f"{self.campaign} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class Measure(models.Model):
    """A measure an adopting department takes (跟踪回应措施和改进方案), with its milestone date.
    A milestone past its planned date is overdue on the clerks' board (a clock on the engine)."""

    forwarding = models.ForeignKey(
        Forwarding, on_delete=models.CASCADE, related_name="measures", verbose_name=_("forwarding to a department")
    )
    description = models.CharField(_("measure"), max_length=300)
    planned_on = models.DateField(_("planned date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.description


class Assessment(models.Model):
    """A reviewer's or invited expert's assessment (专家论证) of one suggestion, 1–5 on each scale."""

    SCORE = [MinValueValidator(1), MaxValueValidator(5)]

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("suggestion")
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessor")
    )
    reasonableness = models.PositiveSmallIntegerField(_("reasonableness (合理性)"), validators=SCORE)
    feasibility = models.PositiveSmallIntegerField(_("feasibility (可行性)"), validators=SCORE)
    innovation = models.PositiveSmallIntegerField(_("innovation (创新性)"), validators=SCORE)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("assessed"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "assessor"], name="assessment_one_per_assessor"),
            models.CheckConstraint(
                condition=Q(reasonableness__gte=1, reasonableness__lte=5)
                & Q(feasibility__gte=1, feasibility__lte=5)
                & Q(innovation__gte=1, innovation__lte=5),
                name="assessment_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion} · {self.reasonableness}/{self.feasibility}/{self.innovation}"


class Follow(models.Model):
    """A citizen follows (关注) a published suggestion: one per account."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="follows", verbose_name=_("suggestion")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="suggestion_follows",
        verbose_name=_("citizen account"),
    )
    created_at = models.DateTimeField(_("followed"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="follow_one_per_account")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.suggestion_id}"


class SuggestionEvent(AbstractTimelineEvent):
    """One step of a suggestion's timeline; `public` ones are shown to the author."""

    class Action(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("timeline", "Received")
        APPROVED = "approved", pgettext_lazy("timeline", "Approved")
        REJECTED = "rejected", pgettext_lazy("timeline", "Not approved")
        WITHDRAWN = "withdrawn", pgettext_lazy("timeline", "Withdrawn")
        MERGED = "merged", pgettext_lazy("timeline", "Merged")
        ASSESSED = "assessed", pgettext_lazy("timeline", "Assessed")
        FORWARDED = "forwarded", pgettext_lazy("timeline", "Forwarded")
        ANSWERED = "answered", pgettext_lazy("timeline", "Department answered")
        MEASURE = "measure", pgettext_lazy("timeline", "Measure recorded")
        EXTENDED = "extended", pgettext_lazy("timeline", "Deadline extended")
        URGED = "urged", pgettext_lazy("timeline", "Urged")
        PUBLISHED = "published", pgettext_lazy("timeline", "Published")
        EXCELLENT = "excellent", pgettext_lazy("timeline", "Selected as excellent")
        ATTENTION = "attention", pgettext_lazy("timeline", "High attention")
        BRIEFING = "briefing", pgettext_lazy("timeline", "Press briefing held")
        NOTE = "note", pgettext_lazy("timeline", "Note")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)

    class Meta(AbstractTimelineEvent.Meta):
        indexes = [models.Index(fields=["suggestion", "created_at"], name="suggestionevent_timeline")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {self.action} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


def attachment_path(instance: SuggestionAttachment, filename: str) -> str:
    # Never the uploaded name: a random one, with the extension matching the checked content type.
    return f"suggestions/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{PurePath(instance.stored_extension).suffix}"


class SuggestionAttachment(AbstractAttachment):
    """A file attached to a suggestion; served only through a view that checks who may see it."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)

    history = HistoricalRecords()

    class Meta(AbstractAttachment.Meta):
        pass


class CampaignAnalysis(models.Model):
    """The hot topics of a campaign as last computed by the analysis task (never in a request):
    keywords by jieba with TF-IDF against all campaigns, with their counts.

    `terms` is the campaign's vocabulary (word → suggestions using it) that the other campaigns'
    TF-IDF reads as document frequency; `figures` the breakdowns (category, channel, area, phase,
    week) and the most valuable suggestions; `fingerprint` what the task last saw of the
    campaign's suggestions and assessments, so it recomputes only after a change
    (suggestions.services.analysis)."""

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("campaign")
    )
    keywords = models.JSONField(_("hot topics"), default=list)
    terms = models.JSONField(_("vocabulary"), default=dict, editable=False)
    figures = models.JSONField(_("figures"), default=dict)
    fingerprint = models.CharField(_("data seen"), max_length=100, blank=True, editable=False)
    suggestions_counted = models.PositiveIntegerField(_("suggestions analysed"), default=0)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("campaign analysis")
        verbose_name_plural = _("campaign analyses")

    def __str__(self) -> str:
        return f"{self.campaign} · {timezone.localtime(self.computed_at):%Y-%m-%d %H:%M}"


class CampaignReport(models.Model):
    """The campaign summary report (活动总结报告): figures frozen when generated (a regeneration
    is a new version, never a rewrite), and the sections the office writes."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reports", verbose_name=_("campaign"))
    version = models.PositiveSmallIntegerField(_("version"))
    figures = models.JSONField(_("figures"))
    outcomes = models.TextField(_("outcomes (成效)"), max_length=10000, blank=True)
    lessons = models.TextField(_("lessons learned (经验教训)"), max_length=10000, blank=True)
    is_published = models.BooleanField(_("Published"), default=False)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("generated by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "-version"]
        verbose_name = _("campaign summary report")
        verbose_name_plural = _("campaign summary reports")
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="campaignreport_unique_version")]

    def __str__(self) -> str:
        return f"{self.campaign} v{self.version}"


class SocialImport(models.Model):
    """An uploaded export of social-media comments (微博/微信公众号), parsed and previewed before
    anything is saved; confirming it creates one pending suggestion per row."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("Previewed, not saved")
        SAVED = "saved", _("Saved")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="social_imports", verbose_name=_("campaign")
    )
    file_name = models.CharField(_("file name"), max_length=200)
    rows = models.JSONField(_("rows"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PREVIEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["rows"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("social-media import")
        verbose_name_plural = _("social-media imports")

    def __str__(self) -> str:
        return f"{self.file_name} · {self.get_state_display()}"
