"""Lesson 03's tasks and challenges.

`charge_once` is an idempotent consumer, fed by a real broker that delivers some events twice
(a producer's retry, with a new event id) and again (a consumer that failed before
acknowledging), with an order charged before the consumer restarted, orders of equal amounts,
and two deliveries of one event overlapping on two connections."""
import logging
import re
import sqlite3
import tempfile
import threading
import time
from collections import defaultdict

from shipyard import bus
from shipyard.exercises.limits import TimeLimit, call_with_deadline
from shipyard.exercises.task import Task, Wrong
from shipyard.paths import workdir

# order id -> amount in cents. A mouse is 1900 cents: many orders share an amount, so a
# charge keyed on the amount is told apart from one keyed on the order.
EVENTS = {"o-01": 1900, "o-02": 3800, "o-03": 1900, "o-04": 5700, "o-05": 1900, "o-06": 3800,
          "o-07": 2500, "o-08": 2500, "o-09": 1900, "o-10": 7600, "o-11": 3800}
PUBLISHED_TWICE = {"o-02", "o-05", "o-08"}  # a producer retried with a new message (and event) id
FAILED_FIRST_TIME = {"o-03", "o-07", "o-11"}  # the consumer failed after the charge, before its ack
CHARGED_BEFORE_RESTART = ("o-12", 1900)  # already in the ledger when this consumer started
OVERLAPPING = {"event_id": "e-o-20", "order_id": "o-20", "amount_cents": 1900}  # two consumers at once
CALL_SECONDS = 2  # one call of the learner's handler


class _FailedBeforeAck(Exception):
    """The consumer stops after the handler, so the broker delivers the event again."""


def new_ledger(path: str | None = None, timeout: float = 5) -> sqlite3.Connection:
    """The table the task charges into. No unique key: being idempotent is the handler's job."""
    path = path or tempfile.mkdtemp(dir=workdir()) + "/ledger.sqlite3"
    conn = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    conn.execute("CREATE TABLE IF NOT EXISTS charges (order_id TEXT NOT NULL, amount_cents INTEGER NOT NULL)")
    if not conn.execute("SELECT 1 FROM charges").fetchone():
        conn.execute("INSERT INTO charges VALUES (?, ?)", CHARGED_BEFORE_RESTART)
    conn.commit()
    return conn


def _path(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA database_list").fetchone()[2]


def deliver(charge_once, conn: sqlite3.Connection) -> tuple[dict, list[BaseException]]:
    """Publish EVENTS through a fresh broker and consume them with `charge_once`: for each
    order, what each delivery's call returned ((event id, returned), ...); what it raised."""
    from shop_chassis.events import NatsBus

    calls, errors = defaultdict(list), []

    def handler(event: dict) -> None:
        returned, error = _once(charge_once, conn, event)
        if error:  # reported in words, never redelivered
            errors.append(error)
            return
        calls[event["order_id"]].append((event["event_id"], returned))
        if event["order_id"] in FAILED_FIRST_TIME and len(calls[event["order_id"]]) == 1:
            raise _FailedBeforeAck

    published = [*EVENTS.items(), *((o, EVENTS[o]) for o in sorted(PUBLISHED_TWICE)), CHARGED_BEFORE_RESTART]
    expected = len(published) + len(FAILED_FIRST_TIME)
    events_log = logging.getLogger("shop.events")  # the failures staged here are not news
    events_log.disabled = True
    with bus.start() as broker:
        client = NatsBus(broker.url, "checker", ack_wait=1)
        try:
            client.subscribe("orders.placed", "ledger", handler)
            for order_id, amount in published:
                event_id = f"e-{order_id}-{time.monotonic_ns()}"  # new ids: the broker cannot tell
                client.publish("orders.placed", {"event_id": event_id, "order_id": order_id, "amount_cents": amount},
                               msg_id=event_id)
            deadline = time.monotonic() + 8
            while sum(map(len, calls.values())) < expected and not errors and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            client.close()
            _stop_handler_threads(client)
            events_log.disabled = False
    return calls, errors


def _stop_handler_threads(client) -> None:
    """The client ran handlers in its event loop's thread pool: let those threads end now."""
    executor = getattr(getattr(client, "_loop", None), "_default_executor", None)
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)


