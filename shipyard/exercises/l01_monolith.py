"""Lesson 01's tasks and challenges.

Tasks: `count_failures` (decide, request by request, what failed), `what_buys_what` (what
replicas buy, what splitting into services buys, and what neither does), and
`seconds_unavailable` (a capability's seconds unavailable from an open-loop recording).
"""
import time

import httpx

from shipyard.exercises.fixtures import counting_server, healthy_catalog, refusing_url, silent_url
from shipyard.exercises.limits import TimeLimit, call_with_deadline
from shipyard.exercises.task import Task, Wrong

# --- count_failures ------------------------------------------------------------------------
DEADLINE = 0.5  # seconds a request may go unanswered, as the task says
SLACK = 1.5  # a busy machine (a whole class on one server) is late by this much at most
HUNG = 4  # requests sent to a hung service: four deadlines, 2 s in all


def _ask(count_failures, url: str, n: int, where: str):
    try:
        return count_failures(url, n)
    except httpx.HTTPError as error:
        raise Wrong(f"Against {where}, count_failures raised {type(error).__name__}. A request that raises "
                    "has failed: catch httpx.HTTPError and count it, then go on with the next one.") from None


def _expect(answer, n: int, expected: int, where: str, why: str) -> None:
    if answer == expected:
        return
    if expected == 0 and answer == n:
        why = f"{n} is how many succeeded: the task asks for the failures. " + why
    raise Wrong(f"Against {where}, count_failures(url, {n}) returned {answer!r}; expected {expected}. {why}".strip())


def _counted(count_failures, status: int, n: int, where: str, why: str) -> None:
    """Against a server of the check's own that answers `status`: exactly n GET /products
    sent, and every one of them a failure."""
    with counting_server(status) as server:
        answer = _ask(count_failures, server.url, n, where)
    asked = [path for path in server.paths if path.split("?")[0] == "/products"]
    if len(asked) != n:
        others = f" (and {len(server.paths) - len(asked)} for other paths)" if len(server.paths) > len(asked) else ""
        raise Wrong(f"Against {where}, count_failures(url, {n}) sent {len(asked)} GET {{url}}/products "
                    f"requests{others}; the task says to send exactly {n}, one per user, failed or not.")
    _expect(answer, n, n, where, why)


def _gives_up_in_time(count_failures) -> None:
    where, expected = "a service that accepts connections and never answers", HUNG * DEADLINE
    limit, patience = expected + SLACK, expected + SLACK + 2
    started = time.monotonic()
    try:
        answer = call_with_deadline(_ask, count_failures, silent_url(), HUNG, where, seconds=patience)
    except TimeLimit:
        raise Wrong(f"Against {where}, count_failures(url, {HUNG}) was still waiting after {patience:g} s. "
                    f"The task says to give up on a request after half a second: pass `timeout={DEADLINE}` "
                    "to httpx.") from None
    took = time.monotonic() - started
    _expect(answer, HUNG, HUNG, where, "A request with no answer by its deadline has failed.")
    if took > limit:
        raise Wrong(f"Against {where}, count_failures(url, {HUNG}) counted {HUNG} failures, but took {took:.1f} s: "
                    f"about {took / HUNG:.1f} s per request. The task says to give up after half a second, so "
                    f"{HUNG} requests take about {expected:g} s: pass `timeout={DEADLINE}`.")


def _check_count_failures(count_failures) -> str:
    if not callable(count_failures):
        raise Wrong("`count_failures` should be a function: `def count_failures(url, n): ...`")
    catalog = healthy_catalog()
    # A busy machine (a whole class on one server) can make a healthy answer late once: ask again.
    answer = _ask(count_failures, catalog.url, 5, "the running catalog")
    if answer != 0:
        answer = _ask(count_failures, catalog.url, 5, "the running catalog")
    _expect(answer, 5, 0, "the running catalog", "Its GET /products answers 200 every time: nothing failed.")
    _counted(count_failures, 503, 4, "a server that answers 503 Service Unavailable",
             "A 503 is an answer, but not the 200 the user needed: each such request failed.")
    _counted(count_failures, 404, 3, "a server that answers 404 Not Found",
             "Any status other than 200 is a failure here, not only a 5xx: the user did not get the catalog.")
    _expect(_ask(count_failures, refusing_url(), 3, "an address where nothing listens"), 3, 3,
            "an address where nothing listens", "A refused connection is a failed request.")
    _gives_up_in_time(count_failures)
    return ("count_failures sent n requests each time and counted as failures the refused ones, the 503s, the "
            f"404s and the ones still unanswered after {DEADLINE} s; the running catalog's 200s, none.")


count_failures = Task(
    name="count_failures", lesson="01-monolith-vs-microservices", checker=_check_count_failures, seconds=20,
    hints=["A request failed unless it came back with exactly 200 in time. Send all n, whatever happens to "
           "each, and count the ones that did not.",
           "Any status but 200 counts (`response.status_code != 200`), and so does an exception: "
           "`except httpx.HTTPError: failures += 1`.",
           "A hung service never answers: `httpx.Client(timeout=0.5)` makes each request give up after half a "
           "second (an httpx.TimeoutException, which is an httpx.HTTPError)."])
