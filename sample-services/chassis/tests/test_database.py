"""The database a service (or its replicas) prepares at start."""
import sqlite3

import pytest
from shop_chassis import db


def schema_locked(times: int):
    """A schema step that finds the database locked `times` times, as a replica starting
    while another one checkpoints on its way out does."""
    calls = []

    def init_schema(conn):
        calls.append(1)
        if len(calls) <= times:
            raise sqlite3.OperationalError("database is locked")
        conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
    return init_schema, calls


def test_a_database_locked_for_a_moment_at_start_is_prepared_on_a_later_try(tmp_path):
    init_schema, calls = schema_locked(2)
    db.prepare(str(tmp_path / "s.sqlite3"), init_schema)
    assert len(calls) == 3
    with sqlite3.connect(tmp_path / "s.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_still_locked_after_the_patience_fails_the_start_with_sqlites_words(tmp_path):
    init_schema, calls = schema_locked(1000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        db.prepare(str(tmp_path / "s.sqlite3"), init_schema, patience=0.2)
    assert len(calls) > 1


def test_another_database_error_fails_the_start_at_once(tmp_path):
    def broken(conn):
        raise sqlite3.OperationalError("no such table: t")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        db.prepare(str(tmp_path / "s.sqlite3"), broken)
