"""Bulk data generation for load tests and benchmarks (`manage.py generate_data`), PostgreSQL only.

Each domain app registers a generator on its AppConfig, `data_generators = {"petitions":
"petitions.generate.generate_petitions"}`; the command offers `--petitions N` for it. A
generator is called as `generator(count=N, context=GenerationContext)` and writes with COPY
(`copy_rows`), reserving primary keys up front (`reserve_ids`) so related rows can point at them
without reading anything back. Generated rows have no history entries (they were never edited)
and raise no notices: clocks already overdue are recorded as overdue and reminded.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string
from tqdm import tqdm

from portal import registry, roles
from portal.models import Department, Membership, User

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅春花文辉鹏飞宇浩然子涵欣怡"
DEPARTMENTS = (
    ("ZJJ", "住房和城乡建设局"),
    ("JYJ", "教育局"),
    ("STHJJ", "生态环境局"),
    ("JTYSJ", "交通运输局"),
    ("SCJGJ", "市场监督管理局"),
    ("WSJKW", "卫生健康委员会"),
    ("RSJ", "人力资源和社会保障局"),
    ("CGJ", "城市管理局"),
    ("GAJ", "公安局"),
    ("MZJ", "民政局"),
    ("SWJ", "水务局"),
    ("ZRZYJ", "自然资源和规划局"),
)
CHUNK = 20_000


@dataclass
class GenerationContext:
    now: datetime
    random: random.Random
    departments: list[Department] = field(default_factory=list)
    staff: dict[int, int] = field(default_factory=dict)  # department id → a staff user id
    citizens: list[int] = field(default_factory=list)
    progress: bool = True

    def person_name(self) -> str:
        return self.random.choice(SURNAMES) + "".join(self.random.choices(GIVEN, k=self.random.choice((1, 2))))

    def mobile(self) -> str:
        return f"1{self.random.choice('3456789')}{self.random.randrange(10**9):09d}"

    def bar(self, total: int, label: str):
        return tqdm(total=total, desc=label, unit="rows", unit_scale=True, disable=not self.progress, leave=True)


def registered_generators() -> dict[str, Callable]:
    """{name: generator} from every installed app's `data_generators`."""
    found = {}
    for _app_config, generators in registry.declaring("data_generators"):
        for name, path in generators.items():
            found[name] = import_string(path)
    return found


def reserve_ids(model, count: int) -> int:
    """Reserve `count` consecutive primary keys of `model`; returns the first. The generator must
    be the only writer while it runs (it is a load-test tool, not a production path)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}))", [sequence])  # noqa: S608 - table from model meta
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY rows into `table` (psycopg 3); returns how many."""
    written = 0
    raw = connection.connection  # the psycopg connection, inside Django's transaction
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def prepare_context(*, seed: int, progress: bool, citizens: int = 2000) -> GenerationContext:
    """Departments (one staff member each, for authorship) and a pool of citizen accounts."""
    # Reproducible test data, not secrets: a seeded generator is what is wanted here.
    context = GenerationContext(now=timezone.now(), random=random.Random(seed), progress=progress)  # noqa: S311
    staff_group = Group.objects.get(name=roles.DEPARTMENT_STAFF)
    citizen_group = Group.objects.get(name=roles.CITIZEN)
    for code, name in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(code=code, defaults={"name": name})
        context.departments.append(department)
        user, created = User.objects.get_or_create(
            username=f"gen_staff_{code.lower()}",
            defaults={"is_staff": True, "email": f"gen_staff_{code.lower()}@generated.invalid"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(staff_group)
        Membership.objects.get_or_create(user=user, department=department)
        context.staff[department.pk] = user.pk
    existing = list(User.objects.filter(username__startswith="gen_citizen_").values_list("pk", flat=True))
    missing = citizens - len(existing)
    if missing > 0:
        start = len(existing)
        created = User.objects.bulk_create(
            [
                User(
                    username=f"gen_citizen_{start + n}",
                    first_name=context.person_name(),
                    email=f"gen_citizen_{start + n}@generated.invalid",
                    mobile=context.mobile(),
                    password="!",  # unusable  # noqa: S106
                )
                for n in range(missing)
            ],
            batch_size=2000,
        )
        # The role by the through table in one statement: generated accounts get no history row
        # per role grant (through `user_set.add` each of them cost one, 2,000 a run).
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=citizen_group.pk) for user in created],
            batch_size=2000,
        )
        existing += [user.pk for user in created]
    context.citizens = existing
    return context
