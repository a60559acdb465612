"""Masking personal data in text that is about to be published (脱敏).

Citizens write their phone number, ID number or name into the body of a ticket more often than
not, and they write them the way people type: full-width digits from a Chinese input method
(１３８１２３４５６７８), dots and double spaces between groups, ＠ for @, Ｘ for X. Before any
text reaches a public page it passes through `mask_personal_data`; staff may then edit the public
version by hand, and the original stays private. The public pages mask again when they render,
so text published under older rules is covered too (masking is idempotent).

How: the rules match on a normalised copy of the text (NFKC of every character whose NFKC form
holds something the rules look at: full-width digits, letters, ＠, －, （）, ideographic space,
①, ⑴…; plus the dashes and middle dots NFKC leaves alone), which keeps an index from each of its
characters back to the original one. The masks are mapped back and replace those characters of
the original, so the rest of the text keeps its own widths and punctuation.

The rules, in order (a later rule never touches what an earlier one masked):
* e-mail addresses, also written with ＠, `#`, `(at)`/`[at]`: the local part becomes its first
  character + ***;
* labelled QQ and WeChat accounts (QQ：12345678, 微信号: wxid_…, VX, wx, V信): first character + ***;
  bare `wxid_…` too;
* numbers written as digit groups with any separators (spaces, dots, hyphens, dashes, middle dots,
  parentheses; at most three between groups), classified on their digits:
  18-character ID numbers (province code, valid birth date, ISO 7064 mod 11-2 check character,
  X/x) and 15-digit legacy ones (province code, valid date) keep their first 3 and last 2
  characters; an 18-character one with a wrong check character is masked too when written in
  the ID's own groups (110105 19491231 0036: a typo still identifies the person); bank cards
  (16-19 digits passing Luhn) keep their first and last 4; mobiles (1[3-9] + 9 digits, also after
  86/+86/0086) hide digits 4-7; landlines with an area code (0 + 2-3 digits, parentheses or not;
  a 7-8 digit local number) keep the area code and the last 4 digits, an extension (转123, -123)
  stays. After 身份证/证件 or 卡号/账号/银行卡 a number of the right length is masked whatever
  its check; then a labelled local number without area code (电话：88886666) keeps its last 4;
* licence plates (京A12345, 粤B·D12345): the part after the province and city letter;
* the detailed part of an address becomes ***: a house number after a street or compound word
  (建国路88号…, 幸福小区12栋…) with the buildings, units and rooms after it, and buildings, units
  and rooms on their own (3栋2单元501室, 5号楼, 1203室). The street, district and city stay;
* the given names (the citizen's), longest first: 张三 → 张某.

Not personal, so never masked: dates, times, amounts, years, percentages, postcodes, hotlines
such as 12345, article numbers, document numbers (浙政发〔2026〕12号), tracking numbers
(WZ-20261129-0001) and index numbers 索引号 (11330100MB1234567X/2026-00012: an organisation's
unified social credit code is public by law, and it holds letters, which no personal number here
does).

Speed: patterns are compiled once and start with a plain character class, so the engine skips
quickly to where a match may start; no pattern nests unbounded repetitions, so a failed attempt
costs time linear in what it looked at. A 2,000-character text takes a fraction of a millisecond.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date

MASK = "*"
HIDDEN = MASK * 3  # replaces a part whose length should not show (an e-mail's local part)

CJK = re.compile(r"[\u3400-\u9fff]")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ASCII_ALNUM = _ASCII_LETTERS | frozenset("0123456789")


# --- the normalised copy -----------------------------------------------------------------------

# NFKC leaves these alone, yet people type them between the digits of a phone number.
_EXTRA_FOLDS = {
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"),
    **dict.fromkeys("\u00b7\u2022\u2027\u30fb\u2219\uff65", "·"),
}
# What the rules look at. Full-width ，。！？ fold to nothing they need, and folding them would
# cost time on every Chinese sentence.
_RELEVANT = _ASCII_ALNUM | frozenset(" @#.-()[]{}:=_%+/·")
# The blocks where NFKC changes characters people type: Latin-1 (NBSP, ², ¼), modifier letters,
# punctuation, super/subscripts, letterlike and number forms, enclosed (①, ⑴, ⒈), CJK symbols
# (ideographic space), small, full- and half-width forms (１３８, ＠, Ｘ, －), mathematical digits
# and letters, enclosed supplement.
_FOLD_BLOCKS = (
    (0x00A0, 0x024F),
    (0x02B0, 0x02FF),
    (0x2000, 0x33FF),
    (0xFE10, 0xFE6F),
    (0xFF00, 0xFFEF),
    (0x1D400, 0x1D7FF),
    (0x1F100, 0x1F1FF),
)


def _fold_table() -> dict[str, str]:
    table = {}
    for low, high in _FOLD_BLOCKS:
        for code in range(low, high + 1):
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char)
            # Never empty: NFKC maps no single character to nothing.
            if folded != char and not _RELEVANT.isdisjoint(folded):
                table[char] = folded
    return table | _EXTRA_FOLDS


def _character_class(chars: Iterable[str]) -> re.Pattern:
    """One class of ranges (the engine tests a class of BMP ranges with a bitmap: fast)."""
    ranges: list[list[int]] = []
    for code in sorted(map(ord, chars)):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges) + "]")


_FOLDS = _fold_table()
# Apart: a class holding any character beyond the BMP is tested range by range, 20 times slower.
_FOLDABLE = _character_class(char for char in _FOLDS if char <= "\uffff")
_FOLDABLE_ASTRAL = _character_class(char for char in _FOLDS if char > "\uffff")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _fold(match: re.Match) -> str:
    return _FOLDS[match.group()]


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """(the normalised copy, the original index of each of its characters, or None if the same)."""
    if text.isascii():
        return text, None
    folded = _FOLDABLE.sub(_fold, text)
    if _ASTRAL.search(text):
        folded = _FOLDABLE_ASTRAL.sub(_fold, folded)
    if len(folded) == len(text):  # every character became one character: positions unchanged
        return folded, None
    pieces, index = [], []
    for position, char in enumerate(text):
        piece = _FOLDS.get(char, char)
        pieces.append(piece)
        index.extend([position] * len(piece))
    return "".join(pieces), index


class _Masks:
    """The replacements found so far, on the normalised copy, and the characters they claimed."""

    def __init__(self, normalised: str):
        self.text = normalised
        self.taken = bytearray(len(normalised))
        self.spans: list[tuple[int, int, str]] = []

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def claim(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def replace(self, start: int, end: int, replacement: str) -> None:
        self.spans.append((start, end, replacement))
        self.claim(start, end)

    def hide(self, positions: Iterable[int]) -> None:
        """Each character at `positions` becomes one MASK (the separators around them stay)."""
        for position in positions:
            self.replace(position, position + 1, MASK)

    def keep_first(self, start: int, end: int) -> None:
        """The first character stays, the rest becomes HIDDEN (its length does not show)."""
        if self.free(start, end):
            self.replace(start + 1, end, HIDDEN)
            self.claim(start, start + 1)

    def apply(self, original: str, index: list[int] | None) -> str:
        if not self.spans:
            return original
        pieces, cursor = [], 0
        for start, end, replacement in sorted(self.spans):
            if index is not None:
                start, end = index[start], index[end - 1] + 1
            if start < cursor:  # two normalised characters from one original one: already replaced
                continue
            pieces += [original[cursor:start], replacement]
            cursor = end
        pieces.append(original[cursor:])
        return "".join(pieces)


def _anchored(anchor: re.Pattern, pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    """Matches of `pattern` starting where `anchor` (a cheap class search) matches, without
    overlapping: faster than `pattern.finditer` when what starts a match is rare in the text."""
    position = 0
    for found in anchor.finditer(text):
        if found.start() >= position:
            match = pattern.match(text, found.start())
            if match:
                position = match.end()
                yield match


# --- checks on digits ----------------------------------------------------------------------------

# First two digits of a resident ID number: the province (GB/T 2260); 71 Taiwan, 81 Hong Kong,
# 82 Macao, 83 Taiwan residents' residence permits.
PROVINCE_CODES = frozenset(
    f"{code}" for code in (*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55))
) | frozenset(f"{code}" for code in (*range(61, 66), 71, 81, 82, 83))
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _id_shape(value: str) -> bool:
    """Province code and birth date right: 18 characters (17 digits, digit or X) or 15 digits."""
    value = value.upper()
    if value[:2] not in PROVINCE_CODES:
        return False
    if len(value) == 18 and value[:17].isdigit() and (value[17].isdigit() or value[17] == "X"):
        year = int(value[6:10])
        return 1900 <= year <= 2099 and _valid_date(year, int(value[10:12]), int(value[12:14]))
    if len(value) == 15 and value.isdigit():
        return _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    return False


def is_id_number(value: str) -> bool:
    """An 18-character resident ID number (GB 11643: ISO 7064 mod 11-2 check character) or the
    15-digit legacy one (no check character: a valid birth date)."""
    if not _id_shape(value):
        return False
    if len(value) == 15:
        return True
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def passes_luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mobile_start(digits: str) -> int | None:
    """Where the 11-digit mobile number starts in `digits` (after 86/0086), or None."""
    for prefix in ("", "86", "0086"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            rest = digits[len(prefix) :]
            if rest[0] == "1" and rest[1] in "3456789":
                return len(prefix)
    return None


# --- numbers written as digit groups --------------------------------------------------------------

# Digits and the separators people put between their groups. A chain is cut where more than three
# separators meet; a run of it may hold several numbers side by side.
_DIGIT_CHAIN = re.compile(r"[0-9][0-9 \t.\-·()]{9,}")  # shorter: a date, an amount, a year
_DIGIT_RUN = re.compile(r"[0-9]+")
_MAX_GAP = 3
_MIN_DIGITS, _MAX_DIGITS = 10, 19  # a landline with its area code … a bank card
# A label right before a number: mask it even if it fails its check (a mistyped ID is still an ID).
_LABEL_BEFORE = re.compile(
    r"(?:(?P<id>身份证|证件)|(?P<card>银行卡|卡号|账号|帐号|账户))(?:号码|号)?[ \t]*(?:[:=]|是|为)?[ \t]*$"
)
_AMOUNT_AFTER = re.compile(r"(?:\.[0-9]{1,2})?[ \t]?[元万亿块%]")

Group = tuple[int, int]  # (start, end) of one run of digits (with the ID's final X)


def _written_as_id(groups: list[Group]) -> bool:
    """Split where an ID number's parts meet: region (6) | birth date (8) | serial and check (4)."""
    boundaries, total = set(), 0
    for start, end in groups:
        total += end - start
        boundaries.add(total)
    return len(groups) > 1 and {6, 14} <= boundaries


