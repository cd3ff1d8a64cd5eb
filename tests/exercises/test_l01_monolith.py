"""Exercise 01: every task's stub, solution, and the near misses learners write."""
import dataclasses

from answers import define, solution, stub
from shipyard.exercises.l01_monolith import count_failures as task

LESSON = "01-monolith-vs-microservices"


def counting(condition: str, timeout: str = "0.5", loop: str = "range(n)", path: str = '"/products"'):
    """A count_failures that counts a request as failed when `condition` holds of its response."""
    return define(f"""import httpx
def count_failures(url, n):
    failures = 0
    with httpx.Client(timeout={timeout}) as client:
        for _ in {loop}:
            try:
                response = client.get(url + {path})
                if {condition}:
                    failures += 1
            except httpx.HTTPError:
                failures += 1
    return failures
""", "count_failures")


RIGHT = "response.status_code != 200"


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "count_failures")).kind == "unfinished"


def test_the_solution_passes():
    feedback = task.check(solution(LESSON, "count_failures"))
    assert feedback.ok, feedback.message


def test_the_near_miss_helper_with_the_right_condition_passes():
    feedback = task.check(counting(RIGHT))
    assert feedback.ok, feedback.message


# -- a status other than 200 is a failure ----------------------------------------------------
def test_an_answer_that_ignores_every_status_is_caught_on_a_503():
    feedback = task.check(counting("False"))
    assert feedback.kind == "wrong" and "answers 503" in feedback.message and "returned 0; expected 4" in feedback.message


def test_an_answer_that_counts_only_5xx_is_caught_on_a_404():
    feedback = task.check(counting("response.status_code >= 500"))
    assert feedback.kind == "wrong" and "answers 404" in feedback.message and "not only a 5xx" in feedback.message


def test_an_answer_that_counts_only_503_is_caught_on_a_404():
    feedback = task.check(counting("response.status_code == 503"))
    assert feedback.kind == "wrong" and "answers 404" in feedback.message


# -- a request that raises is a failure -------------------------------------------------------
def test_an_answer_that_lets_errors_escape_is_told_to_catch_and_count_them():
    no_try = define("""import httpx
def count_failures(url, n):
    return sum(httpx.get(url + "/products", timeout=0.5).status_code != 200 for _ in range(n))
""", "count_failures")
    feedback = task.check(no_try)
    assert feedback.kind == "wrong" and "nothing listens, count_failures raised ConnectError" in feedback.message
    assert "catch httpx.HTTPError" in feedback.message


def test_an_answer_that_catches_errors_but_does_not_count_them_is_caught_where_nothing_listens():
    not_counted = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        try:
            failures += httpx.get(url + "/products", timeout=0.5).status_code != 200
        except httpx.HTTPError:
            pass
    return failures
""", "count_failures")
    feedback = task.check(not_counted)
    assert feedback.kind == "wrong" and "nothing listens" in feedback.message and "returned 0; expected 3" in feedback.message


def test_an_answer_that_counts_only_exceptions_is_caught_on_a_503():
    only_errors = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        try:
            httpx.get(url + "/products", timeout=0.5)
        except httpx.HTTPError:
            failures += 1
    return failures
""", "count_failures")
    feedback = task.check(only_errors)
    assert feedback.kind == "wrong" and "answers 503" in feedback.message and "not the 200" in feedback.message


def test_an_answer_that_gives_up_at_the_first_error_is_caught():
    gives_up = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        try:
            failures += httpx.get(url + "/products", timeout=0.5).status_code != 200
        except httpx.HTTPError:
            return failures + 1
    return failures
""", "count_failures")
    feedback = task.check(gives_up)
    assert feedback.kind == "wrong" and "nothing listens" in feedback.message and "returned 1; expected 3" in feedback.message


# -- give up after half a second ---------------------------------------------------------------
def test_an_answer_with_httpxs_default_five_seconds_is_stopped_and_told_the_task_says_half_a_second():
    feedback = task.check(counting(RIGHT, timeout="5"))
    assert feedback.kind == "wrong" and "still waiting after" in feedback.message and "timeout=0.5" in feedback.message


def test_an_answer_with_a_two_second_timeout_is_stopped_and_told_the_task_says_half_a_second():
    feedback = task.check(counting(RIGHT, timeout="2"))
    assert feedback.kind == "wrong" and "half a second" in feedback.message


def test_an_answer_with_a_one_second_timeout_is_told_how_long_it_took():
    feedback = task.check(counting(RIGHT, timeout="1"))
    assert feedback.kind == "wrong" and "per request" in feedback.message and "timeout=0.5" in feedback.message


def test_an_answer_without_any_timeout_is_stopped_with_words():
    feedback = task.check(counting(RIGHT, timeout="None"))
    assert feedback.kind == "wrong" and "half a second" in feedback.message


# -- send n requests to /products, return the failures ----------------------------------------
def test_an_answer_that_sends_one_request_too_few_is_told_how_many_it_sent():
    feedback = task.check(counting(RIGHT, loop="range(n - 1)"))
    assert feedback.kind == "wrong" and "sent 3 GET {url}/products requests" in feedback.message
    assert "exactly 4" in feedback.message


def test_an_answer_that_retries_failures_is_told_to_send_exactly_n():
    retrying = define("""import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        for attempt in range(2):
            try:
                if httpx.get(url + "/products", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
        else:
            failures += 1
    return failures
""", "count_failures")
    feedback = task.check(retrying)
    assert feedback.kind == "wrong" and "sent 8 GET {url}/products requests" in feedback.message


def test_an_answer_that_asks_another_path_is_told_which_path():
    feedback = task.check(counting(RIGHT, path='"/health"'))
    assert feedback.kind == "wrong" and "sent 0 GET {url}/products requests (and 4 for other paths)" in feedback.message


def test_an_answer_that_counts_successes_is_told_the_task_asks_for_failures():
    feedback = task.check(counting("response.status_code == 200"))
    assert feedback.kind == "wrong" and "how many succeeded" in feedback.message


def test_an_answer_that_counts_nothing_is_caught():
    feedback = task.check(lambda url, n: 0)
    assert feedback.kind == "wrong" and "sent 0 GET {url}/products requests" in feedback.message


def test_an_answer_that_counts_everything_is_caught_on_the_running_catalog():
    feedback = task.check(lambda url, n: n)
    assert feedback.kind == "wrong" and "running catalog" in feedback.message and "returned 5; expected 0" in feedback.message


# -- whatever the answer does, words ------------------------------------------------------------
def test_an_answer_that_calls_sys_exit_gets_words():
    feedback = task.check(define("import sys\ndef count_failures(url, n):\n    sys.exit(0)", "count_failures"))
    assert feedback.kind == "wrong" and "sys.exit(0)" in feedback.message


def test_an_answer_that_hangs_is_stopped_with_a_friendly_message():
    hanging = define("def count_failures(url, n):\n    while True:\n        pass", "count_failures")
    feedback = dataclasses.replace(task, seconds=2).check(hanging)
    assert feedback.kind == "wrong" and "did not finish within 2 s" in feedback.message


def test_a_variable_that_is_not_a_function_is_explained():
    assert "should be a function" in task.check(3).message
