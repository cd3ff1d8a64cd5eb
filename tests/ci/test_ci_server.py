"""shipyard.ci: real git pushes to a real origin, each run by act, recorded."""
import json
import os
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from shipyard.ci import act

WORKFLOW = ".github/workflows/ci.yml"


def push(repo, files: dict[str, str], message: str = "change", branch: str | None = None):
    for path, text in files.items():
        repo.write(path, textwrap.dedent(text) if path.endswith((".yml", ".yaml")) else text)
    repo.commit(message)
    return repo.push(branch)


def steps(run) -> list[tuple[str, str]]:
    return [(step.name, step.status) for job in run.jobs for step in job.steps]


def sleeping(seconds: str) -> list:
    return [p for p in psutil.process_iter(["cmdline", "status"])
            if p.info["cmdline"] == ["sleep", seconds] and p.info["status"] != psutil.STATUS_ZOMBIE]


def test_a_push_runs_the_workflow_and_the_history_keeps_every_steps_status_log_and_time(server, alice):
    run = push(alice, {WORKFLOW: """
        on: push
        jobs:
          hello:
            runs-on: ubuntu-latest
            steps:
              - name: greet
                run: echo hello $GITHUB_SHA
        """})
    assert run is not None and server.wait(run).status == "success"
    recorded = json.loads(server.history.read_text())[-1]
    step = recorded["jobs"][0]["steps"][0]
    assert recorded["status"] == "success" and recorded["sha"] == alice.sha()
    assert step["status"] == "success" and step["log"].strip() == f"hello {alice.sha()}" and step["seconds"] > 0


def test_expressions_defaults_outputs_and_the_github_files_work_as_on_github(server, alice):
    """What the course's own interpreter got wrong, and act gets right."""
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        env: {A: workflow, B: workflow}
        defaults:
          run:
            working-directory: sub
        jobs:
          make:
            runs-on: ubuntu-latest
            env: {B: job}
            outputs:
              word: ${{ steps.say.outputs.word }}
            steps:
              - uses: actions/checkout@v4
              - uses: actions/setup-python@v5
                with: {python-version: "3.12"}
              - id: say
                env: {C: step}
                run: |
                  echo "$A $B $C ${{ env.A }} $(cat here.txt)" && pwd
                  test "${{ github.workspace }}" = "$GITHUB_WORKSPACE"
                  python -c "import sys; print(sys.executable)"
                  echo "word=from-make" >> "$GITHUB_OUTPUT"
                  echo "LATER=set-by-a-step" >> "$GITHUB_ENV"
              - run: echo "$LATER"
          use:
            runs-on: ubuntu-latest
            needs: make
            defaults:
              run:
                working-directory: .
            steps:
              - run: echo "${{ needs.make.outputs.word }}"
        """, "sub/here.txt": "in sub\n"}))
    make, use = run.jobs
    said = make.steps[2].log.splitlines()
    assert run.status == "success", make.steps[2].log
    assert said[0] == "workflow job step workflow in sub" and said[1].endswith("/sub") and said[2] == sys.executable
    assert make.steps[3].log.strip() == "set-by-a-step" and use.steps[0].log.strip() == "from-make"
    assert "Stand-in for actions/setup-python" in make.steps[1].log and "asks for 3.12" in make.steps[1].log


def test_after_setup_python_pytest_loads_none_of_the_courses_own_test_tools_and_keeps_the_workflows_options(server, alice):
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        env: {PYTEST_ADDOPTS: "-x"}
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/setup-python@v5
              - run: |
                  echo "$PYTEST_ADDOPTS"
                  python -m pytest -q --co --nbval 2>&1 | grep "unrecognized arguments: --nbval"
        """}))
    log = run.jobs[0].steps[1].log
    assert run.status == "success", log
    assert log.startswith("-x ") and "fresh runner" in run.jobs[0].steps[0].log


