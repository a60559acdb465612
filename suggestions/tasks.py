"""Celery tasks of the suggestions app. Thin: each calls one service. Every one has a command twin."""

from celery import shared_task

from suggestions.services import moderation


@shared_task(name="suggestions.send_review_digest", acks_late=True, time_limit=300, soft_time_limit=240)
def send_review_digest() -> dict:
    """Beat runs this every morning (twin: `manage.py send_review_digest`): each reviewer gets the
    digest of what awaits review and what is close to its 24 hours, once a day (idempotent by
    the day's digest notice of each reviewer)."""
    return {"reviewers": moderation.moderation_digest_send()}
