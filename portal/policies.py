"""Deadline policies: how long each kind of work may take, and where that rule comes from.

Defaults below; settings.CLOCK_POLICY_OVERRIDES may change `amount` or `max_extension_days`
per policy code (e.g. a city that promises 5 working days for ordinary petitions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.exceptions import DomainError
from portal.models import Clock

A = Clock.Area
K = Clock.Kind
U = Clock.Unit

SOURCE_ONLINE_INQUIRY = _("Online-inquiry implementation plan (网络问政工作实施方案): the four steps of replying")
SOURCE_SUGGESTIONS = _("Public-suggestion campaign plan (公众建言活动方案)")
SOURCE_DISCLOSURE = _(
    "Regulations of the PRC on Open Government Information (政府信息公开条例), art. 33: "
    "20 working days, extendable by at most 20 with approval; third-party consultation not counted"
)


@dataclass(frozen=True)
class Policy:
    code: str
    area: str
    kind: str
    unit: str
    amount: int
    label: Promise
    source: Promise
    # None: extensions have no statutory cap (the clerk decides, with a reason).
    max_extension_days: int | None = None
    pausable: bool = False
    # Policies of the same subject this one may be reclassified to (recomputed from the start).
    reclassify_to: tuple[str, ...] = ()

    @property
    def extendable(self) -> bool:
        return self.unit == U.WORKING_DAYS


_DEFAULTS = (
    Policy(
        "petition.acknowledge",
        A.PETITION,
        K.ACKNOWLEDGE,
        U.HOURS,
        24,
        _("Petition: acknowledge within 24 hours"),
        SOURCE_ONLINE_INQUIRY,
    ),
    Policy(
        "petition.reply.ordinary",
        A.PETITION,
        K.REPLY,
        U.WORKING_DAYS,
        7,
        _("Petition: reply to an ordinary matter within 7 working days"),
        SOURCE_ONLINE_INQUIRY,
        reclassify_to=("petition.reply.complex",),
    ),
    Policy(
        "petition.reply.complex",
        A.PETITION,
        K.REPLY,
        U.WORKING_DAYS,
        15,
        _("Petition: reply to a complex or multi-department matter within 15 working days"),
        SOURCE_ONLINE_INQUIRY,
        reclassify_to=("petition.reply.ordinary",),
    ),
    Policy(
        "petition.reply.reexamine",
        A.PETITION,
        K.REPLY,
        U.WORKING_DAYS,
        7,
        _("Petition: re-examine after an unsatisfied rating within 7 working days"),
        SOURCE_ONLINE_INQUIRY,
    ),
    Policy(
        "suggestion.moderate",
        A.SUGGESTION,
        K.MODERATE,
        U.HOURS,
        24,
        _("Suggestion: moderation decision within 24 hours"),
        SOURCE_SUGGESTIONS,
    ),
    Policy(
        "suggestion.respond.single",
        A.SUGGESTION,
        K.RESPOND,
        U.WORKING_DAYS,
        7,
        _("Suggestion: department response within 7 working days"),
        SOURCE_SUGGESTIONS,
        reclassify_to=("suggestion.respond.multiple",),
    ),
    Policy(
        "suggestion.respond.multiple",
        A.SUGGESTION,
        K.RESPOND,
        U.WORKING_DAYS,
        15,
        _("Suggestion: response from several departments within 15 working days"),
        SOURCE_SUGGESTIONS,
        reclassify_to=("suggestion.respond.single",),
    ),
    Policy(
        "disclosure.reply",
        A.DISCLOSURE,
        K.REPLY,
        U.WORKING_DAYS,
        20,
        _("Disclosure application: reply within 20 working days of a complete application"),
        SOURCE_DISCLOSURE,
        max_extension_days=20,
        pausable=True,
    ),
)


def _build() -> dict[str, Policy]:
    policies = {policy.code: policy for policy in _DEFAULTS}
    for code, changes in (settings.CLOCK_POLICY_OVERRIDES or {}).items():
        if code not in policies:
            raise ValueError(f"CLOCK_POLICY_OVERRIDES names unknown policy {code!r}")
        allowed = {key: changes[key] for key in ("amount", "max_extension_days") if key in changes}
        policies[code] = replace(policies[code], **allowed)
    return policies


def all_policies() -> dict[str, Policy]:
    return _build()


def get_policy(code: str) -> Policy:
    try:
        return _build()[code]
    except KeyError:
        raise DomainError(_("There is no deadline policy called %(code)s.") % {"code": code}) from None
