"""One SQLite file per service; one short-lived connection per request."""
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing

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


def prepare(path: str, init_schema, patience: float = 5) -> None:
    """Create the schema (idempotent) and switch to WAL so readers never wait for writers.
    Replicas share the file: a replica that stops checkpoints it on the way out, and for that
    moment SQLite answers "database is locked" at once, without the busy wait, so a replica
    starting just then tries again."""
    deadline = time.monotonic() + patience
    while True:
        try:
            with closing(connect(path)) as conn, conn:
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":  # only the first start switches
                    conn.execute("PRAGMA journal_mode=WAL")
                init_schema(conn)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def get_db(request: Request) -> Iterator[sqlite3.Connection]:
    """FastAPI dependency: a connection to this app's database, closed after the request."""
    conn = connect(request.app.state.settings.database_path)
    try:
        yield conn
    finally:
        conn.close()
