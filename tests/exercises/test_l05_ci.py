"""Exercise 05: a choice from the lesson's measurements, a test run against good and
regressed payments, and workflows pushed to a real CI server."""
import psutil
import pytest

from answers import solution, stub, stub_code
from shipyard.exercises import l05_ci
from shipyard.exercises.l05_ci import LONG_BRANCHES, PR_GATE, TRUNK, catalog_pipeline, catalog_workflow, limit_test
from shipyard.exercises.l05_ci import which_way
from shipyard.exercises.notebooks import solution_code
from shipyard.paths import workdir

LESSON = "05-continuous-integration"
WORKFLOW = solution(LESSON, "catalog_workflow")
PIPELINE = solution(LESSON, "catalog_pipeline")
TEST = solution_code(LESSON, "limit_test")
RIGHT = {"a": PR_GATE, "b": TRUNK, "c": TRUNK, "d": LONG_BRANCHES}


def variant(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def sleeping(seconds: str) -> list:
    return [p for p in psutil.process_iter(["cmdline", "status"])
            if p.info["cmdline"] == ["sleep", seconds] and p.info["status"] != psutil.STATUS_ZOMBIE]


def ci_folders() -> set:
    return {path.name for path in workdir().glob("ci-*")}


# --- which_way ----------------------------------------------------------------------------
def test_the_which_way_stub_is_reported_unfinished():
    assert which_way.check(stub(LESSON, "which_way")).kind == "unfinished"


def test_the_which_way_solution_is_right():
    feedback = which_way.check(solution(LESSON, "which_way"))
    assert feedback.ok and "All four right" in feedback.message


@pytest.mark.parametrize("letter, wrong, words", [
    ("a", TRUNK, "lands on main first"), ("a", LONG_BRANCHES, "6 branch builds were green"),
    ("b", LONG_BRANCHES, "4 commits"), ("b", PR_GATE, "not how much arrives at once"),
    ("c", LONG_BRANCHES, "median 24 against 15"), ("c", PR_GATE, "gate or not"),
    ("d", TRUNK, "median 4 against 3"), ("d", PR_GATE, "neither when work meets"),
])
def test_every_wrong_way_is_explained_from_the_lessons_run(letter, wrong, words):
    feedback = which_way.check(lambda: {**RIGHT, letter: wrong})
    assert feedback.kind == "wrong" and "3 of 4 right" in feedback.message and f"({letter}) not {wrong}" in feedback.message
    assert words in feedback.message


@pytest.mark.parametrize("answer, words", [
    ("a string", "should be a function"), (RIGHT, "should be a function"),
    (lambda: list(RIGHT.items()), "returned list"), (lambda: None, "returned NoneType"),
    (lambda: {k: v for k, v in RIGHT.items() if k != "d"}, "Missing: d"),
    (lambda: {**RIGHT, "e": TRUNK}, "Not a need: 'e'"),
    (lambda: {**RIGHT, "a": "PR_GATE"}, "each choice is one of"), (lambda: {**RIGHT, "b": "trunk-based"}, "each choice is one of"),
])
def test_answers_of_the_wrong_shape_get_words(answer, words):
    feedback = which_way.check(answer)
    assert feedback.kind == "wrong" and words in feedback.message


def test_sys_exit_and_a_hang_in_which_way_get_words():
    import sys
    import time
    assert "sys.exit" in which_way.check(lambda: sys.exit(1)).message
    hung = which_way.check(lambda: time.sleep(30))
    assert hung.kind == "wrong" and "did not finish within 5 s" in hung.message


# --- limit_test ---------------------------------------------------------------------------
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


@pytest.mark.parametrize("amount, expected", [("499", "paid"), ("501", "declined")])
def test_a_test_off_the_edge_passes_both_ways_and_is_caught(test_file, amount, expected):
    source = variant(TEST, '"o-1", 500,', f'"o-1", {amount},').replace('== "paid"', f'== "{expected}"')
    feedback = limit_test.check(test_file(source))
    assert feedback.kind == "wrong" and "still passes" in feedback.message


@pytest.mark.parametrize("old, new", [('== "paid"', '== "declined"'), ('["status"]', '["amount_cents"]')])
def test_a_test_that_fails_on_correct_payments_is_named(test_file, old, new):
    feedback = limit_test.check(test_file(variant(TEST, old, new)))
    assert feedback.kind == "wrong" and "fails on payments as it is" in feedback.message


@pytest.mark.parametrize("old, new", [("def test_", "def check_"), ("def test_", "def _test_")])
def test_a_file_without_a_test_function_is_named(test_file, old, new):
    feedback = limit_test.check(test_file(variant(TEST, old, new)))
    assert feedback.kind == "wrong" and "found no test" in feedback.message


@pytest.mark.parametrize("old, new, line", [("domain.init_schema(conn)", "domain.init_schema(conn", 9),
                                            ("def test_a_charge", "def test a charge", 6)])
def test_a_file_that_does_not_compile_is_named_with_its_line(test_file, old, new, line):
    feedback = limit_test.check(test_file(variant(TEST, old, new)))
    assert feedback.kind == "wrong" and "does not compile" in feedback.message and f"line {line}" in feedback.message


@pytest.mark.parametrize("old, new", [("from payments import domain", "from payments import domian"),
                                      ("import sqlite3\n", "import sqlite3\nraise SystemExit(3)\n")])
def test_a_file_pytest_cannot_collect_gets_pytests_words(test_file, old, new):
    feedback = limit_test.check(test_file(variant(TEST, old, new)))
    assert feedback.kind == "wrong" and "could not run your file" in feedback.message


@pytest.fixture
def short_limit(monkeypatch):
    """A hang is a hang at any limit: the checker's real one is 20 s."""
    monkeypatch.setattr(l05_ci, "PYTEST_SECONDS", 4)


def test_a_hanging_test_is_stopped_with_words_and_a_process_it_leaves_is_gone(test_file, short_limit):
    source = variant(TEST, "    conn = sqlite3", "    import subprocess, time\n    subprocess.Popen(['sleep', '996'])\n"
                     "    time.sleep(600)\n    conn = sqlite3")
    feedback = limit_test.check(test_file(source))
    assert feedback.kind == "wrong" and "did not finish within 4 s on payments as it is" in feedback.message
    assert not sleeping("996")


def test_a_test_file_that_hangs_at_import_is_stopped_with_words(test_file, short_limit):
    feedback = limit_test.check(test_file(variant(TEST, "import sqlite3\n", "import sqlite3\nimport time\ntime.sleep(600)\n")))
    assert feedback.kind == "wrong" and "did not finish within 4 s on payments as it is" in feedback.message


def test_a_process_a_passing_test_leaves_behind_is_gone_after_the_check(test_file):
    source = variant(TEST, "    conn = sqlite3", "    import subprocess\n    subprocess.Popen(['sleep', '997'])\n"
                     "    conn = sqlite3")
    assert limit_test.check(test_file(source)).ok
    assert not sleeping("997")


def test_sys_exit_inside_the_test_fails_it_in_words(test_file):
    feedback = limit_test.check(test_file(variant(TEST, "    conn = sqlite3", "    import sys\n    sys.exit(0)\n    conn = sqlite3")))
    assert feedback.kind == "wrong" and "fails on payments as it is" in feedback.message


# --- catalog_workflow ---------------------------------------------------------------------
def test_the_workflow_stub_is_reported_unfinished():
    assert catalog_workflow.check(stub(LESSON, "catalog_workflow")).kind == "unfinished"


def test_the_solution_workflow_is_green_on_good_code_and_red_on_the_regression_and_leaves_nothing():
    before = ci_folders()
    feedback = catalog_workflow.check(WORKFLOW)
    assert feedback.ok and "red on the regression" in feedback.message, feedback.message
    assert ci_folders() == before


@pytest.mark.parametrize("old, new", [("run: python -m pytest -q tests", "run: echo all good"),
                                      ("run: python -m pytest -q tests", "run: python -m pytest -q tests || true"),
                                      ("run: python -m pytest -q tests", "run: python -m pytest -q tests/contract")])
def test_a_workflow_that_does_not_fail_on_the_catalogs_tests_is_caught_staying_green(old, new):
    feedback = catalog_workflow.check(variant(WORKFLOW, old, new))
    assert feedback.kind == "wrong" and "stayed green" in feedback.message


@pytest.mark.parametrize("old, new", [("  push:\n", "  pull_request:\n"), ("branches: [main]", "branches: [master]")])
def test_a_workflow_that_never_runs_on_a_push_to_main_is_named(old, new):
    feedback = catalog_workflow.check(variant(WORKFLOW, old, new))
    assert feedback.kind == "wrong" and "Nothing ran on a push to main" in feedback.message


@pytest.mark.parametrize("old, new", [("      - run: python ci-install.py\n", ""),
                                      ("run: python ci-install.py", "run: echo installing")])
def test_a_workflow_that_installs_nothing_is_named(old, new):
    feedback = catalog_workflow.check(variant(WORKFLOW, old, new))
    assert feedback.kind == "wrong" and "no step installed the packages" in feedback.message


@pytest.mark.parametrize("old, new", [("working-directory: catalog", "working-directory: payments"),
                                      ("run: python -m pytest -q tests", "run: python -m pytest -q test")])
def test_a_workflow_red_on_good_code_is_named_with_its_job_and_step(old, new):
    feedback = catalog_workflow.check(variant(WORKFLOW, old, new))
    assert feedback.kind == "wrong" and "failed on good code" in feedback.message and "step 'Tests'" in feedback.message


def test_a_workflow_using_an_action_the_server_cannot_run_gets_the_servers_words():
    feedback = catalog_workflow.check(variant(WORKFLOW, "- uses: actions/checkout@v4", "- uses: actions/cache@v4"))
    assert feedback.kind == "wrong" and "`uses: actions/cache@v4` cannot run here" in feedback.message


def test_a_step_that_leaves_a_process_in_the_background_neither_hangs_the_check_nor_outlives_it():
    feedback = catalog_workflow.check(variant(WORKFLOW, "run: python ci-install.py", "run: sleep 998 & python ci-install.py"))
    assert feedback.ok, feedback.message
    assert not sleeping("998")


def test_a_step_that_hangs_is_stopped_with_words_and_its_processes_are_gone(monkeypatch):
    monkeypatch.setattr(l05_ci, "RUN_SECONDS", 5)
    before = ci_folders()
    feedback = catalog_workflow.check(variant(WORKFLOW, "run: python ci-install.py", "run: sleep 999"))
    assert feedback.kind == "wrong" and "did not finish within 5 s" in feedback.message
    assert "step 'sleep 999' was still running" in feedback.message
    assert not sleeping("999") and ci_folders() == before


# --- catalog_pipeline ---------------------------------------------------------------------
def test_the_pipeline_stub_is_reported_unfinished():
    assert catalog_pipeline.check(stub(LESSON, "catalog_pipeline")).kind == "unfinished"


def test_the_solution_pipeline_stops_at_lint_and_at_the_component_tests():
    feedback = catalog_pipeline.check(PIPELINE)
    assert feedback.ok and "lint → component → contract" in feedback.message, feedback.message


@pytest.mark.parametrize("old, new", [("    needs: lint\n", ""), ("    needs: component\n", "")])
def test_jobs_without_needs_in_the_asked_order_are_named(old, new):
    feedback = catalog_pipeline.check(variant(PIPELINE, old, new))
    assert feedback.kind == "wrong" and "needs nothing" in feedback.message


@pytest.mark.parametrize("changes, words", [
    ([("needs: component", "needs: lint")], "`contract` needs ['lint']"),
    ([("needs: lint", "needs: contract"), ("needs: component", "needs: lint")], "`component` needs ['contract']"),
])
def test_needs_on_the_wrong_job_are_named(changes, words):
    workflow = PIPELINE
    for old, new in changes:
        workflow = variant(workflow, old, new)
    feedback = catalog_pipeline.check(workflow)
    assert feedback.kind == "wrong" and words in feedback.message


@pytest.mark.parametrize("changes", [[("  contract:\n", "  contracts:\n")],
                                     [("  lint:\n", "  ruff:\n"), ("needs: lint", "needs: ruff")]])
def test_jobs_named_otherwise_are_named(changes):
    workflow = PIPELINE
    for old, new in changes:
        workflow = variant(workflow, old, new)
    feedback = catalog_pipeline.check(workflow)
    assert feedback.kind == "wrong" and "the task asks for exactly ['lint', 'component', 'contract']" in feedback.message


@pytest.mark.parametrize("new", ["run: ruff check --exit-zero catalog chassis", "run: ruff check catalog chassis || true"])
def test_lint_that_does_not_fail_on_an_error_is_named(new):
    feedback = catalog_pipeline.check(variant(PIPELINE, "run: ruff check catalog chassis", new))
    assert feedback.kind == "wrong" and "`lint` job was success" in feedback.message


@pytest.mark.parametrize("new", ["run: echo component tests", "run: python -m pytest -q tests/contract"])
def test_a_component_job_that_does_not_run_the_component_tests_is_named(new):
    feedback = catalog_pipeline.check(variant(PIPELINE, "run: python -m pytest -q tests/component", new))
    assert feedback.kind == "wrong" and "`component` job was success" in feedback.message


@pytest.mark.parametrize("old, new, job", [
    ("run: ruff check catalog chassis", "run: ruff check catalog chassis pacts.py", "lint"),
    ("run: python -m pytest -q tests/contract", "run: python -m pytest -q catalog/tests/contract", "contract"),
])
def test_a_pipeline_red_on_good_code_is_named_with_its_job(old, new, job):
    feedback = catalog_pipeline.check(variant(PIPELINE, old, new))
    assert feedback.kind == "wrong" and f"failed on good code: job {job!r}" in feedback.message


@pytest.mark.parametrize("install", ["", "      - run: echo installing\n"])
def test_a_pipeline_that_installs_nothing_is_named(install):
    feedback = catalog_pipeline.check(PIPELINE.replace("      - run: python ci-install.py\n", install))
    assert feedback.kind == "wrong" and "no step installed the packages" in feedback.message


def test_the_single_job_solution_is_not_a_pipeline():
    feedback = catalog_pipeline.check(WORKFLOW)
    assert feedback.kind == "wrong" and "Your workflow's jobs are ['test']" in feedback.message

