"""The shared core: accounts and departments, the work calendar, deadline clocks, notices.

Logic lives in services (`portal.clocks`, `portal.calendar`, `portal.notifications`,
`portal.accounts`); models hold fields, choices, constraints and indexes only.
"""

import re

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import registry
from portal.names import LocalizedName


class UserHistoricalRecords(HistoricalRecords):
    """Also records a change made from the other side of a recorded many-to-many relation
    (`group.user_set.add(user)`, `permission.user_set.clear()`), as a history row of each user
    concerned. django-simple-history records only the forward side and fails on the reverse one
    (django-commons/django-simple-history#1048)."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        users = kwargs["model"]._default_manager
        cleared = f"_history_cleared_{attr}"
        if action == "pre_clear":  # afterwards nobody can say who was in the group
            setattr(instance, cleared, list(users.filter(**{attr: instance}).values_list("pk", flat=True)))
            return None
        if action == "post_clear":
            pk_set = getattr(instance, cleared, [])
        for user in users.filter(pk__in=pk_set or ()):
            super().m2m_changed(user, action, attr, pk_set, False, **kwargs)
        return None


class User(AbstractUser):
    """Every person who signs in: citizens, department staff, office clerks, administrators.

    What a user may do comes from their groups (portal.roles) and department memberships.
    """

    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Used for e-mails and notices sent to this person."),
    )

    # Roles (groups) and directly given permissions are recorded too: who gave whom what, and when.
    history = UserHistoricalRecords(
        excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"]
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username

    HAN_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

    def get_full_name(self) -> str:
        """The name as its owner writes it: a Chinese name family name first and unspaced (张三),
        a Western one "first last". The demo keeps a whole Chinese name in first_name."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if self.HAN_CHARACTER.search(first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()


class Department(LocalizedName, models.Model):
    """A government department that handles work (承办部门). Pages show `display_name`, the
    English name on English pages when one is set (portal.names)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(
        _("English name"), max_length=150, blank=True, help_text=_("Shown on English pages; optional.")
    )
    code = models.SlugField(
        _("short code"),
        max_length=20,
        unique=True,
        help_text=_("Letters, digits and hyphens, e.g. ZJJ. Used in reference numbers."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    email = models.EmailField(_("office e-mail"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [
            ("view_all_departments", _("Can see and handle every department's work")),
            ("urge_work", _("Can urge departments (催办)")),
            ("extend_deadline", _("Can grant deadline extensions")),
            ("view_dashboard", _("Can open the overdue dashboard")),
        ]

    def __str__(self) -> str:
        return self.display_name


class Membership(models.Model):
    """A staff user's place in a department; a user may belong to several."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        HEAD = "head", _("Head of department")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_unique_user_department"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} ({self.get_role_display()})"


class WorkCalendarDay(models.Model):
    """An override of the Monday-to-Friday rule: a public holiday or an adjusted working weekend (调休).

    A year with no rows at all is *unknown*: deadlines through it fall back to Monday-Friday and
    are marked provisional until the State Council's schedule is entered (portal.calendar).
    """

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", _("chinesecalendar package")
        MANUAL = "manual", _("Entered by hand")

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_("Ticked for an adjusted working weekend day (调休); unticked for a holiday."),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 春节 Spring Festival"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("work calendar day")
        verbose_name_plural = _("work calendar")

    def __str__(self) -> str:
        kind = _("working day") if self.is_working_day else _("holiday")
        return f"{self.date:%Y-%m-%d} {self.name} ({kind})"


class ClockQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=Clock.OPEN_STATES)

    # The one vocabulary of deadlines. Every list, filter, report and board asks these, never
    # `state="overdue"` or its own `due_at` window.
    #
    # Overdue is `due_at < now` on a counting (running or overdue, not paused) clock, not the
    # recorded state: the state is what the sweep writes when it claims a clock for its notice, so
    # it lags the clock by up to one sweep interval, and a page that read it would call a clock due
    # a minute ago "on time" until the next run. `due_at` is exact at every moment, is re-derived by
    # portal.clocks on every extension (an extended clock is not overdue, whatever was recorded),
    # and the condition is a range on the partial covering index on open clocks (clock_open_due,
    # with state included), so the board stays an index-only scan. The recorded state and
    # `overdue_at` remain the sweep's fact "the overdue notice was sent", for notices only.
    #
    # Due soon is the sweep's reminder rule: a running clock not yet due, due within
    # settings.CLOCK_HOUR_REMINDER (4 hours) for a clock counted in hours, within one working day
    # for one counted in working days. A clock's unit is its policy's (overrides change only the
    # amount), so the rule is written on `policy`, which clock_open_due includes, rather than on
    # `unit`, which it does not; the sweep's SQL (_MARK_REMINDED) says the same on `unit`, and
    # tests/portal/test_vocabulary.py holds the two equal.

    @staticmethod
    def overdue_condition(now) -> Q:
        return Q(state__in=[Clock.State.RUNNING, Clock.State.OVERDUE], due_at__lt=now)

    @staticmethod
    def is_overdue(*, state: str, due_at, now) -> bool:
        """overdue_condition, for a clock already read (a row of values, a list item)."""
        return state in (Clock.State.RUNNING, Clock.State.OVERDUE) and due_at is not None and due_at < now

    @staticmethod
    def due_soon_horizons(now):
        """(hour clocks, working-day clocks): due at or before these moments is due soon."""
        from portal import deadlines

        return now + settings.CLOCK_HOUR_REMINDER, deadlines.due_after_working_days(now, 1)

    @classmethod
    def due_soon_condition(cls, now) -> Q:
        from portal.policies import HOURS, all_policies

        hour_horizon, day_horizon = cls.due_soon_horizons(now)
        hour_policies = sorted(code for code, policy in all_policies().items() if policy.unit == HOURS)
        return Q(state=Clock.State.RUNNING, due_at__gte=now) & (
            Q(policy__in=hour_policies, due_at__lte=hour_horizon)
            | (~Q(policy__in=hour_policies) & Q(due_at__lte=day_horizon))
        )

    @classmethod
    def due_soon_limit(cls, now):
        """The latest due moment that can be due soon (a range bound for the index)."""
        return max(cls.due_soon_horizons(now))

    @staticmethod
    def met_in_condition(start, end) -> Q:
        """Met within [start, end) (portal.periods.period_bounds), on time or late."""
        return Q(met_at__gte=start, met_at__lt=end)

    def overdue(self, now):
        """Counting clocks past their due moment, whether or not the sweep has marked them yet."""
        return self.filter(self.overdue_condition(now))

    def due_soon(self, now):
        return self.filter(self.due_soon_condition(now), due_at__lte=self.due_soon_limit(now))

    def met_in(self, start, end):
        return self.filter(self.met_in_condition(start, end))

    def for_subject(self, subject):
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
            object_id=subject.pk,
        )

    def for_subjects(self, model, ids):
        """The clocks of many subjects of one model, in one query."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False), object_id__in=list(ids)
        )


class Clock(models.Model):
    """One deadline of one piece of work: a petition's acknowledgement, a disclosure reply, ...

    Linked to its subject by a generic relation (content type + id) rather than one foreign key
    per subject type: suggestions, petitions and disclosure applications each plug in without a
    migration here, and the sweep, the dashboards and the notices read one table. The responsible
    department is a real foreign key because scoping, notices and department statistics filter
    on it constantly.

    `due_at` is always derived by `portal.clocks` from the policy, the start, extensions and
    pauses (`portal.deadlines.explain_due` says how); never set it by hand.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        OVERDUE = "overdue", _("Overdue")
        MET_ON_TIME = "met_on_time", _("Met on time")
        MET_LATE = "met_late", _("Met late")

    class Unit(models.TextChoices):
        HOURS = "hours", _("calendar hours")
        WORKING_DAYS = "working_days", _("working days")
        # Due at the end of a date given at the start (a milestone); `amount` is then the calendar
        # days from the start's local date to it (portal.clocks).
        DATE = "date", _("by a fixed date")

    OPEN_STATES = (State.RUNNING, State.PAUSED, State.OVERDUE)

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("subject type"))
    object_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("content_type", "object_id")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clocks",
        verbose_name=_("responsible department"),
        help_text=_("Empty while the office has not yet assigned the work."),
    )
    area = models.CharField(_("area"), max_length=20)  # a declared clock_area (portal.registry)
    kind = models.CharField(_("kind"), max_length=20)  # a declared clock kind (portal.registry)
    policy = models.CharField(_("policy"), max_length=50)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    amount = models.PositiveIntegerField(
        _("allowed time"), help_text=_("Hours or working days, by unit; for a fixed date, calendar days to it.")
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.RUNNING)
    extension_days = models.PositiveIntegerField(_("working days of extension"), default=0)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("working days paused"), default=0)
    provisional = models.BooleanField(
        _("provisional"),
        default=False,
        help_text=_("The due moment runs through a year whose holiday schedule is not yet entered."),
    )
    reminded_at = models.DateTimeField(_("due-soon reminder sent at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    last_urged_at = models.DateTimeField(_("last urged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ClockQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline clock")
        verbose_name_plural = _("deadline clocks")
        indexes = [
            # The sweep's two scans: newly overdue, and due soon without a reminder yet.
            models.Index(fields=["due_at"], condition=Q(state="running"), name="clock_running_due"),
            models.Index(
                fields=["due_at"],
                condition=Q(state="running", reminded_at__isnull=True),
                name="clock_unreminded_due",
            ),
            models.Index(fields=["content_type", "object_id"], name="clock_subject"),
            models.Index(fields=["department", "state"], name="clock_department_state"),
            # The dashboards (portal.dashboards) read only through these three, index-only on
            # PostgreSQL (the included columns are all they aggregate): open work by due moment,
            # so the overdue board never reads the closed majority; work met, and work started, in
            # a period (this month on the board; a month, quarter or year for performance).
            models.Index(
                fields=["due_at"],
                include=["state", "department", "area", "kind", "policy", "last_urged_at", "id"],
                condition=Q(state__in=["running", "paused", "overdue"]),
                name="clock_open_due",
            ),
            models.Index(
                fields=["met_at"],
                include=["state", "department", "area", "kind", "policy", "started_at"],
                name="clock_met_at",
            ),
            models.Index(
                fields=["started_at"],
                include=["department", "content_type", "object_id", "area", "kind", "state", "met_at"],
                name="clock_started_at",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(state__in=["met_on_time", "met_late"], met_at__isnull=False)
                    | Q(state__in=["running", "paused", "overdue"], met_at__isnull=True)
                ),
                name="clock_met_at_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(state="paused", paused_at__isnull=False) | ~Q(state="paused"),
                name="clock_paused_has_paused_at",
            ),
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=Q(state__in=["running", "paused", "overdue"]),
                name="clock_one_open_per_subject_kind",
            ),
        ]

    def __str__(self) -> str:
        due = timezone.localtime(self.due_at)
        return f"{self.get_kind_display()} · {self.get_state_display()} · {due:%Y-%m-%d %H:%M}"

    def get_area_display(self) -> str:
        """The area's label, as its app declares it (portal.registry)."""
        return registry.area_label(self.area)

    def get_kind_display(self) -> str:
        """The kind's label ("Reply"), as its app declares it (portal.registry)."""
        return registry.kind_label(self.kind)

    def clean(self) -> None:
        errors = {}
        if self.area not in registry.clock_areas():
            errors["area"] = _("No installed app declares the area %(area)s.") % {"area": self.area}
        if self.kind not in registry.clock_kinds():
            errors["kind"] = _("No installed app declares the deadline kind %(kind)s.") % {"kind": self.kind}
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class SweepRun(models.Model):
    """When a deadline sweep ran and what it did; /healthz warns when the latest is stale."""

    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"))
    overdue_count = models.PositiveIntegerField(_("newly overdue"), default=0)
    reminded_count = models.PositiveIntegerField(_("reminded"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("deadline sweep")
        verbose_name_plural = _("deadline sweeps")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M:%S}"


class Notice(models.Model):
    """An in-app notification for one user (the bell in the staff pages).

    Stored as a kind plus context and rendered in the reader's language when shown.
    For deadline notices, (recipient, clock, kind, clock_due_at) is unique: each stage of each
    clock reaches each person exactly once, however many sweeps overlap.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, null=True, blank=True, related_name="notices")
    clock_due_at = models.DateTimeField(_("due moment concerned"), null=True, blank=True)
    context = models.JSONField(_("context"), default=dict)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_recent"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "clock", "kind", "clock_due_at"],
                condition=Q(clock__isnull=False),
                name="notice_once_per_clock_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class OutboundEmail(models.Model):
    """The e-mail outbox: rows are written in the same transaction as the change they report,
    and sent by the `portal.drain_outbox` task, so a rolled-back change sends nothing and a
    worker crash loses nothing. The message is rendered when sent, from `template` and
    `context`, in the recipient's `language`; the rendered subject is kept for the admin.
    """

    to = models.EmailField(_("to"))
    template = models.CharField(_("template"), max_length=100)
    context = models.JSONField(_("context"), default=dict)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject or self.template}"


class ReferenceCounter(models.Model):
    """The last number handed out per prefix and day, for human-readable references such as
    WZ-20261122-0001 (portal.references). One row per (prefix, day), incremented under its row
    lock, so concurrent submissions never share a number and the sequence has no gaps."""

    prefix = models.CharField(max_length=10)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="referencecounter_unique_prefix_day")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.day:%Y%m%d}: {self.value}"


class SequenceCounter(models.Model):
    """The last number handed out in one numbering scope, for sequences that are not per day: an
    app names its scopes (e.g. one per campaign and category) and portal.references counts them.
    One row per scope, incremented under its row lock until the caller's transaction ends, so
    concurrent callers never share a number, and a rolled-back one frees its number (no gaps)."""

    scope = models.CharField(max_length=100, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.value}"
