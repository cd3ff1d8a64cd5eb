"""The kernel's side of `shipyard.runtime.zygote`: start this kernel's zygote on first use, ask it to
fork a service, and see the forked service as a `subprocess.Popen` (pid, poll, wait, signals),
so `processes.Child` treats both alike.

The service is the zygote's child, not the kernel's, so the kernel cannot wait for it: the
zygote writes its exit code on a pipe the kernel handed over, and a pidfd (which names this
process and no later one with its pid) lets the kernel signal it and see it end.

Whenever a fork is not possible (no zygote, it refused, it died), `serve` returns None and the
caller starts a new interpreter, the old way. `ENABLED = False` (or SHIPYARD_ZYGOTE=off in
the environment) turns forking off.
"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from shipyard.paths import workdir


def _supported() -> bool:
    """Linux 5.3 or later: pidfds (and the zygote's PR_SET_PDEATHSIG, /proc). Elsewhere (a
    learner's Mac, say) services start the old way."""
    try:
        os.close(os.pidfd_open(os.getpid()))
        return sys.platform.startswith("linux") and hasattr(signal, "pidfd_send_signal")
    except (AttributeError, OSError):
        return False


ENABLED = os.environ.get("SHIPYARD_ZYGOTE", "on") != "off" and _supported()
COMMAND = ["-m", "shipyard.runtime.runner", "--zygote"]
READY_TIMEOUT, REPLY_TIMEOUT, MAX_FAILURES = 20, 10, 3  # seconds, seconds, zygotes lost before giving up


class Forked:
    """A forked service, as much of `subprocess.Popen` as `processes.Child` uses."""

    def __init__(self, pid: int, pidfd: int, status: int, app: str):
        self.pid, self.returncode, self.args = pid, None, ["shipyard.runtime.zygote", app]
        self._pidfd, self._status = pidfd, status
        self._lock = threading.Lock()  # one reader of the report, as Popen has

    def poll(self) -> int | None:
        if self.returncode is None and _readable(self._status, 0):
            self._collect()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not _readable(self._status, timeout):
                raise subprocess.TimeoutExpired(self.args, timeout)
            self._collect()
        return self.returncode

    def _collect(self) -> None:
        with self._lock:
            if self.returncode is None:
                self._read_report()

    def _read_report(self) -> None:
        report = b""
        while chunk := os.read(self._status, 64):
            report += chunk
        if report:
            self.returncode = int(report)
        else:  # the zygote died before reporting: its children die by SIGKILL (PR_SET_PDEATHSIG)
            _readable(self._pidfd, 5)
            self.returncode = -signal.SIGKILL
        os.close(self._status), os.close(self._pidfd)

    def send_signal(self, sig: int) -> None:
        with self._lock:  # the pidfd stays open until the exit code is read
            if self.returncode is None:
                try:
                    signal.pidfd_send_signal(self._pidfd, sig)
                except ProcessLookupError:
                    pass  # it has just ended; poll() will tell

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _readable(fd: int, timeout: float | None) -> bool:
    poller = select.poll()  # not select.select: a busy kernel's descriptors pass 1024
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else timeout * 1000))