def _once(charge_once, conn: sqlite3.Connection, event: dict, seconds: float = CALL_SECONDS):
    """Call the learner's handler in a transaction, with a deadline: (returned, raised)."""
    try:
        with conn:
            return call_with_deadline(charge_once, conn, dict(event), seconds=seconds), None
    except BaseException as error:  # the learner's code: handed back to be put in words
        return None, error


def _raise_for(error: BaseException) -> None:
    if isinstance(error, TimeLimit):
        raise Wrong(f"charge_once did not return within {CALL_SECONDS} s for one event. Does it wait for something?")
    raise error  # NotImplementedError: unfinished; anything else is worded by Task.check


def _has_unique_key(conn: sqlite3.Connection) -> bool:
    return any(unique for _, _, unique, *_ in conn.execute("PRAGMA index_list(charges)"))


def _why_twice(order_id: str, calls: dict) -> str:
    if order_id == CHARGED_BEFORE_RESTART[0]:
        return ("it was in the ledger before your consumer started, and its event came again: look for the "
                "order's charge in the ledger itself (memory forgets across a restart)")
    if order_id in PUBLISHED_TWICE:
        ids = {event_id for event_id, _ in calls[order_id]}
        return (f"its event was published twice (a producer's retry), with {len(ids)} different event ids: "
                "the event id tells deliveries apart, not charges")
    return "your consumer failed before acknowledging, and the broker delivered the same event again"


def _check_ledger(conn: sqlite3.Connection, calls: dict) -> None:
    charged = {order: (n, total) for order, n, total in conn.execute(
        "SELECT order_id, COUNT(*), SUM(amount_cents) FROM charges GROUP BY order_id")}
    amounts = {**EVENTS, CHARGED_BEFORE_RESTART[0]: CHARGED_BEFORE_RESTART[1]}
    for order_id, amount in amounts.items():
        if charged.get(order_id, (0, 0))[0] == 0:
            twins = sorted(o for o, a in amounts.items() if a == amount and o != order_id and o in charged)
            why = (f" Order {twins[0]} has the same amount, {amount} cents, and was charged: is your key the "
                   "amount? Two orders can cost the same; what identifies a charge is the order." if twins else "")
            raise Wrong(f"Order {order_id} was delivered {len(calls[order_id])} time(s) but never charged.{why}")
    twice = {}  # one example per way an event comes again
    for order_id in amounts:
        if charged[order_id][0] > 1:
            kind = ("restart" if order_id == CHARGED_BEFORE_RESTART[0] else
                    "retry" if order_id in PUBLISHED_TWICE else "redelivery")
            twice.setdefault(kind, f"Order {order_id} was charged {charged[order_id][0]} times: "
                                   f"{_why_twice(order_id, calls)}.")
    if twice:
        key = ("" if _has_unique_key(conn) else " (The ledger's table has no unique key: nothing in the database "
               "refuses a second row for an order, INSERT OR IGNORE included, until you add one.)")
        raise Wrong(" ".join(twice.values()) + key + " Key each charge on the order id, kept in the database.")
    for order_id, amount in amounts.items():
        if charged[order_id][1] != amount:
            raise Wrong(f"Order {order_id} was charged {charged[order_id][1]} cents; its event says {amount}.")


def _check_returns(calls: dict) -> None:
    for order_id, made in calls.items():
        for _event_id, returned in made:
            if returned not in (True, False):
                raise Wrong(f"For order {order_id}, charge_once returned {returned!r}. The task says: True when "
                            "this call charged the order, False when it had been charged already.")
        said = [returned for _, returned in made]
        first = order_id != CHARGED_BEFORE_RESTART[0]
        if said.count(True) != int(first):
            raise Wrong(f"Order {order_id} was handled {len(said)} time(s) and charge_once returned {said}: "
                        + ("exactly one call charged it, so exactly one should return True." if first else
                           "it had been charged before your consumer started, so every call should return False."))


