"""The petitions' deadline policies (portal.policies.Policy), declared on PetitionsConfig.

Their source is the online-inquiry implementation plan; settings.CLOCK_POLICY_OVERRIDES may change
an amount per code.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.policies import HOURS, WORKING_DAYS, Policy

AREA = "petition"
ACKNOWLEDGE = "acknowledge"
REPLY = "reply"

KINDS = {
    ACKNOWLEDGE: pgettext_lazy("deadline kind", "Acknowledgement"),
    REPLY: pgettext_lazy("deadline kind", "Reply"),
}

SOURCE_ONLINE_INQUIRY = _("Online-inquiry implementation plan (网络问政工作实施方案): the four steps of replying")

POLICIES = (
    Policy(
        "petition.acknowledge",
        AREA,
        ACKNOWLEDGE,
        HOURS,
        24,
        _("Petition: acknowledge within 24 hours"),
        SOURCE_ONLINE_INQUIRY,
    ),
    Policy(
        "petition.reply.ordinary",
        AREA,
        REPLY,
        WORKING_DAYS,
        7,
        _("Petition: reply to an ordinary matter within 7 working days"),
        SOURCE_ONLINE_INQUIRY,
        reclassify_to=("petition.reply.complex",),
    ),
    Policy(
        "petition.reply.complex",
        AREA,
        REPLY,
        WORKING_DAYS,
        15,
        _("Petition: reply to a complex or multi-department matter within 15 working days"),
        SOURCE_ONLINE_INQUIRY,
        reclassify_to=("petition.reply.ordinary",),
    ),
    Policy(
        "petition.reply.reexamine",
        AREA,
        REPLY,
        WORKING_DAYS,
        7,
        _("Petition: re-examine after an unsatisfied rating within 7 working days"),
        SOURCE_ONLINE_INQUIRY,
    ),
)
