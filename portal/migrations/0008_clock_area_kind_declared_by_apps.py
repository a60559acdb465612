"""Clock.area and Clock.kind lose their database choices: each domain app declares its own
(`clock_area`, `clock_kinds`, portal.registry), so a new app or kind needs no migration here."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_department_name_en_choice_labels"),
    ]

    operations = [
        migrations.AlterField(
            model_name="clock",
            name="area",
            field=models.CharField(max_length=20, verbose_name="area"),
        ),
        migrations.AlterField(
            model_name="clock",
            name="kind",
            field=models.CharField(max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="historicalclock",
            name="area",
            field=models.CharField(max_length=20, verbose_name="area"),
        ),
        migrations.AlterField(
            model_name="historicalclock",
            name="kind",
            field=models.CharField(max_length=20, verbose_name="kind"),
        ),
    ]
