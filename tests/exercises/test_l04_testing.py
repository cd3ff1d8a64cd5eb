"""Exercise 04, payments_contract: run for real against payments as it is and as changed."""
from answers import define, solution, stub

from shipyard import contracts
from shipyard.exercises.l04_testing import payments_contract as task

LESSON = "04-testing-microservices"
REQUEST = """from pact import match
def payments_contract(pact):
    (pact.upon_receiving("a charge").with_request("POST", "/payments")
     .with_body({"order_id": match.str("o-1"), "amount_cents": match.int(1900)}, "application/json")
     .will_respond_with(200).with_body(%s, "application/json"))
"""
SAYS_NOTHING_OF_STATUS = REQUEST % '{"order_id": match.str("o-1")}'
ASKS_FOR_MORE = REQUEST % '{"status": match.str("paid"), "receipt_url": match.str("https://x")}'
WRONG_PATH = """
def payments_contract(pact):
    pact.upon_receiving("a charge").with_request("POST", "/charges").will_respond_with(200)
"""
EMPTY = """
def payments_contract(pact):
    pass
"""


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "payments_contract")).kind == "unfinished"


def test_the_solution_passes_today_and_fails_on_the_renamed_field():
    feedback = task.check(solution(LESSON, "payments_contract"))
    assert feedback.ok and "missing the following keys: status" in feedback.message, feedback.message


def test_a_contract_silent_about_status_is_caught_by_orders_own_client():
    feedback = task.check(define(SAYS_NOTHING_OF_STATUS, "payments_contract"))
    assert feedback.kind == "wrong" and "KeyError: 'status'" in feedback.message


def test_a_contract_asking_for_more_than_orders_reads_is_refused_by_todays_payments():
    feedback = task.check(define(ASKS_FOR_MORE, "payments_contract"))
    assert feedback.kind == "wrong" and "asks for more than orders needs" in feedback.message
    assert "receipt_url" in feedback.message


def test_a_contract_for_another_request_does_not_match_what_orders_sends():
    feedback = task.check(define(WRONG_PATH, "payments_contract"))
    assert feedback.kind == "wrong" and "POST /payments" in feedback.message


def test_an_empty_contract_is_named():
    feedback = task.check(define(EMPTY, "payments_contract"))
    assert feedback.kind == "wrong" and "no interactions" in feedback.message


def test_a_course_change_that_no_longer_applies_is_reported_as_the_courses_fault_not_the_answers(monkeypatch):
    file, _, alias = contracts.RENAMES["payments"]
    monkeypatch.setitem(contracts.RENAMES, "payments", (file, "state", alias))  # a field payments no longer has
    feedback = task.check(solution(LESSON, "payments_contract"))
    assert feedback.kind == "wrong" and "not because of your contract" in feedback.message
    assert "payments/api.py declares the field 'state' 0 times" in feedback.message
