"""shipyard.ci: real git pushes to a real origin, real workflow runs, recorded."""
import json
import subprocess
import time

import psutil

WORKFLOW = ".github/workflows/ci.yml"


def push(repo, files: dict[str, str], message: str = "change", branch: str | None = None):
    for path, text in files.items():
        repo.write(path, text)
    repo.commit(message)
    return repo.push(branch)


def steps(run) -> list[tuple[str, str]]:
    return [(step.name, step.status) for job in run.jobs for step in job.steps]


def test_a_push_runs_the_workflow_and_the_history_keeps_every_steps_status_log_and_time(server, alice):
    run = push(alice, {WORKFLOW: "on: push\njobs:\n  hello:\n    steps:\n      - name: greet\n        run: echo hello $GITHUB_SHA\n"})
    assert run is not None and server.wait(run).status == "success"
    recorded = json.loads(server.history.read_text())[-1]
    step = recorded["jobs"][0]["steps"][0]
    assert recorded["status"] == "success" and recorded["sha"] == alice.sha()
    assert step["status"] == "success" and step["log"].strip() == f"hello {alice.sha()}" and step["seconds"] > 0


def test_env_at_every_level_working_directory_checkout_and_setup_python_reach_the_steps(server, alice):
    flow = """on: push
env: {A: workflow, B: workflow}
jobs:
  show:
    runs-on: ubuntu-latest
    env: {B: job, C: job}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.12"}
      - run: echo "$A $B $C $D" && pwd && python -c "import sys; print(sys.executable)" && cat here.txt
        working-directory: sub
        env: {C: step, D: step}
"""
    run = server.wait(push(alice, {WORKFLOW: flow, "sub/here.txt": "in sub\n"}))
    log = run.jobs[0].steps[2].log.splitlines()
    assert run.status == "success", run.jobs[0].steps[2].log
    assert log[0] == "workflow job step step" and log[1].endswith("/workspace/sub") and log[3] == "in sub"
    import sys
    assert log[2] == sys.executable
    assert "Python" in run.jobs[0].steps[1].log and "3.12" in run.jobs[0].steps[1].log


def test_a_failing_step_stops_its_job_runs_failure_steps_and_skips_the_jobs_that_need_it(server, alice):
    flow = """on: push
jobs:
  test:
    steps:
      - name: tests
        run: echo checking; exit 3
      - name: never
        run: echo unreachable
      - name: report
        if: failure()
        run: echo reporting the failure
  deploy:
    needs: test
    steps:
      - run: echo deploying
"""
    run = server.wait(push(alice, {WORKFLOW: flow}))
    assert run.status == "failure"
    assert steps(run) == [("tests", "failure"), ("never", "skipped"), ("report", "success"), ("echo deploying", "skipped")]
    assert [job.status for job in run.jobs] == ["failure", "skipped"]
    assert "(exit code 3)" in run.jobs[0].steps[0].log and run.failed_steps()[0][1].name == "tests"


def test_a_step_over_its_timeout_is_stopped_and_its_process_is_gone(server, alice):
    flow = "on: push\njobs:\n  slow:\n    steps:\n      - name: hang\n        timeout-minutes: 0.02\n        run: echo $$ > pid; sleep 60\n"
    started = time.monotonic()
    run = server.wait(push(alice, {WORKFLOW: flow}), timeout=30)
    assert run.status == "failure" and steps(run) == [("hang", "timed out")]
    assert time.monotonic() - started < 20 and "stopped after 1.2 s" in run.jobs[0].steps[0].log
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "60"] and p.status() != psutil.STATUS_ZOMBIE]


def test_two_pushes_in_quick_succession_both_run_in_order_without_overlapping(server, alice):
    flow = "on: push\njobs:\n  a:\n    steps:\n      - run: sleep 0.5\n"
    first = push(alice, {WORKFLOW: flow, "n.txt": "1"})
    second = push(alice, {"n.txt": "2"})
    server.wait(second)
    assert (first.status, second.status) == ("success", "success") and second.number == first.number + 1
    assert first.finished_at <= second.started_at


def test_a_workflow_with_a_yaml_error_fails_the_run_in_words_and_the_server_keeps_serving(server, alice):
    broken = server.wait(push(alice, {WORKFLOW: "on: push\njobs:\n  a:\n    steps: [\n"}))
    assert broken.status == "error" and "ci.yml: not valid YAML at line" in broken.error
    fixed = server.wait(push(alice, {WORKFLOW: "on: push\njobs:\n  a:\n    steps:\n      - run: 'true'\n"}))
    assert fixed.status == "success"


