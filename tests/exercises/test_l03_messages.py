"""Exercise 03. charge_once: fed by a real broker that duplicates and redelivers events, with
orders of equal amounts, one charged before a restart, and two deliveries overlapping.
backlog: read from a real broker's monitoring endpoint. outbox_prevents: conceptual."""
import dataclasses

import pytest

from answers import define, solution, stub

from shipyard.exercises.l03_messages import charge_once as task

LESSON = "03-message-passing"


def answer(body: str):
    """A charge_once whose body is `body` (indented by four spaces)."""
    return define("def charge_once(conn, event):\n" + "".join(f"    {line}\n" for line in body.strip().splitlines()),
                  "charge_once")


KEYED = """
conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS charges_by_order ON charges (order_id)")
"""
PLAIN_INSERT = """
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""
IGNORE_WITHOUT_A_KEY = """
return conn.execute("INSERT OR IGNORE INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"])).rowcount == 1
"""
KEYED_ON_THE_AMOUNT = """
if conn.execute("SELECT 1 FROM charges WHERE amount_cents = ?", (event["amount_cents"],)).fetchone():
    return False
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""
KEYED_ON_THE_AMOUNT_BY_THE_DATABASE = """
conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS charges_by_amount ON charges (amount_cents)")
return conn.execute("INSERT OR IGNORE INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"])).rowcount == 1
"""
KEYED_ON_THE_EVENT_ID = """
conn.execute("CREATE TABLE IF NOT EXISTS handled (event_id TEXT PRIMARY KEY)")
if conn.execute("INSERT OR IGNORE INTO handled VALUES (?)", (event["event_id"],)).rowcount == 0:
    return False
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""
KEYED_ON_THE_ORDER_AND_EVENT_ID = """
conn.execute("CREATE TABLE IF NOT EXISTS handled (key TEXT PRIMARY KEY)")
key = event["order_id"] + "/" + event["event_id"]
if conn.execute("INSERT OR IGNORE INTO handled VALUES (?)", (key,)).rowcount == 0:
    return False
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""
REMEMBERED_IN_A_SET = """
if event["order_id"] in SEEN:
    return False
SEEN.add(event["order_id"])
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""
SELECT_THEN_INSERT = """
if conn.execute("SELECT 1 FROM charges WHERE order_id = ?", (event["order_id"],)).fetchone():
    return False
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""
COUNT_THEN_INSERT = """
(count,) = conn.execute("SELECT COUNT(*) FROM charges WHERE order_id = ?", (event["order_id"],)).fetchone()
if count == 0:
    conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return count == 0
"""
SERIALISED_BY_A_WRITE_LOCK = """
conn.execute("BEGIN IMMEDIATE")
if conn.execute("SELECT 1 FROM charges WHERE order_id = ?", (event["order_id"],)).fetchone():
    return False
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""
ONE_STATEMENT = """
return conn.execute("INSERT INTO charges SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM charges WHERE order_id = ?)",
                    (event["order_id"], event["amount_cents"], event["order_id"])).rowcount == 1
