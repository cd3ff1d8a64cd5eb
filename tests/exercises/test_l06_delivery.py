"""Exercise 06: guards from the lesson's runs, a flag evaluated by the real OpenFeature client,
and a delivery workflow pushed to a real CI server with its own index and staging."""
import pytest
from answers import solution, stub

from shipyard.exercises.l06_delivery import (
    FLAG,
    GATE,
    INDEX,
    STAGING,
    TESTS,
    catalog_delivery,
    raised_limit_flag,
    which_guard,
)
from shipyard.paths import workdir

LESSON = "06-continuous-delivery"
RIGHT = {"a": STAGING, "b": INDEX, "c": FLAG, "d": TESTS, "e": GATE}
FLAG_ANSWER = solution(LESSON, "raised_limit_flag")
WORKFLOW = solution(LESSON, "catalog_delivery")


def variant(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


# --- which_guard --------------------------------------------------------------------------
def test_the_which_guard_stub_is_reported_unfinished():
    assert which_guard.check(stub(LESSON, "which_guard")).kind == "unfinished"


def test_the_which_guard_solution_is_right():
    feedback = which_guard.check(solution(LESSON, "which_guard"))
    assert feedback.ok and "All five right" in feedback.message


@pytest.mark.parametrize("letter, wrong, words", [
    ("a", TESTS, "every test passed on Bob's commit"), ("a", GATE, "even approved"),
    ("b", STAGING, "refused the same version"), ("b", FLAG, "not the bytes"),
    ("c", GATE, "with no deploy"), ("c", STAGING, "does not decide when"),
    ("d", STAGING, "not every edge"), ("d", FLAG, "every customer runs"),
    ("e", FLAG, "that decision is the gate"), ("e", STAGING, "the moment someone asks"),
])
def test_every_wrong_guard_is_explained_from_the_lessons_run(letter, wrong, words):
    feedback = which_guard.check(lambda: {**RIGHT, letter: wrong})
    assert feedback.kind == "wrong" and "4 of 5 right" in feedback.message and f"({letter}) not {wrong}" in feedback.message
    assert words in feedback.message


@pytest.mark.parametrize("answer, words", [
    (RIGHT, "should be a function"), (lambda: list(RIGHT.items()), "returned list"),
    (lambda: {k: v for k, v in RIGHT.items() if k != "e"}, "Missing: e"), (lambda: {**RIGHT, "f": GATE}, "Not a situation"),
    (lambda: {**RIGHT, "a": "STAGING"}, "each choice is one of"),
])
def test_guards_of_the_wrong_shape_get_words(answer, words):
    feedback = which_guard.check(answer)
    assert feedback.kind == "wrong" and words in feedback.message


def test_sys_exit_and_a_hang_in_the_flag_get_words():
    import sys
    import time
    assert "sys.exit" in raised_limit_flag.check(lambda: sys.exit(1)).message
    hung = raised_limit_flag.check(lambda: time.sleep(60))
    assert hung.kind == "wrong" and "did not finish within 30 s" in hung.message


def test_sys_exit_and_a_hang_in_which_guard_get_words():
    import sys
    import time
    assert "sys.exit" in which_guard.check(lambda: sys.exit(1)).message
    hung = which_guard.check(lambda: time.sleep(30))
    assert hung.kind == "wrong" and "did not finish within 5 s" in hung.message


# --- raised_limit_flag ----------------------------------------------------------------------
def test_the_flag_stub_is_reported_unfinished():
    assert raised_limit_flag.check(stub(LESSON, "raised_limit_flag")).kind == "unfinished"


def test_the_solution_flag_reaches_a_quarter_of_customers_stably():
    feedback = raised_limit_flag.check(FLAG_ANSWER)
    assert feedback.ok and "each the same at every evaluation" in feedback.message, feedback.message


@pytest.mark.parametrize("change, words", [
    ({"targeting": {"fractional": [["on", 75], ["off", 25]]}}, "the task asks for 25%"),
    ({"targeting": {"fractional": [["on", 15], ["off", 85]]}}, "the task asks for 25%"),
    ({"defaultVariant": "on", "targeting": {}}, "same answer (on)"),
    ({"targeting": {}}, "same answer (off)"),
    ({"targeting": {"fractional": [{"var": "customer"}, ["on", 25], ["off", 75]]}}, "the targeting key"),
    ({"targeting": {"fractional": [{"var": "$flagd.timestamp"}, ["on", 25], ["off", 75]]}}, "the targeting key"),
    ({"defaultVariant": "on"}, "no customer id got the feature"),
    ({"variants": {"on": "yes", "off": "no"}}, "could not use your flag"),
    ({"state": "DISABLED"}, "same answer (off)"),
])
def test_a_near_miss_flag_is_named(change, words):
    feedback = raised_limit_flag.check(lambda: {**FLAG_ANSWER(), **change})
    assert feedback.kind == "wrong" and words in feedback.message, feedback.message


@pytest.mark.parametrize("answer, words", [
    ({"state": "ENABLED"}, "should be a function"), (lambda: "raised-limit", "returned str"),
    (lambda: {"on": 25}, "not a valid flagd flag file"),
    (lambda: {**FLAG_ANSWER(), "variants": {"on": True, "off": {1, 2}}}, "cannot be written as JSON"),
])
def test_a_flag_of_the_wrong_shape_gets_words(answer, words):
    feedback = raised_limit_flag.check(answer)
    assert feedback.kind == "wrong" and words in feedback.message, feedback.message


def test_a_flag_check_leaves_no_flag_file_behind():
    raised_limit_flag.check(FLAG_ANSWER)
    raised_limit_flag.check(lambda: {"on": 25})
    assert not list(workdir().glob("exercise-06-*"))


# --- catalog_delivery -----------------------------------------------------------------------
def test_the_delivery_stub_is_reported_unfinished():
    assert catalog_delivery.check(stub(LESSON, "catalog_delivery")).kind == "unfinished"


def test_the_solution_delivers_one_wheel_to_staging_and_publishes_nothing_on_a_failing_test():
    before = set(workdir().iterdir())
    feedback = catalog_delivery.check(WORKFLOW)
    assert feedback.ok and "stopped the next run before anything was published" in feedback.message, feedback.message
    assert not {path.name for path in set(workdir().iterdir()) - before if path.name.startswith("ci-")}


SMOKE = "      - name: Smoke-test staging\n        run: python ci-deliver.py smoke-test staging\n"


@pytest.mark.parametrize("old, new, words", [
    ("    needs: test\n", "", "published anyway"),
    ("run: python -m pytest -q tests/component", "run: python -m pytest -q tests/component || true", "stayed green"),
    (SMOKE, "      - name: Smoke-test staging\n        run: echo smoke\n", "no smoke test ran there"),
    ("run: python ci-deliver.py deploy staging", "run: echo deployed", "step 'Smoke-test staging': refused (409)"),
    ("upload --non-interactive dist/*.whl", "upload --non-interactive dist/*.whl && python -m twine upload dist/*.whl",
     "a version it already holds"),
    ("TWINE_PASSWORD: ${{ secrets.INDEX_PASSWORD }}", "TWINE_PASSWORD: guessed", "failed on good code"),
])
def test_a_near_miss_delivery_workflow_is_named(old, new, words):
    feedback = catalog_delivery.check(variant(WORKFLOW, old, new))
    assert feedback.kind == "wrong" and words in feedback.message, feedback.message


def test_a_workflow_that_deploys_to_production_by_itself_is_named():
    extra = ("      - name: Deploy to production\n        run: python ci-deliver.py deploy production\n"
             "        env:\n          DEPLOY_API_URL: ${{ vars.DEPLOY_API_URL }}\n")
    feedback = catalog_delivery.check(WORKFLOW + extra)
    assert feedback.kind == "wrong" and "is not approved" in feedback.message, feedback.message
