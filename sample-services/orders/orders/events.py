"""Orders over events: an order is accepted once the broker holds its `orders.placed`; the
payment's outcome comes back later as `payments.completed` or `payments.failed`."""
from typing import Literal

from pydantic import BaseModel
from shop_chassis import db
from shop_chassis.events import Bus, BusUnavailable

from orders import domain


class EventPayments:
    """The payments port when payments answers by event: ask, and answer "pending"."""

    def __init__(self, bus: Bus):
        self.bus = bus

    def charge(self, order_id: str, amount_cents: int) -> str:
        try:
            # The order id as message id: a retried publish is stored once.
            self.bus.publish("orders.placed", {"order_id": order_id, "amount_cents": amount_cents},
                             msg_id=f"order-{order_id}")
        except BusUnavailable as error:
            raise domain.Unavailable(str(error)) from error
        return "pending"


class PaymentEvent(BaseModel):
    order_id: str
    status: Literal["paid", "declined"]


def record_payment(app, event: dict) -> None:
    """Settle the order. An order not found yet is retried (its transaction may still be
    committing); a repeated event changes nothing."""
    payment = PaymentEvent.model_validate(event)  # ValueError: a bad event, dropped by the bus
    conn = db.connect(app.state.settings.database_path)
    try:
        catalog, _ = app.state.ports(conn)
        with conn:
            domain.settle(conn, catalog, payment.order_id, payment.status)
    finally:
        conn.close()


def consume(app) -> None:
    app.state.bus.subscribe("payments.>", "orders", lambda event: record_payment(app, event))