"""


def keyed(insert_values: str, returns: str = "cursor.rowcount == 1"):
    return answer(KEYED + f"cursor = conn.execute('INSERT OR IGNORE INTO charges VALUES (?, ?)', {insert_values})\n"
                  f"return {returns}")


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "charge_once")).kind == "unfinished"


def test_the_solution_charges_every_order_exactly_once():
    feedback = task.check(solution(LESSON, "charge_once"))
    assert feedback.ok, feedback.message


@pytest.mark.parametrize("code", [SERIALISED_BY_A_WRITE_LOCK, ONE_STATEMENT], ids=["write-lock", "one-statement"])
def test_other_answers_that_cannot_race_pass_too(code):
    feedback = task.check(answer(code))
    assert feedback.ok, feedback.message


# Each order charged the first time its event arrives, for the amount its event says.
@pytest.mark.parametrize("code", [KEYED_ON_THE_AMOUNT, KEYED_ON_THE_AMOUNT_BY_THE_DATABASE], ids=["select", "unique"])
def test_a_charge_keyed_on_the_amount_is_caught_on_two_orders_that_cost_the_same(code):
    feedback = task.check(answer(code))
    assert feedback.kind == "wrong" and "never charged" in feedback.message
    assert "has the same amount, 1900 cents" in feedback.message and "is your key the amount?" in feedback.message


@pytest.mark.parametrize("values, charged", [("(event['order_id'], 100)", "100"),
                                             ("(event['order_id'], event['amount_cents'] // 100)", "19")])
def test_charging_another_amount_than_the_events_is_named(values, charged):
    feedback = task.check(keyed(values))
    assert feedback.kind == "wrong" and f"charged {charged} cents; its event says 1900" in feedback.message


# ... once, when a producer retried its publish with a new message id.
@pytest.mark.parametrize("code", [PLAIN_INSERT, KEYED_ON_THE_EVENT_ID, KEYED_ON_THE_ORDER_AND_EVENT_ID],
                         ids=["plain", "event-id", "order-and-event-id"])
def test_an_event_published_twice_with_new_ids_charged_twice_is_named(code):
    feedback = task.check(answer(code))
    assert feedback.kind == "wrong" and "charged 2 times: its event was published twice" in feedback.message
    assert "the event id tells deliveries apart, not charges" in feedback.message


def test_keying_on_the_event_id_also_misses_the_order_charged_before_a_restart():
    feedback = task.check(answer(KEYED_ON_THE_EVENT_ID))
    assert "Order o-12 was charged 2 times: it was in the ledger before your consumer started" in feedback.message


# ... once, when the consumer failed before acknowledging and the broker delivered again.
@pytest.mark.parametrize("code", [PLAIN_INSERT, IGNORE_WITHOUT_A_KEY], ids=["plain", "ignore-without-a-key"])
def test_an_event_delivered_again_after_a_failure_charged_twice_is_named(code):
    feedback = task.check(answer(code))
    assert feedback.kind == "wrong" and "failed before acknowledging, and the broker delivered" in feedback.message


def test_insert_or_ignore_without_a_unique_key_is_told_the_ledger_has_none():
    feedback = task.check(answer(IGNORE_WITHOUT_A_KEY))
    assert "has no unique key" in feedback.message and "INSERT OR IGNORE included" in feedback.message


# ... once, when it was charged before this consumer (re)started.
def remembered_in_a_set():
    return define("SEEN = set()\ndef charge_once(conn, event):\n"
                  + "".join(f"    {line}\n" for line in REMEMBERED_IN_A_SET.strip().splitlines()), "charge_once")


@pytest.mark.parametrize("make", [remembered_in_a_set, lambda: answer(PLAIN_INSERT)], ids=["set", "plain"])
def test_an_order_charged_before_a_restart_and_charged_again_is_named(make):
    feedback = task.check(make())
    assert feedback.kind == "wrong" and "in the ledger before your consumer started" in feedback.message
    assert "memory forgets across a restart" in feedback.message


# ... once, when two deliveries of one event overlap.
@pytest.mark.parametrize("code", [SELECT_THEN_INSERT, COUNT_THEN_INSERT], ids=["select", "count"])
def test_looking_then_inserting_is_caught_when_two_deliveries_overlap(code):
    feedback = task.check(answer(code))
    assert feedback.kind == "wrong" and "Two consumers handled the same event" in feedback.message
    assert "both looked for its charge, both found none, both inserted" in feedback.message


# True when the call charged, False when the order had been charged already.
@pytest.mark.parametrize("returns, said", [("None", "returned None"), ("'charged'", "returned 'charged'")])
def test_an_answer_that_returns_neither_true_nor_false_is_told_what_to_return(returns, said):
    feedback = task.check(keyed("(event['order_id'], event['amount_cents'])", returns))
    assert feedback.kind == "wrong" and said in feedback.message and "True when this call charged" in feedback.message


@pytest.mark.parametrize("returns", ["True", "cursor.rowcount == 0"])
def test_an_answer_that_says_true_for_the_wrong_calls_is_told_which(returns):
    feedback = task.check(keyed("(event['order_id'], event['amount_cents'])", returns))
    assert feedback.kind == "wrong" and "exactly one should return True" in feedback.message


# Whatever the answer does, it gets words.
def test_a_wrong_key_gets_the_error_in_one_line():
    feedback = task.check(answer("conn.execute('INSERT INTO charges VALUES (?, ?)', (event['id'], 1))"))
    assert feedback.kind == "wrong" and feedback.message == "Your code raised KeyError: 'id'"


def test_a_handler_that_calls_sys_exit_gets_words():
    feedback = task.check(define("import sys\ndef charge_once(conn, event):\n    sys.exit(2)", "charge_once"))
    assert feedback.kind == "wrong" and "sys.exit(2)" in feedback.message


def test_a_handler_that_never_returns_is_stopped_and_named():
    feedback = task.check(answer("while True:\n    pass"))
    assert feedback.kind == "wrong" and "did not return within 2 s" in feedback.message


def test_a_handler_that_hangs_past_the_tasks_limit_is_stopped_with_words():
    feedback = dataclasses.replace(task, seconds=1).check(answer("while True:\n    pass"))
    assert feedback.kind == "wrong" and "did not finish within 1 s" in feedback.message


def test_a_variable_that_is_not_a_function_is_explained():
    assert "should be a function" in task.check("INSERT OR IGNORE").message


def test_the_hints_go_from_the_idea_to_nearly_the_code():
    first, last = task.hint(1).message, task.hint(len(task.hints)).message
    assert "idempotency key" in first and "SELECT" not in first and "INSERT" not in first
    assert "INSERT OR IGNORE" in last and "rowcount" in last


# -- backlog: read from a real broker's monitoring endpoint ---------------------------------
from shipyard.exercises.l03_messages import backlog as backlog_task
from shipyard.exercises.l03_messages import outbox_prevents as outbox_task


def reading(found: str, value: str, missing: str = "raise LookupError(durable)", params: str = '{"consumers": "true"}'):
    """A backlog that picks the consumer for which `found` holds and returns `value`."""
    return define(f"""import httpx