def test_an_action_that_cannot_run_here_fails_the_run_naming_the_step(server, alice):
    run = server.wait(push(alice, {WORKFLOW: "on: push\njobs:\n  a:\n    steps:\n      - name: Cache\n        uses: actions/cache@v4\n"}))
    assert run.status == "error" and "step 1 ('Cache'): `uses: actions/cache@v4` cannot run here" in run.error


def test_branch_filters_choose_what_runs_and_a_pull_request_builds_its_head(server, alice):
    flow = ("on:\n  push:\n    branches: [main]\n  pull_request:\n    branches: [main]\n"
            "jobs:\n  a:\n    steps:\n      - run: git log -1 --format=%s\n")
    assert server.wait(push(alice, {WORKFLOW: flow})).status == "success"
    alice.git("checkout", "-q", "-b", "feature")
    on_feature = server.wait(push(alice, {"f.txt": "x"}, "feature work"))
    assert on_feature.status == "skipped" and "no workflow runs on push to feature" in on_feature.error
    request = server.wait(server.pull_request("feature", "main"))
    assert request.status == "success" and request.jobs[0].steps[0].log.strip() == "feature work"


def test_a_push_with_no_server_listening_still_lands_and_says_so(server, alice):
    server.stop()
    alice.write("a.txt", "a")
    alice.commit("offline")
    done = subprocess.run(["git", "push", "origin", "HEAD:refs/heads/main"], cwd=alice.path, capture_output=True, text=True)
    assert done.returncode == 0 and "no CI server is listening" in done.stderr
    assert alice.git("ls-remote", "origin", "main").split()[0] == alice.sha()


def test_jobs_record_what_they_need_when_they_started_and_how_long_they_took(server, alice):
    flow = ("on: push\njobs:\n  lint:\n    steps:\n      - run: 'true'\n"
            "  test:\n    needs: lint\n    steps:\n      - run: sleep 0.2\n")
    run = server.wait(push(alice, {WORKFLOW: flow}))
    lint, test = run.jobs
    assert run.status == "success" and (lint.needs, test.needs) == ([], ["lint"])
    assert 0 <= lint.started <= lint.started + lint.seconds <= test.started and test.seconds >= 0.2


GATED = ("on:\n  push:\n    branches: [main]\n  pull_request:\n    branches: [main]\n"
         "jobs:\n  test:\n    steps:\n      - run: test \"$(cat verdict.txt)\" = good\n")


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
    flow = ("on: push\njobs:\n  test:\n    strategy:\n      matrix:\n        n: [1, 2]\n"
            "    steps:\n      - run: echo n=${{ matrix.n }} && test ${{ matrix.n }} = 1\n"
            "  deploy:\n    needs: test\n    steps:\n      - run: echo deploying\n")
    run = server.wait(push(alice, {WORKFLOW: flow}))
    assert [(job.id, job.name, job.status) for job in run.jobs] == [
        ("test (1)", "test (1)", "success"), ("test (2)", "test (2)", "failure"), ("deploy", "deploy", "skipped")]
    assert run.jobs[1].steps[0].log.startswith("n=2") and run.status == "failure"


def sleeping(seconds: str) -> list:
    return [p for p in psutil.process_iter(["cmdline", "status"])
            if p.info["cmdline"] == ["sleep", seconds] and p.info["status"] != psutil.STATUS_ZOMBIE]


def test_a_step_that_leaves_a_process_in_the_background_ends_and_takes_the_process_with_it(server, alice):
    flow = ("on: push\njobs:\n  bg:\n    steps:\n      - name: leave one behind\n        run: sleep 991 & echo started\n"
            "      - name: next\n        run: echo next\n")
    run = server.wait(push(alice, {WORKFLOW: flow}), timeout=30)  # it would take 991 s if the run waited for it
    assert run.status == "success" and steps(run) == [("leave one behind", "success"), ("next", "success")]
    assert run.jobs[0].steps[0].log.strip() == "started"
    assert not sleeping("991")


def test_stopping_the_server_mid_step_ends_the_step_with_all_its_processes_and_cancels_the_run(server, alice):
    flow = "on: push\njobs:\n  hang:\n    steps:\n      - name: hang\n        run: sleep 992 & sleep 993\n      - run: echo never\n"
    run = push(alice, {WORKFLOW: flow})
    deadline = time.monotonic() + 30
    while not sleeping("993") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sleeping("992") and sleeping("993")
    queued = push(alice, {"more.txt": "more"})
    server.stop()
    assert run.finished and run.status == "cancelled" and steps(run) == [("hang", "cancelled"), ("echo never", "skipped")]
    assert queued.finished and queued.status == "cancelled"
    assert not sleeping("992") and not sleeping("993")
