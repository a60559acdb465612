"""Celery tasks of the suggestions app. Thin: each calls one service. Every one has a command twin."""

from celery import shared_task
from django.contrib.auth import get_user_model

from portal.exceptions import DomainError
from suggestions.models import Campaign
from suggestions.services import analysis, moderation, reports


@shared_task(name="suggestions.send_review_digest", acks_late=True, time_limit=300, soft_time_limit=240)
def send_review_digest() -> dict:
    """Beat runs this every morning (twin: `manage.py send_review_digest`): each reviewer gets the
    digest of what awaits review and what is close to its 24 hours, once a day (idempotent by
    the day's digest notice of each reviewer)."""
    return {"reviewers": moderation.moderation_digest_send()}


@shared_task(name="suggestions.compute_campaign_analyses", acks_late=True, time_limit=900, soft_time_limit=840)
def compute_campaign_analyses(force: bool = False) -> dict:
    """Beat runs this every ten minutes (twin: `manage.py compute_campaign_analyses`): each
    campaign's hot topics and breakdowns are recomputed when its suggestions or assessments
    changed since the last run (idempotent by the fingerprint each analysis records), never in a
    request."""
    return analysis.campaign_analyses_refresh(force=force)


@shared_task(name="suggestions.compute_campaign_analysis", acks_late=True, time_limit=300, soft_time_limit=240)
def compute_campaign_analysis(campaign_id: int) -> dict:
    """One campaign's analysis, now (the admin's "recompute" button), then every ranking."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {"campaign": campaign_id, "recomputed": False}
    _analysis, recomputed = analysis.campaign_analysis_compute(campaign=campaign, force=True, rank=False)
    analysis.campaign_keywords_rank_all()
    return {"campaign": campaign_id, "recomputed": recomputed}


@shared_task(name="suggestions.generate_campaign_reports", acks_late=True, time_limit=900, soft_time_limit=840)
def generate_campaign_reports() -> dict:
    """Beat runs this hourly (twin: `manage.py generate_campaign_reports`): a campaign whose
    summary phase has begun gets version 1 of its summary report, once (idempotent by the report
    it then has)."""
    made = reports.campaign_reports_generate_due()
    return {"generated": [report.campaign_id for report in made]}


@shared_task(name="suggestions.generate_campaign_report", acks_late=True, time_limit=300, soft_time_limit=240)
def generate_campaign_report(campaign_id: int, actor_id: int) -> dict:
    """A new version of one campaign's report, asked for by the office in the admin."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    actor = get_user_model().objects.filter(pk=actor_id, is_active=True).first()
    if campaign is None or actor is None:
        return {"campaign": campaign_id, "version": None}
    try:
        report = reports.campaign_report_generate(campaign=campaign, actor=actor)
    except DomainError as error:
        return {"campaign": campaign_id, "version": None, "refused": str(error)}
    return {"campaign": campaign_id, "version": report.version}
