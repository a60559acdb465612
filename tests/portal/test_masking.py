"""Masking personal data before publication (portal.masking).

Table-driven for every rule, property-based (hypothesis) for the forms people type a number in:
widths, separators, groupings and prefixes drawn at random; and a corpus of ordinary sentences
(dates, amounts, document and tracking numbers…) that must come out unchanged.
"""

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.masking import PROVINCE_CODES, is_id_number, mask_personal_data, masked_name, passes_luhn

# --- the rules, one example each ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Mobiles: any width, separators, grouping; +86/0086/86- prefixes; only the middle goes.
        ("电话13812345678", "电话138****5678"),
        ("电话 138-1234-5678。", "电话 138-****-5678。"),
        ("手机:138 1234 5678", "手机:138 **** 5678"),
        ("１３７１２３４５６７８", "１３７****５６７８"),
        ("136.2345.6789", "136.****.6789"),
        ("135  2345  6789", "135  ****  6789"),
        ("１３６－２３４５　６７８９", "１３６－****　６７８９"),
        ("137—1234—5678", "137—****—5678"),
        ("+86 13912345678", "+86 139****5678"),
        ("0086-13912345678", "0086-139****5678"),
        ("86-139-1234-5678", "86-139-****-5678"),
        ("＋８６１３９１２３４５６７８", "＋８６１３９****５６７８"),
        ("Tel13812345678", "Tel138****5678"),
        ("1 3 8 1 2 3 4 5 6 7 8", "1 3 8 * * * * 5 6 7 8"),
        # Not a mobile: starts with 12, part of a longer run, or an amount.
        ("编号12812345678", "编号12812345678"),
        ("订单2026112212345678901234", "订单2026112212345678901234"),
        ("总投资15000000000元", "总投资15000000000元"),
        # ID numbers: check character validated; X, x, Ｘ; full width; written in groups.
        ("身份证11010519491231002X。", "身份证110*************2X。"),
        ("身份证11010519491231002x", "身份证110*************2x"),
        ("１１０１０５１９４９１２３１００２Ｘ", "１１０*************２Ｘ"),
        ("110105 19491231 002X", "110*** ******** **2X"),
        ("110105 1949 1231 002X", "110*** **** **** **2X"),
        ("老身份证110105491231002", "老身份证110**********02"),
        # A wrong check character: masked when written in the ID's own groups or after a label.
        ("110105 19491231 0036", "110*** ******** **36"),
        ("身份证号：110105194912310036", "身份证号：110*************36"),
        # Landlines: area code (parentheses, hyphen, full width, +86), extension kept.
        ("座机0571-88886666", "座机0571-****6666"),
        ("座机(010)12345678", "座机(010)****5678"),
        ("０１０－８８８８６６６６", "０１０－****６６６６"),
        ("（０５７１）８８８８ ６６６６转123", "（０５７１）**** ６６６６转123"),
        ("010-88886666-123", "010-****6666-123"),
        ("01088886666", "010****6666"),
        ("+86 571 8888 6666", "+86 571 **** 6666"),
        ("电话：88886666", "电话：****6666"),
        # Bank cards (Luhn), any grouping; after a label whatever the check.
        ("卡号 6222 0212 3456 7890 003", "卡号 6222 **** **** ***0 003"),
        ("6217001122334455", "6217********4455"),
        ("银行卡：6217001122334456", "银行卡：6217********4456"),
        # E-mail addresses, also with ＠, # and (at).
        ("邮箱 zhang.san@example.com 联系", "邮箱 z***@example.com 联系"),
        ("wangxm＠example.com", "w***＠example.com"),
        ("wangxm＠example．com", "w***＠example．com"),
        ("wangxm#qq.com", "w***#qq.com"),
        ("wangxm(at)163.com", "w***(at)163.com"),
        ("13812345678@163.com", "1***@163.com"),
        ("见 https://example.gov.cn/page#part.html", "见 https://example.gov.cn/page#part.html"),
        # QQ and WeChat when labelled.
        ("QQ：12345678", "QQ：1***"),
        ("qq号 987654321", "qq号 9***"),
        ("微信号: wxid_abc12345", "微信号: wxid_***"),
        ("wxid_abc12345", "wxid_***"),
        ("VX:wangxm1990", "VX:w***"),
        ("加我微信 wangxm_88", "加我微信 w***"),
        ("微信公众号", "微信公众号"),
        # Licence plates.
        ("车牌京A12345", "车牌京A*****"),
        ("粤B·D12345", "粤B·******"),
        # Addresses: house numbers, buildings, units and rooms go; the street stays.
        ("住在XX市XX区XX路12号3栋2单元501室", "住在XX市XX区XX路***"),
        ("北京市朝阳区建国路88号3单元501室", "北京市朝阳区建国路***"),
        ("文三路88号3-2-501", "文三路***"),
        ("幸福小区5号楼1单元302", "幸福小区***"),
        ("住3栋2单元501室", "住***"),
        ("1203室", "***"),
        ("没有个人信息的文字", "没有个人信息的文字"),
        ("", ""),
    ],
)
def test_patterns(text, expected):
    assert mask_personal_data(text) == expected


