"""factory_boy factories and workflow helpers for suggestion tests.

`SuggestionFactory` writes a row directly (fast; any state); `submitted` goes through the real
intake service (clock and timeline included) for tests whose subject is the flow. Campaigns are
in their collection phase by default: `CampaignFactory(phase=Phase.ANALYSIS)` shifts the dates so
that today falls in the phase asked for.
"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from portal.masking import mask_personal_data
from portal.search import segment
from suggestions.models import Campaign, Category, Phase, Suggestion
from suggestions.services import intake
from tests.factories import citizen as citizen_factory

# Days from today to each phase's first day, by the phase today should fall in.
_OFFSETS = {
    Phase.PREPARATION: (0, 10, 40, 50, 70, 90),
    Phase.COLLECTION: (-20, -10, 20, 30, 50, 70),
    Phase.ANALYSIS: (-40, -30, -5, 10, 30, 50),
    Phase.FEEDBACK: (-60, -50, -30, -5, 20, 40),
    Phase.SUMMARY: (-90, -80, -60, -40, -5, 30),
}


def phase_dates(phase: str, today=None) -> dict:
    today = today or timezone.localdate()
    fields = ("preparation_on", "collection_on", "analysis_on", "feedback_on", "summary_on", "ends_on")
    return {field: today + timedelta(days=offset) for field, offset in zip(fields, _OFFSETS[phase], strict=True)}


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"建言分类{n}")
    name_en = factory.Sequence(lambda n: f"Suggestion category {n}")
    code = factory.Sequence(lambda n: f"C{n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    class Params:
        phase = Phase.COLLECTION

    title = factory.Sequence(lambda n: f"建言活动{n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    theme = "汇聚民智,共筑美好未来"
    description = "围绕城市发展征集意见建议。"
    tips = "一事一议\n问题具体,措施可行"
    is_published = True
    preparation_on = factory.LazyAttribute(lambda o: phase_dates(o.phase)["preparation_on"])
    collection_on = factory.LazyAttribute(lambda o: phase_dates(o.phase)["collection_on"])
    analysis_on = factory.LazyAttribute(lambda o: phase_dates(o.phase)["analysis_on"])
    feedback_on = factory.LazyAttribute(lambda o: phase_dates(o.phase)["feedback_on"])
    summary_on = factory.LazyAttribute(lambda o: phase_dates(o.phase)["summary_on"])
    ends_on = factory.LazyAttribute(lambda o: phase_dates(o.phase)["ends_on"])

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted if extracted is not None else [CategoryFactory()])


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A suggestion row (no clock, no timeline). Accepted states get a number; `published=True`
    publishes it (consent implied)."""

    class Meta:
        model = Suggestion
        skip_postgeneration_save = True

    class Params:
        published = False

    reference = factory.Sequence(lambda n: f"JY-20261120-{n + 1:04d}")
    campaign = factory.SubFactory(CampaignFactory)
    category = factory.LazyAttribute(lambda o: o.campaign.categories.first())
    title = factory.Sequence(lambda n: f"建议增设社区公交线路{n}")
    problem = "居民出行不便,公交站点距离小区较远。"
    measures = "建议增设一条社区微循环公交线路。"
    contact_name = "张三"
    contact_mobile = "13812345678"
    state = Suggestion.State.PENDING
    publish_consent = factory.LazyAttribute(lambda o: o.published)
    number = factory.LazyAttribute(
        lambda o: f"JY{o.campaign.year}-{o.category.code}-{o.sequence:04d}" if o.sequence else ""
    )
    sequence = factory.Maybe(
        factory.LazyAttribute(lambda o: o.state in Suggestion.ACCEPTED_STATES),
        yes_declaration=factory.Sequence(lambda n: n + 1),
        no_declaration=None,
    )
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.published else None)
    public_title = factory.LazyAttribute(lambda o: mask_personal_data(o.title))
    public_problem = factory.LazyAttribute(lambda o: mask_personal_data(o.problem))
    public_measures = factory.LazyAttribute(lambda o: mask_personal_data(o.measures))
    search_document = factory.LazyAttribute(lambda o: segment(o.title, o.problem, o.measures))
    public_search_document = factory.LazyAttribute(
        lambda o: segment(o.public_title, o.public_problem, o.public_measures) if o.published else ""
    )


def submitted(campaign=None, citizen=None, **fields) -> Suggestion:
    """A suggestion submitted online through the real service (pending, on its moderation clock)."""
    campaign = campaign or CampaignFactory()
    citizen = citizen or citizen_factory()
    values = {
        "category": campaign.categories.first(),
        "title": "建议在人民公园增设健身步道",
        "problem": "公园缺少适合老年人的健身设施。",
        "measures": "建议沿湖修建一条塑胶健身步道。",
        "contact_name": "李四",
        "contact_mobile": "13912345678",
        "contact_email": "lisi@example.com",
        "publish_consent": True,
    } | fields
    return intake.suggestion_submit(citizen=citizen, campaign=campaign, **values)
