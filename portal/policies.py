"""Deadline policies: how long each kind of work may take, and where that rule comes from.

Each domain app declares its own policies on its AppConfig (`deadline_policies`, see
portal.registry), each with the rule's source; portal names none. settings.CLOCK_POLICY_OVERRIDES
may change `amount` or `max_extension_days` per policy code (e.g. a city that promises 5 working
days for ordinary petitions); an override naming no declared policy is a start-up error
(portal.E308), not a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal import registry
from portal.exceptions import DomainError

# The values of portal.models.Clock.Unit, here so that an AppConfig can declare its policies
# without importing models before the app registry is ready. HOURS and WORKING_DAYS count `amount`
# from the start; DATE is due at the end of a date given when the clock starts (a milestone's
# planned date: `clock_start(..., due_on=date)`), so its policy's `amount` is not used.
HOURS = "hours"
WORKING_DAYS = "working_days"
DATE = "date"


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
        """Extensions are working days: added to a working-day count, or counted on from a date."""
        return self.unit in (WORKING_DAYS, DATE)

    @property
    def by_date(self) -> bool:
        """Due at the end of a date given at the start, not after an amount of time."""
        return self.unit == DATE


def _build() -> dict[str, Policy]:
    policies = {policy.code: policy for policy in registry.deadline_policies()}
    for code, changes in (settings.CLOCK_POLICY_OVERRIDES or {}).items():
        if code not in policies:
            continue  # reported at start-up by portal.registry's check (portal.E308)
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
