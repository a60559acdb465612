"""Human-readable references (portal.references): format, daily sequence, no duplicates under concurrency."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from portal.models import ReferenceCounter
from portal.references import reference_next


@pytest.mark.django_db
def test_sequence_per_prefix_and_day():
    day = date(2026, 11, 22)
    assert reference_next(prefix="WZ", day=day) == "WZ-20261122-0001"
    assert reference_next(prefix="WZ", day=day) == "WZ-20261122-0002"
    assert reference_next(prefix="JY", day=day) == "JY-20261122-0001"
    assert reference_next(prefix="WZ", day=date(2026, 11, 23)) == "WZ-20261123-0001"


@pytest.mark.django_db
def test_numbers_grow_past_four_digits():
    ReferenceCounter.objects.create(prefix="WZ", day=date(2026, 1, 1), value=9999)
    assert reference_next(prefix="WZ", day=date(2026, 1, 1)) == "WZ-20260101-10000"


@pytest.mark.django_db
def test_a_rolled_back_transaction_frees_its_number():
    day = date(2026, 11, 22)
    reference_next(prefix="WZ", day=day)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert reference_next(prefix="WZ", day=day) == "WZ-20261122-0002"
        raise RuntimeError
    assert reference_next(prefix="WZ", day=day) == "WZ-20261122-0002"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_never_share_a_number():
    day = date(2026, 11, 22)
    results, errors = [], []
    barrier = threading.Barrier(8)

    def take():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    results.append(reference_next(prefix="WZ", day=day))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [f"WZ-20261122-{n:04d}" for n in range(1, 41)]
