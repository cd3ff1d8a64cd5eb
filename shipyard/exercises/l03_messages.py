"""Lesson 03's tasks and challenges.

`backlog` reads a consumer's backlog from a real broker's monitoring endpoint, with two
streams and three consumers in known states. `outbox_prevents` is conceptual: which failures
a transactional outbox prevents. `charge_once` is an idempotent consumer, fed by a real broker that delivers some events twice
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
from contextlib import closing

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
            try:
                client.close()
            except TimeoutError:  # a loaded machine: its loop is stopped anyway, and the broker goes next
                pass
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
    _returned, error = _once(charge_once, second, OVERLAPPING)
    second.close()
    go.set()
    worker.join(CALL_SECONDS * 3)
    if worker.is_alive():
        raise Wrong(f"charge_once did not return within {CALL_SECONDS * 3} s for one event. Does it wait for something?")
    first.set_trace_callback(None)
    if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
        # the first holds a lock: the two are serialised. The broker would deliver again.
        with closing(new_ledger(path)) as third:
            _returned, error = _once(charge_once, third, OVERLAPPING)
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
    with closing(new_ledger()) as own:
        _returned, error = _once(charge_once, own, {"event_id": "e-o-00", "order_id": "o-00", "amount_cents": 1900})
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


# -- backlog: a consumer's backlog, read from the broker's monitoring endpoint -------------
# The checker's broker: (stream, subjects, events published, {consumer: (fetched, acknowledged)}).
# Every number differs, so a near miss is recognised by the number it returns. The broker
# lists streams and consumers in no fixed order: a consumer asked for on a stream that does
# not have it tells an answer that ignores a name from a right one, whatever the order.
STREAMS = [("ORDERS", "orders.placed", 8, {"payments": (4, 1), "audit": (2, 2)}),
           ("PAYMENTS", "payments.completed", 3, {"audit": (2, 1)})]
ASK_SECONDS = 3  # one call of the learner's backlog


def _fill(broker) -> None:
    """Streams and durable consumers in known states: some events acknowledged, some
    handed out and not acknowledged (a long ack wait keeps them so), some not delivered."""
    import asyncio

    import nats
    from nats.js.api import ConsumerConfig

    async def fill():
        client = await nats.connect(broker.url, connect_timeout=2)
        try:
            js = client.jetstream()
            for stream, subject, published, consumers in STREAMS:
                await js.add_stream(name=stream, subjects=[subject.split(".")[0] + ".>"])
                for n in range(published):
                    await js.publish(subject, f'{{"n": {n}}}'.encode())
                for durable, (fetched, acknowledged) in consumers.items():
                    subscription = await js.pull_subscribe(subject, durable=durable,
                                                           config=ConsumerConfig(ack_wait=120))
                    messages = []
                    while len(messages) < fetched:  # a fetch may hand out fewer than asked for
                        messages += await subscription.fetch(fetched - len(messages), timeout=2)
                    for message in messages[:acknowledged]:
                        await message.ack_sync()
        finally:
            await client.close()

    asyncio.run(fill())


def _expected(stream: str, durable: str) -> dict:
    for name, _subject, published, consumers in STREAMS:
        if name == stream and durable in consumers:
            fetched, acknowledged = consumers[durable]
            return {"messages": published, "num_pending": published - fetched,
                    "num_ack_pending": fetched - acknowledged}
    return {}


def _ask(backlog, url: str, stream: str, durable: str):
    try:
        return call_with_deadline(backlog, url, stream, durable, seconds=ASK_SECONDS)
    except TimeLimit:
        raise Wrong(f"backlog(monitoring_url, {stream!r}, {durable!r}) did not answer within {ASK_SECONDS} s: "
                    "pass a timeout to httpx.") from None


def _backlog_of(backlog, url: str, stream: str, durable: str) -> None:
    state = _expected(stream, durable)
    right = state["num_pending"] + state["num_ack_pending"]
    try:
        answer = _ask(backlog, url, stream, durable)
    except LookupError as error:  # a KeyError too: a report asked for without its consumers
        raise Wrong(f"For {stream}/{durable}, which the broker has, backlog raised {type(error).__name__}: {error}. "
                    "The monitoring report has the consumers' details only when asked for them: "
                    "`/jsz?consumers=true`.") \
            from None
    if answer == right:
        return
    said = f"backlog(monitoring_url, {stream!r}, {durable!r}) returned {answer!r}, but {durable} has {right} events "
    if answer == state["messages"] and right != state["messages"]:
        raise Wrong(said + f"to handle. {answer} is how many events the stream {stream} holds: with limits "
                    "retention an acknowledged event stays in the stream. The backlog is the consumer's own count.")
    if answer == state["num_pending"]:
        raise Wrong(said + f"to handle: {state['num_pending']} not delivered yet (num_pending), and "
                    f"{state['num_ack_pending']} delivered but not acknowledged (num_ack_pending), which are "
                    "still waiting too: the consumer may never finish them.")
    if answer == state["num_ack_pending"]:
        raise Wrong(said + f"to handle: you counted the {answer} delivered and not acknowledged "
                    f"(num_ack_pending), not the {state['num_pending']} not delivered yet (num_pending).")
    if where := _whose(answer, stream, durable):
        raise Wrong(said + f"to handle. {answer} is {where}.")
    raise Wrong(said + "to handle: not delivered yet (num_pending) plus delivered and not acknowledged "
                "(num_ack_pending).")


def _whose(answer, stream: str, durable: str) -> str:
    """Which other consumer's backlog (or the stream's consumers' together) `answer` is."""
    backlogs = {(s, d): sum(_expected(s, d)[k] for k in ("num_pending", "num_ack_pending"))
                for s, _, _, consumers in STREAMS for d in consumers}
    if len([d for s, d in backlogs if s == stream]) > 1 and answer == sum(n for (s, _), n in backlogs.items() if s == stream):
        return f"the backlog of all the consumers of {stream} together: find the consumer by its name"
    for (other_stream, other), n in backlogs.items():
        if answer == n and (other_stream, other) != (stream, durable):
            return (f"the backlog of the consumer {other} on the same stream: find the consumer by its name"
                    if other_stream == stream else f"the backlog of {other} on the stream {other_stream}: a "
                    "consumer's name is unique only within its stream, so find the stream first")
    return ""


