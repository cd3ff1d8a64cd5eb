"""Strategies in Argo Rollouts' vocabulary: read as written, and refused in words before
anything is deployed when they cannot run."""
import pytest

from shipyard.deploy import StrategyError, parse
from shipyard.deploy.analysis import Reading, quantile, success_rate
from shipyard.deploy.strategies import Analysis, BlueGreen, Canary, Pause, Recreate, RollingUpdate, SetWeight

ANALYSIS = {"metric": "success-rate", "successCondition": "result >= 0.95", "interval": "500ms", "count": 2,
            "failureLimit": 1}


def test_every_kind_of_strategy_is_read_as_argo_rollouts_writes_it():
    assert parse({"recreate": {}}) == Recreate(2)
    assert parse({"rollingUpdate": {"replicas": 3, "maxSurge": 0, "maxUnavailable": 1}}) == RollingUpdate(3, 0, 1)
    assert parse({"blueGreen": {"autoPromotionEnabled": False}}) == BlueGreen(2, False)
    canary = parse({"canary": {"steps": [{"setWeight": 20}, {"pause": {"duration": "2s"}}, {"analysis": ANALYSIS}]}})
    assert canary == Canary((SetWeight(20), Pause(2.0), Analysis("success-rate", "result >= 0.95", 0.5, 2, 1)), 2)


@pytest.mark.parametrize("condition, result, passes", [
    ("result >= 0.95", 0.95, True), ("result >= 0.95", 0.94, False), ("result < 0.1", 0.1, False),
    ("result<0.1", 0.05, True), ("result > 1", 1.5, True), ("result <= 0.25", 0.3, False),
])
def test_a_success_condition_compares_the_result_as_written(condition, result, passes):
    assert Analysis("latency-p95", condition).passes(result) is passes


@pytest.mark.parametrize("spec, words", [
    ({"canary": {"steps": [{"analysis": {**ANALYSIS, "metric": "errors"}}]}}, "unknown metric 'errors'"),
    ({"canary": {"steps": [{"analysis": {**ANALYSIS, "successCondition": "result >= high"}}]}}, "successCondition"),
    ({"canary": {"steps": [{"analysis": {**ANALYSIS, "successCondition": "import os"}}]}}, "compare result"),
    ({"canary": {"steps": [{"setWeight": 120}]}}, "0 to 100"),
    ({"canary": {"steps": [{"setWeight": 20}, {"wait": 3}]}}, "step 2: unknown step 'wait'"),
    ({"canary": {"steps": [{"pause": {"duration": "soon"}}]}}, "a duration such as"),
    ({"canary": {"steps": [{"pause": {"duration": 0}}]}}, "longer than 0 s"),
    ({"canary": {"steps": []}}, "a canary needs steps"),
    ({"canary": {"stepz": []}}, "has no field stepz"),
    ({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}, "could never move"),
    ({"rollingUpdate": {"maxSurge": -1}}, "maxSurge must be a whole number"),
    ({"recreate": {"replicas": 0}}, "replicas must be a whole number of at least 1"),
    ({"bigBang": {}}, "a strategy is one of"),
    ("canary", "a strategy is one of"),
])
def test_a_malformed_strategy_is_refused_with_a_clear_message(spec, words):
    with pytest.raises(StrategyError, match=words.replace("(", r"\(")):
        parse(spec)


def test_an_analysis_made_directly_is_checked_as_parse_checks_it():
    with pytest.raises(StrategyError, match="unknown metric 'error-rate'"):
        Analysis("error-rate", "result < 0.05")


# -- what an analysis measures ------------------------------------------------------------
def test_the_quantile_is_interpolated_within_its_bucket_as_prometheus_does():
    # 100 requests: 50 under 10 ms, 40 more under 50 ms, 10 more under 100 ms. The 95th is the
    # 5th of the 10 in (0.05, 0.1]: 0.05 + 0.05 * 5/10 = 0.075.
    buckets = [(0.01, 50), (0.05, 90), (0.1, 100), (float("inf"), 100)]
    assert quantile(0.95, buckets) == pytest.approx(0.075)
    assert quantile(0.5, buckets) == pytest.approx(0.01)
    assert quantile(0.99, [(0.01, 1), (float("inf"), 100)]) == 0.01  # in +Inf: its lower bound
    assert quantile(0.95, [(0.01, 0), (float("inf"), 0)]) is None


def test_a_success_rate_counts_only_the_interval_between_two_readings():
    before = Reading({"v2": {"200": 90, "500": 10}}, {})
    after = Reading({"v2": {"200": 120, "500": 40, "404": 10}}, {})
    assert success_rate(before, after, "v2") == pytest.approx(40 / 70)
    assert success_rate(after, after, "v2") is None  # no request: no reading, not a perfect one
