"""A real Celery worker, consuming from Redis, runs the sweep and sends the e-mails."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from portal import clocks
from portal.models import Clock, OutboundEmail
from portal.tasks import drain_outbox, sweep_deadlines
from tests.factories import DepartmentFactory, clerk, staff_of
from tests.processes import celery_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def worker(tmp_path):
    with celery_worker(tmp_path) as running:
        yield running


def test_worker_sweeps_and_sends_each_notice_once(worker):
    department = DepartmentFactory(name="生态环境局", code="STHJJ")
    staff_of(department, "green1")
    clerk("office1")
    overdue = [
        clocks.clock_start(
            subject=DepartmentFactory(),
            policy="petition.reply.ordinary",
            started_at=datetime(2026, 3, 2, 9, tzinfo=SH),
            department=department,
        )
        for _ in range(5)
    ]
    # Two sweeps queued at once: the worker runs them concurrently (concurrency 2).
    sweep_deadlines.delay()
    sweep_deadlines.delay()

    def all_sent():
        return (
            Clock.objects.filter(pk__in=[c.pk for c in overdue], state="overdue").count() == 5
            and OutboundEmail.objects.exists()
            and not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
        )

    wait_until(all_sent, describe=f"5 overdue clocks and their e-mails sent; worker log: {worker['log']}")
    # The two sweeps split the clocks between them; together each person's digests list all 5 once.
    listed = {}
    for email in OutboundEmail.objects.all():
        listed[email.to] = listed.get(email.to, 0) + len(email.context["items"])
    assert listed == {"green1@example.com": 5, "office1@example.com": 5}
    sent = OutboundEmail.objects.count()
    drain_outbox.delay()  # a redundant drain sends nothing twice
    wait_until(lambda: _mail_files(worker) == sent, describe="the mail files")
    time.sleep(1)
    assert _mail_files(worker) == sent
    assert not OutboundEmail.objects.filter(attempts__gt=1).exists()


def _mail_files(worker) -> int:
    directory = worker["mail_dir"]
    if not directory.exists():
        return 0
    return sum(path.read_text(errors="replace").count("\nSubject: ") for path in directory.iterdir())