def _no_such_consumer(backlog, url: str, stream: str, durable: str) -> None:
    try:
        answer = _ask(backlog, url, stream, durable)
    except LookupError:
        return
    said = f"The broker has no consumer {durable} on {stream}, and backlog returned {answer!r}"
    if where := _whose(answer, stream, durable):
        raise Wrong(f"{said}: {where}.")
    raise Wrong(f"{said}. The task says to raise LookupError: a typo in a name must not read as \"nothing "
                "waiting\".")


def _check_backlog(backlog) -> str:
    if not callable(backlog):
        raise Wrong("`backlog` should be a function: `def backlog(monitoring_url, stream, durable): ...`")
    with bus.start() as broker:
        _fill(broker)
        url = broker.monitoring_url
        _backlog_of(backlog, url, "ORDERS", "payments")
        _backlog_of(backlog, url, "ORDERS", "audit")
        _backlog_of(backlog, url, "PAYMENTS", "audit")
        _no_such_consumer(backlog, url, "PAYMENTS", "payments")
        _no_such_consumer(backlog, url, "ORDERS", "shipping")
        _no_such_consumer(backlog, url, "CATALOG", "payments")
    payments, audit = _expected("ORDERS", "payments"), _expected("PAYMENTS", "audit")
    return (f"A real broker, two streams, three consumers: payments on ORDERS has "
            f"{payments['num_pending'] + payments['num_ack_pending']} events to handle ({payments['num_pending']} "
            f"not delivered, {payments['num_ack_pending']} not acknowledged) in a stream of {payments['messages']}; "
            f"audit has {_expected('ORDERS', 'audit')['num_pending']} on ORDERS and "
            f"{audit['num_pending'] + audit['num_ack_pending']} on PAYMENTS; a consumer a stream does not have "
            "raises LookupError.")


