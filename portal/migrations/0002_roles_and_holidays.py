"""Create the five role groups with their permissions, and seed the work calendar.

Both are idempotent: roles are re-synced after every migrate (portal.roles), and the calendar
is topped up by `manage.py load_holidays`, which never overwrites a hand edit.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from django.apps import apps as live_apps

    from portal.roles import declared_role_permissions, sync_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps, declared_role_permissions(live_apps.get_app_configs()))


def seed_calendar(apps, schema_editor):
    from chinese_calendar import constants

    from portal.calendar import _holiday_name

    WorkCalendarDay = apps.get_model("portal", "WorkCalendarDay")
    existing = set(WorkCalendarDay.objects.values_list("date", flat=True))
    rows = []
    for day, holiday in constants.holidays.items():
        if day.weekday() < 5 and day not in existing:
            rows.append(
                WorkCalendarDay(date=day, is_working_day=False, name=_holiday_name(holiday), source="chinesecalendar")
            )
    for day, holiday in constants.workdays.items():
        if day.weekday() >= 5 and day not in existing:
            rows.append(
                WorkCalendarDay(
                    date=day, is_working_day=True, name=_holiday_name(holiday) + "调休", source="chinesecalendar"
                )
            )
    WorkCalendarDay.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
    ]
