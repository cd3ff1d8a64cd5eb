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
    ("on: push\njobs:\n  a:\n    strategy: {}\n" + STEPS, "strategy is not supported in a job"),
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
