"""Lesson 00's task: ask a service whether it is healthy."""
import time

import httpx

from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.fixtures import answering_url, healthy_catalog, refusing_url, silent_url
from shipyard.exercises.limits import TimeLimit, call_with_deadline
from shipyard.exercises.task import Task, Wrong

GIVE_UP = 1  # seconds, as the task says
SLACK = 1.5  # a busy machine (a whole class on one server) is late by this much at most
PATIENCE = 5 + SLACK  # long enough to see httpx's default 5 s timeout end, and say so


def _ask(check_health, url: str, where: str):
    try:
        return check_health(url)
    except httpx.HTTPError as error:
        raise Wrong(f"Against {where}, check_health raised {type(error).__name__}. A health check "
                    "should answer False, not fail: catch httpx.HTTPError.") from None


def _expect_false(check_health, url: str, where: str) -> None:
    answer = _ask(check_health, url, where)
    if answer is not False:
        raise Wrong(f"Against {where}, check_health returned {answer!r}, not False. Only a 200 means healthy.")


def _gives_up_in_time(check_health) -> None:
    where, limit = "a service that accepts the connection and never answers", GIVE_UP + SLACK
    started = time.monotonic()
    try:
        answer = call_with_deadline(_ask, check_health, silent_url(), where, seconds=PATIENCE)
    except TimeLimit:
        raise Wrong(f"Against {where}, check_health was still waiting after {PATIENCE:g} s. The task says "
                    f"to give up after {GIVE_UP} second: pass a timeout to httpx.") from None
    took = time.monotonic() - started
    if answer is not False:
        raise Wrong(f"Against {where}, check_health returned {answer!r}, not False.")
    if took > limit:
        raise Wrong(f"Against {where}, check_health answered False, but only after {took:.1f} s. The task says "
                    f"to give up after {GIVE_UP} second: httpx waits 5 s unless you pass `timeout=1`.")


def _check(check_health) -> str:
    if not callable(check_health):
        raise Wrong("`check_health` should be a function: `def check_health(url): ...`")
    catalog = healthy_catalog()
    answer = _ask(check_health, catalog.url, "the running catalog")
    if answer is not True:  # a busy machine can make a healthy answer late once: ask again
        answer = _ask(check_health, catalog.url, "the running catalog")
    if answer is not True:
        raise Wrong(f"The catalog at {catalog.url} is healthy, but check_health returned {answer!r}, "
                    "not True.")
    _expect_false(check_health, answering_url(404), "a server whose /health answers 404 Not Found")
    _expect_false(check_health, answering_url(503), "a server whose /health answers 503 Service Unavailable")
    _expect_false(check_health, refusing_url(), "an address where nothing listens")
    _gives_up_in_time(check_health)
    return ("check_health said True for the running catalog, and False for a 404, a 503, an address where "
            f"nothing listens and a service that never answers (within {GIVE_UP} s).")


check_health = Task(
    name="check_health", lesson="00-welcome", checker=_check, seconds=20,
    hints=["Healthy means one thing: `GET {url}/health` answered 200. Anything else (another status, no "
           "connection, no answer in time) means not healthy.",
           "`httpx.get(url + '/health', timeout=1).status_code == 200` is True for a healthy service.",
           "Wrap the request in `try: ... except httpx.HTTPError: return False`: no answer means unhealthy."])


# The lesson's challenges (never graded): each wrong option is a misconception its run refutes.
cold_start = Prediction(
    "cold_start", "How long will the catalog take from `services.start` to its first healthy answer?",
    ["under 0.1 s: a service is just a function call", "between 0.1 s and 10 s: a new process imports its "
     "framework, opens its database and starts serving on the socket the kernel bound for it", "more than 10 s: starting a service is like booting a machine"],
    outcome=lambda seconds: 0 if seconds < 0.1 else 1 if seconds <= 10 else 2)

bad_request = Choice("bad_request", "What will the catalog do when asked for a product it does not have?", [
    Option("Crash, and wait to be restarted", "No: the run shows it alive after the 404. A client's mistake must "
           "never take a service down, or one bad request would stop every customer."),
    Option("Answer 404 with a JSON message saying what is missing, and go on serving",
           "A 4xx status says the request was wrong, the JSON says how, and the service is still alive.",
           right=True),
    Option("Answer 200 with an empty body", "No: a 200 would tell every client the request worked. The status "
           "code is the first thing a client (and a monitor) reads."),
    Option("Answer 500 Internal Server Error", "No: a 5xx says the service itself failed. The run shows 404: "
           "the request was wrong, not the service."),
])

after_stop = Prediction(
    "after_stop", "After `catalog.stop()`, what will a request to its old address get?",
    ["an answer: the service restarts itself", "a wait until the request's timeout: the process hangs on",
     "refused at once: no process listens there any more"],
    outcome=lambda answer: {"answered": 0, "timed out": 1, "refused": 2}[answer])
