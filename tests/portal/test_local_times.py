"""Moments are written in local time (Asia/Shanghai) wherever Python formats them: a reply at
01:00 on 30 November in Beijing is "2026-11-30", never UTC's "2026-11-29". A scan of the apps'
code for a model's DateTimeField formatted without `localtime`, the class of that bug."""

import re
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "petitions", "suggestions", "disclosure")
LOCAL = ("localtime(", "localdate(", "local_date(", "astimezone(")

# An f-string's format spec on an expression ({reply.created_at:%Y-%m-%d}), `x.strftime(`, `x.date()`.
FORMAT_SPEC = re.compile(r"\{([^{}:!]+):%[^{}]*\}")
STRFTIME = re.compile(r"([\w.()\[\]\"']+)\.strftime\(")
DATE_CALL = re.compile(r"([\w.()\[\]\"']+)\.date\(\)")


def datetime_field_names() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.DateTimeField)
    }


def offences(source: str, names: set[str]) -> list[str]:
    found = []
    for pattern in (FORMAT_SPEC, STRFTIME, DATE_CALL):
        for match in pattern.finditer(source):
            expression = match.group(1)
            if any(local in expression for local in LOCAL):
                continue
            last = re.findall(r"\w+", expression)[-1] if re.findall(r"\w+", expression) else ""
            if last in names:
                found.append(match.group(0))
    return found


def test_the_scan_finds_the_bug_it_is_for():
    names = {"created_at"}
    assert offences('label = f"{reply.created_at:%Y-%m-%d}"', names) == ["{reply.created_at:%Y-%m-%d}"]
    assert offences("reply.created_at.strftime('%Y')", names)
    assert offences("day = reply.created_at.date()", names)
    assert not offences('f"{timezone.localtime(reply.created_at):%Y-%m-%d}"', names)
    assert not offences('f"{report.month:%Y-%m}"', names)


def test_no_datetime_field_is_formatted_without_localtime():
    names = datetime_field_names()
    assert {"created_at", "received_at", "due_at"} <= names
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if bad := offences(path.read_text(encoding="utf-8"), names):
                found[str(path.relative_to(ROOT))] = bad
    assert found == {}
