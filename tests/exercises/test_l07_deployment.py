"""Exercise 07: strategies for constraints, DORA's time to restore on hand-worked histories,
and a canary deployed for real through the learner's analysis, behind a real router."""
import pytest
from answers import solution, stub

from shipyard.exercises.l07_deployment import (
    BLUE_GREEN,
    CANARY,
    RECREATE,
    ROLLING,
    canary_analysis,
    time_to_restore,
    which_strategy,
)

LESSON = "07-continuous-deployment"
RIGHT = {"a": RECREATE, "b": ROLLING, "c": BLUE_GREEN, "d": CANARY}
SUCCESS_RATE = {"metric": "success-rate", "successCondition": "result >= 0.9", "interval": "1s"}


# --- which_strategy -------------------------------------------------------------------------
def test_the_which_strategy_stub_is_reported_unfinished():
    assert which_strategy.check(stub(LESSON, "which_strategy")).kind == "unfinished"


def test_the_which_strategy_solution_is_right():
    feedback = which_strategy.check(solution(LESSON, "which_strategy"))
    assert feedback.ok and "All four right" in feedback.message


@pytest.mark.parametrize("letter, wrong, words", [
    ("a", BLUE_GREEN, "cannot read it"), ("a", ROLLING, "split the traffic"),
    ("b", BLUE_GREEN, "second full copy"), ("b", RECREATE, "lost requests"),
    ("c", CANARY, "checked on its preview"), ("c", ROLLING, "another rolling update"),
    ("d", ROLLING, "passes every health check"), ("d", RECREATE, "all at once let far more"),
])
def test_every_wrong_strategy_is_explained_from_the_lessons_run(letter, wrong, words):
    feedback = which_strategy.check(lambda: {**RIGHT, letter: wrong})
    assert feedback.kind == "wrong" and "3 of 4 right" in feedback.message and words in feedback.message


# --- time_to_restore ------------------------------------------------------------------------
def test_the_time_to_restore_stub_is_reported_unfinished():
    assert time_to_restore.check(stub(LESSON, "time_to_restore")).kind == "unfinished"


def test_the_time_to_restore_solution_is_right():
    assert time_to_restore.check(solution(LESSON, "time_to_restore")).ok


def mean_of_restores(deployments):
    outages = [d["restored_at"] - d["deployed_at"] for d in deployments if d["failed"] and d["restored_at"]]
    return sum(outages) / len(outages) if outages else None


def still_down_counted(deployments):
    import statistics
    outages = [d["restored_at"] - d["deployed_at"] for d in deployments if d["failed"]]
    return statistics.median(outages) if outages else None


def zero_when_nothing_failed(deployments):
    import statistics
    outages = [d["restored_at"] - d["deployed_at"] for d in deployments if d["failed"] and d["restored_at"]]
    return statistics.median(outages) if outages else 0


def every_deployment(deployments):
    import statistics
    return statistics.median([(d["restored_at"] or d["deployed_at"]) - d["deployed_at"] for d in deployments])


@pytest.mark.parametrize("answer, words", [
    (mean_of_restores, "medians"),
    (still_down_counted, "leave it out"),
    (zero_when_nothing_failed, "return None"),
    (every_deployment, "the time to restore is"),
    ("median", "should be a function"),
])
def test_near_miss_restore_times_are_rejected_with_the_reason(answer, words):
    feedback = time_to_restore.check(answer)
    assert feedback.kind == "wrong" and words in feedback.message, feedback.message


# --- canary_analysis: deployed for real -----------------------------------------------------
def test_the_canary_analysis_stub_is_reported_unfinished():
    assert canary_analysis.check(stub(LESSON, "canary_analysis")).kind == "unfinished"


def test_the_canary_analysis_solution_promotes_the_good_release_and_rolls_back_the_bad_one():
    feedback = canary_analysis.check(solution(LESSON, "canary_analysis"))
    assert feedback.ok and "rolled back the bad one" in feedback.message, feedback.message


def canary(*steps):
    return lambda: {"canary": {"replicas": 1, "steps": list(steps)}}


@pytest.mark.parametrize("answer, words", [
    (canary({"setWeight": 20}, {"pause": {"duration": 1}}), "no analysis step"),
    (canary({"setWeight": 100}, {"analysis": SUCCESS_RATE}), "all the traffic before any analysis"),
    (canary({"setWeight": 20}, {"analysis": {**SUCCESS_RATE, "metric": "errors"}}), "unknown metric 'errors'"),
    (canary({"setWeight": 20}, {"analysis": {**SUCCESS_RATE, "interval": "20s"}}), "keep it to 12 s"),
    (lambda: {"blueGreen": {}}, "the task asks for a canary"),
    (lambda: "canary", "a strategy is one of"),
    ({"canary": {}}, "should be a function"),
])
def test_a_canary_that_cannot_decide_is_refused_before_anything_is_deployed(answer, words):
    feedback = canary_analysis.check(answer)
    assert feedback.kind == "wrong" and words in feedback.message, feedback.message


@pytest.mark.parametrize("answer, words", [
    (canary({"setWeight": 20}, {"analysis": {**SUCCESS_RATE, "successCondition": "result >= 1.01"}}),
     "rolled back the good release"),
    (canary({"setWeight": 20}, {"analysis": {"metric": "latency-p95", "successCondition": "result < 1"}}),
     "promoted the bad release"),
])
def test_a_canary_that_decides_wrongly_is_caught_by_deploying_for_real(answer, words):
    feedback = canary_analysis.check(answer)
    assert feedback.kind == "wrong" and words in feedback.message, feedback.message
