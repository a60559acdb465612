from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import roles
from portal.areas import DeadlineRule, MenuItem, PublicArea, ServiceCard
from portal.registry import BeatEntry
from suggestions import policies


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("Public suggestions (公众建言)")

    # The portal.Clock area of its work, its clocks' kinds and deadline policies with their sources
    # (portal.registry, portal.policies).
    clock_area = policies.AREA
    clock_area_label = _("Suggestion")
    clock_kinds = policies.KINDS
    deadline_policies = policies.POLICIES
    # What the dashboards count them as: a department's answer is the reply the citizen is owed
    # (答复); the review and a measure's milestone are neither (on the board, but no item received).
    reply_kinds = (policies.RESPOND,)
    # How the board, notices and e-mails show its clocks' subjects, and the services through which
    # the board and the clock admin urge and extend them (portal.subjects, suggestions.subjects).
    clock_subjects = {
        "suggestions.Suggestion": "suggestions.subjects.SuggestionSubject",
        "suggestions.Forwarding": "suggestions.subjects.ForwardingSubject",
        "suggestions.Measure": "suggestions.subjects.MeasureSubject",
    }
    # Adoption (采纳率) beside its counts, on the performance page and /stats/ (portal.dashboards).
    performance_metrics = "suggestions.metrics.performance_metrics"
    # Its pages, under /suggestions/ (portal/urls.py includes suggestions.urls).
    url_prefix = "suggestions/"
    # Default rates ("count/period", per address and per account); settings.RATE_LIMITS overrides a
    # group by name. `similar` runs as a citizen types a title (the page waits for a pause).
    rate_limits = {
        "suggestions.submit": "10/h",
        "suggestions.similar": "300/h",
        "suggestions.follow": "60/h",
        "suggestions.withdraw": "20/h",
    }
    public_area = PublicArea(
        menu=(MenuItem("suggestions:index", pgettext_lazy("menu", "Suggestions"), order=10),),
        account=(MenuItem("suggestions:mine", _("My suggestions"), order=10, icon="bi-lightbulb"),),
        card=ServiceCard(
            "bi-lightbulb",
            pgettext_lazy("service card", "Public suggestions"),
            _("Campaigns that ask for your ideas"),
            _(
                "Take part in the city's suggestion campaigns: propose what should be done, follow the suggestions "
                "of others, and read the departments' answers and what was adopted."
            ),
        ),
        deadlines=(
            DeadlineRule(
                _("24 hours"),
                _("Review of a suggestion (建言审核): approved or not within 24 calendar hours of its receipt."),
            ),
            DeadlineRule(
                _("7 or 15 working days"),
                _(
                    "A department answers a suggestion forwarded to it (建言答复): 7 working days, 15 when several "
                    "departments answer it."
                ),
            ),
        ),
        # Its section of /stats/ and its total on the board.
        title=_("公众建言 Public suggestions"),
        total_label=_("All suggestions"),
    )

    # Three demo campaigns (collecting, answering, summed up) for `manage.py load_demo` (portal.demo),
    # and bulk data for load tests and benchmarks: `manage.py generate_data --suggestions N` (portal.generate).
    demo_loader = "suggestions.demo.load_demo"
    data_generators = {"suggestions": "suggestions.generate.generate_suggestions"}

    # Periodic tasks, each with its management-command twin (merged into Celery beat's schedule).
    beat_schedule = {
        # Every morning at 08:00 (Beijing time), once a day per reviewer whatever runs it again.
        "suggestions-review-digest": BeatEntry(
            "suggestions.send_review_digest", crontab(minute=0, hour=8), command="send_review_digest"
        ),
        # Every ten minutes: each campaign's analysis is recomputed only if its data changed (its
        # recorded fingerprint), so an idle campaign costs a few index reads.
        "suggestions-analyses": BeatEntry(
            "suggestions.compute_campaign_analyses", 600.0, command="compute_campaign_analyses"
        ),
        # Hourly: version 1 of the summary report of a campaign whose summary phase has begun and
        # that has none yet (a stored report is never rewritten).
        "suggestions-reports": BeatEntry(
            "suggestions.generate_campaign_reports", crontab(minute=20), command="generate_campaign_reports"
        ),
    }

    # What each role may do with suggestions; scoping narrows what it sees (suggestions.scoping):
    # reviewers and the office everything, departments what was forwarded to them, experts the
    # suggestions of the campaigns they are invited to.
    role_permissions = {
        roles.EXPERT: ["suggestions.view_suggestion", "suggestions.assess_suggestion"],
        roles.DEPARTMENT_STAFF: [
            "suggestions.view_suggestion",
            "suggestions.answer_suggestion",
            # Their forwardings, with the measures (suggestions.admin.forwarding).
            "suggestions.view_forwarding",
            "suggestions.view_measure",
        ],
        roles.REVIEWER: [
            "suggestions.view_suggestion",
            "suggestions.view_campaign",
            "suggestions.view_category",
            "suggestions.view_campaignnews",
            "suggestions.view_assessment",
            "suggestions.moderate_suggestion",
            "suggestions.assess_suggestion",
        ],
        roles.OFFICE_CLERK: [
            "suggestions.view_suggestion",
            "suggestions.view_category",
            "suggestions.view_campaign",
            "suggestions.add_campaign",
            "suggestions.change_campaign",
            "suggestions.manage_campaign",
            "suggestions.view_campaignnews",
            "suggestions.add_campaignnews",
            "suggestions.change_campaignnews",
            "suggestions.delete_campaignnews",
            "suggestions.view_assessment",
            "suggestions.record_suggestion",
            "suggestions.forward_suggestion",
            # The forwardings and their measures, to follow up (suggestions.admin.forwarding).
            "suggestions.view_forwarding",
            "suggestions.view_measure",
            # Offline intake in bulk, the analyses and the summary reports (suggestions.admin.intake,
            # .reports; the report's sections are edited with manage_campaign).
            "suggestions.view_symposium",
            "suggestions.view_socialimport",
            "suggestions.view_campaignanalysis",
            "suggestions.view_campaignreport",
            "suggestions.change_campaignreport",
        ],
        roles.ADMINISTRATOR: [
            "suggestions.view_suggestion",
            "suggestions.view_category",
            "suggestions.add_category",
            "suggestions.change_category",
            "suggestions.view_campaign",
            "suggestions.add_campaign",
            "suggestions.change_campaign",
            "suggestions.view_campaignnews",
            "suggestions.view_assessment",
        ],
    }

    def ready(self) -> None:
        from portal.notifications import register_notice_kind

        # The author's own notices: in-app (their account), and the e-mails that the services send
        # to the contact address given with the suggestion. Nothing internal reaches the author.
        for kind, title in AUTHOR_NOTICES.items():
            register_notice_kind(kind, title=title)
        # Reviewers' and clerks' notices in the staff pages (suggestions.services.moderation and
        # .campaigns); the reviewers' digest e-mail is sent beside its notice, with its own template.
        for kind, title in STAFF_NOTICES.items():
            register_notice_kind(kind, title=title)
        # Forwarding and answers (suggestions.services.answers): the departments' notice of a
        # batch forwarded to them, with its e-mail, and the author's of an extended deadline.
        for kind, (title, email_template) in FORWARDING_NOTICES.items():
            register_notice_kind(kind, title=title, email_template=email_template)
        # The office's: a published suggestion reached the campaign's high-attention threshold.
        register_notice_kind(
            "suggestion_high_attention",
            title=_(
                "High attention (高关注): %(reference)s %(title)s has %(note)s followers; consider a press briefing "
                "(新闻发布会)."
            ),
        )


