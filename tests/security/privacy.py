"""Personal data seeded for the privacy crawler (tests/security/test_privacy.py).

Each seeder creates records holding known personal data and returns the secret strings that
must never appear on a page anyone but their owner and the staff can open. The portal's is here;
a domain app lists its own in `PRIVACY_SEEDERS` of its tests/<app_label>/security.py, writing the
data in the shapes below (a name, a mobile, an ID number, an e-mail, an address, and the ways
people type them, TYPED_VARIANTS), e.g.

    def seed_suggestions(world) -> list[str]:
        SuggestionFactory(author=world.owner, body=f"我是{NAME_FAMILY}{NAME_GIVEN},电话{MOBILE}")
        return [f"{NAME_FAMILY}{NAME_GIVEN}", MOBILE]

and names in `public_pages(world)` the pages showing its records, for the crawler to start from.

The crawler also looks for each secret URL-encoded, JSON-escaped and HTML-escaped, and in the
page folded the way portal.masking folds text (NFKC: full-width digits, ＠, Ｘ) with the separators
between digits dropped, so a number secret is found however it is written (136.2345.6789,
１３７ １２３４ ５６７８, 110105 19491231 0036).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from django.utils.html import escape

from portal.models import Notice, OutboundEmail
from tests.factories import citizen
from tests.security.discovery import declared_by_app
from tests.security.world import World

# Personal data in the shapes it takes in China.
NAME_FAMILY, NAME_GIVEN = "欧阳", "秘密"
MOBILE = "13812345678"
ID_NUMBER = "11010519491231002X"  # 18-digit resident identity number, with its check character
EMAIL = "ouyang.mimi@example.com"
ADDRESS = "北京市朝阳区建国路88号3单元501室"
USERNAME = "ouyang_secret_88"


def seed_citizen_accounts(world: World) -> list[str]:
    """A citizen with a name, mobile and e-mail; a notice and an e-mail about her, holding her ID and address."""
    person = citizen(USERNAME, first_name=NAME_GIVEN, last_name=NAME_FAMILY, email=EMAIL, mobile=MOBILE)
    Notice.objects.create(
        recipient=person,
        kind="clock_overdue",
        context={"reference": ID_NUMBER, "title": ADDRESS},
    )
    OutboundEmail.objects.create(
        to=EMAIL,
        template="clock_overdue",
        subject=f"{NAME_FAMILY}{NAME_GIVEN} {ID_NUMBER}",
        context={"address": ADDRESS, "mobile": MOBILE},
        next_attempt_at=person.date_joined,
    )
    return [f"{NAME_FAMILY}{NAME_GIVEN}", f"{NAME_GIVEN} {NAME_FAMILY}", MOBILE, ID_NUMBER, EMAIL, ADDRESS, USERNAME]


# The forms people type personal data in (issue 12, item 8), each with the secret it must not
# leak: the raw digits (or the text) that no public page may show, however folded. Apps seed them
# into every text a citizen writes (petitions: tests/petitions/security.py seed_typed_variants).
TYPED_VARIANTS = {
    "１３７１２３４５６７８": "13712345678",  # full-width digits
    "136.2345.6789": "13623456789",  # dots
    "135  2345  6789": "13523456789",  # double spaces
    "+86 139－8765－4321": "13987654321",  # country code, full-width hyphens
    "３３０１０６１９８５０３１７１０１Ｘ": "33010619850317101X",  # full-width ID number with Ｘ
    "110105 19491231 0036": "110105194912310036",  # ID written in groups (a typo in its check character)
    "wangxm＠example．com": "wangxm@example.com",  # full-width at sign and dot
    "０１０－８８８８６６６６": "01088886666",  # full-width landline
    "(0571) 8765 4321转806": "057187654321",  # landline in parentheses, with an extension
    "6222 0212 3456 7890 003": "6222021234567890003",  # bank card in groups of four
    "QQ：3141592653": "3141592653",
    "微信号: wxid_ouyang88": "wxid_ouyang88",
    "车牌浙A·D73519": "D73519",
    "文三路88号3栋2单元501室": "88号3栋2单元501室",
}


def seeders() -> list[Callable[[World], list[str]]]:
    """The portal's seeder, then every installed app's PRIVACY_SEEDERS (tests/<app_label>/security.py)."""
    return [seed_citizen_accounts, *(seed for _label, seeds in declared_by_app("PRIVACY_SEEDERS") for seed in seeds)]


def crawl_starts(world: World) -> list[str]:
    """Where the crawler starts besides the home page and the parameterless URLs: every installed
    app's `public_pages(world)` (called once the seeders have run)."""
    return [path for _label, pages in declared_by_app("public_pages") for path in pages(world)]


def disguises(secret: str) -> set[str]:
    """The forms a secret may take in a page or a header."""
    forms = {
        secret,
        escape(secret),
        quote(secret),
        quote_plus(secret),
        quote(secret, safe=""),
        json.dumps(secret)[1:-1],  # \\uXXXX for non-ASCII
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    if re.fullmatch(r"1[3-9]\d{9}", secret):
        forms |= {f"{secret[:3]} {secret[3:7]} {secret[7:]}", f"{secret[:3]}-{secret[3:7]}-{secret[7:]}"}
    if "@" in secret:
        forms |= {secret.upper(), secret.replace("@", "&#64;"), secret.replace("@", "%40")}
    return {form for form in forms if form}


# Between two digits: what people (and portal.masking) take for a separator within one number.
_DIGIT_SEPARATORS = re.compile(r"(?<=[0-9])[\s.\-·()\u2010-\u2015\u2212]{1,3}(?=[0-9Xx])")
_NUMBER_SECRET = re.compile(r"[0-9]{5,}[0-9Xx]?")


def find_secrets(text: str, secrets: list[str]) -> list[str]:
    found = []
    folded = text.casefold()
    normalised = unicodedata.normalize("NFKC", text).casefold()
    compact = _DIGIT_SEPARATORS.sub("", normalised)
    for secret in secrets:
        for form in disguises(secret):
            if form.casefold() in folded or form.casefold() in normalised:
                found.append(f"{secret!r} as {form!r}")
                break
        else:
            if _NUMBER_SECRET.fullmatch(secret) and secret.casefold() in compact:
                found.append(f"{secret!r} written with separators or in full width")
    return found