class Zygote:
    """This kernel's zygote process, tethered like every child (its watchdog pipe)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="zygote-", dir=workdir()))
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        watch_read, self.watch_write = os.pipe()
        with theirs, open(self.folder / "zygote.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *COMMAND, "--watchdog", str(watch_read), "--control", str(theirs.fileno())],
                pass_fds=(watch_read, theirs.fileno()), cwd=self.folder, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        os.close(watch_read)
        try:
            self.control.settimeout(READY_TIMEOUT)
            self.pid = json.loads(self.control.recv(4096))["ready"]  # raises if it died importing
            self.control.settimeout(REPLY_TIMEOUT)
        except BaseException:
            self.process.kill(), self.process.wait()
            self.control.close(), os.close(self.watch_write)
            raise

    def fork(self, request: dict, fds: Sequence[int]) -> dict:
        socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
        message, pidfds, _, _ = socket.recv_fds(self.control, 4096, 1)
        if not message:
            raise ConnectionError("the zygote closed its end")
        return {**json.loads(message), "pidfd": pidfds[0] if pidfds else None}

    def retire(self) -> None:
        """No more forks; it lives on while a service it forked does (they die with it), so
        its watchdog stays open until `stop()`."""
        self.control.close()


_lock = threading.Lock()
_zygote: Zygote | None = None
_retired: list[Zygote] = []
_forks: list[Forked] = []  # what the zygotes forked, until seen to have ended
_failures = 0


def _current() -> Zygote | None:
    global _zygote, _failures
    for old in [old for old in _retired if old.process.poll() is not None]:  # reaped, so no zombie
        _retired.remove(old)
        os.close(old.watch_write)
    if _zygote is not None and _zygote.process.poll() is not None:  # it died (killed, say): a new one
        _failures += 1
        _drop(_zygote)
    if _zygote is None and ENABLED and _failures < MAX_FAILURES:
        try:
            _zygote = Zygote()
        except (OSError, ValueError, KeyError) as error:
            _failures += 1
            print(f"shipyard: services start the old way, the zygote did not start ({error})", file=sys.stderr)
    return _zygote


def _drop(zygote: Zygote) -> None:
    global _zygote
    zygote.retire()
    _retired.append(zygote)
    _zygote = None


def serve(app: str, env: Mapping[str, str], cwd: Path, log: Path, watchdog: int, sockets: Sequence[int],
          start_zygote: bool = True) -> Forked | None:
    """Fork a service that serves `app` on `sockets` (as `shipyard.runtime.runner` would, with this
    environment, in this folder, writing to this log); None if it must start the old way.
    `start_zygote=False`: only if a zygote runs already."""
    global _failures
    if not ENABLED:
        return None
    with _lock:
        zygote = _current() if start_zygote or _zygote is not None else None
        if zygote is None:
            return None
        status_read, status_write = os.pipe()
        request = {"app": app, "env": dict(env), "cwd": str(cwd), "log": str(log)}
        try:
            reply = zygote.fork(request, [status_write, watchdog, *sockets])
        except (OSError, ValueError) as error:  # it died, or hangs: the next start gets a new one
            _failures += 1
            print(f"shipyard: the zygote failed ({error}); starting {app} the old way", file=sys.stderr)
            _drop(zygote)
            reply = {}
        finally:
            os.close(status_write)
        if "pid" not in reply:
            os.close(status_read)
            if reply.get("refused") == "stale":  # code changed on disk: the next zygote imports it anew
                _drop(zygote)
            return None
        _forks.append(Forked(reply["pid"], reply["pidfd"], status_read, app))
        return _forks[-1]


def stop() -> None:
    """End every zygote of this kernel (`processes.stop_all` calls it once the services are
    stopped); the next fork starts a new one."""
    with _lock:
        _stop()


def stop_if_idle() -> None:
    """End the zygotes once no service they forked runs (a `Child` stopping calls it): a check
    that starts and stops its services leaves no process behind, the zygote included."""
    with _lock:
        _forks[:] = [process for process in _forks if process.poll() is None]
        if not _forks:
            _stop()


def _stop() -> None:
    global _zygote
    for zygote in filter(None, [_zygote, *_retired]):
        if zygote.control.fileno() >= 0:
            zygote.control.close()
        os.close(zygote.watch_write)  # it reads the end of its watchdog pipe, and exits
        try:
            zygote.process.wait(5)
        except subprocess.TimeoutExpired:
            zygote.process.kill()
            zygote.process.wait()
    _zygote = None
    _retired.clear()


def zygote_pid() -> int | None:
    """The pid of this kernel's zygote, if it runs."""
    return _zygote.pid if _zygote else None