FORWARDING_NOTICES = {
    "suggestion_forwarded_to_department": (
        _(
            "Suggestions forwarded to your department (转交): %(count)s of the campaign %(campaign)s, with the "
            "analysis report; answer each by %(due)s. %(note)s"
        ),
        "emails/suggestion_forwarded_to_department",
    ),
    "suggestion_extended": (
        _("The deadline of %(department)s on your suggestion %(reference)s %(title)s was extended to %(due)s."),
        "",
    ),
}

STAFF_NOTICES = {
    "suggestion_review_digest": _(
        "Suggestions awaiting review (待审核): %(count)s, of which %(overdue)s are past their 24 hours and "
        "%(due_soon)s are due within 4 hours."
    ),
    "suggestion_phase_closed": _(
        "%(campaign)s: %(actor)s closed the phase “%(phase)s” early; “%(next)s” starts today (%(date)s). "
        "Reason: %(note)s"
    ),
}

AUTHOR_NOTICES = {
    "suggestion_received": _("Your suggestion %(reference)s %(title)s was received and awaits review (待审核)."),
    "suggestion_approved": _(
        "Your suggestion %(title)s was approved (审核通过) with the number %(reference)s in the campaign %(campaign)s."
    ),
    "suggestion_rejected": _("Your suggestion %(reference)s %(title)s was not approved. Reason: %(note)s"),
    "suggestion_merged": _(
        "Your suggestion %(title)s raises the same matter as %(note)s and was merged into it; follow that one "
        "for the answer."
    ),
    "suggestion_forwarded": _("Your suggestion %(reference)s %(title)s was forwarded to %(note)s for an answer."),
    "suggestion_answered": _("The departments have answered your suggestion %(reference)s %(title)s."),
    # suggestions.services.recognition: the office selected it for the campaign's showcase.
    "suggestion_excellent": _(
        "Your suggestion %(reference)s %(title)s was selected as an excellent suggestion (优秀建言) of the campaign "
        "%(campaign)s."
    ),
}
