"""Choice labels become English msgids translated like the rest of the UI; timeline steps record
the channel, rating or closure as data (`choice`) and an assignment's departments as rows
(`departments`), so the timeline shows them in the reader's language. Existing steps are converted:
a note that is one of those labels (in either language, old or new wording) becomes the choice, and
an assignment's list of department names becomes its departments."""

from django.db import migrations, models

# Every wording a label has had: the old bilingual English, its Chinese, the new English.
LABELS = {
    "received": {
        "online": ("Online (网上)", "网上", "Online"),
        "plaza": ("Plaza reception (广场接访)", "广场接访", "Plaza reception"),
        "hotline": ("Hotline (热线)", "热线", "Hotline"),
        "mailbox": ("Mailbox (信箱)", "信箱", "Mailbox"),
    },
    "rated": {
        "satisfied": ("Satisfied (满意)", "满意", "Satisfied"),
        "basically": ("Basically satisfied (基本满意)", "基本满意", "Basically satisfied"),
        "unsatisfied": ("Unsatisfied (不满意)", "不满意", "Unsatisfied"),
    },
    "closed": {"unrated": ("Not rated within the rating period", "评价期内未评价")},
}


def record_choices(apps, schema_editor):
    PetitionEvent = apps.get_model("petitions", "PetitionEvent")
    Department = apps.get_model("portal", "Department")
    for action, choices in LABELS.items():
        for value, wordings in choices.items():
            PetitionEvent.objects.filter(action=action, note__in=wordings).update(choice=value, note="")
    # Closed by the office (an actor, its reason kept as the note) or after a rating (no note).
    PetitionEvent.objects.filter(action="closed", choice="", actor__isnull=False).update(choice="office")
    PetitionEvent.objects.filter(action="closed", choice="", actor__isnull=True, note="").update(choice="rated")
    # The standard acknowledgement, with the full-width comma of Chinese text.
    PetitionEvent.objects.filter(action="accepted", note="您反映的问题已由我单位受理,将尽快给您回复。").update(
        note="您反映的问题已由我单位受理，将尽快给您回复。"
    )
    departments = dict(Department.objects.values_list("name", "pk"))
    through = PetitionEvent.departments.through
    for event in PetitionEvent.objects.filter(action="assigned").exclude(note="").iterator():
        ids = [departments.get(name.strip()) for name in event.note.split("、")]
        if ids and all(ids):
            through.objects.bulk_create(
                [through(petitionevent_id=event.pk, department_id=pk) for pk in dict.fromkeys(ids)]
            )
            PetitionEvent.objects.filter(pk=event.pk).update(note="")


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0003_public_column_indexes"),
        ("portal", "0005_dashboard_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="petitionevent",
            name="choice",
            field=models.CharField(blank=True, db_default="", default="", max_length=20, verbose_name="choice"),
        ),
        migrations.AddField(
            model_name="petitionevent",
            name="departments",
            field=models.ManyToManyField(
                blank=True, related_name="+", to="portal.department", verbose_name="departments assigned"
            ),
        ),
        migrations.AlterField(
            model_name="historicalpetition",
            name="channel",
            field=models.CharField(
                choices=[
                    ("online", "Online"),
                    ("plaza", "Plaza reception"),
                    ("hotline", "Hotline"),
                    ("mailbox", "Mailbox"),
                ],
                default="online",
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpetition",
            name="kind",
            field=models.CharField(
                choices=[("consultation", "Consultation"), ("message", "Message"), ("complaint", "Complaint")],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpetition",
            name="rating",
            field=models.CharField(
                blank=True,
                choices=[
                    ("satisfied", "Satisfied"),
                    ("basically", "Basically satisfied"),
                    ("unsatisfied", "Unsatisfied"),
                ],
                max_length=12,
                verbose_name="rating",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpetition",
            name="state",
            field=models.CharField(
                choices=[
                    ("submitted", "Awaiting assignment"),
                    ("assigned", "Assigned"),
                    ("returned", "Returned to the office"),
                    ("accepted", "Accepted, being handled"),
                    ("replied", "Replied"),
                    ("reexamining", "Being re-examined"),
                    ("closed", "Closed"),
                ],
                default="submitted",
                max_length=20,
                verbose_name="state",
            ),
        ),
        migrations.AlterField(
            model_name="petition",
            name="channel",
            field=models.CharField(
                choices=[
                    ("online", "Online"),
                    ("plaza", "Plaza reception"),
                    ("hotline", "Hotline"),
                    ("mailbox", "Mailbox"),
                ],
                default="online",
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="petition",
            name="kind",
            field=models.CharField(
                choices=[("consultation", "Consultation"), ("message", "Message"), ("complaint", "Complaint")],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="petition",
            name="rating",
            field=models.CharField(
                blank=True,
                choices=[
                    ("satisfied", "Satisfied"),
                    ("basically", "Basically satisfied"),
                    ("unsatisfied", "Unsatisfied"),
                ],
                max_length=12,
                verbose_name="rating",
            ),
        ),
        migrations.AlterField(
            model_name="petition",
            name="state",
            field=models.CharField(
                choices=[
                    ("submitted", "Awaiting assignment"),
                    ("assigned", "Assigned"),
                    ("returned", "Returned to the office"),
                    ("accepted", "Accepted, being handled"),
                    ("replied", "Replied"),
                    ("reexamining", "Being re-examined"),
                    ("closed", "Closed"),
                ],
                default="submitted",
                max_length=20,
                verbose_name="state",
            ),
        ),
        migrations.AlterField(
            model_name="petitionevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("assigned", "Assigned"),
                    ("returned", "Returned"),
                    ("accepted", "Accepted"),
                    ("declined", "Not accepted"),
                    ("opinion", "Co-handling opinion"),
                    ("note", "Handling note"),
                    ("replied", "Replied"),
                    ("rated", "Rated"),
                    ("reopened", "Reopened for re-examination"),
                    ("extended", "Deadline extended"),
                    ("urged", "Urged"),
                    ("published", "Published"),
                    ("withheld", "Withdrawn from publication"),
                    ("closed", "Closed"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(record_choices, migrations.RunPython.noop),
    ]
