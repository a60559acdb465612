"""Every write to a petition ticket: one function per action, one transaction each.

Each service locks the ticket row, checks petitions.workflow's table (state, role, permission),
changes the ticket, moves its clocks through portal.clocks, writes the timeline event, and queues
notices and e-mails that are sent only after commit. A refused action raises a DomainError
subclass whose message is shown to the user as it is.

The services live by sub-domain (intake, handling, closing, publication; what they share in
common), as Zulip's zerver/actions/ does; callers keep writing `services.petition_assign(...)`.
"""

from petitions.services.closing import petition_close, petition_rate, petitions_close_unrated
from petitions.services.common import (
    ACKNOWLEDGEMENT,
    QUERY_CODE_SALT,
    mask,
    query_code_digest,
    query_code_matches,
    query_code_new,
)
from petitions.services.handling import (
    petition_accept,
    petition_assign,
    petition_decline,
    petition_extend,
    petition_note,
    petition_reply,
    petition_return,
    petition_submit_opinion,
    petition_urge,
)
from petitions.services.intake import _create, petition_record, petition_reset_query_code, petition_submit
from petitions.services.publication import petition_edit_public_version, petition_set_withheld

__all__ = [
    "ACKNOWLEDGEMENT",
    "QUERY_CODE_SALT",
    "_create",
    "mask",
    "petition_accept",
    "petition_assign",
    "petition_close",
    "petition_decline",
    "petition_edit_public_version",
    "petition_extend",
    "petition_note",
    "petition_rate",
    "petition_record",
    "petition_reply",
    "petition_reset_query_code",
    "petition_return",
    "petition_set_withheld",
    "petition_submit",
    "petition_submit_opinion",
    "petition_urge",
    "petitions_close_unrated",
    "query_code_digest",
    "query_code_matches",
    "query_code_new",
]
