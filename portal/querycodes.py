"""Query codes: the short secret a citizen keeps with a reference number to follow a record
without an account (a ticket's slip, later an application's). Only a keyed digest is stored, so
a database leak reveals no one's code; each app passes its own `salt`, so a digest of one app
never matches in another.
"""

from __future__ import annotations

import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

# Query codes avoid characters people confuse when copying from paper (0/O, 1/I/L).
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 8


def query_code_new(*, length: int = QUERY_CODE_LENGTH) -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(length))


def query_code_digest(code: str, *, salt: str) -> str:
    """The keyed digest stored instead of the code (case and surrounding spaces do not matter)."""
    return salted_hmac(salt, code.strip().upper(), algorithm="sha256").hexdigest()


def query_code_matches(digest: str, code: str, *, salt: str) -> bool:
    return bool(code) and constant_time_compare(digest, query_code_digest(code, salt=salt))
