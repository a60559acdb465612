"""The staff side of petition tickets in the admin: the ticket admin with its workflow actions
(tickets), its list filters (filters), and the admins of categories, replies, notes and monthly
reports (records). Importing this package registers them all.
"""

from petitions.admin.filters import DueSoonFilter, LeadDepartmentFilter, OverdueFilter, ReceivedMonthFilter
from petitions.admin.records import CategoryAdmin, HandlingNoteAdmin, MonthlyReportAdmin, ReadOnlyAdminMixin, ReplyAdmin
from petitions.admin.tickets import LONG_TEXT_FIELDS, REFERENCE_PATTERN, SLIP_SESSION_KEY, PetitionAdmin
from portal.admin_tools import EstimatedCountPaginator

__all__ = [
    "LONG_TEXT_FIELDS",
    "REFERENCE_PATTERN",
    "SLIP_SESSION_KEY",
    "CategoryAdmin",
    "DueSoonFilter",
    "EstimatedCountPaginator",
    "HandlingNoteAdmin",
    "LeadDepartmentFilter",
    "MonthlyReportAdmin",
    "OverdueFilter",
    "PetitionAdmin",
    "ReadOnlyAdminMixin",
    "ReceivedMonthFilter",
    "ReplyAdmin",
]
