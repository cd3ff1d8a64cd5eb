"""Lesson 01's tasks and challenges.

Tasks: `count_failures` (decide, request by request, what failed), `what_buys_what` (what
replicas buy, what splitting into services buys, and what neither does), and
`seconds_unavailable` (a capability's seconds unavailable from an open-loop recording).
Challenges: `hop_cost`, `roll`, `scope`, `crash`, each a misconception the lesson's run refutes.
"""
import time

import httpx

from shipyard import services
from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.fixtures import counting_server, healthy_catalog, refusing_url, silent_url
from shipyard.exercises.limits import TimeLimit, call_with_deadline
from shipyard.exercises.matching import check_matching
from shipyard.exercises.task import Task, Wrong
from shipyard.traffic import Traffic

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


# --- what_buys_what ------------------------------------------------------------------------
REPLICAS, SERVICES, NEITHER = "replicas", "services", "neither"
STATEMENTS = {
    "a": "Orders keep being placed while a process that ordering needs is being replaced.",
    "b": "A change to payments replaces payments' code and nothing else.",
    "c": "The payments team ships its change without agreeing a release with the catalog and orders teams.",
    "d": "Browsing keeps working after a bug has crashed every process that runs payments' code.",
    "e": "Orders can still be placed after a bug has crashed every process that runs payments' code.",
    "f": "One order is answered faster.",
}
# The right choice for each statement, and why each wrong one is wrong, from lesson 01's run.
BUYS = {
    "a": (REPLICAS, {
        SERVICES: "splitting did not keep ordering up: when payments' one process was restarted, ordering was "
                  "unavailable until it was back (1.5). Replicas did that: while one restarted, the other took "
                  "the connections.",
        NEITHER: "the monolith's two replicas were rolled one at a time, so one was always up to take new "
                 "connections: compare the first two rows' seconds unavailable in 1.5."}),
    "b": (SERVICES, {
        REPLICAS: "both monolith redeploys, the one process and the two replicas, replaced every process, and "
                  "the catalog's and orders' code with it (1.5: 'replaced').",
        NEITHER: "in the services only payments' process was replaced; catalog and orders 'kept running' (1.5)."}),
    "c": (SERVICES, {
        REPLICAS: "every replica runs all three teams' code: a release ships whatever catalog and orders have "
                  "merged too, so the teams must agree it and test it together, however many replicas there are.",
        NEITHER: "payments is its own process with its own release: the payments redeploy replaced it alone, "
                 "so nothing of the other teams' ships with it (1.5)."}),
    "d": (SERVICES, {
        REPLICAS: "both replicas run payments' code, so the bug crashed both: after it nothing of the monolith "
                  "with 2 replicas answered, browsing included (1.6).",
        NEITHER: "in the services, browsing (and order history) still answered after payments crashed: the "
                 "catalog runs no payments code (1.6)."}),
    "e": (NEITHER, {
        SERVICES: "orders calls payments synchronously and waits for it: in the services, placing an order "
                  "failed after the crash (1.6), and while payments restarted (1.5).",
        REPLICAS: "every replica runs payments' code, so the bug crashed them all: nothing of the monolith "
                  "answered (1.6)."}),
    "f": (NEITHER, {
        SERVICES: "the services were measured slower per order (1.4): behind the client's one request, each "
                  "order makes three HTTP requests between processes where the monolith makes three function "
                  "calls.",
        REPLICAS: "one order is still served by one process doing the same work; a second replica lets two be "
                  "served at once, it does not make one faster (this lesson did not time the replicas)."}),
}


def _check_what_buys_what(what_buys_what) -> str:
    return check_matching(what_buys_what, "what_buys_what", BUYS, {"REPLICAS": REPLICAS, "SERVICES": SERVICES,
                                                                    "NEITHER": NEITHER}, "statement",
        "All six right. Replicas keep answering through a redeploy; splitting into services buys a deploy's scope "
        "(payments alone, no release to agree) and a crash that stays in payments, but not speed, and not orders "
        "that work without the payments they call.")


what_buys_what = Task(
    name="what_buys_what", lesson="01-monolith-vs-microservices", checker=_check_what_buys_what, seconds=5,
    hints=["Two different things were added in the lesson: more processes of the same code (the monolith's two "
           "replicas) and a split into services that each run different code. Ask of each statement which one "
           "the run showed doing it.",
           "Replicas help when one process of several is away (a rolling restart). They do not help when the code "
           "they all run is broken. Splitting changes what each process runs, and so what a deploy or a crash "
           "touches, but adds HTTP calls.",
           "Look at the lesson's outputs: the seconds unavailable for each redeploy (1.5), which processes were "
           "'replaced' (1.5), what answered after the crash (1.6), the median per order (1.4)."])


