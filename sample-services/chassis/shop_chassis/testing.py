"""Helpers for a service's own tests: serve the app on a real socket, verify a pact.

Only tests import this module; `pact-python` is a test dependency."""
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@contextmanager
def serve(app) -> Iterator[str]:
    """Run `app` with uvicorn on 127.0.0.1 (a port the OS picks) in a thread; yield its URL."""
    import uvicorn

    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)
        listening.close()


@dataclass(frozen=True)
class Verification:
    ok: bool
    output: str  # the verifier's report: every interaction, and what did not match


def verify_pact(provider: str, pact_file: Path, url: str) -> Verification:
    """Replay every request of a consumer's pact against the provider at `url` and compare
    the answers with what the consumer expects."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # no usage report over the network
    from pact import Verifier

    verifier = Verifier(provider, host="127.0.0.1").add_source(str(pact_file)).add_transport(url=url)
    verifier.set_coloured_output(enabled=False)
    try:
        with _silenced_stdout():
            verifier.verify()
        return Verification(True, verifier.output(strip_ansi=True))
    except RuntimeError:
        return Verification(False, verifier.output(strip_ansi=True))


@contextmanager
def _silenced_stdout() -> Iterator[None]:
    """The verifier (native code) prints its report on file descriptor 1 as well as keeping
    it; a notebook would show it twice. Point fd 1 at /dev/null meanwhile."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
