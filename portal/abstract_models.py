"""Abstract models a domain app's records inherit: a timeline step and a stored attachment.

An app adds the link to its own record (`petition = ForeignKey(Petition, …)`), its own `action`
choices and its file field's `upload_to`; everything else is declared once here. Inheriting
them changes no table (the fields are the ones the apps had).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Department
from portal.uploads import extension_for


class AbstractTimelineEvent(models.Model):
    """One step of a record's timeline, written by the service that made the change, in its
    transaction (portal.workflow.event_record). `public` steps are shown to the citizen; the
    rest only to staff. The subclass declares the record link and `action` with its choices."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # What the step recorded, as data, so the timeline shows it in the reader's language: the
    # channel a ticket came through (received), the rating (rated), how it was closed (closed).
    choice = models.CharField(_("choice"), max_length=20, blank=True, default="", db_default="")
    # The departments an assignment named, the lead (`department`) first.
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments assigned")
    )
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")


class AbstractAttachment(models.Model):
    """A stored file (PDF or image; DOCX or XLSX for staff documents), served only through a view
    that checks who may see it. The subclass declares the record link and `file` with its
    `upload_to`; the stored name's extension is the checked type's (portal.uploads)."""

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def stored_extension(self) -> str:
        return extension_for(self.content_type)
