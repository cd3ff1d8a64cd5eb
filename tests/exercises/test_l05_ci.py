"""Exercise 05: a workflow pushed to a real CI server, and a test run against good and
regressed payments."""
import pytest

from answers import solution, stub, stub_code
from shipyard.exercises.l05_ci import catalog_workflow, limit_test
from shipyard.exercises.notebooks import solution_code

LESSON = "05-continuous-integration"
WORKFLOW = solution(LESSON, "catalog_workflow")
TEST = solution_code(LESSON, "limit_test")


def workflow_variant(old: str, new: str) -> str:
    assert old in WORKFLOW
    return WORKFLOW.replace(old, new)


def test_the_workflow_stub_is_reported_unfinished():
    assert catalog_workflow.check(stub(LESSON, "catalog_workflow")).kind == "unfinished"


def test_the_solution_workflow_is_green_on_good_code_and_red_on_the_regression():
    feedback = catalog_workflow.check(WORKFLOW)
    assert feedback.ok and "red on the regression" in feedback.message, feedback.message


def test_a_workflow_that_runs_no_tests_is_caught_staying_green():
    feedback = catalog_workflow.check(workflow_variant("run: python -m pytest -q tests", "run: echo all good"))
    assert feedback.kind == "wrong" and "stayed green" in feedback.message


def test_a_workflow_using_an_action_the_server_cannot_run_gets_the_servers_words():
    feedback = catalog_workflow.check(workflow_variant("- uses: actions/checkout@v4", "- uses: actions/cache@v4"))
    assert feedback.kind == "wrong" and "`uses: actions/cache@v4` cannot run here" in feedback.message


def test_a_workflow_that_never_runs_on_push_is_named():
    feedback = catalog_workflow.check(workflow_variant("  push:\n", "  pull_request:\n"))
    assert feedback.kind == "wrong" and "Nothing ran on a push to main" in feedback.message


def test_a_workflow_red_on_good_code_is_named_with_its_step():
    feedback = catalog_workflow.check(workflow_variant("working-directory: catalog", "working-directory: payments"))
    assert feedback.kind == "wrong" and "failed on good code" in feedback.message


@pytest.fixture
def test_file(tmp_path):
    def write(source: str):
        path = tmp_path / "test_limit.py"
        path.write_text(source)
        return path
    return write


def test_the_limit_test_stub_is_reported_unfinished(test_file):
    assert limit_test.check(test_file(stub_code(LESSON, "limit_test"))).kind == "unfinished"


def test_the_solution_test_passes_on_payments_and_catches_the_regression(test_file):
    feedback = limit_test.check(test_file(TEST))
    assert feedback.ok and "FAILED" in feedback.message, feedback.message


def test_a_test_below_the_limit_passes_both_ways_and_is_caught(test_file):
    feedback = limit_test.check(test_file(TEST.replace('"o-1", 500,', '"o-1", 499,')))
    assert feedback.kind == "wrong" and "still passes" in feedback.message


def test_a_test_that_expects_the_wrong_answer_fails_on_good_code(test_file):
    feedback = limit_test.check(test_file(TEST.replace('== "paid"', '== "declined"')))
    assert feedback.kind == "wrong" and "fails on payments as it is" in feedback.message


def test_a_file_without_a_test_function_is_named(test_file):
    feedback = limit_test.check(test_file(TEST.replace("def test_", "def check_")))
    assert feedback.kind == "wrong" and "found no test" in feedback.message


def test_a_workflow_of_several_jobs_that_need_each_other_is_accepted():
    jobs = WORKFLOW.index("jobs:\n")
    lint = ("jobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: actions/setup-python@v5\n      - run: python ci-install.py\n      - run: ruff check catalog\n")
    several = WORKFLOW[:jobs] + lint + WORKFLOW[jobs + len("jobs:\n"):].replace(
        "  test:\n    runs-on", "  test:\n    needs: lint\n    runs-on", 1)
    assert "needs: lint" in several
    feedback = catalog_workflow.check(several)
    assert feedback.ok and "red on the regression" in feedback.message, feedback.message
