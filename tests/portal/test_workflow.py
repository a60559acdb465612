"""The guarded transition (portal.workflow.transition) and the one "acts for" rule
(TransitionTable.acts_for), on the throwaway app's errands (tests/throwaway/workflow.py): finish is
the lead department's, drop the office's.

The transition locks the row, checks the table, claims the row with a conditional UPDATE, saves
with history, records the timeline and writes the notices after the save; notices and e-mails are
rows of the same transaction, so a change that rolls back leaves none and sends nothing. Two
actors racing on PostgreSQL: one wins, the other is refused with IllegalTransition, with the lock
and without it.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from portal import notifications
from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Notice, OutboundEmail, User
from portal.workflow import Actor, Transition, TransitionTable, transition
from tests.factories import DepartmentFactory, UserFactory, clerk, staff_of
from tests.throwaway.models import Errand, ErrandEvent
from tests.throwaway.workflow import TABLE

S = Errand.State


def _world():
    ours, theirs = DepartmentFactory(name="住房和城乡建设局", code="ZJJ"), DepartmentFactory(name="教育局", code="JYJ")
    return {
        "errand": Errand.objects.create(title="修路灯", department=ours),
        "staff": staff_of(ours, "ours_staff"),
        "other": staff_of(theirs, "their_staff"),
        "clerk": clerk("office"),
        "superuser": User.objects.create_superuser("root", "root@example.com", "unused-password-1"),
    }


@contextmanager
def service(errand: Errand, action: str, actor, **options):
    """What a service does: one transaction.atomic around the transition."""
    with transaction.atomic(), transition(errand, action, table=TABLE, actor=actor, **options) as move:
        yield move


def _told(user, note: str = "") -> None:
    """A notice with an e-mail (clock_urged has an e-mail template)."""
    notifications.notify(deliveries=[notifications.Delivery(user, "clock_urged", {"note": note}, url="/admin/")])


@pytest.mark.django_db
class TestTransition:
    def test_moves_saves_with_history_records_and_notifies_after_the_save(self):
        world = _world()
        seen = []

        def tell(errand_id):
            # Called after the save: the notice describes the row as it now is.
            seen.append(Errand.objects.get(pk=errand_id).state)
            _told(world["clerk"], "done")

        with service(world["errand"], "finish", world["staff"]) as move:
            assert move.obj.state == S.DONE and move.obj is not world["errand"]  # the row read again
            assert Errand.objects.get(pk=move.obj.pk).state == S.OPEN  # written on leaving
            move.record(ErrandEvent.Action.FINISHED, note="已修好")
            move.notify(tell, move.obj.pk)
            assert seen == []
        errand = Errand.objects.get(pk=world["errand"].pk)
        assert errand.state == S.DONE
        latest = errand.history.first()
        assert (latest.state, latest.history_user, latest.history_change_reason) == (S.DONE, world["staff"], "finish")
        event = ErrandEvent.objects.get(errand=errand)
        assert (event.action, event.actor, event.note) == ("finished", world["staff"], "已修好")
        assert seen == [S.DONE]
        assert Notice.objects.filter(recipient=world["clerk"], kind="clock_urged").count() == 1

    def test_a_step_without_a_target_saves_only_with_a_reason(self):
        world = _world()
        before = world["errand"].history.count()
        with service(world["errand"], "urge", world["clerk"]) as move:
            move.record(ErrandEvent.Action.URGED)
        assert world["errand"].history.count() == before
        with service(world["errand"], "urge", world["clerk"], reason="urged: 请尽快") as move:
            assert move.obj.state == S.OPEN
        assert world["errand"].history.count() == before + 1
        assert world["errand"].history.first().history_change_reason == "urged: 请尽快"

    @pytest.mark.parametrize(
        ("action", "who", "refusal"),
        [
            ("finish", "other", NotPermitted),  # another department
            ("finish", "clerk", NotPermitted),  # the office does not lead
            ("drop", "staff", NotPermitted),  # no permission
        ],
    )
    def test_refused_before_anything_is_written(self, action, who, refusal):
        world = _world()
        called = []
        with pytest.raises(refusal), service(world["errand"], action, world[who]) as move:
            move.notify(called.append, "notified")
        assert Errand.objects.get(pk=world["errand"].pk).state == S.OPEN
        assert called == [] and not ErrandEvent.objects.exists() and world["errand"].history.count() == 1  # created

    def test_an_illegal_move_names_the_state(self):
        world = _world()
        Errand.objects.filter(pk=world["errand"].pk).update(state=S.DONE)
        with pytest.raises(IllegalTransition, match="Done"), service(world["errand"], "drop", world["clerk"]):
            pass

    def test_the_blocks_refusal_undoes_the_block_and_sends_nothing(self):
        world = _world()
        with pytest.raises(DomainError), service(world["errand"], "finish", world["staff"]) as move:
            move.record(ErrandEvent.Action.FINISHED)
            move.notify(_told, world["clerk"])
            raise DomainError("写明原因")
        assert Errand.objects.get(pk=world["errand"].pk).state == S.OPEN
        assert not ErrandEvent.objects.exists() and not Notice.objects.exists() and not OutboundEmail.objects.exists()

    def test_a_committed_change_queues_its_email_for_after_commit(self, django_capture_on_commit_callbacks):
        world = _world()
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            with transition(world["errand"], "finish", table=TABLE, actor=world["staff"]) as move:
                move.notify(_told, world["clerk"], "finished")
            assert OutboundEmail.objects.filter(to=world["clerk"].email).exists()  # a row of this transaction
        assert len(callbacks) == 1  # portal.drain_outbox, queued on commit
        assert notifications.outbox_drain() == (1, 1)
        assert [message.to for message in mail.outbox] == [[world["clerk"].email]]

    def test_a_change_that_rolls_back_leaves_no_notice_and_sends_no_email(self, django_capture_on_commit_callbacks):
        world = _world()
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            with transition(world["errand"], "finish", table=TABLE, actor=world["staff"]) as move:
                move.notify(_told, world["clerk"], "finished")
                move.notify(notifications.email_enqueue, to="citizen@example.com", template="emails/x", context={})
            assert Notice.objects.exists() and OutboundEmail.objects.count() == 2  # written, not yet committed
            raise RuntimeError("something after the transition fails: the service's transaction rolls back")
        assert callbacks == []
        assert not Notice.objects.exists() and not OutboundEmail.objects.exists()
        assert notifications.outbox_drain() == (0, 0) and mail.outbox == []
        assert Errand.objects.get(pk=world["errand"].pk).state == S.OPEN


# --- two actors racing on PostgreSQL -----------------------------------------------------------


def _in_thread(work) -> tuple[threading.Thread, dict]:
    """Run `work` in a thread with its own database connection; its result or error lands in the dict."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until_a_transaction_waits_for_a_row_lock() -> None:
    deadline = time.monotonic() + 15
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second transaction never waited for the first one's row lock")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestRace:
    @pytest.mark.parametrize("lock", [True, False], ids=["row lock", "conditional update alone"])
    def test_two_actors_race_one_wins_the_other_is_refused(self, lock):
        world = _world()
        # Each actor holds the errand as read before either acted (open): without the lock, only the
        # conditional update can tell the second one that the first has moved it.
        first_copy, second_copy = (Errand.objects.get(pk=world["errand"].pk) for _ in range(2))
        written, release = threading.Event(), threading.Event()

        def finish():
            with transaction.atomic():
                with transition(first_copy, "finish", table=TABLE, actor=world["staff"], lock=lock) as move:
                    move.record(ErrandEvent.Action.FINISHED)
                    if lock:
                        written.set()  # the row is locked
                        release.wait(15)
                if not lock:
                    written.set()  # claimed and saved, not committed
                    release.wait(15)
            return move.obj.state

        def drop():
            written.wait(15)
            with service(second_copy, "drop", world["clerk"], lock=lock) as move:
                move.record(ErrandEvent.Action.DROPPED)
            return move.obj.state

        first, first_outcome = _in_thread(finish)
        second, second_outcome = _in_thread(drop)
        try:
            _wait_until_a_transaction_waits_for_a_row_lock()
        finally:
            release.set()
            first.join(20)
            second.join(20)
        assert first_outcome == {"result": S.DONE}
        assert isinstance(second_outcome.get("error"), IllegalTransition), second_outcome
        assert "Done" in str(second_outcome["error"])  # the state it found
        errand = Errand.objects.get(pk=world["errand"].pk)
        assert errand.state == S.DONE
        assert list(errand.history.values_list("history_change_reason", flat=True)) == ["finish", None]  # and created
        assert list(ErrandEvent.objects.values_list("action", flat=True)) == ["finished"]

    def test_a_transition_outside_a_transaction_is_a_programming_error(self):
        world = _world()
        with (
            pytest.raises(TransactionManagementError),
            transition(world["errand"], "finish", table=TABLE, actor=world["staff"]),
        ):
            pass
        assert Errand.objects.get(pk=world["errand"].pk).state == S.OPEN


