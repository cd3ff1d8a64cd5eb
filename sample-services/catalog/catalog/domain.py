"""The catalog's business rules, on a SQLite connection. The caller commits."""
import sqlite3

# A small shop; a fresh database starts with these (id, name, price in cents, stock).
SEED = [
    ("keyboard", "Mechanical keyboard", 4900, 500),
    ("mouse", "Wireless mouse", 1900, 10000),
    ("monitor", "27-inch monitor", 18900, 20),
]


def init_schema(conn: sqlite3.Connection) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS products (
        id TEXT PRIMARY KEY, name TEXT NOT NULL,
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
        stock INTEGER NOT NULL CHECK (stock >= 0))""")
    conn.executemany("INSERT OR IGNORE INTO products VALUES (?, ?, ?, ?)", SEED)


def list_products(conn: sqlite3.Connection) -> list[dict]:
    return [dict(row) for row in conn.execute("SELECT * FROM products ORDER BY id")]


def get_product(conn: sqlite3.Connection, product_id: str) -> dict | None:
    row = conn.execute("SELECT * FROM products WHERE id = ?", (product_id,)).fetchone()
    return dict(row) if row else None


def reserve(conn: sqlite3.Connection, product_id: str, quantity: int) -> bool:
    """Take `quantity` out of stock; False (and no change) when there is not enough."""
    cursor = conn.execute(
        "UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?",
        (quantity, product_id, quantity))
    return cursor.rowcount == 1


def release(conn: sqlite3.Connection, product_id: str, quantity: int) -> None:
    """Put a reservation back, e.g. when the payment did not go through."""
    conn.execute("UPDATE products SET stock = stock + ? WHERE id = ?", (quantity, product_id))
