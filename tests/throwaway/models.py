from django.db import models
from simple_history.models import HistoricalRecords


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