backlog = Task(
    name="backlog", lesson="03-message-passing", checker=_check_backlog, seconds=20,
    hints=["A stream's size and a consumer's backlog are different numbers. The stream keeps events (acknowledged "
           "ones too, with limits retention); the backlog is one consumer's: the events it has not acknowledged.",
           "An event the consumer has not acknowledged is in one of two states: not delivered yet, or delivered "
           "and not acknowledged (the consumer may have died holding it). Both are still to be handled.",
           "The broker's monitoring endpoint reports both per consumer: `GET {monitoring_url}/jsz?consumers=true` "
           "answers JSON with `account_details` -> `stream_detail` (each has a `name`) -> `consumer_detail` (each "
           "has a `name`, `num_pending` and `num_ack_pending`).",
           "Loop over `report['account_details']`, then each account's `stream_detail` whose `name` is `stream`, "
           "then its `consumer_detail` whose `name` is `durable`; return `consumer['num_pending'] + "
           "consumer['num_ack_pending']`; after the loops, `raise LookupError(...)`."])


# -- outbox_prevents: which failures a transactional outbox prevents -----------------------
FAILURES = {
    "a": "Orders crashes after the broker stored `orders.placed` and before the order is committed: payments "
         "charges an order orders never saved.",
    "b": "Orders crashes after committing the order and before publishing its event: the order stays pending, "
         "never charged.",
    "c": "Payments crashes after charging and before acknowledging: the broker delivers `orders.placed` again.",
    "d": "The relay dies after publishing an event and before deleting its row, and orders restarts three minutes "
         "later: the relay publishes the event again.",
    "e": "Payments declines an order: the stock orders reserved for it stays reserved.",
}
PREVENTED = {"a", "b"}
_WHY = {
    "a": "with an outbox no event leaves before its order is committed: the event is a row committed with the "
         "order, and the relay publishes only committed rows (section 3.7's order that was never saved)",
    "b": "the event was committed with the order, so it waits in the outbox, and the relay publishes what it finds "
         "there when orders starts again",
    "c": "that is at-least-once delivery, on the consumer's side of the broker; an outbox lives in the producer. "
         "Payments' idempotency key is what makes the second delivery harmless (section 3.6)",
    "d": "the broker drops a repeated message id only within the stream's duplicate window (120 s in the lesson's "
         "run); three minutes later the copy is stored. An outbox publishes at least once, not exactly once, so "
         "consumers must still be idempotent",
    "e": "a declined payment is undone by the saga's compensating action (orders releases the stock, section 3.5); "
         "the outbox only makes sure the events that drive it are published",
}


def _letters(answer) -> set[str]:
    if isinstance(answer, str):
        answer = [letter for letter in answer if letter.isalnum()]
    if not isinstance(answer, (set, frozenset, list, tuple)):
        raise Wrong(f"outbox_prevents() returned {answer!r}: return the letters, such as {{'a', 'c'}}.")
    letters = {str(letter).strip().lower() for letter in answer}
    if unknown := sorted(letters - set(FAILURES)):
        raise Wrong(f"There is no failure {', '.join(unknown)}: the letters are {', '.join(sorted(FAILURES))}.")
    return letters


def _check_outbox(outbox_prevents) -> str:
    if not callable(outbox_prevents):
        raise Wrong("`outbox_prevents` should be a function that returns letters: `def outbox_prevents(): ...`")
    chosen = _letters(outbox_prevents())
    for letter in sorted(FAILURES):
        if letter in PREVENTED and letter not in chosen:
            raise Wrong(f"An outbox does prevent {letter}: {_WHY[letter]}.")
        if letter not in PREVENTED and letter in chosen:
            raise Wrong(f"An outbox does not prevent {letter}: {_WHY[letter]}.")
    return ("Right: an outbox prevents a and b, the two halves of the dual write. It does not make delivery or "
            "publishing exactly once (c, d: consumers stay idempotent), and it does not undo a saga's step (e).")


