"""The analysis keeps its vocabulary (the other campaigns' document frequency), its breakdowns
and the fingerprint of the data it last saw (suggestions.services.analysis)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0002_search_indexes_and_categories")]

    operations = [
        migrations.AddField(
            model_name="campaignanalysis",
            name="terms",
            field=models.JSONField(default=dict, editable=False, verbose_name="vocabulary"),
        ),
        migrations.AddField(
            model_name="campaignanalysis",
            name="figures",
            field=models.JSONField(default=dict, verbose_name="figures"),
        ),
        migrations.AddField(
            model_name="campaignanalysis",
            name="fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name="data seen"),
        ),
    ]
