"""Chinese text as the site writes it: full-width punctuation inside Chinese sentences, and 您,
never 你, including in the messages Django itself supplies (password rules, auth forms)."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
HALF_WIDTH_BETWEEN_CJK = re.compile(f"[{CJK}][,:;()][{CJK}]")


def template_files() -> list[Path]:
    roots = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    roots += [path for path in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in path.parts]
    return sorted(path for root in roots for path in root.rglob("*") if path.suffix in (".html", ".txt"))


def test_templates_use_full_width_punctuation_in_chinese():
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {match.group()}"
        for path in template_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in HALF_WIDTH_BETWEEN_CJK.finditer(line)
    ]
    assert len(template_files()) > 50
    assert not found, "half-width punctuation inside Chinese text:\n" + "\n".join(found)


def compiled_catalogue() -> dict:
    path = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with open(path, "rb") as file:
        return gettext.GNUTranslations(file)._catalog


def test_the_chinese_catalogue_uses_full_width_punctuation_and_nin():
    catalogue = compiled_catalogue()
    assert len(catalogue) > 500
    punctuation = {key: text for key, text in catalogue.items() if HALF_WIDTH_BETWEEN_CJK.search(text)}
    assert not punctuation, punctuation
    assert not {key: text for key, text in catalogue.items() if "你" in text}


@pytest.mark.django_db
def test_register_and_password_change_say_nin_even_in_djangos_own_messages(client):
    client.cookies["django_language"] = "zh-hans"
    weak = {"username": "zhangsan", "email": "zs@example.com", "password1": "12345", "password2": "54321"}
    pages = [
        client.get(reverse("register")),
        client.post(reverse("register"), weak),  # too short, numeric, common; mismatch
        client.post(reverse("register"), weak | {"password1": "zhangsan1", "password2": "zhangsan1"}),  # similar
    ]
    user = UserFactory(username="lisi")
    client.force_login(user)
    client.cookies["django_language"] = "zh-hans"
    pages += [
        client.get(reverse("password_change")),
        client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "1", "new_password2": "2"}),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "密码" in html and "您" in html  # Chinese, with the rules and errors shown
        assert "你" not in html, re.findall(r"[^<>]{0,20}你[^<>]{0,20}", html)
    assert "您的密码不能与您的其他个人信息太相似" in pages[0].content.decode()  # Django's rule, our wording
