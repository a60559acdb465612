"""Celery tasks of the petitions app. Thin: each calls one service. Every one has a command twin."""

from celery import shared_task

from petitions import reports, services


@shared_task(name="petitions.close_unrated", acks_late=True, time_limit=240, soft_time_limit=200)
def close_unrated() -> dict:
    """Beat runs this hourly (twin: `manage.py close_unrated_petitions`): replied tickets whose
    rating period has passed are closed as unrated. Idempotent by the tickets' state."""
    closed = services.petitions_close_unrated()
    while closed and closed % 1000 == 0:
        more = services.petitions_close_unrated()
        closed += more
        if not more:
            break
    return {"closed": closed}


@shared_task(name="petitions.generate_monthly_report", acks_late=True, time_limit=600, soft_time_limit=540)
def generate_monthly_report() -> dict:
    """Beat runs this on the 1st of each month (twin: `manage.py generate_monthly_report`): last
    month's report is computed and stored once; a report that exists is never rewritten."""
    report, created = reports.monthly_report_generate()
    return {"month": report.month.isoformat(), "created": created}