# --- seconds_unavailable -------------------------------------------------------------------
def _probe(sent_took_status: list[tuple[float, float, int | None]]) -> list[tuple[float, float, int | None]]:
    return [(float(sent), float(took), status) for sent, took, status in sent_took_status]


ALL_OK = _probe([(0.0, 0.01, 200), (0.04, 0.01, 200), (0.08, 0.02, 200), (0.12, 0.01, 200)])
# (what the recording is, results, deadline, end, expected seconds, why)
CASES = [
    ("a recording where every request got a 200 in time", ALL_OK, 0.3, 0.16, 0.0,
     "Nothing failed, so the capability was never unavailable."),
    ("requests refused at 0.20 s and 0.22 s, the next one answered at 0.50 s",
     _probe([(0.0, 0.01, 200), (0.2, 0.001, None), (0.22, 0.001, None), (0.5, 0.01, 200), (0.54, 0.01, 200)]),
     0.3, 0.6, 0.3,
     "A status of None means no answer came: the request failed. Unavailable runs from the sending of the "
     "first failed request (0.20 s) to the sending of the next one that succeeded (0.50 s), not for as many "
     "requests as failed, nor for as long as they took."),
    ("a 503 answered at once at 0.10 s, then a 200 at 0.20 s",
     _probe([(0.0, 0.01, 200), (0.1, 0.01, 503), (0.2, 0.01, 200)]), 0.3, 0.3, 0.1,
     "A 5xx is the service failing: the request failed, though an answer came."),
    ("a 404 answered at once at 0.10 s, between two 200s",
     _probe([(0.0, 0.01, 200), (0.1, 0.01, 404), (0.2, 0.01, 200)]), 0.3, 0.3, 0.0,
     "A 4xx is an answer: the service worked, the request asked for something that is not there. Only errors, "
     "5xx and answers after the deadline are failures."),
    ("a 200 that took 0.45 s, sent at 0.10 s, with a deadline of 0.3 s",
     _probe([(0.0, 0.01, 200), (0.1, 0.45, 200), (0.2, 0.01, 200)]), 0.3, 0.3, 0.1,
     "An answer after the deadline counts as none: that user had given up. Compare `took` with `deadline`."),
    ("the same 200 after 0.45 s, with a deadline of 1 s",
     _probe([(0.0, 0.01, 200), (0.1, 0.45, 200), (0.2, 0.01, 200)]), 1.0, 0.3, 0.0,
     "With a deadline of 1 s an answer after 0.45 s is in time: use the `deadline` you are given, not 0.3."),
    ("two outages: 0.10 s to 0.20 s, and 0.60 s to 0.90 s, with 200s between",
     _probe([(0.0, 0.01, 200), (0.1, 0.3, None), (0.2, 0.01, 200), (0.3, 0.01, 200), (0.6, 0.3, None),
             (0.7, 0.01, 502), (0.9, 0.01, 200)]), 0.3, 1.0, 0.4,
     "Add up the outages: the time between them, when requests succeeded, was available."),
    ("a recording that ends while failing, from 0.30 s, with end=1.0",
     _probe([(0.0, 0.01, 200), (0.1, 0.01, 200), (0.3, 0.3, None), (0.4, 0.3, None)]), 0.3, 1.0, 0.7,
     "When no request succeeded after a failure, the capability was unavailable until the recording's end."),
]


def _check_seconds_unavailable(seconds_unavailable) -> str:
    if not callable(seconds_unavailable):
        raise Wrong("`seconds_unavailable` should be a function: "
                    "`def seconds_unavailable(results, deadline, end): ...`")
    for what, results, deadline, end, expected, why in CASES:
        try:
            answer = seconds_unavailable(list(results), deadline, end)
        except TypeError as error:
            raise Wrong(f"For {what}, seconds_unavailable raised TypeError: {error}. A status of None means no "
                        "answer came: test `status is None` before comparing it with a number.") from None
        if not isinstance(answer, (int, float)) or isinstance(answer, bool):
            raise Wrong(f"For {what}, seconds_unavailable returned {answer!r}; it should return a number of "
                        f"seconds, here {expected:g}.")
        if abs(answer - expected) > 1e-6:
            raise Wrong(f"For {what}, seconds_unavailable returned {answer:.6g}; expected {expected:g}. {why}")
    measured, expected = _on_a_real_restart(seconds_unavailable)
    if abs(measured - expected) > 1e-6:
        raise Wrong(f"On a real recording (a catalog restarted under open-loop traffic), seconds_unavailable "
                    f"returned {measured:.6g} s; shipyard.traffic measured {expected:.3f} s from the same requests.")
    return ("seconds_unavailable counted errors, 5xx and late answers as failures (a 404 as an answer), used the "
            "deadline it was given, and added up every outage from a failed sending to the next success, or to "
            f"the end. On a catalog restarted under traffic in this check, it measured {measured:.2f} s, as "
            "shipyard.traffic did.")


