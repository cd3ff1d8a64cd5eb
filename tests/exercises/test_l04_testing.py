"""Exercise 04: every task's stub, solution, and the near misses learners write, each run for
real (orders' client against Pact's mock, pacts verified against real payments processes)."""
import dataclasses

import psutil
import pytest

from answers import define, solution, stub
from shipyard import contracts
from shipyard.exercises.l04_testing import payments_contract as task

LESSON = "04-testing-microservices"

REQUEST = '{"order_id": match.str("o-1"), "amount_cents": match.int(1900)}'
RESPONSE = '{"status": match.regex("paid", regex="^(paid|declined)$")}'
CALL = """    with pact.serve(addr="127.0.0.1") as mock:
        status = PaymentsClient(httpx.Client(timeout=2), str(mock.url)).charge("o-1", 1900)
    assert status == "paid"
"""


def consumer(request=REQUEST, response=RESPONSE, method="POST", path="/payments", call=CALL):
    """A payments_contract as learners write it: one interaction, then orders' client against the mock."""
    return define(f"""import httpx
from pact import match
from shipyard import contracts
PaymentsClient = contracts.orders_clients().PaymentsClient
def payments_contract(pact):
    (pact.upon_receiving("a charge").with_request({method!r}, {path!r})
     .with_body({request}, "application/json")
     .will_respond_with(200).with_body({response}, "application/json"))
{call}""", "payments_contract")


def wrong(answer) -> str:
    feedback = task.check(answer)
    assert feedback.kind == "wrong", feedback
    return feedback.message


@pytest.fixture
def nothing_left_behind():
    """Every process and every listening socket a check starts (providers, Pact's mocks), it stops."""
    me = psutil.Process()

    def listening():
        return {c.laddr for c in me.net_connections("tcp") if c.status == psutil.CONN_LISTEN}

    before, ports = {child.pid for child in me.children(recursive=True)}, listening()
    yield
    left = [child for child in me.children(recursive=True)
            if child.pid not in before and child.status() != psutil.STATUS_ZOMBIE]
    assert left == [], f"the check left {left} running"
    assert listening() - ports == set(), "the check left a mock server listening"


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "payments_contract")).kind == "unfinished"


def test_the_solution_passes_today_and_as_payments_declines_and_fails_on_the_renamed_field(nothing_left_behind):
    feedback = task.check(solution(LESSON, "payments_contract"))
    assert feedback.ok and "missing the following keys: status" in feedback.message, feedback.message


def test_the_near_miss_helper_with_the_right_parts_passes():
    feedback = task.check(consumer())
    assert feedback.ok, feedback.message


# -- a consumer test runs orders' client against the mock ------------------------------------
def test_a_contract_whose_test_never_starts_the_mock_is_told_to_run_orders_client_against_it():
    message = wrong(consumer(call="    pass"))
    assert "never started Pact's mock" in message and "pact.serve()" in message


def test_a_test_that_starts_the_mock_but_never_calls_it_is_named(nothing_left_behind):
    message = wrong(consumer(call="    with pact.serve() as mock:\n        pass"))
    assert "never called the mock" in message


def test_a_test_that_never_calls_a_quiet_mock_is_named_too(nothing_left_behind):
    message = wrong(consumer(call="    with pact.serve(raises=False, verbose=False) as mock:\n        pass"))
    assert "never called the mock" in message


def test_a_mock_entered_and_never_left_is_stopped_by_the_check(nothing_left_behind):
    message = wrong(consumer(call="    pact.serve().__enter__()"))
    assert "never called the mock" in message


def test_a_failing_assertion_in_the_learners_test_gets_words():
    message = wrong(consumer(call=CALL.replace('== "paid"', '== "charged"')))
    assert "consumer test's own assertion failed" in message


# -- the interaction is what orders' real client sends ------------------------------------------
@pytest.mark.parametrize("variant", [{"path": "/charges"}, {"method": "PUT"},
                                     {"request": '{"order_id": match.str("o-1"), "amount": match.int(1900)}'}],
                         ids=["another path", "another method", "another field name"])
def test_an_interaction_orders_client_does_not_send_is_refused_by_the_mock(variant, nothing_left_behind):
    message = wrong(consumer(**variant))
    assert "does not describe" in message and "POST /payments" in message and "amount_cents" in message