def _overlap(charge_once) -> None:
    """Two consumers handle the same event at once, each on its own connection: the first
    is held just before its first write until the second has finished. A handler that looks
    and then inserts, in two steps, charges twice."""
    first = new_ledger()
    path = _path(first)
    second = new_ledger(path, timeout=0)  # waits for no lock: one held by the first is a failure
    held, go = threading.Event(), threading.Event()

    def hold_before_writing(sql: str) -> None:
        if not held.is_set() and re.search(r"\b(INSERT|REPLACE|UPDATE)\b", sql, re.IGNORECASE):
            held.set()
            go.wait(CALL_SECONDS * 2)

    first.set_trace_callback(hold_before_writing)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(a=_once(charge_once, first, OVERLAPPING, CALL_SECONDS * 3)),
                              name="shipyard-overlap", daemon=True)
    worker.start()
    deadline = time.monotonic() + CALL_SECONDS * 2
    while not held.wait(0.01) and worker.is_alive() and time.monotonic() < deadline:
        pass
    returned, error = _once(charge_once, second, OVERLAPPING)
    second.close()
    go.set()
    worker.join(CALL_SECONDS * 3)
    if worker.is_alive():
        raise Wrong(f"charge_once did not return within {CALL_SECONDS * 3} s for one event. Does it wait for something?")
    first.set_trace_callback(None)
    if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
        # the first holds a lock: the two are serialised. The broker would deliver again.
        returned, error = _once(charge_once, new_ledger(path), OVERLAPPING)
    for failed in (outcome.get("a", (None, None))[1], error):
        if failed:
            _raise_for(failed)
    times = first.execute("SELECT COUNT(*) FROM charges WHERE order_id = ?", (OVERLAPPING["order_id"],)).fetchone()[0]
    first.close()
    if times > 1:
        raise Wrong(f"Two consumers handled the same event for order {OVERLAPPING['order_id']} at once, and it was "
                    f"charged {times} times: both looked for its charge, both found none, both inserted. Looking "
                    "and inserting are two steps; let the database refuse the second row (a unique key on the "
                    "order id, and an insert that ignores a duplicate).")


def _check(charge_once) -> str:
    if not callable(charge_once):
        raise Wrong("`charge_once` should be a function: `def charge_once(conn, event): ...`")
    # A first call on a ledger of its own, before any broker starts: a stub, a crash or a
    # hang is reported at once.
    _returned, error = _once(charge_once, new_ledger(), {"event_id": "e-o-00", "order_id": "o-00",
                                                         "amount_cents": 1900})
    if error:
        _raise_for(error)
    conn = new_ledger()
    calls, errors = deliver(charge_once, conn)
    if errors:
        _raise_for(errors[0])
    try:
        _check_ledger(conn, calls)
        _check_returns(calls)
    finally:
        conn.close()
    _overlap(charge_once)
    return (f"{len(EVENTS) + 1} orders through a real broker, some of equal amounts, with events published twice, "
            "delivered again, and one from before a restart: every order charged exactly once, and True only "
            "for the call that charged. Two overlapping deliveries of one event: charged once.")


charge_once = Task(
    name="charge_once", lesson="03-message-passing", checker=_check, seconds=30,
    hints=["An event can come again, so first decide what identifies *the same charge*. Not the event: a "
           "producer's retry is a new event with a new id. Not the amount: two orders can cost the same. The order "
           "is charged once: the order id is the idempotency key.",
           "The key must outlive the process: a consumer that restarts has forgotten everything in memory, but the "
           "ledger remembers. So look for the order in the ledger, not in a set.",
           "Looking for the order's charge and then inserting is two steps, and two deliveries at once can both "
           "look before either inserts. Let the database refuse the second row instead: a unique key on "
           "`order_id`, and an insert that does nothing when the key is taken; its cursor's `rowcount` says "
           "whether it inserted.",
           "`conn.execute('CREATE UNIQUE INDEX IF NOT EXISTS charges_by_order ON charges (order_id)')`, then "
           "`inserted = conn.execute('INSERT OR IGNORE INTO charges VALUES (?, ?)', (event['order_id'], "
           "event['amount_cents'])).rowcount` and `return inserted == 1`."])
