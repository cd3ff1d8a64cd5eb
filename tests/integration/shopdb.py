"""Read a service's own database, as its operator would."""
import sqlite3

from shipyard import services


def rows(service: services.Service, query: str, *args) -> list[tuple]:
    """Read a service's own database, as its operator would."""
    conn = sqlite3.connect(service.folder / "data.sqlite3")
    try:
        return conn.execute(query, args).fetchall()
    finally:
        conn.close()
