"""Lesson 03's task: an idempotent consumer, fed by a real broker that delivers some events
twice (a producer's retry) and again (a consumer that failed before acknowledging)."""
import logging
import sqlite3
import tempfile
import time
from collections import Counter

from shipyard import bus
from shipyard.exercises.limits import TimeLimit, call_with_deadline
from shipyard.exercises.task import Task, Wrong
from shipyard.paths import workdir

EVENTS = {f"o-{n:02}": 100 * n for n in range(1, 13)}  # order id -> amount in cents
PUBLISHED_TWICE = {"o-02", "o-05", "o-08"}  # a producer retried with a new message id
FAILED_FIRST_TIME = {"o-03", "o-07", "o-11"}  # the consumer failed after the charge, before its ack
CHARGED_BEFORE_RESTART = ("o-12", 1200)  # already in the ledger when this consumer started


class _FailedBeforeAck(Exception):
    """The consumer stops after the handler, so the broker delivers the event again."""


def new_ledger() -> sqlite3.Connection:
    """The table the task charges into. No unique key: being idempotent is the handler's job."""
    path = tempfile.mkdtemp(dir=workdir()) + "/ledger.sqlite3"
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("CREATE TABLE charges (order_id TEXT NOT NULL, amount_cents INTEGER NOT NULL)")
    conn.execute("INSERT INTO charges VALUES (?, ?)", CHARGED_BEFORE_RESTART)
    conn.commit()
    return conn


def deliver(charge_once, conn: sqlite3.Connection) -> tuple[Counter, list[BaseException]]:
    """Publish EVENTS through a fresh broker and consume them with `charge_once`; how often
    each order was handled, and what the handler raised."""
    from shop_chassis.events import NatsBus

    handled, errors = Counter(), []

    def handler(event: dict) -> None:
        handled[event["order_id"]] += 1
        if error := _once(charge_once, conn, event):  # reported in words, never redelivered
            errors.append(error)
            return
        if event["order_id"] in FAILED_FIRST_TIME and handled[event["order_id"]] == 1:
            raise _FailedBeforeAck

    expected = len(EVENTS) + len(PUBLISHED_TWICE) + len(FAILED_FIRST_TIME) + 1
    events_log = logging.getLogger("shop.events")  # the failures staged here are not news
    events_log.disabled = True
    with bus.start() as broker:
        client = NatsBus(broker.url, "checker", ack_wait=1)
        try:
            client.subscribe("orders.placed", "ledger", handler)
            for order_id, amount in [*EVENTS.items(), *((o, EVENTS[o]) for o in sorted(PUBLISHED_TWICE)),
                                     CHARGED_BEFORE_RESTART]:
                client.publish("orders.placed", {"order_id": order_id, "amount_cents": amount},
                               msg_id=f"{order_id}-{time.monotonic_ns()}")  # new ids: the broker cannot tell
            deadline = time.monotonic() + 8
            while sum(handled.values()) < expected and not errors and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            client.close()
            events_log.disabled = False
    return handled, errors


def _once(charge_once, conn: sqlite3.Connection, event: dict) -> BaseException | None:
    """Call the learner's handler in a transaction, with a deadline; what it raised."""
    try:
        with conn:
            call_with_deadline(charge_once, conn, dict(event), seconds=2)
    except BaseException as error:  # the learner's code: handed back to be put in words
        return error
    return None


def _raise_for(error: BaseException) -> None:
    if isinstance(error, TimeLimit):
        raise Wrong("charge_once did not return within 2 s for one event. Does it wait for something?")
    raise error  # NotImplementedError: unfinished; anything else is worded by Task.check


def _check(charge_once) -> str:
    if not callable(charge_once):
        raise Wrong("`charge_once` should be a function: `def charge_once(conn, event): ...`")
    # A first call on a ledger of its own, before any broker starts: a stub, a crash or a
    # hang is reported at once.
    if error := _once(charge_once, new_ledger(), {"order_id": "o-00", "amount_cents": 100}):
        _raise_for(error)
    conn = new_ledger()
    handled, errors = deliver(charge_once, conn)
    if errors:
        _raise_for(errors[0])
    charged = {order: (n, total) for order, n, total in conn.execute(
        "SELECT order_id, COUNT(*), SUM(amount_cents) FROM charges GROUP BY order_id")}
    for order_id, amount in {**EVENTS, CHARGED_BEFORE_RESTART[0]: CHARGED_BEFORE_RESTART[1]}.items():
        times, total = charged.get(order_id, (0, 0))
        if times == 0:
            raise Wrong(f"Order {order_id} was delivered {handled[order_id]} time(s) but never charged.")
        if times > 1:
            why = ("it was charged before your consumer restarted, and its event came again: keep what "
                   "you have handled in the database, not in memory" if order_id == CHARGED_BEFORE_RESTART[0]
                   else "its event was published twice (a producer's retry)" if order_id in PUBLISHED_TWICE
                   else "your consumer failed before acknowledging, and the broker delivered it again")
            raise Wrong(f"Order {order_id} was charged {times} times: {why}. Look for its charge first.")
        if total != amount:
            raise Wrong(f"Order {order_id} was charged {total} cents; its event says {amount}.")
    return (f"{len(EVENTS) + 1} orders through a real broker, with duplicated and redelivered events: "
            "every order charged exactly once.")


charge_once = Task(
    name="charge_once", lesson="03-message-passing", checker=_check, seconds=20,
    hints=["Before inserting, look the order up: "
           "`conn.execute('SELECT 1 FROM charges WHERE order_id = ?', (event['order_id'],)).fetchone()`.",
           "Insert only when that lookup found nothing; the checker commits for you after the function returns.",
           "A set of seen ids in memory forgets everything when the consumer restarts: the database remembers."])
