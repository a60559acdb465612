"""The suggestions' deadline policies (portal.policies.Policy), declared on SuggestionsConfig.

Their source is the public-suggestion campaign plan (公众建言活动方案) for moderation and the
online-inquiry plan's reply limits for departments' answers (the campaign plan asks departments
to answer "in time"; the city applies the same 7 / 15 working days as to petitions).
settings.CLOCK_POLICY_OVERRIDES may change an amount per code.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.policies import DATE, HOURS, WORKING_DAYS, Policy

AREA = "suggestion"
MODERATE = "moderate"
RESPOND = "respond"
MILESTONE = "milestone"

KINDS = {
    MODERATE: pgettext_lazy("deadline kind", "Moderation decision"),
    RESPOND: pgettext_lazy("deadline kind", "Department answer"),
    MILESTONE: pgettext_lazy("deadline kind", "Measure milestone"),
}

SOURCE_CAMPAIGN_PLAN = _("Public-suggestion campaign plan (公众建言活动方案): review of suggestions")
SOURCE_ANSWERS = _(
    "Public-suggestion campaign plan (公众建言活动方案): departments answer forwarded suggestions, within the "
    "online-inquiry plan's limits (网络问政工作实施方案)"
)

MODERATE_POLICY = "suggestion.moderate"
RESPOND_SINGLE = "suggestion.respond.single"
RESPOND_SEVERAL = "suggestion.respond.several"
MILESTONE_POLICY = "suggestion.milestone"

SOURCE_MEASURES = _(
    "Public-suggestion campaign plan (公众建言活动方案): follow up the measures and improvement plans "
    "(跟踪回应措施和改进方案), each by the date the department planned"
)

POLICIES = (
    Policy(
        MODERATE_POLICY,
        AREA,
        MODERATE,
        HOURS,
        24,
        _("Suggestion: approve or reject within 24 hours"),
        SOURCE_CAMPAIGN_PLAN,
    ),
    Policy(
        RESPOND_SINGLE,
        AREA,
        RESPOND,
        WORKING_DAYS,
        7,
        _("Suggestion: a department answers within 7 working days"),
        SOURCE_ANSWERS,
        reclassify_to=(RESPOND_SEVERAL,),
    ),
    Policy(
        RESPOND_SEVERAL,
        AREA,
        RESPOND,
        WORKING_DAYS,
        15,
        _("Suggestion forwarded to several departments: each answers within 15 working days"),
        SOURCE_ANSWERS,
        reclassify_to=(RESPOND_SINGLE,),
    ),
    # Due at the end of the measure's planned date (a clock by date: the amount is not used).
    Policy(
        MILESTONE_POLICY,
        AREA,
        MILESTONE,
        DATE,
        0,
        _("Suggestion measure: done by its planned date"),
        SOURCE_MEASURES,
    ),
)


def respond_policy(department_count: int) -> str:
    """7 working days for one department, 15 for several (联合会商)."""
    return RESPOND_SEVERAL if department_count > 1 else RESPOND_SINGLE
