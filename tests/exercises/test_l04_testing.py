"""Exercise 04: every task's stub, solution, and the near misses learners write, each run for
real (orders' client against Pact's mock, pacts verified against real payments processes)."""
import dataclasses
import json

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


# == cheapest_level ===================================================================================
from shipyard.exercises import l04_testing  # noqa: E402
from shipyard.exercises.l04_testing import cheapest_level as levels  # noqa: E402

RIGHT_LEVELS = {"a": "unit", "b": "component", "c": "contract", "d": "contract", "e": "integration"}


def choosing(**changes):
    return lambda: {**RIGHT_LEVELS, **changes}


def test_cheapest_level_stub_is_reported_unfinished():
    assert levels.check(stub(LESSON, "cheapest_level")).kind == "unfinished"


def test_cheapest_level_solution_passes():
    feedback = levels.check(solution(LESSON, "cheapest_level"))
    assert feedback.ok, feedback.message


def test_every_wrong_level_for_every_bug_has_its_own_explanation():
    for letter, (right, why) in l04_testing.CHEAPEST.items():
        assert set(why) == set(l04_testing.LEVELS) - {right}, letter
        for level, explanation in why.items():
            feedback = levels.check(choosing(**{letter: level}))
            assert feedback.kind == "wrong" and f"({letter}) not {level}: {explanation}" in feedback.message
            assert "4 of 5 right" in feedback.message


@pytest.mark.parametrize("letter, level, words", [
    ("a", "component", "tens of milliseconds a test"), ("a", "integration", "three services"),
    ("b", "unit", "TestClient"), ("b", "contract", "no other service sends orders"),
    ("c", "component", "passed with the rename"), ("c", "integration", "the pact failed first"),
    ("d", "component", "integer amounts"), ("d", "integration", "publisher hears nothing"),
    ("e", "contract", "never reaches payments"), ("e", "component", "in-memory bus")])
def test_a_level_above_or_beside_the_cheapest_is_explained_from_the_lessons_run(letter, level, words):
    feedback = levels.check(choosing(**{letter: level}))
    assert feedback.kind == "wrong" and words in feedback.message


def test_two_wrong_levels_are_both_explained():
    feedback = levels.check(choosing(c="integration", e="contract"))
    assert "3 of 5 right" in feedback.message and "(c) not integration" in feedback.message
    assert "(e) not contract" in feedback.message


@pytest.mark.parametrize("answer, words", [
    (lambda: ["unit"] * 5, "should return a dict"),
    (lambda: {"a": "unit"}, "Missing: b, c, d, e"),
    (lambda: {**RIGHT_LEVELS, "f": "unit"}, "Not a bug: 'f'"),
    (lambda: {**RIGHT_LEVELS, "a": "UNIT"}, "each choice is one of UNIT"),
    (lambda: {**RIGHT_LEVELS, "e": "end-to-end"}, "For (e) you chose 'end-to-end'")])
def test_a_malformed_choice_is_told_its_shape(answer, words):
    feedback = levels.check(answer)
    assert feedback.kind == "wrong" and words in feedback.message


def test_cheapest_level_calling_sys_exit_gets_words():
    feedback = levels.check(define("import sys\ndef cheapest_level():\n    sys.exit()", "cheapest_level"))
    assert feedback.kind == "wrong" and "sys.exit(None)" in feedback.message


def test_cheapest_level_that_hangs_is_stopped_with_a_friendly_message():
    hanging = define("def cheapest_level():\n    while True:\n        pass", "cheapest_level")
    feedback = dataclasses.replace(levels, seconds=1).check(hanging)
    assert feedback.kind == "wrong" and "did not finish within 1 s" in feedback.message


# == orders_placed_ok =================================================================================
from shipyard.exercises.l04_testing import orders_placed_ok as placed  # noqa: E402

VALIDATOR = """import json, jsonschema
from shipyard import contracts
SCHEMA = json.loads((contracts.MESSAGES / "orders.placed.schema.json").read_text())
def orders_placed_ok(event):
%s
"""


def validator(body: str):
    return define(VALIDATOR % body, "orders_placed_ok")


def placed_wrong(answer) -> str:
    feedback = placed.check(answer)
    assert feedback.kind == "wrong", feedback
    return feedback.message


def test_orders_placed_ok_stub_is_reported_unfinished():
    assert placed.check(stub(LESSON, "orders_placed_ok")).kind == "unfinished"


def test_orders_placed_ok_solution_passes_on_the_near_misses_and_on_events_real_orders_published(nothing_left_behind):
    feedback = placed.check(solution(LESSON, "orders_placed_ok"))
    assert feedback.ok and "real orders published in this check" in feedback.message, feedback.message


def test_the_checkers_events_agree_with_the_shared_schema():
    import jsonschema
    check = jsonschema.Draft202012Validator(json.loads(l04_testing.SCHEMA_FILE.read_text()))
    assert all(check.is_valid(event) is accepted for _, event, accepted, _ in l04_testing.PLACED)


# -- required fields, read without raising ---------------------------------------------------------
def test_hand_written_rules_that_index_a_missing_field_are_told_to_answer_false():
    message = placed_wrong(validator('    return isinstance(event["order_id"], str) and '
                                     'isinstance(event["amount_cents"], (int, float)) and event["amount_cents"] > 0'))
    assert "without order_id" in message and "raised KeyError" in message and "return False" in message


def test_validate_which_raises_is_told_to_answer_instead():
    message = placed_wrong(validator("    jsonschema.validate(event, SCHEMA)\n    return True"))
    assert "raised ValidationError" in message and "is_valid" in message


