"""Moderation, numbering and assessment (审核 → 分类编号 → 价值评估): a reviewer approves a pending
suggestion, which gives it its classified number and publishes it if the author consented, or
rejects it with a reason the author reads, or merges a duplicate into an earlier suggestion;
reviewers and the campaign's invited experts assess accepted suggestions; reviewers edit the
masked public version. And the reviewers' daily digest of what awaits review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import clocks, notifications
from portal.exceptions import DomainError
from portal.models import Clock, Notice, OutboundEmail
from portal.references import sequence_next
from portal.workflow import transition
from suggestions import policies
from suggestions.models import Assessment, Campaign, Category, Suggestion
from suggestions.services.common import Action, S, mask, refresh_search, tell_author
from suggestions.services.intake import _require_category, clocks_open
from suggestions.workflow import TABLE

DECISION_EMAIL = "emails/suggestion_decision"
DIGEST_EMAIL = "emails/suggestion_digest"
DIGEST_NOTICE = "suggestion_review_digest"
# The digest lists this many suggestions, the most urgent first, and counts the rest.
DIGEST_ITEMS = 50
SCORES = range(1, 6)


# --- classified numbers ------------------------------------------------------------------------


def number_scope(campaign: Campaign, category: Category) -> str:
    """The portal.references numbering scope of one campaign and category."""
    return f"suggestions.number:{campaign.pk}:{category.pk}"


def number_format(pattern: str, *, year: int, category: str, number: int) -> str:
    """The classified number (分类编号) `pattern` makes of its three fields, e.g.
    "JY{year}-{category}-{number:04d}" → JY2026-SM-0042. A pattern that does not use {category}
    and {number}, or names another field, is refused: numbers would repeat, or nothing fits."""
    if "{category" not in pattern or "{number" not in pattern:
        raise DomainError(_("A classified number pattern must contain {category} and {number}."))
    try:
        formatted = pattern.format(year=year, category=category, number=number)
    except (KeyError, IndexError, ValueError, AttributeError):
        raise DomainError(
            _("The classified number pattern can use only {year}, {category} and {number}, e.g. %(example)s.")
            % {"example": "JY{year}-{category}-{number:04d}"}
        ) from None
    if not formatted.strip() or len(formatted) > Suggestion._meta.get_field("number").max_length:
        raise DomainError(_("The classified number pattern makes numbers longer than 40 characters."))
    return formatted


def _number_next(suggestion: Suggestion) -> tuple[int, str]:
    """The next sequence and classified number of the suggestion's campaign and category, taken
    under the scope's row lock until the approval commits (gap-free, unique, concurrent-safe)."""
    campaign, category = suggestion.campaign, suggestion.category
    # Numbers written without the counter (rows loaded in bulk) are skipped, never handed out twice.
    used = Suggestion.objects.filter(campaign=campaign, category=category, sequence__isnull=False)
    sequence = sequence_next(
        scope=number_scope(campaign, category), taken=lambda: used.aggregate(last=Max("sequence"))["last"]
    )
    number = number_format(campaign.number_pattern, year=campaign.year, category=category.code, number=sequence)
    if Suggestion.objects.filter(campaign=campaign, number=number).exclude(pk=suggestion.pk).exists():
        # Only a pattern edited mid-campaign can make an old number again.
        raise DomainError(
            _("The classified number %(number)s is already taken in this campaign; check its number pattern.")
            % {"number": number}
        )
    return sequence, number


def _decided(suggestion: Suggestion, actor, now: datetime) -> None:
    """The moderation decision is made: who and when, and the 24-hour clock is met."""
    suggestion.decided_at = now
    suggestion.decided_by = actor
    for clock in clocks_open(suggestion):
        if clock.kind == policies.MODERATE:
            clocks.clock_meet(clock=clock, actor=actor, at=now)


# --- decisions -----------------------------------------------------------------------------------


@transaction.atomic
def suggestion_approve(*, suggestion: Suggestion, actor, category: Category | None = None) -> Suggestion:
    """A reviewer approves (审核通过): the suggestion gets its classified number from its campaign
    and category (a reviewer may correct the category first), is published with its masked text
    if the author consented, the moderation clock is met and the author is told."""
    with transition(suggestion, "approve", table=TABLE, actor=actor, reason="approved") as move:
        suggestion = move.obj
        if category is not None and category.pk != suggestion.category_id:
            _require_category(suggestion.campaign, category)
            suggestion.category = category
        now = timezone.now()
        suggestion.sequence, suggestion.number = _number_next(suggestion)
        _decided(suggestion, actor, now)
        if suggestion.publish_consent:
            # The public texts were masked on receipt (and perhaps edited); masked again to be sure.
            suggestion.public_title = mask(suggestion, suggestion.public_title or suggestion.title)
            suggestion.public_problem = mask(suggestion, suggestion.public_problem or suggestion.problem)
            suggestion.public_measures = mask(suggestion, suggestion.public_measures or suggestion.measures)
            suggestion.published_at = now
        refresh_search(suggestion)
        move.record(Action.APPROVED, public=True, at=now, note=suggestion.number)
        if suggestion.published_at:
            move.record(Action.PUBLISHED, public=True, at=now)
        move.notify(tell_author, suggestion, "suggestion_approved", email_template=DECISION_EMAIL)
    return suggestion


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, actor, reason: str) -> Suggestion:
    """A reviewer does not approve (不予通过), with a reason the author reads; the moderation
    clock is met and the author is told."""
    with transition(suggestion, "reject", table=TABLE, actor=actor, reason="rejected") as move:
        suggestion = move.obj
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("Give the reason for not approving; the author reads it."))
        now = timezone.now()
        suggestion.rejection_reason = reason
        _decided(suggestion, actor, now)
        move.record(Action.REJECTED, public=True, at=now, note=reason)
        move.notify(tell_author, suggestion, "suggestion_rejected", email_template=DECISION_EMAIL, note=reason)
    return suggestion