def _landline_masks(text: str, groups: list[Group], digits: str, positions: list[int]) -> list[int] | None:
    """0571-88886666, (010)12345678, 02087654321, +86 571 8888 6666: the local number's digits
    but its last 4, or None if not a landline."""
    start, end = groups[0][0], groups[-1][1]
    if (start and text[start - 1] in _ASCII_LETTERS) or (end < len(text) and text[end] in _ASCII_LETTERS):
        return None  # part of a code such as AB-0571-88886666
    lengths = [stop - begin for begin, stop in groups]
    if digits[:2] == "86" and len(groups) > 2 and lengths[0] == 2 and lengths[1] in (2, 3):
        # The country code, then the area code without its 0, each written apart.
        skip, area, apart, rest = 2, lengths[1], True, lengths[2:]
    elif digits[0] == "0" and digits[1] != "0":
        apart = len(groups) > 1 and lengths[0] in (3, 4)
        skip, rest = 0, lengths[1:] if apart else lengths
        area = lengths[0] if apart else (3 if digits[1] in "12" else 4)  # 010 and 02x: 3 digits
    else:
        return None
    local = digits[skip + area :]
    # A local number never starts with 0, and with 1 only when it is written apart (test data).
    lowest = "1" if apart else "2"
    if 7 <= len(local) <= 8 and local[0] >= lowest and all(length >= 3 for length in rest):
        return positions[skip + area : -4]
    return None


