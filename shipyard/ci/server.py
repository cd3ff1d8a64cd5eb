"""A CI server for local git repositories, living in this kernel.

    server = ci.start()                  # a bare "origin" repository, and a server watching it
    alice = server.clone("alice")        # a developer's working copy
    alice.write("app.py", "..."); alice.commit("Add app")
    run = alice.push()                   # the origin's hook tells the server at once
    server.follow(run)                   # live progress, then the verdict

    server.protect("main")               # from now on, main changes only by merging a green pull request
    request = server.pull_request("bob-fix")   # builds the branch's head commit
    server.merge("bob-fix")              # refused unless that build is green

Runs queue and never overlap: one worker thread takes them in order. Each checks the pushed
commit out into a fresh folder, decides which of its `.github/workflows/*.yml` the event
starts (`shipyard.ci.workflow`), and has act run them (`shipyard.ci.act`), one after another.
Every run is kept in `runs.json`, with each job's and step's status, log and time.
"""
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from shipyard.ci import act, workflow
from shipyard.ci import hook as notify
from shipyard.ci.git import GitError, Repo, git
from shipyard.ci.run import Run, Steps
from shipyard.paths import workdir
from shipyard.runtime import processes
from shipyard.runtime.json_http import JsonEndpoint

VERDICTS = ("error", "cancelled", "timed out", "failure", "success")  # the first a workflow reached decides