def test_a_failing_step_stops_its_job_runs_failure_steps_and_skips_the_jobs_that_need_it(server, alice):
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - name: tests
                run: echo checking; exit 3
              - name: never
                run: echo unreachable
              - name: report
                if: failure()
                run: echo reporting the failure
          deploy:
            runs-on: ubuntu-latest
            needs: test
            steps:
              - run: echo deploying
        """}))
    assert run.status == "failure"
    assert steps(run) == [("tests", "failure"), ("never", "skipped"), ("report", "success"), ("echo deploying", "skipped")]
    assert [job.status for job in run.jobs] == ["failure", "skipped"]
    assert "exit status 3" in run.jobs[0].steps[0].log and run.failed_steps()[0][1].name == "tests"


def test_a_step_over_its_timeout_is_stopped_with_the_run_and_its_process_is_gone(server, alice):
    started = time.monotonic()
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        jobs:
          slow:
            runs-on: ubuntu-latest
            steps:
              - name: hang
                timeout-minutes: 0.02
                run: sleep 994
              - run: echo never
        """}), timeout=30)
    assert run.status == "timed out" and steps(run) == [("hang", "timed out"), ("echo never", "skipped")]
    assert time.monotonic() - started < 20 and "stopped after 1.2 s: timeout-minutes" in run.jobs[0].steps[0].log
    assert any("ends the whole run here" in note for note in run.notes)
    assert not sleeping("994")


def test_two_pushes_in_quick_succession_both_run_in_order_without_overlapping(server, alice):
    flow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: sleep 0.5\n"
    first = push(alice, {WORKFLOW: flow, "n.txt": "1"})
    second = push(alice, {"n.txt": "2"})
    server.wait(second)
    assert (first.status, second.status) == ("success", "success") and second.number == first.number + 1
    assert first.finished_at <= second.started_at


