"""One CI run: the records kept of it, and executing a workflow's jobs and steps in a
checked-out workspace. Every step is a real process group that ends with its step, and with
the kernel."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shipyard.ci.workflow import Job, Step, Workflow

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # colours some tools print: kept out of the logs


@dataclass
class StepResult:
    name: str
    status: str = "queued"  # queued, running, success, failure, timed out, cancelled, skipped
    started: float | None = None  # seconds since the run started
    seconds: float = 0.0
    log: str = ""


@dataclass
class JobResult:
    id: str
    name: str
    status: str = "queued"  # queued, running, success, failure, cancelled, skipped
    steps: list[StepResult] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    started: float | None = None  # seconds since the run started
    seconds: float = 0.0


@dataclass
class Run:
    number: int
    event: str  # push or pull_request
    branch: str  # the pushed branch; for a pull request, its base
    sha: str
    head: str = ""  # for a pull request, the branch it would merge
    status: str = "queued"  # queued, running, success, failure, error (the workflow could not run), skipped (none
    # applies), cancelled (the server was stopped before the verdict)
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    workflows: list[str] = field(default_factory=list)
    jobs: list[JobResult] = field(default_factory=list)
    error: str = ""

    @property
    def finished(self) -> bool:
        return self.finished_at is not None  # set last, once the verdict and the history are written

    @property
    def seconds(self) -> float | None:
        """From the push (queued) to the verdict."""
        return self.finished_at - self.queued_at if self.finished_at else None

    def failed_steps(self) -> list[tuple[str, StepResult]]:
        return [(job.name, step) for job in self.jobs for step in job.steps
                if step.status in ("failure", "timed out", "cancelled")]

    def to_dict(self) -> dict:
        return asdict(self)

    def __repr__(self) -> str:
        took = f" in {self.seconds:.1f} s" if self.seconds is not None else ""
        what = f"pull_request {self.head}->{self.branch}" if self.head else f"{self.event} {self.branch}"
        return f"<CI run #{self.number} {what}@{self.sha[:7]}: {self.status}{took}>"

    def _repr_html_(self) -> str:
        from shipyard.ci.show import run_html
        return run_html(self)


def _environment(run: Run, workspace: Path, *layers: dict) -> dict:
    env = {**os.environ, "CI": "true", "GITHUB_ACTIONS": "false", "GITHUB_WORKSPACE": str(workspace),
           "GITHUB_SHA": run.sha, "GITHUB_REF": f"refs/heads/{run.branch}", "GITHUB_EVENT_NAME": run.event}
    for layer in layers:
        env.update(layer)
    return env


def _action(step: Step, run: Run, env: dict) -> str:
    """What the two known actions mean here; returns the log line."""
    if step.uses == "actions/checkout":
        return f"The workspace is a fresh clone of the pushed commit {run.sha[:12]}."
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    asked = step.with_.get("python-version")
    return (f"Using this course's Python {sys.version.split()[0]} ({sys.executable})"
            + (f"; the workflow asks for {asked}, which GitHub would install." if asked else "."))


class Steps:
    """The step processes of one server's runs. A step runs as `shipyard.tether` around bash,
    in a process group of its own: when the step ends (its shell exits, it times out, or the
    server stops) the whole group is killed, so a process a step left in the background
    (`sleep 1000 &`, a service it started) neither holds the run up nor outlives it. The
    tether's watchdog pipe kills the group if the kernel dies first."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self.stopping = threading.Event()

    def run(self, script: Path, cwd: Path, env: dict, timeout: float | None, log: Path) -> int | None:
        """The step's exit code, or None if it was stopped (its timeout, or the server stopping)."""
        code = run_group(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], timeout, cwd, env, log,
                         self._started)
        return None if self.stopping.is_set() else code

    def _started(self, process: subprocess.Popen, running: bool) -> None:
        with self._lock:
            if running:
                self._running.add(process)
            else:
                self._running.discard(process)
        if running and self.stopping.is_set():
            _end_group(process)

    def stop(self) -> None:
        """End every step running now, with all its processes; no further step starts."""
        self.stopping.set()
        with self._lock:
            for process in list(self._running):
                _end_group(process)


def run_group(command: list[str], timeout: float | None, cwd: Path, env: dict, log: Path, started=None) -> int | None:
    """Run `command` under `shipyard.tether`, in a process group of its own, its output (both
    streams) in the file `log`; return its exit code, or None after `timeout`. When it ends,
    the whole group is killed: nothing it started outlives it. `started(process, running)` is
    told when it starts and ends."""
    watch_read, watch_write = os.pipe()
    try:
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "shipyard.tether", "--watchdog", str(watch_read), "--", *command],
                pass_fds=(watch_read,), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=cwd, env=env, start_new_session=True)  # its own group: the command and all it starts
        os.close(watch_read)
        watch_read = -1
        if started:
            started(process, True)
        try:
            return process.wait(timeout)  # the command's exit, not the end of its output: a pipe would
        except subprocess.TimeoutExpired:  # wait for every background process holding it open
            return None
        finally:
            _end_group(process)
            if started:
                started(process, False)
    finally:
        os.close(watch_write)
        if watch_read >= 0:
            os.close(watch_read)


