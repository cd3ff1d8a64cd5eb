"""Placing an order. The catalog and payments are ports: over HTTP in the services,
plain function calls in the monolith. The domain does not know which."""
import sqlite3
import uuid
from typing import Protocol


class Unavailable(Exception):
    """A service this one depends on did not answer."""


class UnknownProduct(Exception):
    pass


class OutOfStock(Exception):
    pass


class CatalogPort(Protocol):
    def get_product(self, product_id: str) -> dict | None: ...
    def reserve(self, product_id: str, quantity: int) -> bool: ...
    def release(self, product_id: str, quantity: int) -> None: ...


class UnknownOrder(Exception):
    pass


class PaymentsPort(Protocol):
    # "paid" or "declined" when payments answers at once; "pending" when it will answer
    # later, with an event (see `settle`).
    def charge(self, order_id: str, amount_cents: int) -> str: ...


STATUS = {"paid": "paid", "declined": "payment_declined", "pending": "pending"}  # payment -> order


def init_schema(conn: sqlite3.Connection) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY, product_id TEXT NOT NULL,
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        amount_cents INTEGER NOT NULL, status TEXT NOT NULL)""")


def place_order(conn: sqlite3.Connection, catalog: CatalogPort, payments: PaymentsPort,
                product_id: str, quantity: int) -> dict:
    product = catalog.get_product(product_id)
    if product is None:
        raise UnknownProduct(product_id)
    if not catalog.reserve(product_id, quantity):
        raise OutOfStock(product_id)
    order = {"id": uuid.uuid4().hex[:12], "product_id": product_id, "quantity": quantity,
             "amount_cents": product["price_cents"] * quantity}
    # The call comes before the INSERT: no database lock is held while another service is waited for.
    try:
        payment = payments.charge(order["id"], order["amount_cents"])
    except Unavailable:
        catalog.release(product_id, quantity)  # compensate: no money, no reservation
        raise
    if payment == "declined":
        catalog.release(product_id, quantity)
    order["status"] = STATUS[payment]
    conn.execute("INSERT INTO orders VALUES (:id, :product_id, :quantity, :amount_cents, :status)", order)
    return order


def settle(conn: sqlite3.Connection, catalog: CatalogPort, order_id: str, payment: str) -> bool:
    """Record the payment's outcome ("paid" or "declined") on a pending order, once: a
    repeated outcome changes nothing and returns False. Placing an order over events is a
    saga, steps in two services with no transaction around them: a declined payment undoes
    the step before it with a compensating action, releasing the stock the order reserved."""
    order = get_order(conn, order_id)
    if order is None:
        raise UnknownOrder(order_id)
    if order["status"] != "pending":
        return False
    status = STATUS[payment]
    conn.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))
    if status == "payment_declined":
        catalog.release(order["product_id"], order["quantity"])  # the compensating action
    return True


def get_order(conn: sqlite3.Connection, order_id: str) -> dict | None:
    row = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
    return dict(row) if row else None


def list_orders(conn: sqlite3.Connection) -> list[dict]:
    return [dict(row) for row in conn.execute("SELECT * FROM orders ORDER BY rowid")]
