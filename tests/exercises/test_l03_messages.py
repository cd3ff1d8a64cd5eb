"""Exercise 03, charge_once: fed by a real broker that duplicates and redelivers events."""
from answers import define, solution, stub
from shipyard.exercises.l03_messages import charge_once as task

LESSON = "03-message-passing"
PLAIN_INSERT = """
def charge_once(conn, event):
    conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
"""
REMEMBERED_IN_MEMORY = """
seen = set()
def charge_once(conn, event):
    if event["order_id"] not in seen:
        seen.add(event["order_id"])
        conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], event["amount_cents"]))
"""
WRONG_KEY = """
def charge_once(conn, event):
    conn.execute("INSERT INTO charges VALUES (?, ?)", (event["id"], event["amount_cents"]))
"""
WRONG_AMOUNT = """
def charge_once(conn, event):
    if not conn.execute("SELECT 1 FROM charges WHERE order_id = ?", (event["order_id"],)).fetchone():
        conn.execute("INSERT INTO charges VALUES (?, ?)", (event["order_id"], 100))
"""
STUCK = """
def charge_once(conn, event):
    while True:
        pass
"""


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "charge_once")).kind == "unfinished"


def test_the_solution_charges_every_order_exactly_once():
    feedback = task.check(solution(LESSON, "charge_once"))
    assert feedback.ok, feedback.message


def test_a_plain_insert_is_caught_charging_a_duplicated_event_twice():
    feedback = task.check(define(PLAIN_INSERT, "charge_once"))
    assert feedback.kind == "wrong" and "charged 2 times" in feedback.message and "published twice" in feedback.message


def test_remembering_handled_orders_in_memory_is_caught_after_a_restart():
    feedback = task.check(define(REMEMBERED_IN_MEMORY, "charge_once"))
    assert feedback.kind == "wrong" and "in the database, not in memory" in feedback.message


def test_a_wrong_key_gets_the_error_in_one_line():
    feedback = task.check(define(WRONG_KEY, "charge_once"))
    assert feedback.kind == "wrong" and feedback.message == "Your code raised KeyError: 'id'"


def test_charging_the_wrong_amount_is_named():
    feedback = task.check(define(WRONG_AMOUNT, "charge_once"))
    assert feedback.kind == "wrong" and "its event says" in feedback.message


def test_a_handler_that_never_returns_is_stopped_and_named():
    feedback = task.check(define(STUCK, "charge_once"))
    assert feedback.kind == "wrong" and "did not return within 2 s" in feedback.message
