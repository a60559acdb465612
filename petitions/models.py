"""Petition tickets (网络问政 / 广场接访): fields, choices, constraints and indexes.

Every state change goes through petitions.services, which checks petitions.workflow's
transition table and writes a `PetitionEvent` row (the timeline) in the same transaction.
Contact details (name, mobile, e-mail, address) never leave the private fields: public pages
read only the `public_*` texts, which are masked (portal.masking) before anything is published.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.abstract_models import AbstractAttachment, AbstractTimelineEvent
from portal.models import Department
from portal.names import LocalizedName

REFERENCE_PREFIX = "WZ"
RATING_WINDOW_DAYS = 7


class Category(LocalizedName, models.Model):
    """A subject category (问题分类), edited by administrators. Pages show `display_name`, the
    English name on English pages when one is set (portal.names)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.display_name


class PetitionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def open(self):
        return self.exclude(state=Petition.State.CLOSED)


class Petition(models.Model):
    """One ticket: a consultation, message or complaint, online or recorded by staff."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", pgettext_lazy("petition kind", "Consultation")
        MESSAGE = "message", pgettext_lazy("petition kind", "Message")
        COMPLAINT = "complaint", pgettext_lazy("petition kind", "Complaint")

    class Channel(models.TextChoices):
        ONLINE = "online", pgettext_lazy("petition channel", "Online")
        PLAZA = "plaza", pgettext_lazy("petition channel", "Plaza reception")
        HOTLINE = "hotline", pgettext_lazy("petition channel", "Hotline")
        MAILBOX = "mailbox", pgettext_lazy("petition channel", "Mailbox")

    class State(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("petition state", "Awaiting assignment")
        ASSIGNED = "assigned", pgettext_lazy("petition state", "Assigned")
        RETURNED = "returned", pgettext_lazy("petition state", "Returned to the office")
        ACCEPTED = "accepted", pgettext_lazy("petition state", "Accepted, being handled")
        REPLIED = "replied", pgettext_lazy("petition state", "Replied")
        REEXAMINING = "reexamining", pgettext_lazy("petition state", "Being re-examined")
        CLOSED = "closed", pgettext_lazy("petition state", "Closed")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", pgettext_lazy("rating", "Satisfied")
        BASICALLY = "basically", pgettext_lazy("rating", "Basically satisfied")
        UNSATISFIED = "unsatisfied", pgettext_lazy("rating", "Unsatisfied")

    class Closure(models.TextChoices):
        RATED = "rated", _("Rated by the citizen")
        UNRATED = "unrated", _("Not rated within the rating period")
        OFFICE = "office", _("Closed by the office")

    reference = models.CharField(_("tracking number"), max_length=24, unique=True, editable=False)
    query_code_digest = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="petitions", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=100)
    content = models.TextField(_("content"), max_length=5000)
    location = models.CharField(
        _("area or address"), max_length=200, blank=True, help_text=_("Where the matter is. Not published.")
    )

    # Private contact details: never shown on a public page, feed or export.
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("citizen account"),
    )
    contact_name = models.CharField(_("contact name"), max_length=50)
    contact_mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    publish_consent = models.BooleanField(_("may be published"), default=False)

    # Offline intake (plaza reception, hotline, mailbox).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    reception_place = models.CharField(_("place of reception"), max_length=100, blank=True)
    reception_date = models.DateField(_("date of reception"), null=True, blank=True)

    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    is_complex = models.BooleanField(_("complex matter"), default=False)
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_petitions",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        Department,
        through="CoHandling",
        related_name="co_petitions",
        blank=True,
        verbose_name=_("co-handling departments"),
    )

    # "received" is 收件时间, apart from "accepted" (受理时间): the context keeps the two labels distinct.
    received_at = models.DateTimeField(pgettext_lazy("ticket time", "received"), default=timezone.now, db_index=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closure = models.CharField(_("how it was closed"), max_length=10, choices=Closure.choices, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)

    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), max_length=1000, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    reexamined = models.BooleanField(_("re-examined once"), default=False)

    # The public version (部门回应): masked automatically, editable by staff; originals stay private.
    public_title = models.CharField(_("public title"), max_length=100, blank=True)
    public_content = models.TextField(_("public content"), blank=True)
    publication_withheld = models.BooleanField(
        _("withhold from publication"),
        default=False,
        help_text=_("Staff may keep a ticket off the public column even with the citizen's consent."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    # jieba-segmented text for full-text search (GIN indexes in migration 0002, PostgreSQL only).
    search_document = models.TextField(editable=False, default="")
    public_search_document = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_document", "public_search_document", "query_code_digest"])
    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("petition ticket")
        verbose_name_plural = _("petition tickets")
        permissions = [
            ("assign_petition", _("Can assign tickets to departments (交办)")),
            ("handle_petition", _("Can accept, return and reply to tickets (受理/答复)")),
            ("record_petition", _("Can record tickets on a citizen's behalf (接访登记)")),
            ("close_petition", _("Can close tickets (办结)")),
            ("view_ledger", _("Can see the ticket ledger and monthly reports")),
        ]
        indexes = [
            models.Index(fields=["state", "-received_at"], name="petition_state_received"),
            models.Index(fields=["lead_department", "-received_at"], name="petition_dept_received"),
            # The public column: newest first (id breaks ties), overall and per department.
            models.Index(
                fields=["-published_at", "-id"], name="petition_published", condition=Q(published_at__isnull=False)
            ),
            models.Index(
                fields=["lead_department", "-published_at", "-id"],
                name="petition_published_department",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(fields=["replied_at"], name="petition_awaiting_rating", condition=Q(state="replied")),
            models.Index(fields=["citizen", "-received_at"], name="petition_citizen"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | (Q(publish_consent=True) & Q(publication_withheld=False)),
                name="petition_published_only_with_consent",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["assigned", "accepted", "replied", "reexamining"])
                | Q(lead_department__isnull=False),
                name="petition_assigned_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CoHandling(models.Model):
    """A co-handling department (会办单位) and the opinion it submits to the lead department."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="co_handlings")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    opinion = models.TextField(_("opinion"), blank=True)
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opinion_at = models.DateTimeField(_("opinion submitted"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("co-handling department")
        verbose_name_plural = _("co-handling departments")
        constraints = [
            models.UniqueConstraint(fields=["petition", "department"], name="cohandling_unique_department"),
        ]

    def __str__(self) -> str:
        return f"{self.petition.reference} · {self.department}"


class Reply(models.Model):
    """The lead department's answer (答复), or its refusal to accept (不予受理) with the reason."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="replies")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("reply"), max_length=10000)
    public_body = models.TextField(_("public reply"), blank=True)
    is_decline = models.BooleanField(_("not accepted (不予受理)"), default=False)
    created_at = models.DateTimeField(_("replied"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.petition.reference} · {timezone.localtime(self.created_at):%Y-%m-%d}"


class HandlingNote(models.Model):
    """An internal handling note (办理记录): staff only, never shown to the citizen or the public."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="notes")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("handling note")
        verbose_name_plural = _("handling notes")

    def __str__(self) -> str:
        return f"{self.petition.reference} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class PetitionEvent(AbstractTimelineEvent):
    """One step of the timeline: received, assigned, returned, accepted, replied, rated, closed…

    `public` events are shown to the citizen on the tracking page; the rest (notes, opinions,
    urges) only to staff. Written by the service that made the change, in its transaction.
    """

    class Action(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("timeline", "Received")
        ASSIGNED = "assigned", pgettext_lazy("timeline", "Assigned")
        RETURNED = "returned", pgettext_lazy("timeline", "Returned")
        ACCEPTED = "accepted", pgettext_lazy("timeline", "Accepted")
        DECLINED = "declined", pgettext_lazy("timeline", "Not accepted")
        OPINION = "opinion", pgettext_lazy("timeline", "Co-handling opinion")
        NOTE = "note", pgettext_lazy("timeline", "Handling note")
        REPLIED = "replied", pgettext_lazy("timeline", "Replied")
        RATED = "rated", pgettext_lazy("timeline", "Rated")
        REOPENED = "reopened", pgettext_lazy("timeline", "Reopened for re-examination")
        EXTENDED = "extended", pgettext_lazy("timeline", "Deadline extended")
        URGED = "urged", pgettext_lazy("timeline", "Urged")
        PUBLISHED = "published", pgettext_lazy("timeline", "Published")
        WITHHELD = "withheld", _("Withdrawn from publication")
        CLOSED = "closed", pgettext_lazy("timeline", "Closed")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)

    class Meta(AbstractTimelineEvent.Meta):
        indexes = [models.Index(fields=["petition", "created_at"], name="petitionevent_timeline")]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    RECORDED_CHOICES = {"received": Petition.Channel, "rated": Petition.Rating, "closed": Petition.Closure}

    @property
    def choice_label(self) -> str:
        """The recorded choice in the reader's language (网上 / Online, 满意 / Satisfied), or ""."""
        choices = self.RECORDED_CHOICES.get(self.action)
        return str(choices(self.choice).label) if choices and self.choice in choices.values else ""

    @property
    def assigned_departments(self) -> list[Department]:
        """The departments an assignment named, the lead first (prefetch `departments`)."""
        others = sorted(
            (department for department in self.departments.all() if department.pk != self.department_id),
            key=lambda department: department.name,
        )
        return [self.department, *others] if self.department is not None else others


def attachment_path(instance: Attachment, filename: str) -> str:
    # Never the uploaded name: a random one, with the extension matching the checked content type.
    return f"petitions/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{PurePath(instance.stored_extension).suffix}"


class Attachment(AbstractAttachment):
    """A file the citizen attached, or one attached to a reply; served only through a view
    that checks who may see it (private unless it belongs to a published reply)."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)

    history = HistoricalRecords()

    class Meta(AbstractAttachment.Meta):
        pass


class MonthlyReport(models.Model):
    """The monthly report (月报) as generated on the 1st of the next month: frozen figures per
    department, so a published report never changes when later data arrives."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month reported on."))
    figures = models.JSONField(_("figures"))
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
