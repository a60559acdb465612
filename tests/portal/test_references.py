"""Human-readable references (portal.references): format, daily sequence, no duplicates under concurrency."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from portal.models import ReferenceCounter, SequenceCounter
from portal.references import reference_next, sequence_next


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


# --- numbering scopes (sequence_next) --------------------------------------------------------------


@pytest.mark.django_db
def test_each_scope_counts_on_its_own():
    assert [sequence_next(scope="campaign:1:SM") for _ in range(3)] == [1, 2, 3]
    assert sequence_next(scope="campaign:1:JJ") == 1
    assert sequence_next(scope="campaign:2:SM") == 1
    assert SequenceCounter.objects.get(scope="campaign:1:SM").value == 3


@pytest.mark.django_db
def test_a_rolled_back_caller_frees_its_scope_number():
    sequence_next(scope="s")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(scope="s") == 2
        raise RuntimeError
    assert sequence_next(scope="s") == 2


@pytest.mark.django_db
def test_numbers_taken_outside_the_counter_are_skipped_not_reused():
    assert sequence_next(scope="s", taken=lambda: 41) == 42
    assert sequence_next(scope="s", taken=lambda: 41) == 43
    assert sequence_next(scope="s", taken=lambda: None) == 44


@pytest.mark.django_db
def test_a_scope_name_longer_than_the_column_is_refused():
    with pytest.raises(ValueError):
        sequence_next(scope="x" * 101)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_callers_in_a_new_scope_get_consecutive_numbers():
    results, errors = [], []
    barrier = threading.Barrier(6)

    def take():
        try:
            barrier.wait()
            for _ in range(4):
                with transaction.atomic():
                    results.append(sequence_next(scope="campaign:7:SM"))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == list(range(1, 25))
