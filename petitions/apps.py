from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import roles
from portal.areas import DeadlineRule, MenuItem, PublicArea, ServiceCard

_VIEW = [
    "petitions.view_petition",
    "petitions.view_category",
    "petitions.view_reply",
    "petitions.view_handlingnote",
    "petitions.view_cohandling",
    "petitions.view_attachment",
]


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions (网络问政)")

    # The portal.Clock area of its work, and what it offers the public: menu, home card, deadline
    # rules, a section on /stats/ (portal.areas).
    clock_area = "petition"
    public_area = PublicArea(
        menu=(
            MenuItem("petitions:index", _("Petitions"), order=20),
            MenuItem("petitions:track", _("Track my ticket"), order=90),
        ),
        card=ServiceCard(
            "bi-chat-square-text",
            pgettext_lazy("service card", "Online petitions"),
            _("Questions, messages and complaints"),
            _(
                "Ask a question, leave a message or file a complaint. The office assigns it to the responsible "
                "department, which replies to you; you can follow its progress and rate the result."
            ),
        ),
        deadlines=(
            DeadlineRule(
                _("24 hours"),
                _(
                    "Acknowledgement (受理): the department confirms it has received your matter. These are calendar "
                    "hours, weekends and holidays included."
                ),
            ),
            DeadlineRule(_("7 working days"), _("Reply to an ordinary matter.")),
            DeadlineRule(
                _("15 working days"), _("Reply to a complex matter or one handled by several departments together.")
            ),
        ),
    )

    # Loaded by `manage.py load_demo` (portal.demo): categories and tickets in every state.
    demo_loader = "petitions.demo.load_demo"
    # Satisfaction and reopen rates for the department performance page (portal dashboards).
    performance_metrics = "petitions.selectors.performance_metrics"
    # `manage.py generate_data --petitions N` (portal.generate): tickets for load tests.
    data_generators = {"petitions": "petitions.generate.generate_petitions"}

    role_permissions = {
        roles.DEPARTMENT_STAFF: [
            *_VIEW,
            "petitions.change_petition",
            "petitions.handle_petition",
        ],
        roles.OFFICE_CLERK: [
            *_VIEW,
            "petitions.change_petition",
            "petitions.assign_petition",
            "petitions.record_petition",
            "petitions.close_petition",
            "petitions.view_ledger",
            "petitions.view_monthlyreport",
        ],
        roles.ADMINISTRATOR: [
            *_VIEW,
            "petitions.add_category",
            "petitions.change_category",
            "petitions.delete_category",
            "petitions.view_ledger",
            "petitions.view_monthlyreport",
        ],
    }

    def ready(self) -> None:
        from portal.notifications import register_notice_kind

        register_notice_kind(
            "petition_received",
            title=_("New ticket to assign: %(reference)s %(title)s"),
            email_template="emails/petition_staff",
        )
        register_notice_kind(
            "petition_assigned",
            title=_("Assigned to %(department)s (交办): %(reference)s %(title)s. %(note)s"),
            email_template="emails/petition_staff",
        )
        register_notice_kind(
            "petition_returned",
            title=_("Returned by %(department)s (退回): %(reference)s %(title)s. Reason: %(note)s"),
            email_template="emails/petition_staff",
        )
        register_notice_kind(
            "petition_opinion",
            title=_("Co-handling opinion from %(note)s: %(reference)s %(title)s"),
            email_template="emails/petition_staff",
        )
        register_notice_kind(
            "petition_reopened",
            title=_("Rated unsatisfied, reopened for re-examination (复查): %(reference)s %(title)s. %(note)s"),
            email_template="emails/petition_staff",
        )