def _number_masks(text: str, groups: list[Group], label: str | None) -> list[int] | None:
    """Positions to hide if `groups` (a window of a chain) is one personal number, else None."""
    positions = [p for start, end in groups for p in range(start, end)]
    digits = "".join(text[p] for p in positions)
    count = len(digits)
    if label == "id" and count in (15, 18) and digits[:-1].isdigit():
        return positions[3:-2]
    if label == "card" and 12 <= count <= _MAX_DIGITS and digits.isdigit():
        return positions[4:-4]
    if (groups[0][0] and text[groups[0][0] - 1] in "¥$") or _AMOUNT_AFTER.match(text, groups[-1][1]):
        return None  # an amount: ¥15000000000, 15000000000.00元
    if count in (15, 18) and is_id_number(digits):
        return positions[3:-2]
    if count == 18 and _written_as_id(groups) and _id_shape(digits):
        return positions[3:-2]
    if not digits.isdigit():
        return None
    if 16 <= count <= 19 and digits[0] in "345369" and passes_luhn(digits):
        return positions[4:-4]
    lengths = [end - start for start, end in groups]
    mobile = _mobile_start(digits)
    if mobile is not None:
        # Groups of three or more digits (136 2345 6789), or one digit each; never 172.16.138.125.
        core, prefix = list(lengths), mobile
        while prefix:  # the groups of the number itself, without its 86/0086
            taken = min(prefix, core[0])
            core[0] -= taken
            prefix -= taken
            if not core[0]:
                core.pop(0)
        if all(length >= 3 for length in core) or all(length == 1 for length in core):
            return positions[mobile + 3 : mobile + 7]
    if 10 <= count <= 13:
        return _landline_masks(text, groups, digits, positions)
    return None


