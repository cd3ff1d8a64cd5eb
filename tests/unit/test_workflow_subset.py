"""shipyard.ci.workflow: the GitHub Actions subset, read and refused in words."""
import pytest

from shipyard.ci.workflow import WorkflowError, parse

STEPS = "    steps:\n      - run: echo hi\n"


def workflow(text: str):
    return parse(text, ".github/workflows/ci.yml")


def test_on_push_with_a_branch_filter_runs_only_on_matching_branches():
    flow = workflow("on:\n  push:\n    branches: [main, 'release/*']\njobs:\n  a:\n" + STEPS)
    assert flow.runs_on("push", "main") and flow.runs_on("push", "release/1.2")
    assert not flow.runs_on("push", "feature") and not flow.runs_on("pull_request", "main")


def test_on_as_a_word_or_a_list_runs_on_every_branch():
    assert workflow("on: push\njobs:\n  a:\n" + STEPS).runs_on("push", "anything")
    both = workflow("on: [push, pull_request]\njobs:\n  a:\n" + STEPS)
    assert both.runs_on("pull_request", "main") and both.runs_on("push", "x")


def test_jobs_come_after_the_jobs_they_need():
    flow = workflow("on: push\njobs:\n  c:\n    needs: [a, b]\n" + STEPS + "  b:\n    needs: a\n" + STEPS + "  a:\n" + STEPS)
    assert [job.id for job in flow.jobs] == ["a", "b", "c"]


def test_step_keys_are_read_env_at_every_level_and_timeouts_in_seconds():
    flow = workflow("""
on: push
env: {LEVEL: workflow}
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 2
    env: {JOB: "yes"}
    steps:
      - name: build
        run: make
        env: {STEP: 1, FLAG: true}
        working-directory: app
        timeout-minutes: 0.5
        if: ${{ failure() }}
""")
    job = flow.jobs[0]
    step = job.steps[0]
    assert flow.env == {"LEVEL": "workflow"} and job.env == {"JOB": "yes"} and job.timeout_seconds == 120
    assert (step.name, step.run, step.working_directory, step.timeout_seconds, step.condition) == ("build", "make", "app", 30, "failure()")
    assert step.env == {"STEP": "1", "FLAG": "true"}


def test_checkout_and_setup_python_are_known_actions():
    flow = workflow("on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n"
                    "      - uses: actions/setup-python@v5\n        with: {python-version: '3.12'}\n")
    assert [s.uses for s in flow.jobs[0].steps] == ["actions/checkout", "actions/setup-python"]


def test_any_other_action_is_refused_naming_the_job_and_the_step():
    with pytest.raises(WorkflowError, match=r"job 'test', step 2 \('Cache'\): `uses: actions/cache@v4` cannot run here"):
        workflow("on: push\njobs:\n  test:\n    steps:\n      - run: echo\n      - name: Cache\n        uses: actions/cache@v4\n")


@pytest.mark.parametrize("text, message", [
    ("on: push\njobs:\n  a:\n    steps:\n      - run: [unclosed\n", "not valid YAML at line 6"),
    ("on: schedule\njobs:\n  a:\n" + STEPS, "'schedule' is not supported"),
    ("on: push\njobs: {}\n", "at least one job"),
    ("on: push\njobs:\n  a:\n    needs: ghost\n" + STEPS, "needs 'ghost'"),
    ("on: push\njobs:\n  a:\n    needs: b\n" + STEPS + "  b:\n    needs: a\n" + STEPS, "in a circle"),
    ("on: push\njobs:\n  a:\n    services: {}\n" + STEPS, "services is not supported in a job"),
    ("on: push\njobs:\n  a:\n    strategy: {}\n" + STEPS, "only as a `matrix`"),
    ("on: push\njobs:\n  a:\n    strategy:\n      matrix:\n        include: [{x: 1}]\n" + STEPS, "include and exclude"),
    ("on: push\njobs:\n  a:\n    steps:\n      - run: x\n        if: github.ref == 'main'\n", r"use success\(\), failure\(\) or always\(\)"),
    ("on: push\njobs:\n  a:\n    steps:\n      - run: x\n        timeout-minutes: -1\n", "positive number"),
    ("on: push\njobs:\n  a:\n    steps:\n      - name: nothing\n", "either `run` or `uses`"),
])
def test_what_is_outside_the_subset_gets_a_clear_message(text, message):
    with pytest.raises(WorkflowError, match=message):
        workflow(text)


def test_the_courses_own_workflow_is_within_the_subset():
    from shipyard.paths import ROOT

    flow = parse((ROOT / ".github/workflows/ci.yml").read_text(), ".github/workflows/ci.yml")
    assert flow.runs_on("push", "main") and flow.runs_on("pull_request", "main")


def test_the_lessons_payments_workflow_has_lint_and_unit_jobs_that_integration_needs():
    from shipyard.ci.examples import PAYMENTS_WORKFLOW

    flow = workflow(PAYMENTS_WORKFLOW)
    assert [(job.id, job.needs) for job in flow.jobs] == [("lint", []), ("unit", []), ("integration", ["lint", "unit"])]
    assert all(job.steps[2].run == "python ci-install.py" for job in flow.jobs)


def test_a_matrix_job_runs_once_per_combination_with_the_matrix_values_filled_in():
    flow = workflow("""on: push
jobs:
  test:
    strategy:
      fail-fast: false
      matrix:
        python-version: ["3.11", "3.12"]
        os: [ubuntu-latest]
    steps:
      - uses: actions/setup-python@v5
        with: {python-version: "${{ matrix.python-version }}"}
      - name: test on ${{ matrix.os }}
        run: echo ${{ matrix.python-version }}
""")
    instances = flow.jobs[0].instances()
    assert [name for name, _ in instances] == ["test (3.11, ubuntu-latest)", "test (3.12, ubuntu-latest)"]
    steps = instances[1][1]
    assert steps[0].with_ == {"python-version": "3.12"} and (steps[1].name, steps[1].run) == ("test on ubuntu-latest", "echo 3.12")
