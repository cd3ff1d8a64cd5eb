"""What checkers run learners' code against: real services, and addresses that misbehave."""
import json
import socket
import threading
import time
from contextlib import contextmanager
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shipyard import services


def healthy_catalog() -> services.Service:
    """A real catalog, started once per kernel and reused by every check (started again
    if a lesson's `services.stop_all()` stopped it)."""
    if not (_catalog and _catalog[0].alive):
        _catalog[:] = [services.start("catalog", label="catalog-for-checks")]
    return _catalog[0]


@lru_cache
def refusing_url() -> str:
    """An address where nothing listens: connecting is refused at once.

    The socket is bound (so no other process can take the port) but never listens."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _held.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@lru_cache
def silent_url(hold: float = 10) -> str:
    """An address that accepts connections and never answers, like a hung service. Each
    connection is closed after `hold` seconds, so a request made without a timeout ends
    then instead of keeping a thread of the check waiting for as long as the kernel lives."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    _held.append(sock)

    def accept_and_hold():
        waiting: list[tuple[float, socket.socket]] = []
        sock.settimeout(0.2)
        while True:
            try:
                waiting.append((time.monotonic() + hold, sock.accept()[0]))
            except TimeoutError:
                pass
            while waiting and waiting[0][0] <= time.monotonic():
                waiting.pop(0)[1].close()

    threading.Thread(target=accept_and_hold, daemon=True, name="shipyard-silent").start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _answering_server(status) -> ThreadingHTTPServer:
    """A real HTTP server, not yet serving, that answers every GET with `status` and a JSON
    message and notes each request's path and time (`server.paths`, `server.times`); `server.url`
    is its address.
    `status` may be a function of how many requests came before (a service still starting)."""
    paths: list[str] = []
    times: list[float] = []  # when each request came (time.monotonic())

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):
            code = status(len(paths)) if callable(status) else status
            paths.append(self.path)
            times.append(time.monotonic())
            body = json.dumps({"detail": f"this server answers {code} now"}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # a checker's server writes nothing into the notebook
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.daemon_threads = True
    server.url, server.paths, server.times = f"http://127.0.0.1:{server.server_address[1]}", paths, times
    return server


@lru_cache
def answering_url(status: int) -> str:
    """The address of a server that answers every request with `status`, like a service
    that is up but not well (503) or has no such route (404); one per kernel and status."""
    server = _answering_server(status)
    threading.Thread(target=server.serve_forever, daemon=True, name=f"shipyard-answers-{status}").start()
    return server.url


@contextmanager
def counting_server(status=200):
    """A server of the check's own, answering every GET with `status` (a number, or a function
    of how many requests came before), that notes each
    request's path (`server.paths`), so a check can count what an answer sent. Stopped when
    the block ends."""
    server = _answering_server(status)
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="shipyard-counting")
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


_held: list[socket.socket] = []
_catalog: list[services.Service] = []
