"""Lesson 00's tasks, rising: ask a service whether it is healthy (`check_health`), say what
lets a class share one server (`classroom_safe`, conceptual), and wait for a starting
service the way a platform does (`wait_until_healthy`). Its challenges follow them."""
import statistics
import time

import httpx

from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.fixtures import answering_url, counting_server, healthy_catalog, refusing_url, silent_url
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



# --- classroom_safe ---------------------------------------------------------------------------
PRACTICES = {
    "a": "Start the catalog on port 8000, the port its documentation names.",
    "b": "Bind port 0, so the operating system picks a port that is free right now.",
    "c": "Keep the catalog's database in a file in the notebook's folder, `catalog.sqlite3`.",
    "d": "Give each kernel a temporary folder of its own for its services' files.",
    "e": "Leave services running when the notebook closes, so the next lesson starts faster.",
    "f": "Listen on 127.0.0.1, so only programs on the same machine can connect.",
}
SAFE = {"b", "d", "f"}
WHY = {
    "a": "a fixed port works for the first learner only: the second one's start fails with 'address already "
         "in use', or worse, talks to the first learner's catalog.",
    "b": "port 0 asks the operating system for a free port at the moment of binding: thirty kernels get thirty "
         "different ports, which is how every service in this course starts.",
    "c": "every notebook of the class runs in the same folder of the course: thirty catalogs would write one file, "
         "and one learner's orders would change another's stock.",
    "d": "a folder per kernel keeps each learner's databases and logs apart, and goes away with the kernel.",
    "e": "services left running pile up: thirty learners times six lessons of processes, holding ports and "
         "memory nobody uses. Here every service stops with its kernel.",
    "f": "on a shared server, 127.0.0.1 keeps a learner's services off the network; the Hub's proxy is how a "
         "browser reaches them.",
}


def _check_classroom_safe(classroom_safe) -> str:
    if not callable(classroom_safe):
        raise Wrong("`classroom_safe` should be a function: `def classroom_safe(): return {...}`")
    chosen = classroom_safe()
    if not isinstance(chosen, (set, frozenset, list, tuple)) or not all(isinstance(c, str) for c in chosen):
        raise Wrong(f"classroom_safe() returned {chosen!r}; return a set of letters, like {{'a', 'c'}}.")
    chosen = {c.strip().lower() for c in chosen}
    if unknown := sorted(chosen - set(PRACTICES)):
        raise Wrong(f"{', '.join(map(repr, unknown))} is not one of the letters a to f.")
    wrongly_in, wrongly_out = sorted(chosen - SAFE), sorted(SAFE - chosen)
    reasons = [f"({c}) is not safe: {WHY[c]}" for c in wrongly_in] + [f"({c}) is safe: {WHY[c]}" for c in wrongly_out]
    if reasons:
        raise Wrong(" ".join(reasons))
    return "Port 0, a folder per kernel and 127.0.0.1: what every service of this course does, so a class shares a server."


classroom_safe = Task(
    name="classroom_safe", lesson="00-welcome", checker=_check_classroom_safe, seconds=5,
    hints=["Imagine thirty learners running the same cell at the same second on one server: what would collide?",
           "Two processes cannot listen on the same port, and two services writing one database file share data.",
           "Three are safe: one about ports, one about folders, one about addresses."])


# --- wait_until_healthy -------------------------------------------------------------------------
STARTING = 3  # answers of 503 before the starting service says 200
PATIENCE_SECONDS = 1.0  # the timeout the checker gives
# A pause of about 0.1 s puts at least 0.1 s between asks, however slow the machine; asking
# without one leaves only a request's own time between them (milliseconds, tens when loaded).
PAUSED_GAP = 0.09


def _wait(wait_until_healthy, url: str, where: str):
    try:
        return call_with_deadline(wait_until_healthy, url, PATIENCE_SECONDS, seconds=PATIENCE_SECONDS + PATIENCE)
    except TimeLimit:
        raise Wrong(f"Against {where}, wait_until_healthy(url, {PATIENCE_SECONDS:g}) was still waiting after "
                    f"{PATIENCE_SECONDS + PATIENCE:g} s: give up when `timeout` seconds have passed.") from None