def backlog(url, stream, durable):
    report = httpx.get(url + "/jsz", params={params}, timeout=2).json()
    for s in report["account_details"][0]["stream_detail"]:
        for c in s.get("consumer_detail", []):
            if {found}:
                return {value}
    {missing}
""", "backlog")


BOTH_NAMES, BOTH_COUNTS = "s['name'] == stream and c['name'] == durable", "c['num_pending'] + c['num_ack_pending']"


def test_the_backlog_stub_is_reported_unfinished():
    assert backlog_task.check(stub(LESSON, "backlog")).kind == "unfinished"


def test_the_backlog_solution_passes():
    feedback = backlog_task.check(solution(LESSON, "backlog"))
    assert feedback.ok, feedback.message


def test_reading_the_backlog_from_the_ack_floor_passes_too():
    feedback = backlog_task.check(reading(BOTH_NAMES, "s['state']['last_seq'] - c['ack_floor']['stream_seq']"))
    assert feedback.ok, feedback.message


# The consumer's events not acknowledged: not delivered, or delivered and not acknowledged.
@pytest.mark.parametrize("value", ["s['state']['messages']", "s['state']['last_seq']"])
def test_the_streams_size_is_told_apart_from_the_backlog(value):
    feedback = backlog_task.check(reading(BOTH_NAMES, value))
    assert feedback.kind == "wrong" and "returned 8, but payments has 7 events to handle" in feedback.message
    assert "how many events the stream ORDERS holds" in feedback.message


@pytest.mark.parametrize("value, missed", [("c['num_pending']", "3 delivered but not acknowledged"),
                                           ("c['num_ack_pending']", "not the 4 not delivered yet")])
def test_counting_only_one_kind_of_unacknowledged_event_is_named(value, missed):
    feedback = backlog_task.check(reading(BOTH_NAMES, value))
    assert feedback.kind == "wrong" and missed in feedback.message


# ... of the consumer `durable` of the stream `stream`.
SUM_OF_THE_STREAM = """import httpx
def backlog(url, stream, durable):
    report = httpx.get(url + "/jsz", params={"consumers": "true"}, timeout=2).json()
    for s in report["account_details"][0]["stream_detail"]:
        if s["name"] == stream:
            return sum(c["num_pending"] + c["num_ack_pending"] for c in s["consumer_detail"])
    raise LookupError(stream)
