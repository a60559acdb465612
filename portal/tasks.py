"""Celery tasks of the core. Thin: each calls one service. Every one has a command twin."""

import logging

from celery import shared_task
from django.db import OperationalError

from portal import clocks, notifications

logger = logging.getLogger(__name__)


def database_locked(error: OperationalError) -> bool:
    """SQLite's "database is locked": another process held the write lock past the busy timeout
    (the embedded default, where web, worker and beat share one file). Nothing is lost; try later."""
    return "database is locked" in str(error)


@shared_task(name="portal.sweep_deadlines", acks_late=True, time_limit=240, soft_time_limit=200)
def sweep_deadlines() -> dict:
    """Beat runs this every CLOCK_SWEEP_SECONDS (twin: `manage.py sweep_deadlines`).

    Idempotent by the clocks' recorded state, so a redelivered or overlapping run is harmless.
    """
    result = clocks.sweep_deadlines()
    return {"overdue": len(result.overdue), "reminded": len(result.reminded)}


@shared_task(
    bind=True,
    name="portal.drain_outbox",
    acks_late=True,
    time_limit=240,
    soft_time_limit=200,
    autoretry_for=(ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def drain_outbox(self) -> dict:
    """Send due e-mails (twin: `manage.py drain_outbox`); re-queues itself while a full batch
    was claimed. Each e-mail is leased, so two drains never send the same one."""
    try:
        claimed, sent = notifications.outbox_drain()
    except OperationalError as error:
        if not database_locked(error):
            raise
        # An unsent e-mail stays due, so a later drain sends it: one line in the log, no traceback.
        countdown = min(5 * 2**self.request.retries, 300)
        logger.info("outbox drain: the database is locked by another process; retrying in %s s", countdown)
        raise self.retry(countdown=countdown) from None
    if claimed >= notifications.DRAIN_BATCH:
        drain_outbox.delay()
    return {"claimed": claimed, "sent": sent}


@shared_task(name="portal.refresh_public_stats", acks_late=True, time_limit=240, soft_time_limit=200)
def refresh_public_stats() -> dict:
    """Recompute the public statistics (/stats/) into the cache; beat runs it every
    PUBLIC_STATS_REFRESH_SECONDS (twin: `manage.py refresh_public_stats`). Idempotent."""
    from portal.dashboards import public_stats_refresh

    stats = public_stats_refresh()
    return {"computed_at": stats["computed_at"]}
