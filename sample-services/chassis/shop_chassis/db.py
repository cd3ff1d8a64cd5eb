"""One SQLite file per service; one short-lived connection per request."""
import sqlite3
from collections.abc import Iterator

from fastapi import Request


def connect(path: str) -> sqlite3.Connection:
    # check_same_thread=False: FastAPI may run a dependency and its endpoint on different
    # threads of its pool; the connection still serves one request at a time.
    conn = sqlite3.connect(path, timeout=5, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    # With WAL, NORMAL is still safe from corruption; it skips an fsync per commit, which
    # costs tens of milliseconds on some disks.
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def prepare(path: str, init_schema) -> None:
    """Create the schema (idempotent) and switch to WAL so readers never wait for writers."""
    with connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        init_schema(conn)


def get_db(request: Request) -> Iterator[sqlite3.Connection]:
    """FastAPI dependency: a connection to this app's database, closed after the request."""
    conn = connect(request.app.state.settings.database_path)
    try:
        yield conn
    finally:
        conn.close()
