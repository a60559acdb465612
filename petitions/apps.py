from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from petitions import policies
from portal import roles
from portal.areas import DeadlineRule, MenuItem, PublicArea, ServiceCard
from portal.registry import BeatEntry

_VIEW = [
    "petitions.view_petition",
    "petitions.view_category",
    "petitions.view_reply",
    "petitions.view_handlingnote",
    "petitions.view_cohandling",
    "petitions.view_attachment",
]


CITIZEN_NOTICES = {
    "petition_citizen_accepted": _("%(department)s has accepted (受理) your ticket %(reference)s %(title)s."),
    "petition_citizen_replied": _(
        "%(department)s has replied (答复) to your ticket %(reference)s %(title)s. Read the reply and rate it "
        "within 7 days."
    ),
    "petition_citizen_declined": _(
        "%(department)s did not accept (不予受理) your ticket %(reference)s %(title)s; its reasons are on the "
        "ticket's page."
    ),
    "petition_citizen_returned": _(
        "Your ticket %(reference)s %(title)s is being assigned again: the department it was assigned to found the "
        "matter outside its responsibilities, and the office of online inquiries is passing it to the right one."
    ),
    "petition_citizen_extended": _(
        "The reply deadline of your ticket %(reference)s %(title)s was extended to %(due)s."
    ),
    "petition_citizen_closed": _("Your ticket %(reference)s %(title)s has been closed (办结). %(note)s"),
}


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions (网络问政)")

    # The portal.Clock area of its work, and what it offers the public: menu, home card, deadline
    # rules, a section on /stats/ (portal.areas).
    clock_area = policies.AREA
    clock_area_label = _("Petition ticket")
    # Its clocks' kinds and deadline policies, with their sources (portal.registry, portal.policies).
    clock_kinds = policies.KINDS
    # What the dashboards count them as: meeting the acknowledgement clock is the acknowledgement
    # (受理回应), meeting a reply clock the answer to the citizen (答复).
    acknowledgement_kinds = (policies.ACKNOWLEDGE,)
    reply_kinds = (policies.REPLY,)
    deadline_policies = policies.POLICIES
    # Its pages, under /petitions/ (portal/urls.py includes petitions.urls).
    url_prefix = "petitions/"
    # Periodic tasks, each with its management-command twin (merged into Celery beat's schedule).
    beat_schedule = {
        "petitions-close-unrated": BeatEntry("petitions.close_unrated", 3600.0, command="close_unrated_petitions"),
        # Daily at 01:30: it stores last month's report if it is missing, so the 1st makes it and a
        # beat that was down on the 1st catches up the next day; a stored report is never rewritten.
        "petitions-monthly-report": BeatEntry(
            "petitions.generate_monthly_report", crontab(minute=30, hour=1), command="generate_monthly_report"
        ),
    }
    # Default rates ("count/period", per address and per account); settings.RATE_LIMITS (the
    # RATE_LIMITS environment variable) overrides a group by name.
    rate_limits = {"petitions.submit": "10/h", "petitions.track": "30/h", "petitions.rate": "20/h"}
    public_area = PublicArea(
        menu=(
            MenuItem("petitions:index", _("Petitions"), order=20),
            MenuItem("petitions:track", _("Track my ticket"), order=90),
        ),
        account=(MenuItem("petitions:mine", _("My tickets"), order=20, icon="bi-card-list"),),
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
        # Its section of /stats/ and its total on the board.
        title=_("网络问政 Petitions and inquiries"),
        total_label=_("All petition tickets"),
    )

    # How the board, notices and e-mails show a ticket's clocks, and the services through which
    # the board and the clock admin urge and extend them (portal.subjects).
    clock_subjects = {"petitions.Petition": "petitions.subjects.PetitionSubject"}
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
        # The citizen's own notices (petitions.services._notice_citizens): in-app only, since the
        # e-mails go to the contact address given with the ticket. Nothing internal: a return
        # says what it means for the citizen, never the department's reason.
        for kind, title in CITIZEN_NOTICES.items():
            register_notice_kind(kind, title=title)
