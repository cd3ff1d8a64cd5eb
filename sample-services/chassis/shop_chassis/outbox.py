"""A transactional outbox: an event is saved in the same transaction as the change it
announces, and a relay publishes it afterwards.

Saving a change and publishing its event are two writes to two systems. Publish first and
a crash before the commit announces a change that never happened; commit first and a crash
before the publish loses the event. The outbox makes it one write: the event is a row in
the service's own database, committed with the change or not at all (`add`).

The `Relay` then publishes the rows, oldest first, with the row's id as the message id, and
deletes each row once the broker has stored its event. A relay that dies after publishing
and before deleting publishes that row again when it restarts; JetStream drops the copy
(same message id, within the stream's duplicate window: 2 minutes by default).

    outbox.init_schema(conn)                                    # in the service's schema
    with conn:                                                  # the service's transaction
        conn.execute("INSERT INTO orders ...")
        outbox.add(conn, "orders.placed", event, msg_id="order-42")
    relay = outbox.Relay(database_path, bus).start()            # publishes in a thread
    relay.flush(block=False)                                    # or publish now, after a commit
"""
import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable

from shop_chassis import db
from shop_chassis.events import Bus, BusUnavailable

log = logging.getLogger("shop.outbox")
log.addHandler(logging.NullHandler())


def init_schema(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY, subject TEXT NOT NULL, event TEXT NOT NULL)")


def add(conn: sqlite3.Connection, subject: str, event: dict, msg_id: str | None = None) -> str:
    """Put `event` in the outbox inside the caller's transaction; its id, the message id.
    The broker drops a message whose id its stream holds already, so an id must be unique in
    the stream: a random one by default, or the caller's (orders uses `order-<order id>`)."""
    msg_id = msg_id or uuid.uuid4().hex
    conn.execute("INSERT INTO outbox VALUES (?, ?, ?)", (msg_id, subject, json.dumps(event)))
    return msg_id


def waiting(conn: sqlite3.Connection) -> list[tuple[str, str, dict]]:
    """The rows not yet published, oldest first: (id, subject, event)."""
    return [(row[0], row[1], json.loads(row[2])) for row in conn.execute("SELECT * FROM outbox ORDER BY rowid")]


class Relay:
    """Publishes the outbox of the database at `database_path` to `bus`: at start, then in its
    own thread when nudged, and every `every` seconds while the broker does not take events.

    `hook(stage, msg_id)` runs with stage "publishing" before each publish and "published"
    after the broker stored it (a service's fault switch uses it)."""

    def __init__(self, database_path: str, bus: Bus, every: float = 1.0,
                 hook: Callable[[str, str], None] | None = None):
        self.database_path, self.bus, self.every = database_path, bus, every
        self.hook = hook or (lambda stage, msg_id: None)
        self._lock, self._wake, self._stopping = threading.Lock(), threading.Event(), False
        self.behind = False  # the last flush left events the broker did not take

    def flush(self, block: bool = True) -> int:
        """Publish every waiting row; how many were published. Without `block`, a flush
        already under way in another thread is left to publish them (nudged), and this returns 0.
        Never raises: at the first event the broker does not take (or a database error) it
        stops, and the rows wait for the relay's next turn."""
        if not self._lock.acquire(blocking=block):
            self.nudge()
            return 0
        published = 0
        try:
            conn = db.connect(self.database_path)
            try:
                for msg_id, subject, event in waiting(conn):
                    self.hook("publishing", msg_id)
                    self.bus.publish(subject, event, msg_id=msg_id)
                    self.hook("published", msg_id)
                    with conn:
                        conn.execute("DELETE FROM outbox WHERE id = ?", (msg_id,))
                    published += 1
            finally:
                conn.close()
            self.behind = False
        except BusUnavailable as error:
            self.behind = True
            log.warning("outbox: %s; the event stays in the outbox for the next turn", error)
        except Exception:  # the database busy for a moment: the rows wait for the next turn
            self.behind = True
            log.exception("outbox: the relay's flush failed; the events stay in the outbox")
        finally:
            self._lock.release()
        return published

    def nudge(self) -> None:
        """Ask the relay's thread to flush now rather than at its next turn."""
        self._wake.set()

    def start(self) -> "Relay":
        """Publish what a previous run left in the outbox, then keep relaying in a thread."""
        self.flush()
        self.thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            # Asleep until nudged; every `every` seconds while events wait for the broker.
            self._wake.wait(self.every if self.behind else None)
            self._wake.clear()  # before flushing: a nudge during the flush brings another one
            self.flush()