"""


@pytest.mark.parametrize("make", [lambda: reading("s['name'] == stream", BOTH_COUNTS),
                                  lambda: define(SUM_OF_THE_STREAM, "backlog")], ids=["first", "sum"])
def test_an_answer_that_does_not_look_at_the_consumers_name_is_told_to(make):
    feedback = backlog_task.check(make())
    assert feedback.kind == "wrong" and "find the consumer by its name" in feedback.message


BY_NAME_ACROSS_STREAMS = """import httpx
def backlog(url, stream, durable):
    report = httpx.get(url + "/jsz", params={"consumers": "true"}, timeout=2).json()
    consumers = {c["name"]: c for s in report["account_details"][0]["stream_detail"] for c in s.get("consumer_detail", [])}
    return consumers[durable]["num_pending"] + consumers[durable]["num_ack_pending"]
"""


@pytest.mark.parametrize("make", [lambda: reading("c['name'] == durable", BOTH_COUNTS),
                                  lambda: define(BY_NAME_ACROSS_STREAMS, "backlog")], ids=["first", "dict"])
def test_an_answer_that_does_not_look_at_the_stream_is_told_to(make):
    feedback = backlog_task.check(make())
    assert feedback.kind == "wrong" and "unique only within its stream, so find the stream first" in feedback.message


@pytest.mark.parametrize("params", ["{}", '{"streams": "true"}'])
def test_asking_the_monitoring_endpoint_without_consumers_is_told_how_to_ask(params):
    feedback = backlog_task.check(reading(BOTH_NAMES, BOTH_COUNTS, params=params))
    assert feedback.kind == "wrong" and "/jsz?consumers=true" in feedback.message


# ... and LookupError for a consumer the broker does not have.
@pytest.mark.parametrize("missing, said", [("return 0", "returned 0"), ("pass", "returned None")])
def test_an_answer_that_does_not_raise_for_a_missing_consumer_is_told_to(missing, said):
    feedback = backlog_task.check(reading(BOTH_NAMES, BOTH_COUNTS, missing=missing))
    assert feedback.kind == "wrong" and said in feedback.message and "raise LookupError" in feedback.message


def test_a_backlog_that_waits_without_a_timeout_is_stopped_with_words():
    feedback = backlog_task.check(define("def backlog(url, stream, durable):\n    while True:\n        pass", "backlog"))
    assert feedback.kind == "wrong" and "did not answer within 3 s" in feedback.message


def test_a_backlog_that_calls_sys_exit_gets_words():
    feedback = backlog_task.check(define("import sys\ndef backlog(url, stream, durable):\n    sys.exit()", "backlog"))
    assert feedback.kind == "wrong" and "sys.exit(None)" in feedback.message


# -- outbox_prevents: conceptual -------------------------------------------------------------
def test_the_outbox_stub_is_reported_unfinished():
    assert outbox_task.check(stub(LESSON, "outbox_prevents")).kind == "unfinished"


def test_the_outbox_solution_passes_and_so_do_letters_in_another_shape():
    assert outbox_task.check(solution(LESSON, "outbox_prevents")).ok
    assert outbox_task.check(lambda: ["B", "a"]).ok and outbox_task.check(lambda: "a, b").ok


@pytest.mark.parametrize("chosen, missed", [({"b"}, "prevent a:"), ({"b", "c"}, "prevent a:"),
                                            ({"a"}, "prevent b:"), ({"a", "d"}, "prevent b:")])
def test_leaving_out_a_failure_the_outbox_prevents_says_why_it_does(chosen, missed):
    feedback = outbox_task.check(lambda: chosen)
    assert feedback.kind == "wrong" and f"An outbox does {missed}" in feedback.message


@pytest.mark.parametrize("chosen, why", [({"a", "b", "c"}, "at-least-once delivery"),
                                         ({"a", "b", "c", "e"}, "at-least-once delivery"),
                                         ({"a", "b", "d"}, "duplicate window"),
                                         ({"a", "b", "d", "e"}, "at least once, not exactly once"),
                                         ({"a", "b", "e"}, "compensating action"),
                                         (set("abcde"), "at-least-once delivery")])
def test_choosing_a_failure_the_outbox_does_not_prevent_names_the_misconception(chosen, why):
    feedback = outbox_task.check(lambda: chosen)
    assert feedback.kind == "wrong" and "An outbox does not prevent" in feedback.message and why in feedback.message


@pytest.mark.parametrize("returned, said", [(None, "returned None"), (3, "returned 3"), ("az", "no failure z")])
def test_an_answer_that_is_not_letters_gets_words(returned, said):
    feedback = outbox_task.check(lambda: returned)
    assert feedback.kind == "wrong" and said in feedback.message


def test_an_outbox_answer_that_calls_sys_exit_gets_words():
    feedback = outbox_task.check(define("import sys\ndef outbox_prevents():\n    sys.exit('ab')", "outbox_prevents"))
    assert feedback.kind == "wrong" and "sys.exit('ab')" in feedback.message


def test_an_outbox_answer_that_hangs_is_stopped_with_words():
    feedback = dataclasses.replace(outbox_task, seconds=1).check(
        define("def outbox_prevents():\n    while True:\n        pass", "outbox_prevents"))
    assert feedback.kind == "wrong" and "did not finish within 1 s" in feedback.message


# -- the lesson's prediction: its outcome is a pure function of what the run measured --------
from shipyard.exercises.l03_messages import while_down


@pytest.mark.parametrize("refused, option", [(20, 0), (19, 1), (1, 1), (0, 2)])
def test_the_while_down_prediction_maps_each_count_of_refused_orders_to_its_option(refused, option):
    assert while_down.outcome(refused) == option


def test_the_while_down_reveal_says_what_the_run_shows_and_whether_the_prediction_held():
    assert while_down.reveal(0, "0 of 20 refused").message.endswith("store the event (0 of 20 refused).")
    predicted = dataclasses.replace(while_down)
    predicted.commit(0)
    feedback = predicted.reveal(0)
    assert feedback.kind == "misconception" and feedback.message.startswith("You predicted 'all 20, like the RPC path")


# -- a check stops what it started ------------------------------------------------------------
def started_by_checks() -> list[str]:
    """The broker processes and check threads still alive, after a short wait for them to end."""
    import os
    import threading
    import time

    import psutil

    deadline = time.monotonic() + 5
    while True:
        left = [p.name() for p in psutil.Process(os.getpid()).children(recursive=True) if "nats" in p.name()]
        left += [t.name for t in threading.enumerate() if t.name.startswith(("checker-", "shipyard-overlap"))]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def test_a_handler_that_raises_midway_through_the_deliveries_gets_words_and_the_broker_is_stopped():
    feedback = task.check(answer(KEYED + """
if conn.execute("SELECT 1 FROM charges WHERE order_id = ?", (event["order_id"],)).fetchone():
    raise RuntimeError("seen it")
conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
return True
"""))
    assert feedback.kind == "wrong" and feedback.message == "Your code raised RuntimeError: seen it"
    assert started_by_checks() == []


@pytest.mark.parametrize("check", [lambda: task.check(answer(SELECT_THEN_INSERT)),
                                   lambda: backlog_task.check(reading(BOTH_NAMES, "c['num_pending']"))],
                         ids=["charge_once", "backlog"])
def test_a_failed_check_leaves_no_broker_and_no_thread_behind(check):
    assert check().kind == "wrong"
    assert started_by_checks() == []
