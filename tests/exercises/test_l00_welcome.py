"""Exercise 00: check_health against a real catalog and misbehaving servers, classroom_safe's
letters, wait_until_healthy against a starting, a never-healthy and a refusing server."""
import dataclasses

import httpx
import pytest

from answers import define, solution, stub
from shipyard.exercises.l00_welcome import check_health as task
from shipyard.exercises.l00_welcome import classroom_safe, wait_until_healthy

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


# --- classroom_safe ---------------------------------------------------------------------------


def test_classroom_safe_stub_is_reported_unfinished_and_the_solution_passes():
    assert classroom_safe.check(stub(LESSON, "classroom_safe")).kind == "unfinished"
    assert classroom_safe.check(solution(LESSON, "classroom_safe")).ok


def test_choosing_the_documented_fixed_port_is_explained_as_a_collision():
    feedback = classroom_safe.check(lambda: {"a", "b", "d", "f"})
    assert feedback.kind == "wrong" and "(a) is not safe" in feedback.message and "address already in use" in feedback.message


def test_choosing_one_shared_database_file_or_leaving_services_running_is_explained():
    feedback = classroom_safe.check(lambda: {"b", "c", "d", "e", "f"})
    assert "(c) is not safe" in feedback.message and "(e) is not safe" in feedback.message


def test_leaving_out_a_safe_practice_is_explained_too():
    feedback = classroom_safe.check(lambda: {"b", "d"})
    assert feedback.kind == "wrong" and "(f) is safe" in feedback.message and "(b)" not in feedback.message


@pytest.mark.parametrize("answer, words", [("bdf", "return a set of letters"), ({"b", "d", "f", "z"}, "'z' is not one")])
def test_a_string_or_an_unknown_letter_gets_words(answer, words):
    assert words in classroom_safe.check(lambda: answer).message


def test_upper_case_letters_are_read_as_the_same_choice():
    assert classroom_safe.check(lambda: ["B", "D", "F"]).ok


# --- wait_until_healthy -----------------------------------------------------------------------
def waiter(body: str):
    return define("import time\nimport httpx\ndef wait_until_healthy(url, timeout):\n" + body, "wait_until_healthy")


ASK_ONCE = "    return httpx.get(url + '/health', timeout=0.5).status_code == 200\n"
# One client for every ask: each ask then costs a millisecond or so, even on a loaded machine,
# so asking without a pause shows as asks far closer together than 0.1 s.
NO_PAUSE = """    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=0.5) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(url + '/health').status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
    raise TimeoutError(url)
"""
FALSE_AT_DEADLINE = NO_PAUSE.replace("                pass\n", "                pass\n            time.sleep(0.1)\n").replace(
    "    raise TimeoutError(url)\n", "    return False\n")
LETS_ERRORS_OUT = """    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(url + '/health', timeout=0.5).status_code == 200:
            return True
        time.sleep(0.1)
    raise TimeoutError(url)
"""
NO_DEADLINE = """    while True:
        try:
            if httpx.get(url + '/health', timeout=0.5).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
"""


def test_wait_until_healthy_stub_is_reported_unfinished_and_the_solution_passes():
    assert wait_until_healthy.check(stub(LESSON, "wait_until_healthy")).kind == "unfinished"
    feedback = wait_until_healthy.check(solution(LESSON, "wait_until_healthy"))
    assert feedback.ok, feedback.message


def test_asking_once_is_told_to_ask_until_the_answer_is_200():
    feedback = wait_until_healthy.check(waiter(ASK_ONCE))
    assert feedback.kind == "wrong" and "asked /health 1 times" in feedback.message


def test_returning_the_status_instead_of_true_is_caught():
    feedback = wait_until_healthy.check(waiter(NO_PAUSE.replace("return True", "return 200")))
    assert feedback.kind == "wrong" and "returned 200, not True" in feedback.message


def test_asking_without_a_pause_is_told_to_pause():
    feedback = wait_until_healthy.check(waiter(NO_PAUSE))
    assert feedback.kind == "wrong" and "Pause between asks" in feedback.message


def test_returning_false_at_the_deadline_is_told_to_raise_timeout_error():
    feedback = wait_until_healthy.check(waiter(FALSE_AT_DEADLINE))
    assert feedback.kind == "wrong" and "returned False" in feedback.message and "raise TimeoutError" in feedback.message


def test_letting_a_refused_connection_escape_is_told_to_catch_it():
    feedback = wait_until_healthy.check(waiter(LETS_ERRORS_OUT))
    assert feedback.kind == "wrong" and "raised ConnectError" in feedback.message


def test_waiting_without_a_deadline_is_stopped_and_told_to_give_up():
    feedback = wait_until_healthy.check(waiter(NO_DEADLINE))
    assert feedback.kind == "wrong" and "still waiting after" in feedback.message


def test_a_wait_that_calls_sys_exit_gets_words():
    assert "sys.exit(2)" in wait_until_healthy.check(waiter("    import sys\n    sys.exit(2)\n")).message