def test_an_interaction_for_another_request_is_caught_even_when_the_test_sends_it_itself():
    raw = """    with pact.serve() as mock:
        httpx.post(str(mock.url) + "/charges", json={"order_id": "o-1", "amount_cents": 1900})
"""
    message = wrong(consumer(path="/charges", call=raw))
    assert "orders' payments client" in message and "does not describe" in message


# -- values that differ from order to order are matched by type ----------------------------------
@pytest.mark.parametrize("request_body", ['{"order_id": "o-1", "amount_cents": 1900}',
                                          '{"order_id": match.str("o-1"), "amount_cents": 1900}'],
                         ids=["both pinned", "amount pinned"])
def test_a_request_that_pins_example_values_is_refused_for_the_next_order(request_body):
    message = wrong(consumer(request=request_body))
    assert "pins example values" in message and "match their type" in message


# -- the status is matched, paid or declined -------------------------------------------------------
@pytest.mark.parametrize("response", ['{"status": "paid"}', '{"status": match.regex("paid", regex="^paid$")}'],
                         ids=["pinned", "a pattern for paid alone"])
def test_a_status_that_allows_only_paid_fails_against_a_payments_that_declines(response, nothing_left_behind):
    message = wrong(consumer(response=response))
    assert "declines every charge" in message and "'declined'" in message


# -- orders reads status: the contract must say so --------------------------------------------------
@pytest.mark.parametrize("response", ['{"order_id": match.str("o-1")}', "{}"], ids=["another field", "empty body"])
def test_a_contract_silent_about_status_is_caught_by_orders_own_client(response):
    message = wrong(consumer(response=response, call=CALL.replace('    assert status == "paid"\n', "")
                             .replace("status = ", "")))
    assert "KeyError: 'status'" in message and "reads `status` from a 200 answer" in message


@pytest.mark.parametrize("response", [
    'match.each_key_matches({"status": "paid"}, rules=match.regex("status", regex=r"^\\w+$"))',
    'match.each_value_matches({"status": "paid"}, rules=match.regex("paid", regex=r"^.*$"))'],
    ids=["any key", "any value"])
def test_a_contract_too_loose_to_catch_the_renamed_status_is_named(response, nothing_left_behind):
    message = wrong(consumer(response=response))
    assert "still passes when payments renames `status`" in message and "too loose" in message


# -- no more than orders reads -----------------------------------------------------------------------
@pytest.mark.parametrize("extra", ['"receipt_url": match.str("https://x")', '"currency": match.str("EUR")'])
def test_a_contract_asking_for_more_than_orders_reads_is_refused_by_todays_payments(extra):
    message = wrong(consumer(response=RESPONSE[:-1] + ", " + extra + "}"))
    assert "asks for more than orders needs" in message and extra.split('"')[1] in message


def test_an_empty_contract_is_named():
    message = wrong(define("def payments_contract(pact):\n    pass", "payments_contract"))
    assert "no interactions" in message


# -- whatever the answer does, words -------------------------------------------------------------------
def test_an_answer_that_calls_sys_exit_inside_the_mocks_block_gets_words(nothing_left_behind):
    feedback = task.check(consumer(call="    import sys\n    with pact.serve() as mock:\n        sys.exit(2)"))
    assert feedback.kind == "wrong" and "sys.exit(2)" in feedback.message


def test_an_answer_that_hangs_inside_the_mocks_block_is_stopped_with_a_friendly_message(nothing_left_behind):
    hanging = consumer(call="    with pact.serve() as mock:\n        while True:\n            pass")
    feedback = dataclasses.replace(task, seconds=2).check(hanging)
    assert feedback.kind == "wrong" and "did not finish within 2 s" in feedback.message


def test_a_course_change_that_no_longer_applies_is_reported_as_the_courses_fault_not_the_answers(monkeypatch):
    file, _, alias = contracts.RENAMES["payments"]
    monkeypatch.setitem(contracts.RENAMES, "payments", (file, "state", alias))  # a field payments no longer has
    feedback = task.check(solution(LESSON, "payments_contract"))
    assert feedback.kind == "wrong" and "not because of your contract" in feedback.message
    assert "payments/api.py declares the field 'state' 0 times" in feedback.message
