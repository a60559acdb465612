"""Builders for the staff-side petition tests (admin, workflow, services, record).

Tickets are brought into each state through the real services, so a test starts from exactly
what production would hold (clocks, events, history). The names are distinct from the shared
factories in tests/petitions/factories.py on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from petitions import policies, services
from petitions.models import Category, Petition
from portal.models import Clock, Department, User
from tests.factories import DepartmentFactory, citizen, clerk, staff_of

S = Petition.State
STATES = [state.value for state in S]


@dataclass
class Staffside:
    lead: Department  # the lead department (承办单位) of the tickets built here
    co: Department  # a co-handling department (会办单位)
    other: Department  # a department with nothing to do with the tickets
    staff_lead: User
    staff_co: User
    staff_other: User
    clerk: User
    citizen: User
    category: Category

    def actor_for(self, by: str) -> User | None:
        return {
            "office": self.clerk,
            "lead": self.staff_lead,
            "co": self.staff_co,
            "involved": self.clerk,
            "citizen": self.citizen,
            "system": None,
        }[by]


def build_staffside() -> Staffside:
    lead = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    co = DepartmentFactory(name="自然资源局", code="ZRZYJ")
    other = DepartmentFactory(name="教育局", code="JYJ")
    category, _ = Category.objects.get_or_create(name="城乡建设", defaults={"name_en": "Urban construction"})
    return Staffside(
        lead=lead,
        co=co,
        other=other,
        staff_lead=staff_of(lead, "staff_lead"),
        staff_co=staff_of(co, "staff_co"),
        staff_other=staff_of(other, "staff_other"),
        clerk=clerk("clerk_office"),
        citizen=citizen("citizen_zhang", first_name="三", last_name="张"),
        category=category,
    )


def submit(side: Staffside, **overrides) -> Petition:
    fields = {
        "citizen": side.citizen,
        "kind": Petition.Kind.COMPLAINT,
        "category": side.category,
        "title": "小区路灯损坏",
        "content": "幸福小区三号楼门前的路灯已经坏了两个月,晚上出行很不方便。",
        "contact_name": "张三",
        "contact_mobile": "13812345678",
        "contact_email": "",
        "publish_consent": True,
    }
    petition, _code = services.petition_submit(**(fields | overrides))
    return petition


def petition_in(side: Staffside, state: str, *, co: bool = True, **overrides) -> Petition:
    """A ticket brought into `state` through the services (co-handled by `side.co` unless co=False)."""
    petition = submit(side, **overrides)
    if state == S.SUBMITTED:
        return petition
    services.petition_assign(
        petition=petition,
        actor=side.clerk,
        lead_department=side.lead,
        co_departments=[side.co] if co else [],
    )
    if state == S.RETURNED:
        services.petition_return(petition=petition, actor=side.staff_lead, reason="不属于本单位职责")
    elif state != S.ASSIGNED:
        services.petition_accept(petition=petition, actor=side.staff_lead)
        if state != S.ACCEPTED:
            services.petition_reply(petition=petition, actor=side.staff_lead, body="路灯已于本周修复。")
            if state == S.REEXAMINING:
                services.petition_rate(petition=petition, rating=Petition.Rating.UNSATISFIED)
            elif state == S.CLOSED:
                services.petition_close(petition=petition, actor=side.clerk, reason="已答复")
    petition.refresh_from_db()
    assert petition.state == state
    return petition


def open_clock(petition: Petition, kind: str = policies.REPLY) -> Clock | None:
    return Clock.objects.for_subject(petition).open().filter(kind=kind).first()


def grant(user: User, *codenames: str) -> User:
    """Give `user` extra permissions ("app.codename") and forget the cached ones."""
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)