def test_a_workflow_with_a_yaml_error_fails_the_run_in_words_and_leaves_no_workspace(server, alice):
    broken = server.wait(push(alice, {WORKFLOW: "on: push\njobs:\n  a:\n    steps: [\n"}))
    assert broken.status == "error" and "ci.yml: not valid YAML at line" in broken.error
    assert not list(server.folder.glob("run-*"))
    fixed = server.wait(push(alice, {WORKFLOW: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"}))
    assert fixed.status == "success" and not list(server.folder.glob("run-*"))


@pytest.mark.parametrize("step, words", [
    ("name: Cache\n        uses: actions/cache@v4", "step 1 ('Cache'): `uses: actions/cache@v4` cannot run here: act would download"),
    ("uses: docker://alpine:3", "`uses: docker://alpine:3` cannot run here: a Docker image action needs Docker"),
    ("uses: actions/checkout@v4\n        with: {repository: octo/other}", "fetch it from GitHub"),
])
def test_an_action_that_would_reach_the_network_is_refused_before_act_starts_naming_file_job_and_step(
        server, alice, step, words):
    run = server.wait(push(alice, {WORKFLOW: f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - {step}\n"}))
    assert run.status == "error" and ".github/workflows/ci.yml: job 'a', step 1" in run.error and words in run.error
    assert run.jobs == [] and not list(server.folder.glob("run-*"))


def test_a_local_action_runs_and_one_that_uses_a_remote_action_is_refused(server, alice):
    action = "runs:\n  using: composite\n  steps:\n    - run: echo from the local action\n      shell: bash\n"
    flow = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./greet\n"
    run = server.wait(push(alice, {WORKFLOW: flow, "greet/action.yml": action}))
    assert run.status == "success" and "from the local action" in run.jobs[0].steps[1].log
    remote = action.replace("    - run: echo from the local action\n      shell: bash\n", "    - uses: actions/cache@v4\n")
    refused = server.wait(push(alice, {"greet/action.yml": remote}))
    assert refused.status == "error" and "it uses actions/cache@v4" in refused.error


def test_triggers_branch_and_path_filters_decide_what_runs_and_a_manual_only_workflow_never_fails_a_push(server, alice):
    flows = {
        ".github/workflows/main.yml": "on:\n  push:\n    branches: [main]\n  pull_request:\n    branches: [main]\n"
                                      "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                                      "      - run: git log -1 --format=%s\n",
        ".github/workflows/not-release.yml": "on:\n  push:\n    branches-ignore: ['release/**']\n"
                                             "jobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n",
        ".github/workflows/docs.yml": "on:\n  push:\n    paths: ['docs/**']\n"
                                      "jobs:\n  c:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n",
        ".github/workflows/manual.yml": "on: workflow_dispatch\njobs:\n  d:\n    runs-on: ubuntu-latest\n"
                                        "    steps:\n      - uses: some/remote-action@v1\n",
    }
    first = server.wait(push(alice, flows))
    assert first.status == "success" and first.workflows == [".github/workflows/main.yml", ".github/workflows/not-release.yml"]
    docs = server.wait(push(alice, {"docs/index.md": "# docs\n"}))
    assert docs.workflows == [".github/workflows/docs.yml", ".github/workflows/main.yml", ".github/workflows/not-release.yml"]
    assert [job.id for job in docs.jobs] == ["docs/c", "main/a", "not-release/b"]
    alice.git("checkout", "-q", "-b", "release/1")
    on_release = server.wait(push(alice, {"f.txt": "x"}, "release work"))
    assert on_release.status == "skipped" and "no workflow runs on push to release/1" in on_release.error
    request = server.wait(server.pull_request("release/1", "main"))
    assert request.status == "success" and request.jobs[0].steps[1].log.strip() == "release work"


def test_a_push_with_no_server_listening_still_lands_and_says_so(server, alice):
    server.stop()
    alice.write("a.txt", "a")
    alice.commit("offline")
    done = subprocess.run(["git", "push", "origin", "HEAD:refs/heads/main"], cwd=alice.path, capture_output=True, text=True)
    assert done.returncode == 0 and "no CI server is listening" in done.stderr
    assert alice.git("ls-remote", "origin", "main").split()[0] == alice.sha()


def test_jobs_record_what_they_need_when_they_started_and_how_long_they_took(server, alice):
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        jobs:
          lint:
            runs-on: ubuntu-latest
            steps:
              - run: 'true'
          test:
            runs-on: ubuntu-latest
            needs: lint
            steps:
              - run: sleep 0.2
        """}))
    lint, test = run.jobs
    assert run.status == "success" and (lint.needs, test.needs) == ([], ["lint"])
    assert 0 <= lint.started <= lint.started + lint.seconds <= test.started and test.seconds >= 0.2


GATED = ("on:\n  push:\n    branches: [main]\n  pull_request:\n    branches: [main]\n"
         "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
         "      - run: test \"$(cat verdict.txt)\" = good\n")


def gated(server, alice):
    """An origin whose main holds a green workflow, protected; Bob on a branch of his own."""
    assert server.wait(push(alice, {WORKFLOW: GATED, "verdict.txt": "good\n"})).status == "success"
    server.protect("main")
    bob = server.clone("bob")
    bob.git("checkout", "-q", "-b", "bob-change")
    return bob


def test_a_pull_request_whose_build_is_red_cannot_be_merged_and_main_stays_where_it_was(server, alice):
    bob = gated(server, alice)
    main_before = server.origin_sha("main")
    push(bob, {"verdict.txt": "bad\n"}, "break it")
    request = server.wait(server.pull_request("bob-change"))
    refused = server.merge("bob-change")
    assert request.status == "failure" and request.head == "bob-change" and request.sha == bob.sha()
    assert not refused.merged and f"pull request build #{request.number} is failure" in refused.reason
    assert server.origin_sha("main") == main_before


def test_a_pull_request_whose_build_is_green_is_merged_and_main_is_built_again(server, alice):
    bob = gated(server, alice)
    push(bob, {"notes.txt": "more\n"}, "harmless")
    assert server.wait(server.pull_request("bob-change")).status == "success"
    merged = server.merge("bob-change")
    assert merged.merged and merged.run.event == "push" and merged.run.branch == "main"
    assert server.origin_sha("main") == merged.run.sha and server.wait(merged.run).status == "success"
    assert bob.sha() in alice.git("fetch", "-q", "origin") + alice.git("rev-list", "origin/main")


def test_a_pull_request_updated_after_its_build_needs_a_new_build_before_it_merges(server, alice):
    bob = gated(server, alice)
    push(bob, {"notes.txt": "one\n"}, "first")
    server.wait(server.pull_request("bob-change"))
    push(bob, {"verdict.txt": "bad\n"}, "second, not built yet")
    refused = server.merge("bob-change")
    assert not refused.merged and "no pull request build of bob-change at" in refused.reason
    assert server.wait(server.pull_request("bob-change")).status == "failure"
    assert not server.merge("bob-change").merged


def test_a_protected_branch_refuses_a_direct_push_and_keeps_its_commit(server, alice):
    bob = gated(server, alice)
    main_before = server.origin_sha("main")
    bob.write("verdict.txt", "bad\n")
    bob.commit("straight to main")
    said = bob.git("push", "origin", "HEAD:refs/heads/main", check=False)
    assert "main is protected: open a pull request" in said and "pre-receive hook declined" in said
    assert server.origin_sha("main") == main_before
    push(bob, {"other.txt": "x"}, "on his branch")  # other branches take pushes as before
    assert server.origin_sha("bob-change") == bob.sha()


def test_a_protected_branch_with_no_server_answering_refuses_pushes(server, alice):
    gated(server, alice)
    server.stop()
    alice.write("a.txt", "a")
    alice.commit("while CI is down")
    said = alice.git("push", "origin", "HEAD:refs/heads/main", check=False)
    assert "no CI server answers" in said and "declined" in said


def test_a_matrix_job_runs_each_combination_and_a_job_needing_it_waits_for_all_of_them(server, alice):
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            strategy:
              fail-fast: false
              matrix:
                n: [1, 2]
            steps:
              - run: echo n=${{ matrix.n }} && test ${{ matrix.n }} = 1
          deploy:
            runs-on: ubuntu-latest
            needs: test
            steps:
              - run: echo deploying
        """}))
    assert [(job.id, job.name, job.status) for job in run.jobs] == [
        ("test (1)", "test (1)", "success"), ("test (2)", "test (2)", "failure"), ("deploy", "deploy", "skipped")]
    assert run.jobs[1].steps[0].log.startswith("n=2") and run.status == "failure"


def test_the_last_lines_of_a_failing_step_are_kept_every_time(server, alice):
    """act stops reading a step's terminal when the step fails; without bash_env.sh about one
    failing step in ten lost its last lines. Twenty failing steps must all keep theirs."""
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        jobs:
          fail:
            runs-on: ubuntu-latest
            strategy:
              fail-fast: false
              matrix:
                n: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
            steps:
              - run: echo "last words ${{ matrix.n }}"; exit 1
        """}))
    assert len(run.jobs) == 20 and all(job.status == "failure" for job in run.jobs)
    assert [job.steps[0].log.count(f"last words {n}\n") for n, job in enumerate(run.jobs, 1)] == [1] * 20


def test_a_step_that_leaves_a_process_in_the_background_neither_holds_the_run_nor_outlives_it(server, alice):
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        jobs:
          bg:
            runs-on: ubuntu-latest
            steps:
              - name: leave some behind
                run: sleep 991 & nohup sleep 995 > /dev/null 2>&1 & echo started
              - name: next
                run: echo next
        """}), timeout=30)  # it would take 991 s if the run waited for them
    assert run.status == "success" and steps(run) == [("leave some behind", "success"), ("next", "success")]
    assert run.jobs[0].steps[0].log.strip() == "started"
    assert not sleeping("991") and not sleeping("995")


