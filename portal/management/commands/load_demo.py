"""`manage.py load_demo`: the demo departments and accounts (portal.demo), idempotently."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from portal import demo


class Command(BaseCommand):
    help = (
        "Create the demo departments and one account per role (password minsheng-demo). "
        "Safe to run again: it only repairs what differs."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG and connection.vendor == "postgresql":
            self.stderr.write(
                self.style.ERROR(
                    "WARNING: loading demo accounts with a published password into a PostgreSQL database "
                    "with DEBUG off. If this is a production database, deactivate the accounts "
                    f"{', '.join(spec.username for spec in demo.ACCOUNTS)} now."
                )
            )

        result = demo.load_demo()

        for line in result.report:
            self.stdout.write(f"  {line}")
        if not result.report:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password: {demo.DEMO_PASSWORD}):"))
        for spec in demo.ACCOUNTS:
            departments = "、".join(result.departments[code].name for code in spec.department_codes)
            if not departments:
                departments = "全部部门 (all departments)" if spec.sees_all_departments else "-"
            self.stdout.write(f"  {spec.username:<8} {spec.display_name:<4} {spec.role:<17} {departments}")