# --- who acts: one rule for every app ----------------------------------------------------------

ROLES = {  # who: (lead, office, involved) on an errand of `ours`
    "staff": (True, False, True),
    "other": (False, False, False),
    "clerk": (False, True, True),
    # Decided once: a superuser acts in every staff role, as it holds every permission.
    "superuser": (True, True, True),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_who_acts_in_which_role(who):
    world = _world()
    user, errand = world[who], world["errand"]
    acts = tuple(TABLE.acts_for(user, errand, by) for by in (Actor.LEAD, Actor.OFFICE, Actor.INVOLVED))
    assert acts == ROLES[who]
    # Nobody, the superuser included, takes the citizen's or the system's steps in the admin.
    assert not TABLE.acts_for(user, errand, Actor.CITIZEN) and not TABLE.acts_for(user, errand, Actor.SYSTEM)
    user.is_active = False
    assert not any(TABLE.acts_for(user, errand, by) for by in (Actor.LEAD, Actor.OFFICE, Actor.INVOLVED))


@pytest.mark.django_db
def test_the_superuser_finishes_and_drops_through_the_services():
    from tests.throwaway.services import errand_move

    world = _world()
    assert [step.action for step in TABLE.available(world["superuser"], world["errand"])] == [
        "finish",
        "drop",
        "urge",
        "extend",
    ]
    assert errand_move(errand=world["errand"], actor=world["superuser"], action="finish").state == S.DONE


@pytest.mark.django_db
def test_an_apps_own_role_is_its_predicate():
    world = _world()
    experts = {world["other"].pk}
    table = TransitionTable(
        [Transition("assess", "Assess", frozenset({S.OPEN}), None, "expert")],
        roles={"expert": lambda user, errand: user.pk in experts},
    )
    assert table.acts_for(world["other"], world["errand"], "expert")
    assert not table.acts_for(world["staff"], world["errand"], "expert")
    assert table.acts_for(world["superuser"], world["errand"], "expert")
    assert not table.acts_for(UserFactory(is_active=False, username="gone"), world["errand"], "expert")


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ({"transitions": [Transition("a", "A", frozenset({"x"}), "y", Actor.LEAD)]}, "departments\\['lead'\\]"),
        ({"transitions": [Transition("a", "A", frozenset({"x"}), "y", "nobody")]}, "roles\\['nobody'\\]"),
        ({"transitions": [], "departments": {Actor.OFFICE: lambda obj: []}}, "not one of"),
        ({"transitions": [], "roles": {Actor.OFFICE: lambda user, obj: True}}, "portal's own role"),
        ({"transitions": [], "event_model": ErrandEvent}, "together"),
    ],
)
def test_a_broken_table_fails_at_import_naming_what(declaration, message):
    with pytest.raises(ValueError, match=message):
        TransitionTable(**declaration)