def test_masks_land_on_the_original_text_after_characters_that_expand():
    """⑴ is three characters in the normalised copy: the masks still hit the right ones."""
    assert mask_personal_data("⑴电话：１３８１２３４５６７８；⑵") == "⑴电话：１３８****５６７８；⑵"
    assert mask_personal_data("①３８１２３４５６７８") == "①３８****５６７８"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("33010619850317101X", True),
        ("440305199001011002", True),
        ("110105194912310036", False),  # check character wrong
        ("110105194913310030", False),  # month 13
        ("990105194912310030", False),  # no province 99
        ("110105491231002", True),  # 15 digits, 1949-12-31
        ("110105491331002", False),  # 15 digits, month 13
    ],
)
def test_id_numbers_are_validated(value, valid):
    assert is_id_number(value) is valid


def test_luhn():
    assert passes_luhn("6222021234567890003") and not passes_luhn("6222021234567890004")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("张三", "张某"), ("王小明", "王某"), ("欧阳娜娜", "欧阳某"), ("Li Lei", "L***")],
)
def test_names(name, expected):
    assert masked_name(name) == expected


def test_given_names_are_masked_wherever_they_appear_longest_first():
    text = "我是王小明,王小明的邻居王小也在。"
    assert mask_personal_data(text, names=["王小明", "王小"]) == "我是王某,王某的邻居王某也在。"


def test_names_are_found_in_other_widths_and_cases():
    assert mask_personal_data("ＬＩ　ＬＥＩ来信", names=["Li Lei"]) == "L***来信"


def test_short_names_are_not_masked_to_avoid_destroying_text():
    assert mask_personal_data("王先生", names=["王"]) == "王先生"


def test_a_file_name_is_masked_like_text():
    assert mask_personal_data("关于王小民反映问题的答复意见.pdf", names=["王小民"]) == "关于王某反映问题的答复意见.pdf"


# --- not personal: a corpus of ordinary sentences ------------------------------------------------

ORDINARY = [
    "2026年11月29日上午9:30,市民反映小区门口道路积水。",
    "办理时限为2026-11-29至2026-12-15,共15个工作日。",
    "受理日期20261129,答复日期2026.12.05,时间14:05:59。",
    "项目总投资1,234,567.89元,其中财政资金¥12000,增长12.5%,占比3.5‰。",
    "依据浙政发〔2026〕12号和国办发〔2021〕30号文件办理。",
    "您的工单号为WZ-20261129-0001,查询码见短信;另一件GK-20261129-0001已办结。",
    "索引号11330100MB1234567X/2026-00012,发布机构:市住建局。",
    "统一社会信用代码91330100MA2H1234XY。",
    "如有疑问请拨打12345政务服务热线或96345。",
    "邮政编码310000,2019年、2020年、2021年均有反映。",
    "依照《信访工作条例》第十二条、第三十条的规定。",
    "11月12号下午3点在会议室开会,12号文件已印发。",
    "第3单元的学习内容;户型为三室两厅,3室2厅。",
    "服务器地址172.16.138.125,版本1.13.8。",
    "客服电话400-888-8888,工作时间8:30-17:30。",
    "地铁2号线和12路公交车都到和平路。",
    "没有门牌号的建国路、和平路路灯坏了。",
    "上次来信是2025年3月,第2次反映。",
    "缴费金额：13812345678.50元。",
    "The quick brown fox jumps over the lazy dog at 12:30 on 2026-11-29.",
]


