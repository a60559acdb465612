"""Every public form, declared once, so tests/security/test_bad_input.py attacks each of them.

A new form is one entry, e.g. (the petitions app):

    PUBLIC_FORMS["petitions:submit"] = PublicForm(
        valid=lambda w: {"title": "路灯不亮", "body": "...", "department": w.department.pk},
        fields={"title": ("title",), "body": ("body",)},
        echoed={"title", "body"},
        signed_in_as=CITIZEN,
        accepted=lambda w, data: Petition.objects.get(title=data["title"].strip()),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from portal import roles
from portal.models import User
from tests.factories import PASSWORD
from tests.security.world import World

GOOD_PASSWORD = "Zq8!pLm2#vR4-minsheng"


@dataclass(frozen=True)
class PublicForm:
    valid: Callable[[World], dict]  # data the form accepts as it is
    fields: dict[str, tuple[str, ...]]  # what to attack -> the keys it fills (a password and its repetition)
    echoed: set[str] = field(default_factory=set)  # attacked fields shown back in the form on an error
    url_kwargs: Callable[[World], dict] | None = None
    signed_in_as: str | None = None  # a role of tests.security.world, or None for anonymous
    # Called after an accepted submission: check that what was stored is whole (raise if not).
    accepted: Callable[[World, dict], object] | None = None


def _citizen_registered_whole(world: World, data: dict) -> None:
    user = User.objects.get(email__iexact=data["email"].strip())
    assert user.groups.filter(name=roles.CITIZEN).exists(), "a citizen was created without the Citizen role"
    assert Group.objects.filter(name=roles.CITIZEN).exists()


PUBLIC_FORMS: dict[str, PublicForm] = {
    "register": PublicForm(
        valid=lambda w: {
            "username": "newcitizen",
            "email": "newcitizen@example.com",
            "mobile": "13900001111",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
        fields={
            "username": ("username",),
            "email": ("email",),
            "mobile": ("mobile",),
            "password": ("password1", "password2"),
        },
        echoed={"username", "email", "mobile"},
        accepted=_citizen_registered_whole,
    ),
    "login": PublicForm(
        valid=lambda w: {"username": w.owner.username, "password": PASSWORD},
        fields={"username": ("username",), "password": ("password",)},
        echoed={"username"},
    ),
    "password_reset": PublicForm(
        valid=lambda w: {"email": w.owner.email},
        fields={"email": ("email",)},
        echoed={"email"},
    ),
}


def _petition_stored_whole(world: World, data: dict) -> None:
    from petitions.models import Petition
    from portal.models import Clock

    petition = Petition.objects.filter(citizen=world.owner).latest("received_at")
    assert Clock.objects.for_subject(petition).count() == 2, "a ticket was stored without its two clocks"
    assert petition.events.filter(action="received").count() == 1


PUBLIC_FORMS["petitions:new"] = PublicForm(
    valid=lambda w: {
        "kind": "complaint",
        "category": w.extras["category"].pk,
        "title": "小区门口道路积水",
        "content": "每逢下雨积水严重,行人无法通行。",
        "location": "幸福小区",
        "contact_name": "王芳",
        "contact_mobile": "13900001111",
        "contact_email": "wangfang@example.com",
    },
    fields={
        "title": ("title",),
        "content": ("content",),
        "location": ("location",),
        "contact_name": ("contact_name",),
        "contact_mobile": ("contact_mobile",),
        "contact_email": ("contact_email",),
    },
    echoed={"title", "content", "location", "contact_name", "contact_mobile", "contact_email"},
    signed_in_as="citizen",
    accepted=_petition_stored_whole,
)
PUBLIC_FORMS["petitions:track"] = PublicForm(
    valid=lambda w: {"reference": w.extras["petition"].reference, "query_code": w.extras["query_code"]},
    fields={"reference": ("reference",), "query_code": ("query_code",)},
    echoed={"reference"},
)