def _expect_timeout(wait_until_healthy, url: str, where: str) -> None:
    try:
        answer = _wait(wait_until_healthy, url, where)
    except TimeoutError:
        return
    except httpx.HTTPError as error:
        raise Wrong(f"Against {where}, wait_until_healthy raised {type(error).__name__}. A service still starting "
                    "may refuse connections: catch httpx.HTTPError and ask again.") from None
    raise Wrong(f"Against {where}, wait_until_healthy returned {answer!r}. When it never becomes healthy, raise "
                "TimeoutError: a caller that forgets to test a returned False would send traffic to it.")


def _check_wait_until_healthy(wait_until_healthy) -> str:
    if not callable(wait_until_healthy):
        raise Wrong("`wait_until_healthy` should be a function: `def wait_until_healthy(url, timeout): ...`")
    with counting_server(lambda asked: 503 if asked < STARTING else 200) as starting:
        answer = _wait(wait_until_healthy, starting.url, "a service that answers 503 three times, then 200")
        health = [path for path in starting.paths if path == "/health"]
    if len(health) <= STARTING:
        raise Wrong(f"A service that answered 503 three times, then 200: wait_until_healthy asked /health "
                    f"{len(health)} times ({starting.paths}) and returned {answer!r}. Ask until the answer is 200.")
    if answer is not True:
        raise Wrong(f"The service became healthy, but wait_until_healthy returned {answer!r}, not True.")
    with counting_server(503) as never:
        _expect_timeout(wait_until_healthy, never.url, "a service that answers 503 for ever")
        gaps = [later - earlier for earlier, later in zip(never.times, never.times[1:])]
    if gaps and statistics.median(gaps) < PAUSED_GAP:
        raise Wrong(f"Against a service that answers 503 for ever, wait_until_healthy asked {len(gaps) + 1} times in "
                    f"{PATIENCE_SECONDS:g} s, every {statistics.median(gaps) * 1000:.0f} ms. Pause between asks (about "
                    "0.1 s): a check that never pauses keeps a starting service busy answering it.")
    _expect_timeout(wait_until_healthy, refusing_url(), "an address where nothing listens yet")
    return ("wait_until_healthy asked until a starting service said 200, paused between asks, and raised "
            "TimeoutError where the service never became healthy or nothing listened.")


wait_until_healthy = Task(
    name="wait_until_healthy", lesson="00-welcome", checker=_check_wait_until_healthy, seconds=30,
    hints=["A starting service refuses connections, then answers 503, then 200: ask again and again, with a "
           "pause, until it says 200 or your time is up.",
           "Keep a deadline: `deadline = time.monotonic() + timeout`, and loop while `time.monotonic() < deadline`.",
           "In the loop: `try: if check_health(url): return True` (your first task), `time.sleep(0.1)`; after the "
           "loop, `raise TimeoutError(...)`."])

# The lesson's challenges (never graded): each wrong option is a misconception its run refutes.
what_starts = Choice("what_starts", "What will `services.start(\"catalog\")` create?", [
    Option("A function call: the catalog's code runs inside this notebook's own process",
           "No: the run shows the catalog with a process of its own, not the kernel's. A crash in it cannot take "
           "the notebook down, and it can be stopped and restarted alone."),
    Option("A process of its own, serving on a port the operating system picked, that ends when the kernel does",
           "That is what a service is here: its own process, on 127.0.0.1 and a port nobody fixed, tied to the "
           "kernel. Where the machine allows it, it is forked from a copy of Python that has already imported the "
           "web framework (the first one in a kernel waits for that copy to start); elsewhere a new Python starts it.",
           right=True),
    Option("A virtual machine or a container, with an operating system of its own",
           "No: no lesson needs Docker or a virtual machine. The run shows an ordinary process on this machine, "
           "healthy in a fraction of the time a machine takes to boot."),
])

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
