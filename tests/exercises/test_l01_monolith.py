"""Exercise 01, count_failures: checked against a healthy, a refusing and a hung address."""
from answers import define, solution, stub
from shipyard.exercises.l01_monolith import count_failures as task

LESSON = "01-monolith-vs-microservices"
NO_TRY = """import httpx
def count_failures(url, n):
    return sum(httpx.get(url + "/products", timeout=0.5).status_code != 200 for _ in range(n))
"""
NO_TIMEOUT = """import httpx
def count_failures(url, n):
    failures = 0
    for _ in range(n):
        try:
            failures += httpx.get(url + "/products", timeout=None).status_code != 200
        except httpx.HTTPError:
            failures += 1
    return failures
"""


def test_the_stub_is_reported_unfinished():
    assert task.check(stub(LESSON, "count_failures")).kind == "unfinished"


def test_the_solution_passes():
    feedback = task.check(solution(LESSON, "count_failures"))
    assert feedback.ok, feedback.message


def test_an_answer_that_lets_errors_escape_gets_the_error_in_one_line():
    feedback = task.check(define(NO_TRY, "count_failures"))
    assert feedback.kind == "wrong" and feedback.message.startswith("Your code raised ConnectError")


def test_an_answer_without_a_timeout_hangs_on_a_hung_service_and_is_stopped():
    feedback = task.check(define(NO_TIMEOUT, "count_failures"))
    assert feedback.kind == "wrong" and "request without a timeout" in feedback.message


def test_an_answer_that_counts_nothing_is_caught():
    feedback = task.check(lambda url, n: 0)
    assert feedback.kind == "wrong" and "nothing listens" in feedback.message and "returned 0; expected 3" in feedback.message


def test_an_answer_that_counts_everything_is_caught():
    feedback = task.check(lambda url, n: n)
    assert feedback.kind == "wrong" and "a healthy catalog" in feedback.message
