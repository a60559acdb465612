"""`manage.py generate_data`: generated tickets are consistent with what the services would write."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from petitions.generate import GENERATED_QUERY_CODE
from petitions.models import Petition, PetitionEvent, Reply
from petitions.selectors import petition_for_tracking
from portal.clocks import sweep_deadlines
from portal.models import Clock, Notice
from portal.references import reference_next


@pytest.mark.django_db
def test_generated_tickets_are_consistent():
    call_command("generate_data", petitions=600, no_progress=True, seed=7)
    assert Petition.objects.count() == 600
    states = set(Petition.objects.values_list("state", flat=True))
    assert states == set(Petition.State.values)
    # Every ticket has its acknowledgement and reply clocks; only re-examined ones a third.
    per_ticket = Clock.objects.values("object_id").annotate(n=Count("id"))
    assert {row["n"] for row in per_ticket} <= {2, 3}
    assert Clock.objects.filter(policy="petition.reply.reexamine").count() == (
        Petition.objects.filter(state="reexamining").count()
    )
    # Open states have open clocks; answered tickets have met reply clocks and a reply.
    replied = Petition.objects.filter(state__in=["replied", "closed"])
    assert Reply.objects.filter(petition__in=replied).count() == replied.count()
    assert not Clock.objects.filter(object_id__in=replied.values("id"), state__in=Clock.OPEN_STATES).exists()
    assert Petition.objects.published().exclude(publish_consent=True).count() == 0
    assert PetitionEvent.objects.filter(action="received").count() == 600
    # Published text is masked: no full mobile number of a contact appears in it.
    for petition in Petition.objects.published()[:50]:
        assert petition.contact_mobile not in petition.public_content
        assert petition.contact_name not in petition.public_content


@pytest.mark.django_db
def test_generated_tickets_can_be_tracked_and_numbering_continues():
    call_command("generate_data", petitions=50, no_progress=True)
    petition = Petition.objects.order_by("-received_at").first()
    assert petition_for_tracking(petition.reference, GENERATED_QUERY_CODE) == petition
    day = Petition.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    from django.utils import timezone

    new = reference_next(prefix="WZ", day=timezone.localdate(day))
    assert not Petition.objects.filter(reference=new).exists()


@pytest.mark.django_db
def test_already_overdue_generated_clocks_notify_nobody():
    call_command("generate_data", petitions=300, no_progress=True, seed=3)
    result = sweep_deadlines()
    assert result.overdue == []
    assert Notice.objects.filter(kind="clock_overdue").count() == 0


@pytest.mark.django_db
def test_asks_for_a_count():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_data", no_progress=True)