def _earlier(first: Suggestion, second: Suggestion) -> bool:
    return (first.received_at, first.pk) < (second.received_at, second.pk)


@transaction.atomic
def suggestion_merge(*, suggestion: Suggestion, actor, into: Suggestion, note: str = "") -> Suggestion:
    """A reviewer merges (合并) a duplicate into an earlier accepted suggestion of the same
    campaign. The later one stays visible as "merged into <number>" and keeps the number it may
    have had; it no longer counts as accepted, so the campaign's counts do not double. Its
    author is told which suggestion to follow."""
    if into.pk == suggestion.pk:
        raise DomainError(_("A suggestion cannot be merged into itself."))
    # Both rows locked, always in the same order, so two crossed merges cannot deadlock.
    rows = {row.pk: row for row in Suggestion.objects.select_for_update().filter(pk__in=[suggestion.pk, into.pk])}
    if len(rows) != 2:
        raise DomainError(_("The suggestion to merge into no longer exists."))
    was_pending = rows[suggestion.pk].state == S.PENDING
    # Both rows are locked already: the transition checks and claims the duplicate as it is.
    with transition(rows[suggestion.pk], "merge", table=TABLE, actor=actor, reason="merged", lock=False) as move:
        suggestion, into = move.obj, rows[into.pk]
        if into.campaign_id != suggestion.campaign_id:
            raise DomainError(_("A suggestion can be merged only into one of the same campaign."))
        if into.state == S.MERGED:
            raise DomainError(
                _("%(number)s was itself merged into another suggestion; merge into that one instead.")
                % {"number": into.number or into.reference}
            )
        if into.state not in Suggestion.ACCEPTED_STATES:
            raise DomainError(_("A suggestion can be merged only into an approved one (with its classified number)."))
        if not _earlier(into, suggestion):
            raise DomainError(_("A suggestion can be merged only into an earlier one."))
        now = timezone.now()
        suggestion.merged_into = into
        if was_pending:
            _decided(suggestion, actor, now)
        refresh_search(suggestion)
        move.record(Action.MERGED, public=True, at=now, note=into.number)
        TABLE.record(
            into,
            Action.NOTE,
            actor=actor,
            at=now,
            note=_("%(reference)s was merged into this suggestion. %(note)s")
            % {"reference": suggestion.number or suggestion.reference, "note": note.strip()},
        )
        move.notify(tell_author, suggestion, "suggestion_merged", email_template=DECISION_EMAIL, note=into.number)
    return suggestion


# --- assessment and the public version ------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    reasonableness: int
    feasibility: int
    innovation: int


def _scores(reasonableness, feasibility, innovation) -> Scores:
    values = []
    for value in (reasonableness, feasibility, innovation):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in SCORES:
            raise DomainError(_("Each score is a whole number from 1 to 5."))
        values.append(number)
    return Scores(*values)


@transaction.atomic
def suggestion_assess(
    *, suggestion: Suggestion, actor, reasonableness: int, feasibility: int, innovation: int, note: str = ""
) -> Assessment:
    """A reviewer or an invited expert of the campaign assesses (专家论证) an accepted suggestion
    on 合理性, 可行性 and 创新性 (1–5), with a note. One assessment per assessor: assessing again
    updates it, and its history keeps the earlier scores."""
    # A step without a target: the table guards state, role and permission; the suggestion
    # itself is not saved.
    with transition(suggestion, "assess", table=TABLE, actor=actor) as move:
        suggestion = move.obj
        scores = _scores(reasonableness, feasibility, innovation)
        now = timezone.now()
        assessment = Assessment.objects.select_for_update().filter(suggestion=suggestion, assessor=actor).first()
        again = assessment is not None
        if assessment is None:
            assessment = Assessment(suggestion=suggestion, assessor=actor)
        assessment.reasonableness = scores.reasonableness
        assessment.feasibility = scores.feasibility
        assessment.innovation = scores.innovation
        assessment.note = (note or "").strip()
        assessment.created_at = now
        assessment._history_user = actor
        assessment._change_reason = "re-assessed" if again else "assessed"
        assessment.save()
        move.record(Action.ASSESSED, at=now, note=f"{scores.reasonableness}/{scores.feasibility}/{scores.innovation}")
    return assessment


