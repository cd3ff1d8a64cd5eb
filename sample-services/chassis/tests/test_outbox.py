"""The transactional outbox: an event is saved with the change it announces or not at all,
and the relay publishes each saved event with its row's id as the message id."""
import sqlite3

import pytest
from shop_chassis import db, outbox
from shop_chassis.events import BusUnavailable, InMemoryBus


class Crash(BaseException):
    """Stands for the process dying at a hook (os._exit): nothing catches it."""


class FlakyBus(InMemoryBus):
    """An in-memory bus that refuses events while `down` is set."""

    def __init__(self):
        super().__init__()
        self.down, self.attempts = False, []

    def publish(self, subject, event, msg_id):
        self.attempts.append(msg_id)
        if self.down:
            raise BusUnavailable("the broker is away")
        super().publish(subject, event, msg_id)


@pytest.fixture
def path(tmp_path):
    path = str(tmp_path / "service.sqlite3")
    db.prepare(path, outbox.init_schema)
    return path


def saved(path) -> list:
    conn = db.connect(path)
    try:
        return outbox.waiting(conn)
    finally:
        conn.close()


def test_an_event_added_in_a_transaction_that_rolls_back_is_never_saved(path):
    conn = db.connect(path)
    with pytest.raises(sqlite3.IntegrityError), conn:
        outbox.add(conn, "things.made", {"n": 1}, msg_id="thing-1")
        conn.execute("INSERT INTO outbox VALUES ('thing-1', 'again', '{}')")  # the change fails
    conn.close()
    assert saved(path) == []


def test_the_relay_publishes_events_oldest_first_with_the_row_id_as_message_id_and_deletes_them(path):
    conn = db.connect(path)
    with conn:
        outbox.add(conn, "things.made", {"n": 1}, msg_id="thing-1")
        outbox.add(conn, "things.made", {"n": 2}, msg_id="thing-2")
    conn.close()
    bus = FlakyBus()
    assert outbox.Relay(path, bus).flush() == 2
    assert bus.attempts == ["thing-1", "thing-2"]
    assert bus.published == [("things.made", {"n": 1}), ("things.made", {"n": 2})]
    assert saved(path) == []


def test_a_relay_that_dies_after_publishing_publishes_the_same_message_id_again_and_the_bus_keeps_one(path):
    conn = db.connect(path)
    with conn:
        outbox.add(conn, "things.made", {"n": 1}, msg_id="thing-1")
    conn.close()
    bus = FlakyBus()

    def die_once_published(stage, msg_id):
        if stage == "published":
            raise Crash

    with pytest.raises(Crash):
        outbox.Relay(path, bus, hook=die_once_published).flush()
    assert len(saved(path)) == 1  # published, but not yet deleted
    assert outbox.Relay(path, bus).flush() == 1  # the relay after the restart
    assert bus.attempts == ["thing-1", "thing-1"]
    assert bus.published == [("things.made", {"n": 1})]
    assert saved(path) == []


def test_events_the_broker_refuses_wait_in_the_outbox_for_the_next_turn(path):
    conn = db.connect(path)
    with conn:
        outbox.add(conn, "things.made", {"n": 1})
        outbox.add(conn, "things.made", {"n": 2})
    conn.close()
    bus = FlakyBus()
    bus.down = True
    relay = outbox.Relay(path, bus)
    assert relay.flush() == 0
    assert len(bus.attempts) == 1  # it stopped at the first refusal
    assert len(saved(path)) == 2
    bus.down = False
    assert relay.flush() == 2
    assert [event for _, event in bus.published] == [{"n": 1}, {"n": 2}]