def _longest_number(masks: _Masks, chain: list[Group], first: int, label: str | None):
    """(end, positions to hide) of the longest personal number starting at chain[first], or None.
    Longest first: 110105 19491231 0036 is one ID number, not a shorter number inside it."""
    last, count = first, 0
    while last < len(chain) and count + chain[last][1] - chain[last][0] <= _MAX_DIGITS:
        count += chain[last][1] - chain[last][0]
        last += 1
    for end in range(last, first, -1):
        if count < _MIN_DIGITS:
            return None
        window = chain[first:end]
        if masks.free(window[0][0], window[-1][1]):
            positions = _number_masks(masks.text, window, label)
            if positions is not None:
                return end, positions
        count -= window[-1][1] - window[-1][0]
    return None


def _mask_chain(masks: _Masks, chain: list[Group]) -> None:
    text = masks.text
    if sum(end - start for start, end in chain) < _MIN_DIGITS:
        return
    label_match = _LABEL_BEFORE.search(text, max(0, chain[0][0] - 12), chain[0][0])
    first = 0
    while first < len(chain):
        label = label_match.lastgroup if label_match and first == 0 else None
        found = _longest_number(masks, chain, first, label)
        if found is None:
            first += 1
        else:
            first, positions = found
            masks.hide(positions)


def _mask_numbers(masks: _Masks) -> None:
    text, size = masks.text, len(masks.text)
    for rough in _DIGIT_CHAIN.finditer(text):
        chain: list[Group] = [run.span() for run in _DIGIT_RUN.finditer(text, rough.start(), rough.end())]
        end = rough.end()
        if end < size and text[end] in "Xx" and text[end + 1 : end + 2] not in _ASCII_ALNUM:
            # The ID number's check character, right after the digits or after a separator.
            if chain[-1][1] == end:
                chain[-1] = (chain[-1][0], end + 1)
            elif end - chain[-1][1] <= _MAX_GAP:
                chain.append((end, end + 1))
        start = 0
        for index in range(1, len(chain) + 1):  # cut where more than _MAX_GAP separators meet
            if index == len(chain) or chain[index][0] - chain[index - 1][1] > _MAX_GAP:
                _mask_chain(masks, chain[start:index])
                start = index


# --- patterns on the normalised text -------------------------------------------------------------

_LOCAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_LOCAL_OR_PATH = _LOCAL_CHARS | {"/"}
_EMAIL_AT = re.compile(r"[ \t]*(?:@|#|[\[({][Aa][Tt][\])}])[ \t]*")
_EMAIL_AT_ANCHOR = re.compile(r"[@#\[({]")
_EMAIL_DOMAIN = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9\-]{0,62}(?:[.。][A-Za-z0-9\-]{1,63}){0,5}[.。][A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)
_WECHAT_ID = re.compile(r"[Ww][Xx][Ii][Dd]_(?P<value>[A-Za-z0-9_\-]{3,40})")
_LINK = r"(?:号码|账号|号|群)?[ \t]*(?:[:=]|是|为)?[ \t]*"
# QQ and WeChat accounts after their label.
_ACCOUNT = re.compile(
    r"(?:[Qq][Qq]|扣扣|企鹅号|微信|[Vv]信|薇信|威信|[Vv][Xx]|[Ww][Xx](?![Ii][Dd]_)|[Ww]eixin|[Ww]e[Cc]hat)"
    + _LINK
    + r"(?P<value>[A-Za-z0-9][A-Za-z0-9_\-]{4,39})(?![A-Za-z0-9_\-])"
)
_ACCOUNT_LABELS = ("qq", "扣扣", "企鹅号", "微信", "v信", "薇信", "威信", "vx", "wx", "weixin", "wechat")
_ACCOUNT_ANCHOR = re.compile(r"[QqVvWw扣企微薇威]")
_LOCAL_LANDLINE = re.compile(
    r"(?:电话|座机|固话|宅电|[Tt][Ee][Ll]|[Pp][Hh]one)"
    + _LINK
    + r"(?P<value>[2-9][0-9]{2,3}[ \-]?[0-9]{4})(?![0-9]|[ \t.\-·()]{1,3}[0-9])"  # not part of a longer number
)
_PHONE_LABELS = ("电话", "座机", "固话", "宅电", "tel", "phone")
_PHONE_ANCHOR = re.compile(r"[电座固宅TtPp]")
LICENCE_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][ ·\-]?"
    r"(?P<value>[A-HJ-NP-Z0-9]{5,6})(?![A-Za-z0-9])"
)
_ITEM = r"(?:[0-9]{1,5}|[A-Za-z]|[一二三四五六七八九十]{1,3})(?:号楼|号院|号|弄|栋|幢|座|单元|楼|层|室|户)"
# A house number, building, unit or room and what follows it: 88号3栋2单元501室, 5号楼1单元302, 88号3-2-501.
ADDRESS_DETAIL = re.compile(
    r"(?:[0-9]{1,5}(?:-[0-9]{1,5}){0,3}|[A-Za-z])(?P<marker>号楼|号院|号|弄|栋|幢|座|单元|楼|层|室|户)"
    rf"(?:[\-\s]?{_ITEM}|[\-\s]?[0-9]{{1,5}}(?:-[0-9]{{1,5}})+|-[0-9]{{1,5}})*"
    r"(?:(?<=[号栋幢座元])[0-9]{2,5}(?![0-9]))?"
)
_BUILDING_MARKERS = ("栋", "幢", "号楼", "单元")
_ADDRESS_ANCHOR = re.compile(r"[号弄栋幢座单楼层室户](?<=[0-9A-Za-z].)")  # right after a number or a letter
# The words a house number follows (they stay): 建国路88号, 幸福小区12栋, 国贸大厦12层.
STREET_WORDS = ("路", "街", "街道", "大道", "巷", "弄", "胡同", "村", "屯", "庄", "苑", "园", "小区", "公寓", "大厦",
                "广场", "社区", "新村", "山庄", "公馆")  # fmt: skip


def _mask_emails(masks: _Masks) -> None:
    text = masks.text
    for at in _EMAIL_AT_ANCHOR.finditer(text):
        sign = _EMAIL_AT.match(text, at.start())
        if sign is None:
            continue
        local_end = sign.start()
        while local_end > 0 and text[local_end - 1] in " \t":
            local_end -= 1
        local_start = local_end
        while local_start > local_end - 64 and local_start > 0 and text[local_start - 1] in _LOCAL_CHARS:
            local_start -= 1
        while local_start < local_end and text[local_start] not in _ASCII_ALNUM:
            local_start += 1
        if local_start == local_end or (local_start and text[local_start - 1] in _LOCAL_OR_PATH):
            continue  # nothing before the sign, or a path such as /page#part.html
        if _EMAIL_DOMAIN.match(text, sign.end()):
            masks.keep_first(local_start, local_end)


def _whole_word(text: str, start: int) -> bool:
    return not (start and text[start - 1] in _ASCII_LETTERS and text[start] in _ASCII_LETTERS)


