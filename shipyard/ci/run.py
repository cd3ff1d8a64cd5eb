"""One CI run: the records kept of it (its jobs and steps, as act reports them), and the
process group a run's act runs in, which ends with the run, and with the kernel."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Colours and terminal modes (act runs steps on a terminal, so tools colour and page): kept out of the logs
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|[=>])|\r(?=\n)")


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
    matrix: dict = field(default_factory=dict)  # this entry's values, for a matrix job


@dataclass
class Run:
    number: int
    event: str  # push or pull_request
    branch: str  # the pushed branch; for a pull request, its base
    sha: str
    head: str = ""  # for a pull request, the branch it would merge
    before: str = ""  # for a push, the commit the branch was at before it (zeros: a new branch)
    status: str = "queued"  # queued, running, success, failure, error (the workflow could not run), skipped (none
    # applies), cancelled (the server was stopped before the verdict), timed out
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    workflows: list[str] = field(default_factory=list)
    jobs: list[JobResult] = field(default_factory=list)
    error: str = ""
    notes: list[str] = field(default_factory=list)  # where this run differs from GitHub's, in words
    isolated: bool = False  # whether act ran with loopback as its only network

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


class Steps:
    """The processes of one server's runs (act, and what its steps start): each runs under
    `shipyard.runtime.tether`, in a process group of its own, which is killed when it ends, when the
    server stops, or when the kernel dies (the tether's watchdog pipe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self.stopping = threading.Event()

    def _started(self, process: subprocess.Popen, running: bool) -> None:
        with self._lock:
            if running:
                self._running.add(process)
            else:
                self._running.discard(process)
        if running and self.stopping.is_set():
            _end_group(process)

    def stop(self) -> None:
        """End every run's processes now; no further run starts."""
        self.stopping.set()
        with self._lock:
            for process in list(self._running):
                _end_group(process)


def run_group(command: list[str], timeout: float | None, cwd: Path, env: dict, log: Path, started=None,
              poll=None) -> int | None:
    """Run `command` under `shipyard.runtime.tether`, in a process group of its own, its output (both
    streams) in the file `log`; return its exit code, or None after `timeout`, when `poll()`
    (asked every 50 ms) says to stop, or when it was killed from outside. When it ends, the
    whole group is killed: nothing it started outlives it. `started(process, running)` is told
    when it starts and ends."""
    watch_read, watch_write = os.pipe()
    try:
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "shipyard.runtime.tether", "--watchdog", str(watch_read), "--", *command],
                pass_fds=(watch_read,), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=cwd, env=env, start_new_session=True)  # its own group: the command and all it starts
        os.close(watch_read)
        watch_read = -1
        if started:
            started(process, True)
        deadline = time.monotonic() + timeout if timeout is not None else None
        try:
            while True:  # the command's exit, not the end of its output: a pipe would wait for
                try:  # every background process holding it open
                    code = process.wait(0.05)
                    return None if code == -signal.SIGKILL else code
                except subprocess.TimeoutExpired:
                    if (poll and poll()) or (deadline and time.monotonic() > deadline):
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
