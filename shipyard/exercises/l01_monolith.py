"""Lesson 01's task: decide, request by request, what failed: an error, an answer other than
200, or no answer in time."""
from shipyard.exercises.fixtures import healthy_catalog, refusing_url, silent_url
from shipyard.exercises.task import Task, Wrong


def _expect(count_failures, url: str, n: int, expected: int, where: str, attempts: int = 1) -> None:
    for _ in range(attempts):
        answer = count_failures(url, n)
        if answer == expected:
            return
    raise Wrong(f"Against {where}, count_failures(url, {n}) returned {answer!r}; expected {expected}.")


def _check(count_failures) -> str:
    if not callable(count_failures):
        raise Wrong("`count_failures` should be a function: `def count_failures(url, n): ...`")
    # A busy machine (a whole class on one server) can make a healthy answer late once.
    _expect(count_failures, healthy_catalog().url, 5, 0, "a healthy catalog", attempts=2)
    _expect(count_failures, refusing_url(), 3, 3, "an address where nothing listens")
    _expect(count_failures, silent_url(), 3, 3, "a service that hangs")
    return "count_failures counts refused and hung requests as failures, and healthy answers as none."


count_failures = Task(
    name="count_failures", lesson="01-monolith-vs-microservices", checker=_check, seconds=10,
    hints=["Loop n times over `GET {url}/products`; count every request that is not a 200.",
           "An exception is a failure too: `except httpx.HTTPError: failures += 1`.",
           "A hung service never answers: pass `timeout=0.5` so a request gives up and counts as failed."])
