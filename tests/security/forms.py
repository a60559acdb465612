"""Every public form, declared once, so tests/security/test_bad_input.py attacks each of them.

The portal's are here; a domain app's are in `PUBLIC_FORMS` of its tests/<app_label>/security.py.
A new form is one entry, e.g. (the petitions app):

    PUBLIC_FORMS["petitions:new"] = PublicForm(
        valid=lambda w: {"title": "路灯不亮", "content": "...", "category": w.extras["petitions"]["category"].pk},
        fields={"title": ("title",), "content": ("content",)},
        echoed={"title", "content"},
        signed_in_as=CITIZEN,
        accepted=lambda w, data: Petition.objects.get(title=data["title"].strip()),
        files=("attachments",),  # each sent every hostile upload
    )
"""

from __future__ import annotations

from django.contrib.auth.models import Group

from portal import roles
from portal.models import User
from tests.factories import PASSWORD
from tests.security.declarations import PublicForm
from tests.security.discovery import declared
from tests.security.world import World

GOOD_PASSWORD = "Zq8!pLm2#vR4-minsheng"


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


# Every installed domain app's (tests/<app_label>/security.py PUBLIC_FORMS).
PUBLIC_FORMS = declared("PUBLIC_FORMS", PUBLIC_FORMS)
