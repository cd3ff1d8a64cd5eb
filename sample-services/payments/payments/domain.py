"""The payments rules, on a SQLite connection. The caller commits."""
import sqlite3


def init_schema(conn: sqlite3.Connection) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS payments (
        order_id TEXT PRIMARY KEY,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        status TEXT NOT NULL CHECK (status IN ('paid', 'declined')))""")


def charge(conn: sqlite3.Connection, order_id: str, amount_cents: int, limit_cents: int) -> dict:
    """Charge an order once. Asking again for the same order returns the first answer:
    the order id is the idempotency key, so a retry never charges twice."""
    status = "paid" if amount_cents <= limit_cents else "declined"
    conn.execute("INSERT OR IGNORE INTO payments VALUES (?, ?, ?)", (order_id, amount_cents, status))
    return get_payment(conn, order_id)


def get_payment(conn: sqlite3.Connection, order_id: str) -> dict | None:
    row = conn.execute("SELECT * FROM payments WHERE order_id = ?", (order_id,)).fetchone()
    return dict(row) if row else None
