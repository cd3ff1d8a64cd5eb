"""Exercise 00, check_health: checked against a real catalog and a refusing address."""
import dataclasses

import httpx

from answers import define, solution, stub
from shipyard.exercises.l00_welcome import check_health as task

LESSON = "00-welcome"


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "check_health")).kind == "unfinished"


def test_the_solution_passes():
    feedback = task.check(solution(LESSON, "check_health"))
    assert feedback.ok, feedback.message


def test_an_answer_that_raises_when_nothing_listens_is_told_to_catch_it():
    raising = define("import httpx\ndef check_health(url):\n    return httpx.get(url + '/health').status_code == 200",
                     "check_health")
    feedback = task.check(raising)
    assert feedback.kind == "wrong" and "raised ConnectError" in feedback.message
    assert "catch httpx.HTTPError" in feedback.message


def test_an_answer_that_hangs_is_stopped_with_a_friendly_message():
    hanging = define("def check_health(url):\n    while True:\n        pass", "check_health")
    feedback = dataclasses.replace(task, seconds=2).check(hanging)
    assert feedback.kind == "wrong" and "did not finish within 2 s" in feedback.message


def test_an_answer_that_is_always_true_is_caught_where_nothing_listens():
    feedback = task.check(lambda url: True)
    assert feedback.kind == "wrong" and "returned True, not False" in feedback.message


def test_an_answer_that_returns_the_status_code_is_told_to_return_true():
    feedback = task.check(lambda url: httpx.get(url + "/health").status_code)
    assert feedback.kind == "wrong" and "returned 200, not True" in feedback.message


def test_a_variable_that_is_not_a_function_is_explained():
    assert "should be a function" in task.check("http://127.0.0.1").message
