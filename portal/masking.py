"""Masking personal data in text that is about to be published (脱敏).

Citizens write their phone number, ID number or name into the body of a ticket more often than
not. Before any text reaches a public page it passes through `mask_personal_data`; staff may then
edit the public version by hand, and the original stays private. The patterns err on the side of
masking: a long digit run that looks like a phone or ID number is masked even if it was not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "*"

# Mainland ID card numbers: 18 characters (17 digits + digit or X) and the older 15-digit form.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{6})(\d{3})([0-9Xx]?)(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally with +86/0086 and spaces or hyphens in the usual places.
MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
# Landlines with an area code: 010-12345678, 0571-8888888, (021)12345678.
LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}-)\s?(\d{3,4})(\d{4})(?!\d)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
CJK = re.compile(r"[\u3400-\u9fff]")


def _mask_id(match: re.Match) -> str:
    region, birth, serial, check = match.groups()
    if len(birth) == 6 and not check and len(serial) == 3:
        pass  # 15-digit form
    elif len(birth) != 8 or not check:
        return match.group(0)
    return region[:3] + MASK * (len(match.group(0)) - 5) + (serial + check)[-2:]


def _mask_mobile(match: re.Match) -> str:
    head, _middle, tail = match.groups()
    return f"{head}{MASK * 4}{tail}"


def _mask_landline(match: re.Match) -> str:
    return match.group(0)[: -len(match.group(1)) - len(match.group(2))] + MASK * len(match.group(1)) + match.group(2)


def _mask_email(match: re.Match) -> str:
    first, domain = match.groups()
    return f"{first}{MASK * 3}@{domain}"


def masked_name(name: str) -> str:
    """张三 → 张某, 欧阳娜娜 → 欧阳某 (two-character surnames kept when the name has four), Li Lei → L***."""
    name = name.strip()
    if CJK.match(name):
        surname = name[:2] if len(name) >= 4 else name[:1]
        return f"{surname}某"
    return f"{name[:1]}{MASK * 3}" if name else name


def mask_personal_data(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with ID numbers, mobile and landline numbers, e-mail addresses and the given names masked."""
    if not text:
        return text
    text = ID_NUMBER.sub(_mask_id, text)
    text = MOBILE.sub(_mask_mobile, text)
    text = LANDLINE.sub(_mask_landline, text)
    text = EMAIL.sub(_mask_email, text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = re.sub(re.escape(name), masked_name(name), text, flags=re.IGNORECASE)
    return text
