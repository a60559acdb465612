"""The Celery application. Beat's schedule: portal's own in settings.CELERY_BEAT_SCHEDULE, and the
entries each domain app declares (`beat_schedule`, portal.registry), added in PortalConfig.ready."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("minsheng")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
