"""Children of this kernel: started with the watchdog pipe of `shipyard.runtime.tether`, logging to
a file in their own folder of the kernel's temp dir, stopped or killed on demand, and all
stopped when the kernel exits. `services.Service` and `bus.Broker` are children. A service
is forked by this kernel's zygote when it can be (`shipyard.runtime.forked`), else spawned."""
import atexit
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from shipyard.paths import workdir
from shipyard.runtime import forked


class Child:
    def __init__(self, name: str):
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workdir()))
        self.log_path = self.folder / "service.log"
        self.process: subprocess.Popen | forked.Forked | None = None

    def _spawn(self, module: str, args: Sequence[str], env: Mapping[str, str], pass_fds: Sequence[int] = ()) -> None:
        """Run `python -m module --watchdog FD args...` in this child's folder."""
        watch_read, self._watch_write = os.pipe()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, "--watchdog", str(watch_read), *args],
                pass_fds=(*pass_fds, watch_read), cwd=self.folder, env=dict(env),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # a Ctrl-C (interrupt) in the kernel does not reach it
        os.close(watch_read)
        _children[id(self)] = self

    def _fork(self, app: str, env: Mapping[str, str], sockets: Sequence[int], start_zygote: bool = True) -> bool:
        """Serve `app` from a fork of this kernel's zygote, with the same watchdog, folder, log
        and environment as `_spawn` gives (see `shipyard.runtime.forked`); False if it must be spawned."""
        watch_read, watch_write = os.pipe()
        try:
            process = forked.serve(app, env, self.folder, self.log_path, watch_read, sockets, start_zygote)
        finally:
            os.close(watch_read)
        if process is None:
            os.close(watch_write)
            return False
        self.process, self._watch_write = process, watch_write
        _children[id(self)] = self
        return True

    def _end_process(self, sig: int, timeout: float) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            if sig == signal.SIGKILL:  # the whole group: a tethered program dies with its tether
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:  # the whole group: killing a tether alone orphans its program
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        os.close(self._watch_write)
        self.process = None

    def stop(self, timeout: float = 5) -> None:
        """Ask the process to finish (SIGTERM), kill it if it will not."""
        self._end_process(signal.SIGTERM, timeout)
        _children.pop(id(self), None)
        forked.stop_if_idle()

    def kill(self) -> None:
        """Crash the process (SIGKILL), as the OOM killer would."""
        self._end_process(signal.SIGKILL, 5)

    def wait_exit(self, timeout: float = 10) -> int:
        """Wait for the process to end by itself (a crash, say); its exit code."""
        return self.process.wait(timeout)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def logs(self, lines: int = 20) -> str:
        """The last `lines` lines the process wrote (stdout and stderr together)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


_children: dict[int, Child] = {}


def run(command: Sequence[str], timeout: float, **popen) -> subprocess.CompletedProcess:
    """`subprocess.run` for a command that must not outlive the kernel (a pytest run that
    starts services, say): it runs under `shipyard.runtime.tether`. Output is captured as text."""
    watch_read, watch_write = os.pipe()
    try:
        with subprocess.Popen([sys.executable, "-m", "shipyard.runtime.tether", "--watchdog", str(watch_read), "--", *command],
                              pass_fds=(watch_read,), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, start_new_session=True, **popen) as process:
            os.close(watch_read)
            try:
                stdout, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.close(watch_write)  # the tether ends the command, and with it everything it started
                watch_write = -1
                stdout, stderr = process.communicate()
                raise subprocess.TimeoutExpired(process.args, timeout, stdout, stderr) from None
            return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    finally:
        if watch_write >= 0:
            os.close(watch_write)


def running() -> list[Child]:
    return [child for child in _children.values() if child.alive]


def stop_all() -> None:
    """Stop every child of this kernel, all at once (each may take a moment to finish), and
    then the zygote that forked services."""
    _stop_children(list(_children.values()))
    forked.stop()


def _stop_children(children: list[Child]) -> None:
    if not children:
        return
    try:
        with ThreadPoolExecutor(len(children)) as pool:
            list(pool.map(lambda child: child.stop(), children))
    except RuntimeError:  # at interpreter exit no pool may start: one after another then
        for child in children:
            child.stop()


atexit.register(stop_all)