def test_stopping_the_server_mid_step_ends_the_step_with_all_its_processes_and_cancels_the_run(server, alice):
    run = push(alice, {WORKFLOW: """
        on: push
        jobs:
          hang:
            runs-on: ubuntu-latest
            steps:
              - name: hang
                run: sleep 992 & sleep 993
              - run: echo never
        """})
    deadline = time.monotonic() + 30
    while not sleeping("993") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sleeping("992") and sleeping("993")
    queued = push(alice, {"more.txt": "more"})
    server.stop()
    assert run.finished and run.status == "cancelled" and steps(run) == [("hang", "cancelled"), ("echo never", "skipped")]
    assert queued.finished and queued.status == "cancelled"
    assert not sleeping("992") and not sleeping("993")


ISOLATION_REQUIRED = sys.platform == "linux" and os.geteuid() == 0  # root on Linux can always make namespaces


def test_a_run_has_loopback_as_its_only_network_so_nothing_reaches_another_host(server, alice):
    if not act.isolation():
        assert not ISOLATION_REQUIRED, "root on Linux, yet act could not run in a network namespace"
        pytest.skip("this machine does not allow network namespaces; the workflow check alone keeps act offline")
    probe = ("import socket\n"
             "print(sorted(name for _, name in socket.if_nameindex()))\n"
             "try:\n    socket.create_connection(('192.0.2.1', 80), timeout=2)\nexcept OSError as e:\n    print(e.strerror)\n"
             "with socket.create_server(('127.0.0.1', 0)) as s:\n"
             "    socket.create_connection(s.getsockname()).close(); print('loopback works')\n")
    run = server.wait(push(alice, {WORKFLOW: """
        on: push
        jobs:
          net:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: python3 probe.py
        """, "probe.py": probe}))
    assert run.status == "success" and run.isolated
    assert run.jobs[0].steps[1].log.splitlines() == ["['lo']", "Network is unreachable", "loopback works"]


def test_acts_state_and_home_live_in_the_runs_folder_and_go_with_it(server, alice):
    run = server.wait(push(alice, {WORKFLOW: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $HOME\n"}))
    home = run.jobs[0].steps[0].log.strip()
    assert run.status == "success" and home.startswith(f"{server.folder}/run-{run.number}-")
    assert not os.path.exists(home)
