"""Lesson 07's tasks and challenges.

Tasks, rising in difficulty: which strategy fits which constraints (conceptual, from the
lesson's runs); time to restore, from a history of deployments; a canary analysis, checked by
deploying a good release and a bad one through it, for real, behind a real router, under
live traffic. A check stops everything it starts."""
import math
import tempfile

from shipyard import ci
from shipyard.delivery import flags
from shipyard.delivery.index import start_index
from shipyard.delivery.log import ReleaseLog
from shipyard.deploy import RolledBack, RoutedEnvironment, StrategyError, dora, examples, parse, start_router
from shipyard.deploy.strategies import Analysis, Canary, SetWeight
from shipyard.exercises.challenges import Choice, Option, Prediction
from shipyard.exercises.matching import check_matching
from shipyard.exercises.task import Task, Unfinished, Wrong
from shipyard.paths import workdir
from shipyard.traffic import Traffic

# --- which_strategy (conceptual) -------------------------------------------------------------
RECREATE, ROLLING, BLUE_GREEN, CANARY = "recreate", "rolling update", "blue/green", "canary"
CONSTRAINTS = {
    "a": "The new version changes the database in a way the old version cannot read: the two must never serve "
         "at the same time, and a minute of downtime at night is accepted.",
    "b": "No downtime, and the platform has room for just one instance more than the service's usual count.",
    "c": "No downtime; the new version must be checked on its own before any customer meets it, and going back "
         "must take one switch, not a redeploy. The platform can run two full copies for a while.",
    "d": "A change to how charges are made: real traffic must decide whether it is safe, and if it is not, as "
         "few customers as possible may meet it.",
}
STRATEGIES = {
    "a": (RECREATE, {
        ROLLING: "a rolling update runs old and new side by side while it moves (7.3: the router split the "
                 "traffic between them).",
        BLUE_GREEN: "blue/green's preview checks write through the new version into the one database while the "
                    "old version still serves, and its instant rollback hands that data back to a version that "
                    "cannot read it.",
        CANARY: "a canary is the two versions serving at once, by design."}),
    "b": (ROLLING, {
        RECREATE: "recreate stops everything before the new version starts: in 7.3 it lost requests.",
        BLUE_GREEN: "blue/green needs a second full copy, here twice the instances.",
        CANARY: "7.3's canary started the new version's full count beside the old one; and a canary moves traffic "
                "by its analysis, while (b) asks for a plain replacement: a rolling update with maxSurge 1 "
                "needs exactly one spare instance."}),
    "c": (BLUE_GREEN, {
        RECREATE: "recreate has downtime (7.3), and going back means a redeploy.",
        ROLLING: "a rolling update mixes versions while it moves, and going back is another rolling update.",
        CANARY: "a canary lets customers meet the new version while it is being checked; here nobody may before "
                "it was checked on its preview."}),
    "d": (CANARY, {
        RECREATE: "recreate sends every customer to the new version at once: in 7.4, all at once let far more "
                  "requests reach the bad version.",
        ROLLING: "a rolling update moves on when instances are healthy, not when customers' requests succeed: "
                 "a charge bug passes every health check.",
        BLUE_GREEN: "blue/green switches all traffic at once; its checks run on the preview, without real "
                    "customers' traffic."}),
}


def _check_which_strategy(which_strategy) -> str:
    return check_matching(which_strategy, "which_strategy", STRATEGIES,
                          {"RECREATE": RECREATE, "ROLLING": ROLLING, "BLUE_GREEN": BLUE_GREEN, "CANARY": CANARY},
                          "constraint",
                          "All four right. Recreate when two versions must never overlap; rolling when spare capacity "
                          "is tight; blue/green when the whole version must be checked first and rolled back by one "
                          "switch; a canary when real traffic must decide, with few customers exposed.")


which_strategy = Task(
    name="which_strategy", lesson="07-continuous-deployment", checker=_check_which_strategy, seconds=5,
    hints=["Ask of each constraint: may two versions serve at once? how many spare instances are there? who "
           "decides that the new version is good: a check before any customer, or customers' own traffic?",
           "Only one strategy never runs two versions at once; only blue/green must have a second full copy; "
           "only one moves traffic by the readings of real requests.",
           "(a) never overlaps, (b) has one spare instance, (c) checks on a preview and switches, (d) lets "
           "traffic decide."])


# --- time_to_restore: DORA's fourth key ------------------------------------------------------
def _history(*rows) -> list[dict]:
    return [{"version": f"1.{n}", "deployed_at": at, "failed": failed, "restored_at": restored}
            for n, (at, failed, restored) in enumerate(rows)]