@transaction.atomic
def suggestion_edit_public(
    *, suggestion: Suggestion, actor, public_title: str, public_problem: str, public_measures: str
) -> Suggestion:
    """A reviewer edits the public version of an accepted suggestion; the texts are masked again
    (an edit cannot bring a name or a phone number back) and the original stays private."""
    with transition(suggestion, "edit_public", table=TABLE, actor=actor, reason="public version edited") as move:
        suggestion = move.obj
        if not (public_title or "").strip():
            raise DomainError(_("The public title cannot be empty."))
        suggestion.public_title = mask(suggestion, public_title.strip())[
            : Suggestion._meta.get_field("public_title").max_length
        ]
        suggestion.public_problem = mask(suggestion, (public_problem or "").strip())
        suggestion.public_measures = mask(suggestion, (public_measures or "").strip())
        refresh_search(suggestion)
    return suggestion


# --- the reviewers' daily digest -----------------------------------------------------------------


def reviewers():
    """Active reviewers with the moderation permission, by role or given directly."""
    permission = Permission.objects.get(content_type__app_label="suggestions", codename="moderate_suggestion")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
        .order_by("pk")
    )


def moderation_queue_url() -> str:
    return reverse("admin:suggestions_suggestion_changelist") + "?queue=moderation"


def digest_items(now: datetime) -> dict:
    """What awaits review at `now`: the pending suggestions' moderation clocks, the most urgent
    first, each marked overdue or due soon in the shared vocabulary (portal.models.ClockQuerySet)."""
    content_type = ContentType.objects.get_for_model(Suggestion)
    pending = Suggestion.objects.filter(state=S.PENDING)
    waiting = Clock.objects.filter(
        content_type=content_type, kind=policies.MODERATE, object_id__in=pending.values("pk")
    ).open()
    overdue_ids = set(waiting.overdue(now).values_list("pk", flat=True))
    due_soon_ids = set(waiting.due_soon(now).values_list("pk", flat=True))
    clocks_ = list(waiting.order_by("due_at", "pk").values("pk", "object_id", "due_at")[:DIGEST_ITEMS])
    found = Suggestion.objects.select_related("campaign").in_bulk([c["object_id"] for c in clocks_])
    items = []
    for clock in clocks_:
        suggestion = found.get(clock["object_id"])
        if suggestion is None:
            continue
        marker = "overdue" if clock["pk"] in overdue_ids else "due_soon" if clock["pk"] in due_soon_ids else ""
        items.append(
            {
                "reference": suggestion.reference,
                "title": suggestion.title,
                "campaign": suggestion.campaign.title,
                "due_at": clock["due_at"].isoformat(),
                "marker": marker,
                "url": reverse("admin:suggestions_suggestion_change", args=[suggestion.pk]),
            }
        )
    total = pending.count()
    return {
        "items": items,
        "more": max(0, total - len(items)),
        "pending": total,
        "overdue": len(overdue_ids),
        "due_soon": len(due_soon_ids),
    }


def _digest_key(day, user) -> str:
    return f"suggestions-digest:{day.isoformat()}:{user.pk}"


def moderation_digest_send(*, now: datetime | None = None) -> int:
    """Send each reviewer today's digest of what awaits review (an e-mail, and a notice in the
    staff pages), once a day: today's notice is the recorded fact, checked under the reviewer's
    row lock, so running again (beat, a retry, the command by hand) sends nothing new. Nothing is
    sent when nothing is pending. Returns how many reviewers were sent it now."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    digest = digest_items(now)
    if not digest["pending"]:
        return 0
    User = get_user_model()
    url = moderation_queue_url()
    sent = 0
    for reviewer_id in reviewers().values_list("pk", flat=True):
        with transaction.atomic():
            reviewer = User.objects.select_for_update().get(pk=reviewer_id)
            if Notice.objects.filter(recipient=reviewer, kind=DIGEST_NOTICE, context__day=day.isoformat()).exists():
                continue
            context = {
                "day": day.isoformat(),
                "count": digest["pending"],
                "overdue": digest["overdue"],
                "due_soon": digest["due_soon"],
            }
            notifications.notify(deliveries=[notifications.Delivery(reviewer, DIGEST_NOTICE, context, url=url)])
            key = _digest_key(day, reviewer)
            if reviewer.email and not OutboundEmail.objects.filter(dedupe_key=key).exists():
                notifications.email_enqueue(
                    to=reviewer.email,
                    template=DIGEST_EMAIL,
                    context=context | {"items": digest["items"], "more": digest["more"], "queue_url": url},
                    language=reviewer.language,
                    dedupe_key=key,
                )
            sent += 1
    return sent
