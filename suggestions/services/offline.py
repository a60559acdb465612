"""Offline channels entered by staff in bulk: a symposium (座谈会) with the suggestions raised at it,
and an import of social-media comments (微博, 微信公众号).

* `symposium_record`: one meeting (date, place, participants, departments present, minutes) and
  every suggestion raised at it, all in one transaction: one bad suggestion and nothing is saved,
  the meeting included; its error names the suggestion's row in the form.
* `social_import_preview`: an uploaded CSV or XLSX export, one comment a row (platform, link,
  author's nickname, text, date; optionally a category), read and checked row by row. A file with
  any bad row is refused whole, with every row's error, and nothing is saved; a good one is kept
  as a preview (SocialImport, state "preview") for a clerk to read.
* `social_import_confirm`: the preview becomes one pending suggestion per row (channel "social
  media", the comment's link as source). Idempotent by the import's state: a second confirmation
  saves nothing more.

All of them go through suggestions.services.intake.suggestion_create, so each suggestion is on its
24-hour moderation clock with its timeline, like one submitted online.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.exceptions import DomainError, NotPermitted
from portal.models import Department
from portal.text import clean_text
from portal.uploads import (
    CheckedUpload,
    discard_files_on_error,
    display_name,
    extension_for,
    remember_stored_file,
)
from portal.workflow import save_with_history
from suggestions.models import Campaign, Category, SocialImport, Suggestion, Symposium
from suggestions.services.intake import suggestion_create

RECORD_PERMISSION = "suggestions.record_suggestion"


def _require_recorder(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_staff or not actor.has_perm(RECORD_PERMISSION):
        raise NotPermitted(_("You are not allowed to record suggestions."))


def _check_date(campaign: Campaign, day: date) -> str:
    """Why `day` cannot be the date a suggestion of `campaign` was received, or ""."""
    if day > timezone.localdate():
        return _("The date cannot be in the future.")
    if day < campaign.preparation_on or day > campaign.ends_on:
        return _("The date is outside the campaign (%(start)s to %(end)s).") % {
            "start": f"{campaign.preparation_on:%Y-%m-%d}",
            "end": f"{campaign.ends_on:%Y-%m-%d}",
        }
    return ""


# --- symposiums ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaisedSuggestion:
    """One suggestion raised at a symposium, as the clerk entered it."""

    category: Category
    title: str
    problem: str
    measures: str
    area: str = ""
    contact_name: str = ""
    contact_mobile: str = ""
    contact_email: str = ""
    publish_consent: bool = False
    name_consent: bool = False


class SuggestionRowError(DomainError):
    """A symposium's suggestion was refused: `row` is its place in the form (0 = the first)."""

    def __init__(self, row: int, message):
        super().__init__(message)
        self.row = row


@discard_files_on_error
@transaction.atomic
def symposium_record(
    *,
    actor,
    campaign: Campaign,
    held_on: date,
    place: str,
    participants: int,
    departments: Sequence[Department] = (),
    minutes: CheckedUpload | None = None,
    suggestions: Sequence[RaisedSuggestion],
) -> Symposium:
    """A symposium and the suggestions raised at it, all or nothing (one transaction)."""
    _require_recorder(actor)
    problem = _check_date(campaign, held_on)
    if problem:
        raise DomainError(problem)
    if not place.strip():
        raise DomainError(_("Say where the symposium was held."))
    if participants < 1:
        raise DomainError(_("A symposium has at least one participant."))
    if not suggestions:
        raise DomainError(_("Enter at least one suggestion raised at the symposium."))
    symposium = Symposium(
        campaign=campaign,
        held_on=held_on,
        place=place.strip(),
        participants=participants,
        recorded_by=actor,
    )
    if minutes is not None:
        # Stored under a random name with the extension of its checked type (models.minutes_path).
        symposium.minutes.save(f"minutes{extension_for(minutes.content_type)}", minutes.file, save=False)
        remember_stored_file(symposium.minutes.storage, symposium.minutes.name)
        symposium.minutes_content_type = minutes.content_type
    save_with_history(symposium, actor, "recorded")
    symposium.departments.set(departments)
    for row, raised in enumerate(suggestions):
        try:
            suggestion_create(
                campaign=campaign,
                category=raised.category,
                channel=Suggestion.Channel.SYMPOSIUM,
                title=raised.title,
                problem=raised.problem,
                measures=raised.measures,
                actor=actor,
                recorded_by=actor,
                contact_name=raised.contact_name,
                contact_mobile=raised.contact_mobile,
                contact_email=raised.contact_email,
                area=raised.area,
                publish_consent=raised.publish_consent,
                name_consent=raised.name_consent,
                received_on=held_on,
                place=symposium.place,
                symposium=symposium,
            )
        except DomainError as error:
            raise SuggestionRowError(row, error.message) from error
    return symposium


