"""Account services: citizen registration."""

from django.contrib.auth.models import Group
from django.db import transaction

from portal import roles
from portal.models import User


@transaction.atomic
def citizen_register(*, username: str, email: str, password: str, mobile: str = "", language: str = "zh-hans") -> User:
    """Create a citizen account (self-registration on the public site)."""
    user = User(username=username, email=email, mobile=mobile, language=language)
    user.set_password(password)
    user._change_reason = "self-registration"
    user.save()
    user.groups.add(Group.objects.get(name=roles.CITIZEN))
    return user