def _on_a_real_restart(seconds_unavailable) -> tuple[float, float]:
    """Record open-loop traffic while a catalog of the check's own restarts; the answer's
    seconds unavailable, and the lesson's, from the same requests."""
    catalog = services.start("catalog", label="catalog-restarted-by-check")
    try:
        traffic = Traffic({"browse": ("GET", catalog.url + "/products", None)}, rate=25, deadline=0.3,
                          longest=10).during(catalog.restart, settle=0.2)
    finally:
        catalog.stop()
    # A Record keeps whether the request worked, not its status: a failed one is None here.
    results = [(r.started, r.seconds, 200 if r.ok else None) for r in traffic.records]
    end = traffic.records[-1].started + 1 / traffic.rate
    return seconds_unavailable(results, traffic.deadline, end), traffic.unavailable("browse")


seconds_unavailable = Task(
    name="seconds_unavailable", lesson="01-monolith-vs-microservices", checker=_check_seconds_unavailable,
    seconds=20,
    hints=["Two steps: decide for each request whether it succeeded, then walk through them in order, noting when "
           "a run of failures starts and when the next success ends it.",
           "A request succeeded when `status is not None and status < 500 and took <= deadline`. Keep "
           "`down_since = None`; on a failure with `down_since is None`, set it to that request's `sent`.",
           "On a success with `down_since is not None`, add `sent - down_since` and set it back to None. "
           "After the loop, if `down_since is not None`, add `end - down_since`."])


# --- the lesson's challenges (never graded): each wrong option is a misconception its run refutes
def _hop_outcome(ratio: float) -> int:
    """The services' median per order over the monolith's."""
    return 0 if ratio < 0.9 else 1 if ratio <= 1.1 else 2


hop_cost = Prediction(
    "hop_cost", "Placing one order, again and again: which shop will answer faster, the monolith or the services?",
    ["the services: each is smaller, with less code to run",
     "neither, within 10%: between processes on one machine, the network costs next to nothing",
     "the monolith: the services add HTTP requests between processes to every order"],
    outcome=_hop_outcome)


def _roll_outcome(seconds: tuple[float, float]) -> int:
    """(rolled replicas, one process restarted): each the longer of its capabilities' seconds unavailable."""
    rolled, single = seconds
    return 1 if rolled < 0.5 * single else 2 if rolled > 1.5 * single else 0


roll = Prediction(
    "roll", "Restarting the monolith's one process interrupts every capability. Rolling its two replicas, one at "
    "a time, with the same change: how long will the shop be unavailable, compared with the one process?",
    ["as long: redeploying a monolith interrupts everything it serves, however many processes it has",
     "much shorter, perhaps not at all: while one replica restarts, the other takes the connections",
     "longer: two processes are restarted instead of one"],
    outcome=_roll_outcome)

scope = Choice("scope", "The change is to payments alone. Which processes will each redeploy replace?", [
    Option("In every shop, only the code that runs payments: a deploy replaces what changed",
           "No: a monolith's process runs all three capabilities, so both monolith redeploys replaced every "
           "process, and the catalog's and orders' code with it (the run shows each monolith process 'replaced')."),
    Option("In the monolith with 2 replicas, one process: a roll replaces one replica and keeps the other",
           "No: a roll replaces every replica, one at a time; one is up at any moment, but none is kept (the run "
           "shows both replicas 'replaced')."),
    Option("In the services, all three: a shop is released as a whole",
           "No: catalog and orders 'kept running' with the process ids they had; only payments was replaced. "
           "Each service is released on its own."),
    Option("In the monoliths, every process; in the services, payments' process alone",
           "That is the scope independent deployment buys. Catalog and orders kept running, and nothing "
           "their teams had merged shipped with the payments change.", right=True),
])

crash = Choice("crash", "A bug crashes every process that runs payments' code. What will still answer?", [
    Option("In the monoliths, browsing and order history: only the part of the code that calls payments fails",
           "No: a crash ends a whole process, not one module of it, and the monolith's catalog and orders run "
           "in the same processes as payments; the run shows nothing of either monolith answering, browsing "
           "included, replicas or not."),
    Option("In the services, nothing: one crashed service takes the whole system down",
           "No: the run shows browsing and order history still answering in the services. The catalog's process "
           "runs no payments code, so the crash never reached it."),
    Option("In the services, everything: orders carries on without payments",
           "No: the run shows placing an order failing in the services: orders calls payments synchronously and "
           "waits for it on every order. Lesson 03 removes that coupling with events."),
    Option("In the services, browsing and order history; in both monoliths, nothing",
           "A crash fails every process that runs the broken code. In the monoliths that is every process; "
           "in the services it is payments, and the one capability that waits for it: placing orders.",
           right=True),
])
