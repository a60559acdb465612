"""The clerks' export of a campaign: every suggestion with its departments' answers, one row a
suggestion, written by portal.exports (CSV streamed row by row, XLSX through a temporary file;
the formula guard and control-character cleaning on every cell).

No contact data: the author's account, name, mobile number and e-mail address are not columns,
and neither is a social-media comment's link (it leads to the author's profile). The texts are
the masked versions kept beside the originals (the public title, problem and measures as the
reviewers left them, the departments' masked answers): an author often types a phone number or
a name into the text itself, and a file leaves the portal's access control once downloaded.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.masking import mask_personal_data
from suggestions.models import Campaign, Forwarding, Suggestion

ROWS_PER_FETCH = 500


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_header() -> list[str]:
    return [
        _("Tracking number"),
        _("Classified number"),
        _("State"),
        _("Channel"),
        _("Category"),
        _("Title"),
        _("Problem description (问题描述)"),
        _("Proposed measures (建议措施)"),
        _("Area"),
        _("Place received"),
        pgettext("suggestion time", "Received"),
        pgettext("suggestion time", "Reviewed"),
        pgettext("suggestion time", "Forwarded"),
        pgettext("suggestion time", "Answered"),
        _("Lead department"),
        _("Outcome"),
        _("Answers (department: outcome, answer)"),
        _("Followers"),
        _("Selected as excellent (优秀建言)"),
        _("Published"),
    ]


def _answers(suggestion: Suggestion) -> str:
    parts = []
    for forwarding in suggestion.forwardings.all():
        lead = _(" (lead)") if forwarding.is_lead else ""
        if forwarding.answered_at:
            parts.append(
                f"{forwarding.department.name}{lead}: {forwarding.get_outcome_display()}, "
                f"{_moment(forwarding.answered_at)}\n{forwarding.public_answer}"
            )
        else:
            parts.append(f"{forwarding.department.name}{lead}: {_('not answered yet')}")
    return "\n\n".join(parts)


def export_rows(campaign: Campaign) -> Iterator[list]:
    """The header, then one row per suggestion of the campaign (in the order received), read in
    chunks so memory does not grow with the campaign."""
    yield export_header()
    suggestions = (
        Suggestion.objects.filter(campaign=campaign)
        .select_related("category", "lead_department")
        .prefetch_related(
            Prefetch("forwardings", queryset=Forwarding.objects.select_related("department").order_by("-is_lead", "pk"))
        )
        .defer(
            "title",
            "problem",
            "measures",
            "search_document",
            "public_search_document",
            "contact_name",
            "contact_mobile",
            "contact_email",
            "source_url",
        )
        .order_by("received_at", "pk")
    )
    for suggestion in suggestions.iterator(chunk_size=ROWS_PER_FETCH):
        yield [
            suggestion.reference,
            suggestion.number,
            suggestion.get_state_display(),
            suggestion.get_channel_display(),
            suggestion.category.name,
            suggestion.public_title,
            suggestion.public_problem,
            suggestion.public_measures,
            mask_personal_data(suggestion.area),
            suggestion.place,
            _moment(suggestion.received_at),
            _moment(suggestion.decided_at),
            _moment(suggestion.forwarded_at),
            _moment(suggestion.answered_at),
            suggestion.lead_department.name if suggestion.lead_department_id else "",
            suggestion.get_outcome_display() if suggestion.outcome else "",
            _answers(suggestion),
            suggestion.follower_count,
            _("yes") if suggestion.excellent_at else "",
            _("yes") if suggestion.published_at else "",
        ]