outbox_prevents = Task(
    name="outbox_prevents", lesson="03-message-passing", checker=_check_outbox, seconds=5,
    hints=["An outbox fixes one problem: saving a change and publishing its event are two writes to two systems, "
           "and a crash between them keeps one without the other. Which failures are that problem?",
           "Where does each failure happen: in the producer (orders, saving and publishing), in the broker, or in "
           "a consumer (payments)? An outbox is part of the producer.",
           "The relay may publish a row twice (it dies before deleting it); the broker drops the copy only within "
           "its duplicate window. And a declined payment is a saga's business, not a publishing one.",
           "Two letters: the crash before the commit and the crash before the publish."])


# -- the lesson's challenges (never graded): each wrong option is a misconception its run refutes --
from shipyard.exercises.challenges import Choice, Option, Prediction

acknowledged = Choice(
    "acknowledged", "Payments has charged the order and acknowledged its event. What will the broker count: "
    "events in the ORDERS stream, and events in payments' backlog?", [
        Option("0 and 0: the broker deletes an event once it is acknowledged",
               "No: the run shows the stream still holding the event. The shop's streams use limits retention: an "
               "acknowledgement moves the consumer's place in the stream and deletes nothing."),
        Option("1 and 0: the stream keeps the event; payments' place has moved past it",
               "The stream keeps events until a limit (none is set here); the backlog is one consumer's count of "
               "events it has not acknowledged.", right=True),
        Option("1 and 1: a consumer's backlog is every event in its stream",
               "No: the run shows a backlog of 0 beside a stream of 1. The backlog counts only the events this "
               "consumer has not acknowledged; another consumer of the same stream has its own."),
    ])

while_down = Prediction(
    "while_down", "Payments is down. Of twenty orders placed at once on the events path, how many will orders "
    "refuse?", ["all 20, like the RPC path: an order needs payments", "a few: those the broker cannot hand to "
                "payments at once", "none: orders only needs the broker to store the event"],
    outcome=lambda refused: 0 if refused == 20 else 1 if refused > 0 else 2)

refused_charged = Choice(
    "refused_charged", "The RPC path refused all twenty orders with 503 while payments was down, and orders-rpc "
    "never saved them. Payments is back: how many of those twenty has it charged?", [
        Option("None: a refused order never reached payments",
               "No: the run finds twenty charges for orders no orders service saved. The requests had reached "
               "payments' listening socket; a refusal after a timeout says only that no answer came in time."),
        Option("All twenty: their requests waited in payments' socket, and payments served them when it came back",
               "A timeout does not tell the caller whether its call happened: payments charged orders their "
               "caller had already refused.", right=True),
        Option("Only those that reached payments before it crashed",
               "No: payments was killed before the first of the twenty was placed, and the run finds twenty "
               "charges. The requests waited for payments and were served when it returned."),
    ])

relay_again = Choice(
    "relay_again", "Orders restarts with its event still in the outbox, although the broker stored it before the "
    "crash. What happens to the stream?", [
        Option("Nothing is published: an outbox publishes each event exactly once",
               "No: the relay cannot know the broker stored the event, so it publishes the row again. The run "
               "shows the row gone from the outbox, and this relay deletes a row only once the broker has "
               "answered its publish (shop_chassis/outbox.py)."),
        Option("It grows by one: the broker stores every publish, and payments will charge the order again",
               "No: a publish whose message id the stream has stored within its duplicate window is dropped; the "
               "run prints how much the stream grew and how long after the first publish the second came. And "
               "payments keys each charge on the order id: the run shows the order charged once."),
        Option("It stays the same while the stream's duplicate window lasts: the relay publishes again with the "
               "same message id, and the broker drops a copy that comes within the window",
               "Within the window the copy is dropped; the run prints the window and the seconds since the first "
               "publish. A relay that came back after the window would add a second copy: an outbox publishes at "
               "least once, so consumers stay idempotent.", right=True),
    ])
