"""The throwaway app's security declarations: all the harness (tests/security/) needs to put its
admin, its action pages and its records through the access matrix, the workflow-action refusals,
the bad-input probes and the privacy crawler. Nothing about errands is written in tests/security/:
this module, found by the app's label, is the whole of it (tests/security/discovery.py)."""

from __future__ import annotations

from tests.security.declarations import DEPARTMENT, FORBIDDEN, AdminModel, WorkflowActors, admin_page
from tests.security.privacy import EMAIL, ID_NUMBER, MOBILE, NAME_FAMILY, NAME_GIVEN, TYPED_VARIANTS
from tests.security.world import CLERK, NOT_STAFF, ROLES, STAFF, SUPERUSER, World
from tests.throwaway.models import Errand
from tests.throwaway.services import errand_create


def _errand(w: World) -> Errand:
    return errand_create(title="修路灯", department=w.department)


# Its admin (department-scoped, no adding or deleting: errand_create starts the clock), and the
# action page of portal.admin_actions: "finish" is the lead department's, its staff's (and the
# superuser's: portal.workflow's rule has it act in every staff role).
ADMIN_MODELS = {"throwaway.errand": AdminModel(obj=_errand, scope=DEPARTMENT, add=False, delete=False)}
URLS = {
    "admin:throwaway_errand_act": admin_page(
        kwargs=lambda w: {"object_id": _errand(w).pk, "action": "finish"},
        **{role: FORBIDDEN for role in ROLES if role not in NOT_STAFF and role not in (STAFF, SUPERUSER)},
    ),
}

# Who may take each of ErrandAdmin.workflow_actions (tests/throwaway/workflow.py): "finish" needs the
# lead department (a membership, or the superuser, who acts in every staff role), "drop" the office and its
# permission.
WORKFLOW_ACTORS = {
    "throwaway.errand": WorkflowActors(
        actors={"finish": frozenset({STAFF, SUPERUSER}), "drop": frozenset({CLERK, SUPERUSER})},
        record=lambda w: errand_create(title="和平路井盖缺失", department=w.department),
        secrets=lambda w, errand: [errand.title, w.department.name],
        state=lambda errand: (errand.state, errand.history.count()),
        data=lambda w: {"note": "请尽快办理。"},
    ),
}


def seed_errands(world: World) -> list[str]:
    """Errands whose titles hold a citizen's name, mobile (full-width and spaced), ID number and
    e-mail: the app has no public page, so none of it may show anywhere the crawler goes."""
    typed = list(TYPED_VARIANTS)[:3]  # full-width, dotted and spaced mobiles
    for text in (f"{NAME_FAMILY}{NAME_GIVEN} {MOBILE} {ID_NUMBER}", f"{EMAIL} {' '.join(typed)}"):
        errand_create(title=text, department=world.department)
    return [f"{NAME_FAMILY}{NAME_GIVEN}", MOBILE, ID_NUMBER, EMAIL, *(TYPED_VARIANTS[t] for t in typed)]


PRIVACY_SEEDERS = [seed_errands]