HISTORIES = {
    "three failures, one long": _history((0, False, None), (100, True, 130), (200, True, 220), (300, True, 1300),
                                         (400, False, None)),
    "two failures": _history((0, True, 60), (100, True, 180), (200, False, None)),
    "one failure still down": _history((0, True, 90), (100, False, None), (200, True, None)),
    "no failures": _history((0, False, None), (100, False, None)),
}


def _expected(history: list[dict]) -> float | None:
    return dora.time_to_restore([dora.Deployment(d["version"], (), d["deployed_at"], d["failed"], d["restored_at"])
                                 for d in history])


def _check_time_to_restore(time_to_restore) -> str:
    if not callable(time_to_restore):
        raise Wrong("`time_to_restore` should be a function: `def time_to_restore(deployments): ...`")
    for name, history in HISTORIES.items():
        try:
            found = time_to_restore([dict(d) for d in history])
        except (Unfinished, NotImplementedError):
            raise
        except Exception as error:  # noqa: BLE001 (the learner's bug, said in words)
            raise Wrong(f"On the history '{name}' your function raised {type(error).__name__}: {error}. "
                        + ("A failed deployment that is still down has restored_at None: leave it out, it has "
                           "no restore time yet." if name == "one failure still down" else "")) from None
        expected = _expected(history)
        if expected is None:
            if found is not None:
                raise Wrong(f"On the history '{name}' nothing failed, so there is no time to restore: return None, "
                            f"not {found!r}.")
            continue
        if not isinstance(found, int | float) or isinstance(found, bool) or not math.isclose(found, expected):
            hint = {"three failures, one long": " The mean is pulled up by the one long outage; DORA's times are "
                                                "medians.",
                    "two failures": " With an even count the median is the mean of the middle two."}.get(name, "")
            raise Wrong(f"On the history '{name}' your function returned {found!r}; the time to restore is "
                        f"{expected:g} s.{hint}")
    return ("Right on every history: the median of restored_at - deployed_at over the failed deployments that were "
            "restored, None when nothing failed.")


time_to_restore = Task(
    name="time_to_restore", lesson="07-continuous-deployment", checker=_check_time_to_restore, seconds=5,
    hints=["Time to restore is about failed deployments only: how long from each one reaching production to "
           "service being restored (7.6).",
           "Take restored_at - deployed_at for every failed deployment whose restored_at is not None; one still "
           "down has no restore time yet.",
           "`statistics.median` of those, and None when there are none."])


# --- canary_analysis: a strategy deployed for real -----------------------------------------
MOST_SECONDS = 12  # of pauses and analyses: the check deploys two releases through them


class _Releases:
    """Three releases of payments, built once per kernel: the first, a good change, a bad one."""
    built: tuple | None = None

    @classmethod
    def get(cls) -> tuple:
        if cls.built is None:
            server = ci.start()
            try:
                repo = examples.repository(server)
                cls.built = examples.build_three(repo)
            finally:
                server.stop()
        return cls.built


def _strategy(canary_analysis) -> Canary:
    if not callable(canary_analysis):
        raise Wrong("`canary_analysis` should be a function: `def canary_analysis(): return {\"canary\": {...}}`")
    try:
        strategy = parse(canary_analysis())
    except StrategyError as error:
        raise Wrong(f"That strategy cannot run: {error}") from None
    if not isinstance(strategy, Canary):
        raise Wrong(f"That is a {type(strategy).__name__} strategy; the task asks for a canary: "
                    "{\"canary\": {\"steps\": [...]}}.")
    for step in strategy.steps:
        if isinstance(step, Analysis):
            break
        if isinstance(step, SetWeight) and step.weight == 100:
            raise Wrong("Your canary gives the new version all the traffic before any analysis: every customer "
                        "would meet a bad release. Put an analysis at a small weight first.")
    else:
        raise Wrong("Your canary has no analysis step, so nothing reads the new version's results: it would "
                    "promote a bad release. Add {\"analysis\": {\"metric\": ..., \"successCondition\": ...}}.")
    waits = sum(getattr(step, "seconds", 0) + (step.interval * step.count if isinstance(step, Analysis) else 0)
                for step in strategy.steps)
    if waits > MOST_SECONDS:
        raise Wrong(f"Your steps wait {waits:g} s in all; keep it to {MOST_SECONDS} s for this check (a real "
                    "canary waits minutes; the check's traffic is dense enough for seconds).")
    return strategy


def _deployed(production: RoutedEnvironment, release, strategy) -> tuple[bool, str, int]:
    """(promoted?, why, requests that failed) for `release` under open-loop traffic."""
    outcome = {}

    def deploy():
        try:
            production.deploy(release, strategy)
            outcome["promoted"] = True
        except RolledBack as rolled:
            outcome["promoted"], outcome["why"] = False, str(rolled)

    traffic = Traffic(examples.customers(production.router.url), rate=25).during(deploy)
    return outcome["promoted"], outcome.get("why", ""), traffic.failed("small") + traffic.failed("large")