# --- social-media imports --------------------------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
TITLE_LENGTH = 30

# The columns of an export, by the names platforms and clerks give them (compared case-blind).
COLUMNS = {
    "platform": ("platform", "平台", "来源平台"),
    "link": ("link", "url", "链接", "原文链接", "评论链接"),
    "author": ("author", "nickname", "author nickname", "昵称", "作者", "作者昵称", "用户昵称"),
    "text": ("text", "comment", "content", "内容", "评论内容", "留言内容", "正文"),
    "date": ("date", "日期", "时间", "发布时间", "评论时间"),
    "category": ("category", "分类", "类别", "建言分类"),
}
REQUIRED_COLUMNS = ("platform", "link", "author", "text", "date")
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日",
    "%Y年%m月%d日 %H:%M",
)
_CHINESE_DATE = re.compile(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日")
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row of the file (row 1 is the header)."""

    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class ImportRefused(DomainError):
    """The file was refused; `problems` lists every bad row. Nothing was saved."""

    def __init__(self, problems: Sequence[RowProblem]):
        super().__init__(_("The file was refused and nothing was saved: correct these rows and upload it again."))
        self.problems = list(problems)


def _cell(value, *, multiline: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value), multiline=multiline).strip()


def _table(content: bytes) -> list[list]:
    """The file's rows (the first is the header), an XLSX's first sheet or a CSV (UTF-8 with or
    without a byte order mark, or GB18030 as Chinese Excel saves it), told apart by content."""
    if content.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
            raise ImportRefused([RowProblem(1, _("The file is not a readable XLSX workbook."))]) from None
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_IMPORT_ROWS + 1:
                    break
            return rows
        finally:
            workbook.close()
    if b"\x00" in content:
        raise ImportRefused([RowProblem(1, _("The file is neither a CSV file nor an XLSX workbook."))])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused([RowProblem(1, _("The file is neither a CSV file nor an XLSX workbook."))])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise ImportRefused([RowProblem(1, _("The CSV file cannot be read: %(error)s") % {"error": error})]) from None


def _header(header: list) -> dict[str, int]:
    names = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for index, value in enumerate(header):
        key = names.get(_cell(value).lower())
        if key and key not in positions:
            positions[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        wanted = "; ".join(f"{COLUMNS[key][0]} ({COLUMNS[key][1]})" for key in missing)
        raise ImportRefused([RowProblem(1, _("Columns missing from the header: %(columns)s.") % {"columns": wanted})])
    return positions


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    text = _cell(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    match = _CHINESE_DATE.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    return None


def _categories(campaign: Campaign) -> dict[str, Category]:
    """The campaign's categories by name, English name and code (case-blind)."""
    found = {}
    for category in campaign.categories.filter(is_active=True):
        for key in (category.name, category.name_en, category.code):
            if key:
                found[key.lower()] = category
    return found


def _title(text: str) -> str:
    first_line = " ".join(text.split())
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"


def social_import_parse(*, campaign: Campaign, content: bytes, default_category: Category | None) -> list[dict]:
    """The rows of an export, checked: [{row, platform, link, author, text, date, category_id}].
    Raises ImportRefused with every bad row's problem when any row is bad."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRefused([RowProblem(1, _("The file is larger than 5 MB; split it into smaller files."))])
    table = _table(content)
    if not table:
        raise ImportRefused([RowProblem(1, _("The file is empty."))])
    positions = _header(table[0])
    body = [(number, row) for number, row in enumerate(table[1:], start=2) if any(_cell(v) for v in row)]
    if not body:
        raise ImportRefused([RowProblem(2, _("The file has a header but no comments."))])
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportRefused(
            [RowProblem(MAX_IMPORT_ROWS + 2, _("At most %(max)s comments per file.") % {"max": MAX_IMPORT_ROWS})]
        )
    categories = _categories(campaign)
    known_links = set(
        Suggestion.objects.filter(campaign=campaign, channel=Suggestion.Channel.SOCIAL_MEDIA)
        .exclude(source_url="")
        .values_list("source_url", flat=True)
    )
    problems: list[RowProblem] = []
    rows: list[dict] = []
    seen_links: dict[str, int] = {}

    def value(row, key, *, multiline=False):
        index = positions.get(key)
        return _cell(row[index], multiline=multiline) if index is not None and index < len(row) else ""

    for number, row in body:
        errors = []
        platform, link, author = value(row, "platform"), value(row, "link"), value(row, "author")
        text = value(row, "text", multiline=True)
        if not platform:
            errors.append(_("the platform is missing."))
        elif len(platform) > 100:
            errors.append(_("the platform's name is longer than 100 characters."))
        try:
            _url(link)
            if len(link) > 500:
                raise ValidationError("long")
        except ValidationError:
            errors.append(_("the link is not a web address (http:// or https://, at most 500 characters)."))
        else:
            if link in known_links:
                errors.append(_("this comment was already imported into the campaign."))
            elif link in seen_links:
                errors.append(_("the same link is on row %(row)s.") % {"row": seen_links[link]})
            seen_links.setdefault(link, number)
        if not author:
            errors.append(_("the author's nickname is missing."))
        elif len(author) > 50:
            errors.append(_("the author's nickname is longer than 50 characters."))
        if not text:
            errors.append(_("the comment's text is missing."))
        elif len(text) > 5000:
            errors.append(_("the comment is longer than 5,000 characters."))
        index = positions["date"]
        day = _parse_date(row[index] if index < len(row) else None)
        if day is None:
            errors.append(_("the date is not a date (e.g. 2026-03-05)."))
        else:
            problem = _check_date(campaign, day)
            if problem:
                errors.append(problem[:1].lower() + problem[1:])
        named = value(row, "category")
        category = categories.get(named.lower()) if named else default_category
        if named and category is None:
            errors.append(_("“%(category)s” is not a category of this campaign.") % {"category": named})
        elif category is None:
            errors.append(_("no category: fill in the column or choose a default category."))
        if errors:
            problems.extend(RowProblem(number, error) for error in errors)
            continue
        rows.append(
            {
                "row": number,
                "platform": platform,
                "link": link,
                "author": author,
                "text": text,
                "title": _title(text),
                "date": day.isoformat(),
                "category_id": category.pk,
            }
        )
    if problems:
        raise ImportRefused(problems)
    return rows


@transaction.atomic
def social_import_preview(
    *, actor, campaign: Campaign, file_name: str, content: bytes, default_category: Category | None = None
) -> SocialImport:
    """Read and check an uploaded export; keep it as a preview (nothing else is saved). A bad
    file raises ImportRefused and saves nothing at all."""
    _require_recorder(actor)
    if default_category is not None and not campaign.categories.filter(pk=default_category.pk).exists():
        raise DomainError(_("This campaign does not take suggestions in that category; choose another."))
    rows = social_import_parse(campaign=campaign, content=content, default_category=default_category)
    social_import = SocialImport(campaign=campaign, file_name=display_name(file_name), rows=rows, created_by=actor)
    save_with_history(social_import, actor, "previewed")
    return social_import


def measures_note() -> str:
    """What a comment's "proposed measures" say: a comment has one text, kept as the problem
    description; the reviewers edit the public version. In the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("A comment on social media: what it proposes is in its text above.")


@transaction.atomic
def social_import_confirm(*, social_import: SocialImport, actor) -> tuple[SocialImport, int]:
    """Save the previewed rows as pending suggestions (channel social media, source link).
    Returns (the import, suggestions created): 0 when it was already saved (idempotent). Rows
    checked again first (another import may have brought the same comments since): any problem
    refuses the whole import and saves nothing."""
    _require_recorder(actor)
    social_import = SocialImport.objects.select_for_update().select_related("campaign").get(pk=social_import.pk)
    if social_import.state == SocialImport.State.SAVED:
        return social_import, 0
    campaign = social_import.campaign
    known = set(
        Suggestion.objects.filter(campaign=campaign, source_url__in=[row["link"] for row in social_import.rows])
        .filter(channel=Suggestion.Channel.SOCIAL_MEDIA)
        .values_list("source_url", flat=True)
    )
    problems = [
        RowProblem(row["row"], _("this comment was already imported into the campaign."))
        for row in social_import.rows
        if row["link"] in known
    ]
    if problems:
        raise ImportRefused(problems)
    categories = {
        category.pk: category
        for category in Category.objects.filter(pk__in={r["category_id"] for r in social_import.rows})
    }
    note = measures_note()
    rows = []
    for row in social_import.rows:
        try:
            suggestion = suggestion_create(
                campaign=campaign,
                category=categories[row["category_id"]],
                channel=Suggestion.Channel.SOCIAL_MEDIA,
                title=row["title"],
                problem=row["text"],
                measures=note,
                actor=actor,
                recorded_by=actor,
                contact_name=row["author"],
                received_on=date.fromisoformat(row["date"]),
                place=row["platform"],
                source_url=row["link"],
            )
        except (DomainError, KeyError) as error:
            message = error.message if isinstance(error, DomainError) else _("its category no longer exists.")
            raise ImportRefused([RowProblem(row["row"], message)]) from error
        rows.append(row | {"suggestion_id": suggestion.pk, "reference": suggestion.reference})
    social_import.rows = rows
    social_import.state = SocialImport.State.SAVED
    social_import.saved_at = timezone.now()
    save_with_history(social_import, actor, "saved")
    return social_import, len(rows)
