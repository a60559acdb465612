"""Template helpers of the campaign's analysis and summary report sections (the campaign page's
includes read the stored analysis and report through these)."""

from django import template

from suggestions import analysis_display
from suggestions.services import reports

register = template.Library()


@register.simple_tag
def analysis_rows(analysis, keywords=None):
    """The stored analysis's rows in the reader's language (suggestions.analysis_display)."""
    return analysis_display.analysis_display(analysis, keywords=keywords)


@register.simple_tag
def report_overview(report):
    """The public report's first table (received, approved, forwarded, answered, adopted)."""
    return reports.report_tables(report.figures, public=True, published_ids=set())[0]
