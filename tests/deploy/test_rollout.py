"""Production behind the router, deployed by each strategy under open-loop load: which lose
requests, which do not; a failing canary rolled back within one analysis interval; every
decision in the log."""
import httpx
import pytest

from shipyard.deploy import RolledBack, StrategyError, examples, parse
from shipyard.traffic import Traffic

CANARY = {"canary": {"steps": [
    {"setWeight": 25}, {"analysis": {"metric": "success-rate", "successCondition": "result >= 0.9", "interval": "1s"}},
    {"setWeight": 50}, {"pause": {"duration": "300ms"}}]}}


def under_load(production, release, strategy) -> tuple[Traffic, Exception | None]:
    raised = []

    def deploy():
        try:
            production.deploy(release, strategy)
        except RolledBack as rolled:
            raised.append(rolled)

    # A deadline of 5 s, not the lessons' 0.3 s: these tests are about requests refused or answered
    # 5xx during a deploy, and they share two cores and one disk with the rest of the suite, whose
    # load can hold an answer up for a second (a SQLite checkpoint waiting on the disk, say).
    load = Traffic(examples.customers(production.router.url), rate=25, deadline=5.0).during(deploy)
    return load, (raised or [None])[0]


def failed(load: Traffic) -> int:
    return load.failed("small") + load.failed("large")


def said(load: Traffic, production) -> str:
    """What failed, for a failing assertion: errors or slow answers, and the router's codes."""
    slow = load.too_slow("small") + load.too_slow("large")
    codes = {backend: {code: n for code, n in counted.items() if code != "200"}
             for backend, counted in production.router.requests().items()}
    return (f"{failed(load)} of {load.sent('small') + load.sent('large')} failed: {failed(load) - slow} errors, "
            f"{slow} with no answer within {load.deadline} s; the router's answers other than 200: {codes}")


def version_served(production) -> str:
    return httpx.get(f"{production.url}/health", timeout=5).json()["version"]


@pytest.mark.parametrize("strategy", [{"blueGreen": {}}, {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}])
def test_no_request_fails_under_load_during_a_blue_green_switch_or_a_gated_rolling_update(production, three,
                                                                                         strategy):
    first, good, _ = three
    production.deploy(first, parse({"recreate": {}}))
    load, rolled = under_load(production, good, strategy)
    assert rolled is None and load.sent("small") > 25
    assert failed(load) == 0, said(load, production)
    assert version_served(production) == good.version


def test_recreate_loses_requests_under_the_same_load(production, three):
    first, good, _ = three
    production.deploy(first, parse({"recreate": {}}))
    load, _ = under_load(production, good, {"recreate": {}})
    assert failed(load) > 0 and load.unavailable("small") > 0


def test_a_canary_whose_analysis_fails_is_rolled_back_within_one_analysis_interval(production, three):
    first, _, bad = three
    production.deploy(first, parse({"recreate": {}}))
    load, rolled = under_load(production, bad, CANARY)
    assert rolled is not None and "success-rate was" in str(rolled) and first.version in str(rolled)
    entries = production.log.entries(bad)
    failing = next(e for e in entries if e["event"] == "analysis" and not e["passed"])
    back = next(e for e in entries if e["event"] == "weights set" and e["at"] >= failing["at"])
    assert back["weights"] == {production.stable.backend: 100} and back["at"] - failing["at"] < 1.0
    rolled_back = entries[-1]
    assert rolled_back["event"] == "rolled back" and 0 < rolled_back["requests_to_new"] < load.sent("large") * 2
    assert version_served(production) == first.version and production.release == first
    assert not any(e["event"] == "deployed" for e in entries)


def test_a_good_canary_moves_traffic_in_its_steps_and_is_promoted(production, three):
    first, good, _ = three
    production.deploy(first, parse({"recreate": {}}))
    load, rolled = under_load(production, good, CANARY)
    assert rolled is None and failed(load) == 0, said(load, production)
    steps = [e["weights"].get(e["backend"]) for e in production.log.entries(good) if e["event"] == "weights set"]
    assert steps == [25, 50, 100]
    analysis = next(e for e in production.log.entries(good) if e["event"] == "analysis")
    assert analysis["passed"] and analysis["value"] == 1.0
    assert version_served(production) == good.version and len(production.stable.instances) == 2


def test_after_blue_green_the_old_version_is_kept_and_a_rollback_is_one_switch(production, three):
    first, good, _ = three
    production.deploy(first, parse({"recreate": {}}))
    production.deploy(good, parse({"blueGreen": {}}))
    assert production.previous.release == first and all(i.alive for i in production.previous.instances)
    seconds = production.rollback()
    assert version_served(production) == first.version and seconds < 2


def test_a_strategy_that_cannot_run_is_refused_before_anything_is_deployed(production, three):
    first, good, _ = three
    production.deploy(first, parse({"recreate": {}}))
    before = len(production.log.entries())
    with pytest.raises(StrategyError, match="unknown metric"):
        production.deploy(good, {"canary": {"steps": [{"analysis": {"metric": "p99", "successCondition": "x"}}]}})
    with pytest.raises(StrategyError, match="is not a strategy"):
        production.deploy(good, "canary")
    assert len(production.log.entries()) == before and version_served(production) == first.version


def test_a_reading_no_request_reached_is_taken_again_and_then_fails(production, three):
    first, good, _ = three
    production.deploy(first, parse({"recreate": {}}))
    blind = {"canary": {"replicas": 1, "steps": [  # no weight: no request can reach the new version
        {"setWeight": 0}, {"analysis": {"metric": "success-rate", "successCondition": "result >= 0.9",
                                        "interval": "300ms"}}]}}
    _, rolled = under_load(production, good, blind)
    assert rolled is not None and "no requests reached it" in str(rolled)
    events = [e["event"] for e in production.decisions(good)]
    assert events.count("inconclusive") >= 3 and events[-1] == "rolled back"