@pytest.mark.parametrize("sentence", ORDINARY)
def test_ordinary_sentences_are_left_alone(sentence):
    assert mask_personal_data(sentence) == sentence


# --- property tests: the forms people type -------------------------------------------------------

FULL_WIDTH = {char: chr(ord(char) + 0xFEE0) for char in "0123456789Xx@+-.()"}
SEPARATORS = [" ", "  ", "-", ".", "·", "－", "．", "\u3000", "—", " - ", "\u00a0", "\u2212"]
BEFORE = ["", "电话", "我的手机号是", "联系方式：", "请拨打", "Tel:", "（", "号码 "]
AFTER = ["", "，谢谢。", "。", "）", " 找我", "转"]


_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[\s.\-·()\u2010-\u2015\u2212]{1,3}(?=[0-9Xx])")


def leaks(number: str, text: str) -> bool:
    """Whether `text` still shows `number`, in any width and with any separators between its digits."""
    compact = _BETWEEN_DIGITS.sub("", unicodedata.normalize("NFKC", text)).upper()
    return any(number.upper() in run for run in re.findall(r"[0-9X]+", compact))


@st.composite
def typed(draw, value: str, groupings: list[list[int]] | None = None) -> str:
    """`value` as someone types it: groups with separators, each character in either width."""
    if groupings is None:
        cuts = sorted(draw(st.sets(st.integers(1, len(value) - 1), max_size=4)))
        lengths = [b - a for a, b in zip([0, *cuts], [*cuts, len(value)], strict=True)]
    else:
        lengths = draw(st.sampled_from(groupings))
    pieces, position = [], 0
    for index, length in enumerate(lengths):
        if index:
            pieces.append(draw(st.sampled_from(SEPARATORS)))
        pieces.append(value[position : position + length])
        position += length
    text = "".join(pieces)
    full = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(FULL_WIDTH.get(char, char) if wide else char for char, wide in zip(text, full, strict=True))


def in_sentence(draw, text: str) -> str:
    return draw(st.sampled_from(BEFORE)) + text + draw(st.sampled_from(AFTER))


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
MOBILE_GROUPINGS = [[11], [3, 4, 4], [3, 8], [7, 4], [4, 4, 3], [3, 3, 5], [1] * 11]
MOBILE_PREFIXES = ["", "+86", "+86 ", "0086", "0086-", "86-", "86 ", "＋８６ ", "(+86) "]


@st.composite
def typed_mobiles(draw):
    number = draw(mobiles)
    text = draw(st.sampled_from(MOBILE_PREFIXES)) + draw(typed(number, MOBILE_GROUPINGS))
    return number, in_sentence(draw, text)


def id_check_character(body: str) -> str:
    """ISO 7064 mod 11-2, from its definition (weights 2^(17-i) mod 11), not from the module."""
    total = sum(int(digit) * pow(2, 17 - index, 11) for index, digit in enumerate(body))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@st.composite
def id_numbers(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region = province + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    birth = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31)))
    if draw(st.booleans()):
        body = f"{region}{birth:%Y%m%d}" + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
        return body + id_check_character(body)
    return f"{region}{birth:%y%m%d}" + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))


@st.composite
def typed_ids(draw):
    number = draw(id_numbers())
    written = number[:-1] + draw(st.sampled_from(["X", "x"])) if number.endswith("X") else number
    return number, in_sentence(draw, draw(typed(written)))


@st.composite
def bank_cards(draw):
    length = draw(st.integers(16, 19))
    body = "62" + draw(st.from_regex(rf"[0-9]{{{length - 3}}}", fullmatch=True))
    return next(body + str(last) for last in range(10) if passes_luhn(body + str(last)))