def test_a_validator_that_forgets_a_required_field_is_named():
    message = placed_wrong(validator('    return isinstance(event, dict) and isinstance(event.get("order_id"), str)'))
    assert "without amount_cents" in message and "`amount_cents` is required" in message


# -- the amount's type -------------------------------------------------------------------------------
def test_isinstance_int_lets_a_boolean_amount_through():
    message = placed_wrong(validator('    return isinstance(event, dict) and isinstance(event.get("order_id"), str) '
                                     'and isinstance(event.get("amount_cents"), (int, float)) and event["amount_cents"] == int(event["amount_cents"]) '
                                     'and 0 < event["amount_cents"] <= 10_000_000'))
    assert "a boolean" in message and "returned True" in message and "isinstance(True, int)" in message


def test_type_is_int_refuses_an_amount_json_counts_as_an_integer():
    message = placed_wrong(validator('    ok = jsonschema.Draft202012Validator(SCHEMA).is_valid(event)\n'
                                     '    return ok and type(event["amount_cents"]) is int'))
    assert "1900.0" in message and "returned False" in message and "counts 1900.0 as an integer" in message


# -- bounds and pattern ------------------------------------------------------------------------------
def test_a_validator_without_the_bounds_lets_a_zero_amount_through():
    schema_without_bounds = ('    s = {**SCHEMA, "properties": {**SCHEMA["properties"], "amount_cents": {"type": "integer"}}}\n'
                             '    return jsonschema.Draft202012Validator(s).is_valid(event)')
    message = placed_wrong(validator(schema_without_bounds))
    assert "amount of zero" in message and "minimum is 1" in message


def test_a_validator_without_the_ids_pattern_lets_an_empty_id_through():
    without_pattern = ('    s = {**SCHEMA, "properties": {**SCHEMA["properties"], "order_id": {"type": "string"}}}\n'
                       '    return jsonschema.Draft202012Validator(s).is_valid(event)')
    message = placed_wrong(validator(without_pattern))
    assert "empty order_id" in message and "1 to 64" in message


# -- fields the schema does not name are allowed -----------------------------------------------------
@pytest.mark.parametrize("body", ['    return jsonschema.Draft202012Validator({**SCHEMA, "additionalProperties": False})'
                                  '.is_valid(event)',
                                  '    return set(event) == {"order_id", "amount_cents"} and '
                                  'jsonschema.Draft202012Validator(SCHEMA).is_valid(event)'],
                         ids=["additionalProperties false", "exactly two keys"])
def test_a_validator_refusing_a_field_payments_does_not_read_is_named(body):
    message = placed_wrong(validator(body))
    assert "a field payments does not read" in message and "a producer may add one" in message


# -- an answer, in words -----------------------------------------------------------------------------
@pytest.mark.parametrize("body", ["    return list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(event))",
                                  "    return 'yes'"])
def test_a_validator_that_returns_no_bool_is_asked_for_true_or_false(body):
    assert "should return True or False" in placed_wrong(validator(body))


def test_orders_placed_ok_calling_sys_exit_gets_words():
    feedback = placed.check(define("import sys\ndef orders_placed_ok(event):\n    sys.exit(1)", "orders_placed_ok"))
    assert feedback.kind == "wrong" and "sys.exit(1)" in feedback.message


def test_orders_placed_ok_that_hangs_is_stopped_with_a_friendly_message():
    hanging = define("def orders_placed_ok(event):\n    while True:\n        pass", "orders_placed_ok")
    feedback = dataclasses.replace(placed, seconds=1).check(hanging)
    assert feedback.kind == "wrong" and "did not finish within 1 s" in feedback.message


def test_a_validator_refusing_what_real_orders_publishes_is_told_so(nothing_left_behind):
    # Every near miss right, but the events orders publishes refused: a rule from an example, not the schema.
    refuse_real = validator('    ok = jsonschema.Draft202012Validator(SCHEMA).is_valid(event)\n'
                            '    return ok and not (len(event["order_id"]) == 12 and event["order_id"] != "0123456789ab")')
    message = placed_wrong(refuse_real)
    assert "an event real orders published in this check" in message


# == the lesson's challenges ============================================================================
@pytest.mark.parametrize("seconds, option", [((0.02, 0.9), 2), ((0.5, 0.4), 1), ((2.0, 0.5), 0), ((0.3, 0.7), 2)])
def test_the_startup_reveal_names_the_option_the_measured_seconds_match(seconds, option):
    assert l04_testing.startup.outcome(seconds) == option


@pytest.mark.parametrize("counts, option", [((10, 51), 2), ((10, 11), 1), ((10, 7), 0), ((10, 12), 1)])
def test_the_base_reveal_names_the_option_the_counted_tests_match(counts, option):
    assert l04_testing.base.outcome(counts) == option


def test_a_prediction_of_unit_tests_being_most_of_the_suite_is_refuted_by_the_lessons_counts():
    challenge = dataclasses.replace(l04_testing.base)
    challenge.commit(0)
    feedback = challenge.reveal((10, 51), "10 unit tests, 51 component tests")
    assert feedback.kind == "misconception" and "51 component tests" in feedback.message


@pytest.mark.parametrize("challenge, right", [("fake_rules", 1), ("first_to_catch", 2)])
def test_each_choice_has_its_right_option_and_every_other_is_a_misconception(challenge, right):
    choice = getattr(l04_testing, challenge)
    for i in range(len(choice.options)):
        assert choice.answer(i).kind == ("right" if i == right else "misconception")
