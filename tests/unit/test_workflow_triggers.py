"""shipyard.ci.workflow: what the server decides before act runs (act runs every workflow of
an event, whatever its filters), and what it refuses so act never reaches the network."""
import pytest

from shipyard.ci import examples, teamwork
from shipyard.ci.standins import local_repositories
from shipyard.ci.workflow import matches, parse
from shipyard.paths import ROOT

JOB = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"


def triggers(on: str):
    return parse(f"{on}\n{JOB}", "ci.yml")


@pytest.mark.parametrize("patterns, name, included", [
    (["main"], "main", True), (["main"], "mainline", False),
    (["release/*"], "release/1", True), (["release/*"], "release/1/fix", False),
    (["release/**"], "release/1/fix", True), (["feature-*", "!feature-old"], "feature-old", False),
    (["!feature-old", "feature-*"], "feature-old", True),  # the last match decides
    (["v[12].x"], "v2.x", True), (["v[12].x"], "v3.x", False),
    (["docs/**/*.md"], "docs/a/b.md", True), (["*.md"], "docs/b.md", False),
])
def test_filter_patterns_match_as_githubs_globs_with_the_last_matching_pattern_deciding(patterns, name, included):
    assert matches(patterns, name) is included


def test_branches_and_branches_ignore_filter_pushes_and_pull_requests_by_their_base():
    flow = triggers("on:\n  push:\n    branches: [main, 'release/**']\n  pull_request:\n    branches-ignore: [wip]")
    assert flow.runs_on("push", "main") and flow.runs_on("push", "release/2/fix") and not flow.runs_on("push", "feature")
    assert flow.runs_on("pull_request", "main") and not flow.runs_on("pull_request", "wip")


def test_paths_and_paths_ignore_filter_by_the_changed_files_and_apply_only_when_they_are_known():
    docs = triggers("on:\n  push:\n    paths: ['docs/**']")
    code = triggers("on:\n  push:\n    paths-ignore: ['docs/**', '*.md']")
    assert docs.runs_on("push", "main", ["docs/a.md", "app.py"]) and not docs.runs_on("push", "main", ["app.py"])
    assert code.runs_on("push", "main", ["app.py", "README.md"]) and not code.runs_on("push", "main", ["README.md"])
    assert docs.runs_on("push", "main", None)  # nothing to compare with: no path filter applies


def test_a_filter_on_tags_only_does_not_start_on_branch_pushes_and_other_events_never_start_on_a_push():
    assert not triggers("on:\n  push:\n    tags: ['v*']").runs_on("push", "main")
    assert not triggers("on: workflow_dispatch").runs_on("push", "main")
    assert triggers("on: [push, pull_request]").runs_on("pull_request", "anything")


@pytest.mark.parametrize("job, words", [
    ("    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@v4",
     "job 'a', step 1 ('actions/cache@v4'): `uses: actions/cache@v4` cannot run here: act would download"),
    ("    runs-on: ubuntu-latest\n    steps:\n      - name: Lint\n        uses: super-linter/super-linter@v7",
     "step 1 ('Lint'): `uses: super-linter/super-linter@v7` cannot run here"),
    ("    runs-on: ubuntu-latest\n    container: python:3.12\n    steps:\n      - run: 'true'",
     "job 'a': `container:` runs the job in Docker containers"),
    ("    runs-on: ubuntu-latest\n    services:\n      db: {image: postgres}\n    steps:\n      - run: 'true'",
     "job 'a': `services:` runs the job in Docker containers"),
    ("    uses: octo/repo/.github/workflows/reuse.yml@v1", "calls a reusable workflow"),
    ("    steps:\n      - run: 'true'", "job 'a': every job needs `runs-on`"),
    ("    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with: {ref: other}",
     "fetch it from GitHub"),
])
def test_what_cannot_run_here_offline_is_refused_naming_the_file_the_job_and_the_step(job, words):
    flow = parse(f"on: push\njobs:\n  a:\n{job}\n", ".github/workflows/ci.yml")
    assert flow.runs_on("push", "main") and flow.problem.startswith(".github/workflows/ci.yml: ") and words in flow.problem


def test_checkout_and_the_stand_ins_are_found_on_this_machine_for_every_version_a_workflow_names():
    text = ("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            "      - uses: actions/setup-python@v5\n      - uses: 'actions/setup-python@v4.7.1'\n")
    assert parse(text, "ci.yml").problem == ""
    arguments = local_repositories([text])
    assert arguments[1::2] == [f"actions/setup-python@{ref}={ROOT / 'shipyard/ci/standins/setup-python'}"
                               for ref in ("v4.7.1", "v5")]


def test_cancel_in_progress_and_timeouts_are_noted_where_this_server_differs_from_github():
    flow = parse("on: push\nconcurrency: {group: ci, cancel-in-progress: true}\njobs:\n  a:\n"
                 "    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: 'true'\n", "ci.yml")
    assert len(flow.notes) == 2 and "cancel-in-progress" in flow.notes[0] and "timeout-minutes" in flow.notes[1]


@pytest.mark.parametrize("text", [(ROOT / ".github/workflows/ci.yml").read_text(), examples.PAYMENTS_WORKFLOW,
                                  teamwork.WORKFLOW])
def test_the_courses_own_workflows_run_here(text):
    flow = parse(text, "ci.yml")
    assert flow.problem == "" and flow.runs_on("push", "main")


def test_a_plain_matrix_is_planned_once_per_combination_and_one_with_include_is_left_to_act():
    plain = parse("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
                  "        py: ['3.11', '3.12']\n        os: [a, b]\n    steps:\n      - run: 'true'\n", "ci.yml")
    assert plain.jobs[0].matrix == [{"py": "3.11", "os": "a"}, {"py": "3.11", "os": "b"},
                                    {"py": "3.12", "os": "a"}, {"py": "3.12", "os": "b"}]
    include = parse("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
                    "        py: ['3.11']\n        include: [{py: '3.12'}]\n    steps:\n      - run: 'true'\n", "ci.yml")
    assert include.jobs[0].matrix == []
