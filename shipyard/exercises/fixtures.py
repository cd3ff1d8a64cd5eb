"""What checkers run learners' code against: real services, and addresses that misbehave."""
import socket
from functools import lru_cache

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
def silent_url() -> str:
    """An address that accepts connections and never answers, like a hung service."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    _held.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


_held: list[socket.socket] = []
_catalog: list[services.Service] = []
