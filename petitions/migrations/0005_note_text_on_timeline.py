"""A handling note's text goes on its timeline step too (services.petition_note), so the change
page lists its internal notes from the timeline (selectors.internal_notes), as it already lists an
assignment's note. Steps written before have no text: copy each note's text to its step (same
ticket and author, written in the same transaction, so within seconds; the closest one wins)."""

from datetime import timedelta

from django.db import migrations

SAME_TRANSACTION = timedelta(seconds=5)


def copy_note_text(apps, schema_editor):
    HandlingNote = apps.get_model("petitions", "HandlingNote")
    PetitionEvent = apps.get_model("petitions", "PetitionEvent")
    for note in HandlingNote.objects.order_by("pk").iterator(chunk_size=500):
        steps = PetitionEvent.objects.filter(
            petition_id=note.petition_id,
            actor_id=note.author_id,
            action="note",
            note="",
            created_at__gte=note.created_at - SAME_TRANSACTION,
            created_at__lte=note.created_at + SAME_TRANSACTION,
        )
        step = min(steps, key=lambda step: abs(step.created_at - note.created_at), default=None)
        if step is not None:
            PetitionEvent.objects.filter(pk=step.pk).update(note=note.body)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_event_choice_departments_choice_labels")]

    operations = [migrations.RunPython(copy_note_text, migrations.RunPython.noop)]