class Server:
    def __init__(self, run_timeout: float = 600):
        self.run_timeout = run_timeout  # seconds a workflow may run before everything it started is ended
        self.folder = Path(tempfile.mkdtemp(prefix="ci-", dir=workdir()))
        self.origin = self.folder / "origin.git"
        self.history = self.folder / "runs.json"
        self.runs: list[Run] = []
        self.protected: list[str] = []
        self._merged: set[str] = set()  # merge commits this server made: the only pushes a protected branch takes
        self._done: dict[int, threading.Event] = {}  # set once a run's verdict is in the history
        self._lock, self._queue = threading.Lock(), queue.Queue()
        self._steps = Steps()  # the processes of the run going on now: stop() ends them
        self.secrets: dict[str, str] = {}  # ${{ secrets.NAME }} in its workflows
        self.variables: dict[str, str] = {}  # ${{ vars.NAME }}
        self._bridges: dict[int, _Bridge] = {}  # ports of this machine its runs may reach
        git(self.folder, "init", "-q", "--bare", "--initial-branch=main", str(self.origin))
        self._http = JsonEndpoint(self._notified, "ci-http")
        self.url = f"{self._http.url}/push"
        hook = self.origin / "hooks" / "post-receive"
        # The hook's file, not `-m shipyard.ci.hook`: that would import this whole package
        # (YAML and all) at every push, 0.17 s of a 0.27 s hook. The file needs only the stdlib
        # (-I: isolated, so nothing beside it can shadow a standard module; -S: no site-packages to look at).
        hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' -I -S '{Path(notify.__file__)}' '{self.url}'\n")
        hook.chmod(0o755)
        self._worker = threading.Thread(target=self._work, daemon=True, name="ci-worker")
        self._worker.start()

    # -- what developers do ----------------------------------------------------------------
    def clone(self, author: str) -> Repo:
        """A developer's working copy of origin, in its own folder."""
        path = self.folder / author
        git(self.folder, "clone", "-q", str(self.origin), str(path))
        return Repo(path, author, server=self)

    def pull_request(self, head: str, base: str = "main") -> Run:
        """Open (or, after new pushes to `head`, update) a pull request from branch `head` into
        `base`: its head commit is built, with the workflows whose `pull_request` filter
        matches `base`. (GitHub rebuilds a pull request on every push to its branch by itself.)"""
        return self.enqueue("pull_request", base, self.origin_sha(head), head=head)

    def protect(self, branch: str = "main") -> None:
        """Branch protection with a required status check, as on GitHub: from now on `branch`
        changes only through `merge`, which needs the pull request's build to be green. A
        direct push to it is refused by origin's pre-receive hook."""
        self.protected.append(branch)
        hook = self.origin / "hooks" / "pre-receive"
        branches = " ".join(f"'{b}'" for b in self.protected)
        hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' -I -S '{Path(notify.__file__)}' '{self.url}' --protect {branches}\n")
        hook.chmod(0o755)

    def merge(self, head: str, base: str = "main") -> "Merge":
        """Merge the pull request from `head` into `base`, if its build for `head`'s current
        commit is green and it merges without conflicts; otherwise say why not."""
        sha = self.origin_sha(head)
        build = next((r for r in reversed(self.runs) if r.event == "pull_request" and r.head == head
                      and r.branch == base and r.sha == sha), None)
        if build is None:
            return Merge(head, base, False, f"no pull request build of {head} at {sha[:7]}: open or update the pull request")
        if build.status != "success":
            state = "still running" if not build.finished else build.status
            return Merge(head, base, False, f"required check failed: pull request build #{build.number} is {state}", build)
        merger = self.folder / "merger"
        if not merger.exists():
            git(self.folder, "clone", "-q", str(self.origin), str(merger))
        git(merger, "fetch", "-q", "origin")
        git(merger, "checkout", "-q", "--detach", f"origin/{base}")
        merged = git(merger, "merge", "--no-ff", "--no-edit", "-m", f"Merge pull request from {head} into {base}",
                     f"origin/{head}", check=False)
        if "CONFLICT" in merged or "Automatic merge failed" in merged:
            git(merger, "merge", "--abort", check=False)
            return Merge(head, base, False, f"{head} conflicts with {base}: merge {base} into it first", build)
        commit = git(merger, "rev-parse", "HEAD")
        self._merged.add(commit)
        git(merger, "push", "-q", "origin", f"HEAD:refs/heads/{base}")
        return Merge(head, base, True, f"merged as {base}@{commit[:7]}; the push to {base} is built as run "
                                       f"#{self.run_for(commit, base).number}", build, self.run_for(commit, base))

    def expose(self, url: str) -> None:
        """Let this server's runs reach a service of this kernel at its own URL
        (http://127.0.0.1:PORT/...), as a GitHub runner reaches a team's index: where runs have
        a network of their own, through `shipyard.ci.bridge`; nothing else stays reachable."""
        port = int(url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[1])
        if port not in self._bridges and act.isolation():
            self._bridges[port] = _Bridge(self.folder / f"{port}.sock", port)

    # -- the queue -------------------------------------------------------------------------
    def enqueue(self, event: str, branch: str, sha: str, head: str = "", before: str = "") -> Run:
        with self._lock:
            run = Run(len(self.runs) + 1, event, branch, sha, head=head, before=before)
            self.runs.append(run)
            self._done[run.number] = threading.Event()
        self._save()
        self._queue.put(run)
        return run

    def _work(self) -> None:
        while (run := self._queue.get()) is not None:
            try:
                if self._steps.stopping.is_set():
                    run.status, run.error = "cancelled", "the CI server was stopped before this run started"
                else:
                    self._build(run)
            except Exception as error:  # the server keeps serving whatever one run does
                run.status, run.error = "error", f"{type(error).__name__}: {error}"
            run.finished_at = time.time()
            self._save()
            self._done[run.number].set()

    def _build(self, run: Run) -> None:
        run.status, run.started_at = "running", time.time()
        self._save()
        folder = Path(tempfile.mkdtemp(prefix=f"run-{run.number}-", dir=self.folder))
        try:  # whatever the verdict, the run's folder goes
            workspace = folder / "workspace"
            # --shared: the clone borrows origin's objects instead of copying them (half the time),
            # and checks out only the commit to build
            git(folder, "clone", "-q", "--shared", "--no-checkout", str(self.origin), str(workspace))
            git(workspace, "checkout", "-q", "--detach", run.sha)
            try:
                found = [w for w in workflow.load(workspace) if w.runs_on(run.event, run.branch, self._changed(run))]
            except workflow.WorkflowError as error:
                run.status, run.error = "error", str(error)
                return
            run.workflows = [w.path for w in found]
            refused = [w.problem for w in found if w.problem]
            if refused or not found:
                run.status, run.error = ("error", refused[0]) if refused else (
                    "skipped", f"no workflow runs on {run.event} to {run.branch}")
                return
            run.notes, run.isolated = [note for w in found for note in w.notes], bool(act.isolation())
            verdicts = []
            for index, found_workflow in enumerate(found):
                if self._steps.stopping.is_set():
                    break
                verdicts.append(act.execute(
                    found_workflow, (workspace / found_workflow.path).read_text(), run, workspace, folder, self._save,
                    self._steps, prefix=f"{found_workflow.name}/" if len(found) > 1 else "", timeout=self.run_timeout,
                    index=index, context=act.Context(dict(self.secrets), dict(self.variables),
                                                     {port: bridge.path for port, bridge in self._bridges.items()})))
            run.status = "cancelled" if self._steps.stopping.is_set() else min(verdicts, key=VERDICTS.index)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _changed(self, run: Run) -> list[str] | None:
        """The paths the push (or the pull request) changed, for `paths` filters: against the
        commit before the push, or (a new branch, a pull request) where it left main; None when
        there is nothing to compare with."""
        try:
            base = run.before if run.event == "push" and run.before.strip("0") else git(
                self.origin, "merge-base", run.branch if run.event == "pull_request" else "main", run.sha)
            return git(self.origin, "diff", "--name-only", base, run.sha).splitlines()
        except GitError:
            return None

    def _save(self) -> None:
        """Write the history (atomically: a reader never sees half a file)."""
        with self._lock:
            text = json.dumps([run.to_dict() for run in self.runs], indent=1)
            partial = self.history.with_suffix(".partial")
            partial.write_text(text)
            partial.replace(self.history)

    def _notified(self, path: str, push: dict) -> tuple[int, dict]:
        """What origin's hooks tell this server (`shipyard.ci.hook`)."""
        try:
            if path == "/may-update":  # origin's pre-receive hook, for a protected branch
                allowed = push["sha"] in self._merged
                return 200, {"allowed": allowed, "message": "" if allowed else (
                    f"{push['branch']} is protected: open a pull request, and merge it once its build is green")}
            run = self.enqueue(push["event"], push["branch"], push["sha"], before=push.get("before", ""))
            return 200, {"message": f"run #{run.number} queued for {run.branch} at {run.sha[:7]}"}
        except (KeyError, TypeError) as error:
            return 400, {"message": f"not a push notification: {error}"}

    # -- watching --------------------------------------------------------------------------
    def origin_sha(self, branch: str) -> str:
        """The commit a branch of origin points at."""
        return git(self.origin, "rev-parse", f"refs/heads/{branch}")

    def run_for(self, sha: str, branch: str) -> Run | None:
        return next((r for r in reversed(self.runs) if r.sha == sha and r.branch == branch), None)

    def wait(self, run: Run, timeout: float = 120) -> Run:
        """Block until the run's verdict is in (and in the history)."""
        if not self._done[run.number].wait(timeout):
            raise TimeoutError(f"{run} did not finish within {timeout:g} s")
        return run

    def follow(self, run: Run, timeout: float = 120) -> Run:
        """Show the run's progress live in the notebook, step by step, until its verdict."""
        from IPython.display import display

        handle = display(run, display_id=True)
        deadline = time.monotonic() + timeout
        while not self._done[run.number].wait(0.1) and time.monotonic() < deadline:
            handle.update(run)
        handle.update(run)
        return self.wait(run, 0)

    def stop(self, timeout: float = 10) -> None:
        """Stop serving: the run going on now ends with every process it started, the runs
        still queued are cancelled, and the worker has finished when this returns."""
        self._steps.stop()
        self._queue.put(None)
        self._http.stop()
        self._worker.join(timeout)
        for bridge in self._bridges.values():
            bridge.stop()
        if self in _servers:
            _servers.remove(self)

    def __repr__(self) -> str:
        return f"<CI server watching {self.origin.name} ({len(self.runs)} runs)>"


class _Bridge(processes.Child):
    """The kernel's side of a port exposed to runs: a Unix socket that leads to 127.0.0.1:port."""

    def __init__(self, path: Path, port: int, timeout: float = 10):
        super().__init__(f"bridge-{port}")
        self.path = path
        self._spawn("shipyard.ci.bridge", ["unix-to-tcp", str(path), str(port)], os.environ)
        deadline = time.monotonic() + timeout
        while not path.exists():  # bound: a run may use it
            if not self.alive or time.monotonic() > deadline:
                raise RuntimeError(f"the bridge to port {port} did not start:\n{self.logs()}")
            time.sleep(0.01)


@dataclass
class Merge:
    """What `Server.merge` did: merged, or refused and why."""
    head: str
    base: str
    merged: bool
    reason: str
    build: Run | None = None  # the pull request's build that was checked
    run: Run | None = None  # the build of base after the merge

    def __repr__(self) -> str:
        return f"<Merge of {self.head} into {self.base}: {'done' if self.merged else 'refused'}, {self.reason}>"


_servers: list[Server] = []


def start(run_timeout: float = 600) -> Server:
    server = Server(run_timeout)
    _servers.append(server)
    return server


def stop_all() -> None:
    for server in list(_servers):
        server.stop()