def _end_group(process: subprocess.Popen) -> None:
    """Kill the step's process group (its shell, and whatever the shell left behind), reap the
    tether, and wait (briefly) until every member has died: a kill is delivered when the
    process next runs. Linux does not reuse a pid while a group of that id has members."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
    deadline = time.monotonic() + 5
    while _alive_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _alive_in_group(pgid: int) -> bool:
    """Whether a process of the group is still alive (not a zombie awaiting its reaper)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether the group has members at all
        try:
            os.killpg(pgid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _command(step: Step, result: StepResult, steps: Steps, workspace: Path, env: dict, timeout: float | None) -> None:
    script = workspace.parent / f"step-{time.monotonic_ns()}.sh"
    script.write_text("exec 2>&1\n" + step.run)  # one log, in the order things happened
    log = script.with_suffix(".log")
    try:
        code = steps.run(script, workspace / (step.working_directory or ""), env, timeout, log)
    except OSError as error:  # the working directory is not there
        result.status, result.log = "failure", f"could not start the step: {error}"
        return
    result.log = ANSI.sub("", log.read_text(errors="replace"))
    if code is None and steps.stopping.is_set():
        result.status = "cancelled"
        result.log += "\n(stopped: the CI server was stopped)"
    elif code is None:
        result.status = "timed out"
        result.log += f"\n(stopped after {timeout:g} s: timeout-minutes)"
    else:
        result.status = "success" if code == 0 else "failure"
        if code:
            result.log += f"\n(exit code {code})"


def _should_run(step: Step, failed: bool) -> bool:
    return {"success()": not failed, "failure()": failed, "always()": True}[step.condition]


def run_job(job: Job, steps: list[Step], result: JobResult, workflow: Workflow, run: Run, workspace: Path,
            changed, processes: Steps) -> None:
    env = _environment(run, workspace, workflow.env, job.env)
    began, failed = time.monotonic(), False
    result.status, result.started = "running", time.time() - run.started_at
    for step, step_result in zip(steps, result.steps):
        left = job.timeout_seconds - (time.monotonic() - began) if job.timeout_seconds else None
        if processes.stopping.is_set() or not _should_run(step, failed) or (left is not None and left <= 0):
            step_result.status = "skipped"
            continue
        step_result.status, step_result.started = "running", time.time() - run.started_at
        changed()
        started = time.perf_counter()
        if step.uses:
            step_result.log, step_result.status = _action(step, run, env), "success"
        else:
            timeouts = [t for t in (step.timeout_seconds, left) if t is not None]
            _command(step, step_result, processes, workspace, {**env, **step.env}, min(timeouts) if timeouts else None)
        step_result.seconds = time.perf_counter() - started
        failed = failed or step_result.status != "success"
        changed()
    result.seconds = time.monotonic() - began
    result.status = "cancelled" if processes.stopping.is_set() else "failure" if failed else "success"


def run_workflows(workflows: list[Workflow], run: Run, workspace: Path, changed,
                  processes: Steps | None = None) -> None:
    """Every job of every workflow (once per combination of its matrix), each after the jobs
    it needs; a job whose needs did not all succeed is skipped, with its steps. `processes`
    (the server's) lets a stop end the running step and cancel the rest."""
    planned = []
    for wf in workflows:
        for job in wf.jobs:
            for name, steps in job.instances():
                result = JobResult(job.id if len(workflows) == 1 else f"{wf.name}/{job.id}", name,
                                   steps=[StepResult(s.name) for s in steps], needs=list(job.needs))
                if len(job.matrix) > 1:
                    result.id += name.removeprefix(job.name)
                planned.append((wf, job, steps, result))
    run.jobs = [result for *_, result in planned]
    changed()
    processes = processes or Steps()
    outcome: dict[tuple[str, str], str] = {}
    for workflow, job, steps, result in planned:
        if all(outcome.get((workflow.path, need)) == "success" for need in job.needs):
            run_job(job, steps, result, workflow, run, workspace, changed, processes)
        else:
            result.status = "skipped"
            for step in result.steps:
                step.status = "skipped"
        key = (workflow.path, job.id)  # a matrix job succeeds only if every combination does
        outcome[key] = result.status if outcome.get(key, "success") == "success" else outcome[key]
        changed()
    run.status = ("cancelled" if processes.stopping.is_set()
                  else "success" if all(r.status == "success" for *_, r in planned) else "failure")
