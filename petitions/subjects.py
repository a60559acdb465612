"""A petition ticket as the subject of its clocks (portal.subjects): how the board, notices and
e-mails show it, and the services through which the board and the clock admin urge and extend it,
so the ticket's timeline records what they do and the citizen is told of an extension."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse

from petitions import services
from petitions.models import Petition
from portal.models import Clock
from portal.subjects import ClockSubject


class PetitionSubject(ClockSubject):
    def reference(self, obj: Petition) -> str:
        return obj.reference

    def title(self, obj: Petition) -> str:
        return obj.title  # the citizen's own title: staff only (the public read `public_title`)

    def admin_url(self, obj: Petition) -> str:
        return reverse("admin:petitions_petition_change", args=[obj.pk])

    def public_url(self, obj: Petition) -> str | None:
        """The ticket on the public column (部门回应) once published; None before or when withheld."""
        return reverse("petitions:detail", args=[obj.reference]) if obj.published_at is not None else None

    def department_ids(self, obj: Petition) -> list[int]:
        lead = [obj.lead_department_id] if obj.lead_department_id else []
        return lead + [handling.department_id for handling in obj.co_handlings.all()]

    def urge(self, *, obj: Petition, clocks: Sequence[Clock], note: str, actor) -> int:
        # One timeline event for the ticket however many of its deadlines are urged.
        services.petition_urge(petition=obj, actor=actor, note=note, clock_ids=[clock.pk for clock in clocks])
        return len(clocks)

    def extend(self, *, obj: Petition, clock: Clock, days: int, reason: str, actor) -> None:
        services.petition_extend(petition=obj, actor=actor, days=days, reason=reason, clock_id=clock.pk)