@st.composite
def typed_cards(draw):
    number = draw(bank_cards())
    fours = [[4] * (len(number) // 4) + ([len(number) % 4] if len(number) % 4 else [])]
    text = draw(typed(number, fours)) if draw(st.booleans()) else draw(typed(number))
    return number, in_sentence(draw, text)


AREA_CODES = ["010", "020", "021", "0571", "0755", "0592"]


@st.composite
def typed_landlines(draw):
    area = draw(st.sampled_from(AREA_CODES))
    local = draw(st.from_regex(r"[2-9][0-9]{7}" if len(area) == 3 else r"[2-9][0-9]{6,7}", fullmatch=True))
    shape = draw(st.sampled_from(["{a}-{l}", "({a}){l}", "（{a}）{l}", "{a} {l4} {r}", "{a}{l}", "{a}-{l4}-{r}"]))
    text = shape.format(a=area, l=local, l4=local[:4], r=local[4:])
    full = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(FULL_WIDTH.get(char, char) if wide else char for char, wide in zip(text, full, strict=True))
    text += draw(st.sampled_from(["", "转123", "-123", " ext 88"]))
    return local, in_sentence(draw, text)


@st.composite
def typed_emails(draw):
    local = draw(st.from_regex(r"[a-z][a-z0-9._]{2,14}[a-z0-9]", fullmatch=True))
    domain = draw(st.sampled_from(["example.com", "qq.com", "163.com", "mail.example.org.cn"]))
    at = draw(st.sampled_from(["@", "＠", "#", "(at)", "[at]", " [at] ", "（at）"]))
    if draw(st.booleans()):
        domain = domain.replace(".", "．")
    return local, in_sentence(draw, f"{local}{at}{domain}")


PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(typed_mobiles())
def test_every_typed_mobile_is_masked(case):
    number, text = case
    masked = mask_personal_data(text)
    assert not leaks(number, masked), (text, masked)
    assert masked.count("*") == 4


@PROPERTY
@given(typed_ids())
def test_every_typed_id_number_is_masked(case):
    number, text = case
    masked = mask_personal_data(text)
    assert not leaks(number, masked), (text, masked)
    assert not leaks(number[6:12], masked), (text, masked)  # the birth date is gone


@PROPERTY
@given(typed_cards())
def test_every_typed_bank_card_is_masked(case):
    number, text = case
    masked = mask_personal_data(text)
    assert not leaks(number, masked), (text, masked)


@PROPERTY
@given(typed_landlines())
def test_every_typed_landline_is_masked(case):
    local, text = case
    masked = mask_personal_data(text)
    assert not leaks(local, masked), (text, masked)
    assert leaks(local[-4:], masked)  # the last four stay, as for mobiles


@PROPERTY
@given(typed_emails())
def test_every_typed_email_is_masked(case):
    local, text = case
    masked = mask_personal_data(text)
    assert local not in unicodedata.normalize("NFKC", masked), (text, masked)


@PROPERTY
@given(st.one_of(typed_mobiles(), typed_ids(), typed_cards(), typed_landlines(), typed_emails()))
def test_masking_twice_changes_nothing(case):
    _secret, text = case
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


@PROPERTY
@given(st.lists(st.sampled_from(ORDINARY), min_size=1, max_size=4), typed_mobiles())
def test_only_the_personal_part_of_a_longer_text_changes(sentences, case):
    number, text = case
    ordinary = "".join(sentences)
    masked = mask_personal_data(f"{ordinary}。{text}。{ordinary}")
    assert masked.startswith(f"{ordinary}。") and masked.endswith(f"。{ordinary}")
    assert not leaks(number, masked)


@PROPERTY
@given(st.text(max_size=300))
def test_any_text_is_masked_without_error_and_twice_is_once(text):
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


def test_masked_text_no_longer_contains_any_secret():
    secrets = ["13812345678", "11010519491231002X", "secret.person@example.org", "赵铁柱"]
    text = "赵铁柱,电话13812345678,身份证11010519491231002X,邮箱secret.person@example.org"
    masked = mask_personal_data(text, names=["赵铁柱"])
    for secret in secrets:
        assert secret not in masked


def test_long_runs_of_almost_matching_input_stay_linear():
    """Inputs shaped to make a backtracking pattern explode come back at once (the test would
    hang, not fail, if a pattern nested its repetitions)."""
    for text in ["1 " * 5000, "a" * 20000 + "@", "1-" * 5000 + "号", "路" + "1-" * 3000, "QQ" * 5000, "@" * 10000]:
        assert len(mask_personal_data(text)) > 0


def test_no_pattern_holds_nested_unbounded_repetition():
    """A guard for later edits: `(...+)+`/`(...*)*` is how catastrophic backtracking starts."""
    from portal import masking

    nested = re.compile(r"\((?:[^()]|\\.)*[+*]\)[+*]")
    for name in dir(masking):
        value = getattr(masking, name)
        if isinstance(value, re.Pattern):
            assert not nested.search(value.pattern), name
