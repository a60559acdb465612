"""Account services: citizen registration."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.models import User
from portal.notifications import email_enqueue


@transaction.atomic
def citizen_register(
    *, username: str, email: str, password: str, mobile: str = "", language: str = "zh-hans"
) -> User | None:
    """Create a citizen account (self-registration on the public site), or tell why not by e-mail.

    The page that follows says the same whatever happened, as the password reset does, so that
    no one learns from it which usernames and e-mail addresses are registered; what happened goes
    by e-mail (the outbox) to the address concerned:

    * the address belongs to an account already: its owner is told someone tried to register with
      it, and how to log in or reset the password (at most once a day per account);
    * the username is taken: the address given is told to choose another;
    * otherwise the account is created, and the address given is told it is ready.

    Returns the new user, or None when nothing was created. Each way hashes the password once, so
    the answer takes as long whichever it is.
    """
    today = timezone.localdate().isoformat()
    owner = User.objects.filter(email__iexact=email).order_by("pk").first()
    if owner is not None:
        make_password(password)
        email_enqueue(
            to=owner.email,
            template="emails/account_exists",
            context={"username": owner.username, "url": _site_url("login"), "reset_url": _site_url("password_reset")},
            language=owner.language,
            dedupe_key=f"account-exists:{owner.pk}:{today}",
        )
        return None
    if User.objects.filter(username__iexact=username).exists():
        make_password(password)
        _tell_username_taken(username=username, email=email, language=language, today=today)
        return None
    user = User(username=username, email=email, mobile=mobile, language=language)
    user.set_password(password)
    user._change_reason = "self-registration"
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same username, registered by another request a moment ago
        _tell_username_taken(username=username, email=email, language=language, today=today)
        return None
    user.groups.add(Group.objects.get(name=roles.CITIZEN))
    email_enqueue(
        to=email,
        template="emails/account_created",
        context={"username": username, "url": _site_url("login")},
        language=language,
    )
    return user


def _tell_username_taken(*, username: str, email: str, language: str, today: str) -> None:
    # At most one such e-mail a day per address and username, however often the form is sent.
    digest = hashlib.sha256(f"{email.lower()}|{username.lower()}".encode()).hexdigest()[:40]
    email_enqueue(
        to=email,
        template="emails/account_username_taken",
        context={"username": username, "url": _site_url("register")},
        language=language,
        dedupe_key=f"username-taken:{digest}:{today}",
    )


def _site_url(name: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name)}"
