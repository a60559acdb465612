"""SequenceCounter: numbering scopes that are not per day (portal.references.sequence_next)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_clock_area_kind_declared_by_apps"),
    ]

    operations = [
        migrations.CreateModel(
            name="SequenceCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(max_length=100, unique=True)),
                ("value", models.PositiveIntegerField(default=0)),
            ],
        ),
    ]