def _check_canary(canary_analysis) -> str:
    strategy = _strategy(canary_analysis)
    first, good, bad = _Releases.get()
    index, router = start_index(), start_router()
    folder = tempfile.mkdtemp(prefix="exercise-07-", dir=workdir())
    production = RoutedEnvironment("production", index, ReleaseLog(f"{folder}/releases.jsonl"), router,
                                   env={"FLAGS_PATH": str(flags.write(f"{folder}/flags.json", {}))})
    try:
        for release in (first, good, bad):
            index.publish(release.wheel)
        production.deploy(first, parse({"recreate": {}}))
        promoted, why, _ = _deployed(production, good, strategy)
        if not promoted:
            raise Wrong(f"Your canary rolled back the good release, whose every request succeeds: {why}")
        promoted, _, failed = _deployed(production, bad, strategy)
        if promoted:
            raise Wrong(f"Your canary promoted the bad release: {failed} customer requests failed while it ran, and "
                        "every large charge fails from now on. Does an analysis read success-rate, with a "
                        "condition a 5xx on every large charge cannot pass?")
        rolled = production.log.entries(bad)[-1]
    finally:
        production.stop()
        index.stop()
    return (f"Your canary promoted the good release and rolled back the bad one ({rolled['reason']}); "
            f"{rolled['requests_to_new']} requests reached the bad version before it was rolled back.")


canary_analysis = Task(
    name="canary_analysis", lesson="07-continuous-deployment", checker=_check_canary, seconds=120,
    hints=["A canary gives the new version a small share first, reads how its requests went, and only then gives "
           "it more (7.1, 7.4). Start from the pipeline's canary as data, `deploy.CANARY_SPEC`.",
           "Steps: {\"setWeight\": 20}, then {\"analysis\": {\"metric\": \"success-rate\", \"successCondition\": "
           "\"result >= 0.9\", \"interval\": \"1s\"}}, then more weight. A condition is `result`, a comparison "
           "and a number.",
           "The bad release fails every large charge, about half its requests: a success rate of 0.5. The good one "
           "succeeds on every request: a condition of result >= 1.01 rolls back even that."])


# --- the lesson's challenges (never graded) --------------------------------------------------
LOSES = ["every strategy loses a few requests: a deploy always does",
         "only recreate loses requests: the others keep a version serving throughout",
         "none loses any: the router hides every gap",
         "recreate and some of the others lose requests"]


def _loses_outcome(failed: dict[str, int]) -> int:
    """{strategy: failed requests}"""
    losing = {name for name, count in failed.items() if count}
    return 2 if not losing else 1 if losing == {"recreate"} else 0 if losing == set(failed) else 3


which_loses = Prediction(
    "which_loses", "Payments gets a new release four times under steady traffic: recreate, rolling update, "
    "blue/green and canary. Which of them make customers' requests fail?", LOSES, outcome=_loses_outcome)

EXPOSED = ["about as many: a bad release meets every customer until someone notices, whatever the strategy",
           "far fewer with the canary: only its share of traffic met the bad version before the analysis",
           "none with the canary: the analysis catches it before any customer"]


def _exposed_outcome(counts: tuple[int, int]) -> int:
    """(requests that reached the bad version by the canary, all at once), as the router counted"""
    canary, all_at_once = counts
    return 2 if canary == 0 else 1 if canary * 2 <= all_at_once else 0


exposure = Prediction(
    "exposure", "The bad commit goes out twice, with the same analysis: once as the pipeline's canary (25% of the "
    "traffic first), once all at once. How many customer requests reach the bad version with the canary, compared "
    "with all at once?",
    EXPOSED, outcome=_exposed_outcome)

batches = Choice("batches", "Production broke after a deploy of ten commits. Why does a team that deploys one commit "
                 "at a time find the cause faster?", [
    Option("Because small commits have fewer bugs",
           "Not what 7.5 measures: the same bad commit is in both histories. What differs is how many commits "
           "could be the cause."),
    Option("Because the deploy that broke production names the one commit that did it",
           "One change per deploy: the broken deploy is the answer, with no search. With ten, git bisect had to "
           "check out and test several of them (7.5); at a team each of those is a build and a test suite.",
           right=True),
    Option("Because git bisect is slow",
           "Bisect is fast (it halves the suspects each step), but it still checks out and tests several commits, "
           "and first someone must write a check that reproduces the failure; with one commit per deploy there "
           "is nothing to search."),
])

__all__ = ["BLUE_GREEN", "CANARY", "RECREATE", "ROLLING", "batches", "canary_analysis", "exposure",
           "time_to_restore", "which_loses", "which_strategy"]
