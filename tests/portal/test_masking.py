"""Masking personal data before publication (portal.masking): every rule, table-driven."""

import pytest

from portal.masking import mask_personal_data, masked_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678", "电话138****5678"),
        ("电话 138-1234-5678。", "电话 138****5678。"),
        ("手机:138 1234 5678", "手机:138****5678"),
        ("+86 13912345678", "139****5678"),
        ("0086-13912345678", "139****5678"),
        # Not a mobile: starts with 12, or is part of a longer digit run.
        ("编号12812345678", "编号12812345678"),
        ("订单2026112212345678901234", "订单2026112212345678901234"),
        ("身份证11010519491231002X。", "身份证110*************2X。"),
        ("身份证11010519491231002x", "身份证110*************2x"),
        ("老身份证110105491231002", "老身份证110**********02"),
        ("座机0571-88886666", "座机0571-****6666"),
        ("座机(010)12345678", "座机(010)****5678"),
        ("邮箱 zhang.san@example.com 联系", "邮箱 z***@example.com 联系"),
        ("没有个人信息的文字", "没有个人信息的文字"),
        ("", ""),
    ],
)
def test_patterns(text, expected):
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("张三", "张某"), ("王小明", "王某"), ("欧阳娜娜", "欧阳某"), ("Li Lei", "L***")],
)
def test_names(name, expected):
    assert masked_name(name) == expected


def test_given_names_are_masked_wherever_they_appear_longest_first():
    text = "我是王小明,王小明的邻居王小也在。"
    assert mask_personal_data(text, names=["王小明", "王小"]) == "我是王某,王某的邻居王某也在。"


def test_short_names_are_not_masked_to_avoid_destroying_text():
    assert mask_personal_data("王先生", names=["王"]) == "王先生"


def test_masked_text_no_longer_contains_any_secret():
    secrets = ["13812345678", "11010519491231002X", "secret.person@example.org", "赵铁柱"]
    text = "赵铁柱,电话13812345678,身份证11010519491231002X,邮箱secret.person@example.org"
    masked = mask_personal_data(text, names=["赵铁柱"])
    for secret in secrets:
        assert secret not in masked