def _address_details(text: str) -> Iterator[re.Match]:
    """ADDRESS_DETAIL's matches, found from their marker: the number before it is read backwards."""
    position = 0
    for marker in _ADDRESS_ANCHOR.finditer(text):
        start = marker.start()
        if start < position:
            continue
        while start > max(position, marker.start() - 23) and text[start - 1] in "0123456789-":
            start -= 1
        if start == marker.start() and start > position and text[start - 1] in _ASCII_LETTERS:
            start -= 1  # A栋
        while start < marker.start() and text[start] == "-":
            start += 1
        match = ADDRESS_DETAIL.match(text, start) if start < marker.start() else None
        if match:
            position = match.end()
            yield match


def _mask_addresses(masks: _Masks) -> None:
    text = masks.text
    for match in _address_details(text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        if before == "第" or before in _ASCII_ALNUM:
            continue  # 第3单元, or the tail of a longer number or code
        if not text.endswith(STREET_WORDS, 0, start):
            # On its own: a building or a unit, or a room of 3-5 digits; never 12号 (a date), 3楼, 3室2厅.
            marker = match.group("marker")
            head = text[start : match.start("marker")]
            room = marker in ("室", "户") and head.isdigit() and 3 <= len(head) <= 5
            if marker not in _BUILDING_MARKERS and not room:
                continue
        if masks.free(start, end):
            masks.replace(start, end, HIDDEN)


def masked_name(name: str) -> str:
    """张三 → 张某, 欧阳娜娜 → 欧阳某 (two-character surnames kept when the name has four), Li Lei → L***."""
    name = name.strip()
    if CJK.match(name):
        surname = name[:2] if len(name) >= 4 else name[:1]
        return f"{surname}某"
    return f"{name[:1]}{MASK * 3}" if name else name


def _name_spans(text: str, name: str) -> Iterator[tuple[int, int]]:
    if name.lower() == name.upper():  # nothing cased (a Chinese name): a plain search, no pattern to compile
        start = text.find(name)
        while start >= 0:
            yield start, start + len(name)
            start = text.find(name, start + len(name))
    else:
        for match in re.finditer(re.escape(name), text, re.IGNORECASE):
            yield match.span()


def _mask_names(masks: _Masks, names: Iterable[str]) -> None:
    """Longest first, so that 王小明 is masked whole before 王小 could take part of it."""
    wanted = {name.strip() for name in names if name and len(name.strip()) >= 2}
    for name in sorted(wanted, key=len, reverse=True):
        for start, end in _name_spans(masks.text, _normalise(name)[0]):
            if masks.free(start, end):
                masks.replace(start, end, masked_name(name))


def mask_personal_data(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with e-mail addresses, QQ/WeChat accounts, ID, bank card, mobile and landline numbers,
    licence plates, house numbers and rooms, and the given names masked (rules: the module docstring)."""
    if not text:
        return text
    normalised, index = _normalise(text)
    masks = _Masks(normalised)
    _mask_emails(masks)
    lowered = normalised.lower()  # only to see whether a label is there at all (cheaper than a search)
    if "wxid_" in lowered:
        for match in _anchored(_ACCOUNT_ANCHOR, _WECHAT_ID, normalised):
            if _whole_word(normalised, match.start()) and masks.free(*match.span("value")):
                masks.replace(*match.span("value"), HIDDEN)
                masks.claim(*match.span())
    if any(label in lowered for label in _ACCOUNT_LABELS):
        for match in _anchored(_ACCOUNT_ANCHOR, _ACCOUNT, normalised):
            if _whole_word(normalised, match.start()):
                masks.keep_first(*match.span("value"))
    _mask_numbers(masks)
    if any(label in lowered for label in _PHONE_LABELS):
        for match in _anchored(_PHONE_ANCHOR, _LOCAL_LANDLINE, normalised):
            start, end = match.span("value")
            if _whole_word(normalised, match.start()) and masks.free(start, end):
                masks.hide([p for p in range(start, end) if normalised[p].isdigit()][:-4])
    for match in LICENCE_PLATE.finditer(normalised):
        start, end = match.span("value")
        if sum(char.isdigit() for char in match.group("value")) >= 3 and masks.free(start, end):
            masks.hide(range(start, end))
    _mask_addresses(masks)
    _mask_names(masks, names)
    return masks.apply(text, index)
