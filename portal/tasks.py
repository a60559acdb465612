"""Celery tasks of the core. Thin: each calls one service. Every one has a command twin."""

from celery import shared_task

from portal import clocks, notifications


@shared_task(name="portal.sweep_deadlines", acks_late=True, time_limit=240, soft_time_limit=200)
def sweep_deadlines() -> dict:
    """Beat runs this every CLOCK_SWEEP_SECONDS (twin: `manage.py sweep_deadlines`).

    Idempotent by the clocks' recorded state, so a redelivered or overlapping run is harmless.
    """
    result = clocks.sweep_deadlines()
    return {"overdue": len(result.overdue), "reminded": len(result.reminded)}


@shared_task(
    name="portal.drain_outbox",
    acks_late=True,
    time_limit=240,
    soft_time_limit=200,
    autoretry_for=(ConnectionError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def drain_outbox() -> dict:
    """Send due e-mails (twin: `manage.py drain_outbox`); re-queues itself while a full batch
    was claimed. Each e-mail is leased, so two drains never send the same one."""
    claimed, sent = notifications.outbox_drain()
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
