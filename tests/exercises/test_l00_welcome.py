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


def answer(body: str):
    return define("import httpx\ndef check_health(url):\n    try:\n        " + body +
                  "\n    except httpx.HTTPError:\n        return False", "check_health")


def test_an_answer_that_calls_any_answer_under_500_healthy_is_caught_on_a_404():
    feedback = task.check(answer("return httpx.get(url + '/health', timeout=1).status_code < 500"))
    assert feedback.kind == "wrong" and "404 Not Found, check_health returned True" in feedback.message


def test_an_answer_that_only_fears_a_404_is_caught_on_a_503():
    feedback = task.check(answer("return httpx.get(url + '/health', timeout=1).status_code != 404"))
    assert feedback.kind == "wrong" and "503 Service Unavailable, check_health returned True" in feedback.message


def test_an_answer_that_waits_httpxs_default_five_seconds_is_told_the_task_says_one():
    feedback = task.check(answer("return httpx.get(url + '/health').status_code == 200"))
    assert feedback.kind == "wrong" and "only after" in feedback.message and "timeout=1" in feedback.message


def test_an_answer_that_waits_thirty_seconds_is_stopped_and_told_the_task_says_one():
    feedback = task.check(answer("return httpx.get(url + '/health', timeout=30).status_code == 200"))
    assert feedback.kind == "wrong" and "still waiting after" in feedback.message


def test_an_answer_that_calls_sys_exit_gets_words():
    feedback = task.check(define("import sys\ndef check_health(url):\n    sys.exit(1)", "check_health"))
    assert feedback.kind == "wrong" and "sys.exit(1)" in feedback.message
