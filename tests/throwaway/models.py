from django.db import models
from simple_history.models import HistoricalRecords

from portal.abstract_models import AbstractTimelineEvent


class Errand(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    title = models.CharField(max_length=200)
    department = models.ForeignKey("portal.Department", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        permissions = [("drop_errand", "Can drop errands")]

    def __str__(self) -> str:
        return self.title


class ErrandEvent(AbstractTimelineEvent):
    """The errand's timeline, written by portal.workflow.transition (`move.record`)."""

    class Action(models.TextChoices):
        FINISHED = "finished", "Finished"
        DROPPED = "dropped", "Dropped"
        URGED = "urged", "Urged"
        EXTENDED = "extended", "Deadline extended"

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
