"""Orders over events: an order asks for its payment with an `orders.placed` event; the
outcome comes back later as `payments.completed` or `payments.failed`.

ORDERS_PUBLISH picks how the event leaves. "outbox" (the default): it is a row written in
the order's own transaction (`shop_chassis.outbox`), published by a relay once the order is
committed. "direct": it is published before the order is committed, a dual write that a
crash in between turns into a charge for an order that was never saved (lesson 03 shows it).
ORDERS_FAULT, "crash-before-publish" or "crash-after-publish", makes orders die there."""
import os
from typing import Literal

from pydantic import BaseModel
from shop_chassis import db, outbox
from shop_chassis.events import BusUnavailable

from orders import domain

FAULTS = {"crash-before-publish": "publishing", "crash-after-publish": "published"}  # fault -> stage


def crash_if_asked(app, stage: str) -> None:
    fault = FAULTS.get(app.state.settings.extra["ORDERS_FAULT"])
    if fault == "published" and stage == "publishing":
        # From this publish on the process is as good as dead: a real crash leaves no moment
        # after the publish, but here payments' answer is settled in another thread, which a
        # busy machine could run before the crash. So nothing more is settled.
        app.state.dying = True
    if fault == stage:
        os._exit(3)  # a fault switch: the process dies here, as it could on a bad day


def direct(app) -> bool:
    return app.state.settings.extra["ORDERS_PUBLISH"] == "direct"


class EventPayments:
    """The payments port when payments answers by event: ask, and answer "pending"."""

    def __init__(self, app, conn):
        self.app, self.conn = app, conn

    def charge(self, order_id: str, amount_cents: int) -> str:
        # The order id as message id: a publish repeated by a retry or a relay is stored once.
        event, msg_id = {"order_id": order_id, "amount_cents": amount_cents}, f"order-{order_id}"
        if not direct(self.app):
            outbox.add(self.conn, "orders.placed", event, msg_id)  # committed with the order, or not at all
            return "pending"
        crash_if_asked(self.app, "publishing")
        try:
            self.app.state.bus.publish("orders.placed", event, msg_id=msg_id)
        except BusUnavailable as error:
            raise domain.Unavailable(str(error)) from error
        crash_if_asked(self.app, "published")  # published; the order is not committed yet
        return "pending"


class PaymentEvent(BaseModel):
    order_id: str
    status: Literal["paid", "declined"]


def record_payment(app, event: dict) -> None:
    """Settle the order; a repeated event changes nothing. An order not found is retried when
    publishing directly (its transaction may still be committing); with the outbox an order is
    always saved before its event leaves, so it is a payment for an order never saved: dropped, logged."""
    payment = PaymentEvent.model_validate(event)  # ValueError: a bad event, dropped by the bus
    if getattr(app.state, "dying", False):
        raise RuntimeError("orders is crashing: it settles nothing more")  # the event comes again
    conn = db.connect(app.state.settings.database_path)
    try:
        catalog, _ = app.state.ports(conn)
        with conn:
            domain.settle(conn, catalog, payment.order_id, payment.status)
    except domain.UnknownOrder:
        if direct(app):
            raise
        raise ValueError(f"payment for order {payment.order_id}, which orders never saved") from None
    finally:
        conn.close()


def stop(app) -> None:
    """The relay's thread ends with the app (a test's app too, whose database then goes)."""
    if (relay := getattr(app.state, "outbox", None)) is not None:
        relay.stop()


def start(app) -> None:
    """Consume the payments' outcomes and, with the outbox, start its relay."""
    if (publish := app.state.settings.extra["ORDERS_PUBLISH"]) not in ("outbox", "direct"):
        raise RuntimeError(f"ORDERS_PUBLISH is 'outbox' or 'direct', not {publish!r}")
    if not direct(app):
        app.state.outbox = outbox.Relay(app.state.settings.database_path, app.state.bus,
                                        hook=lambda stage, msg_id: crash_if_asked(app, stage)).start()
    app.state.bus.subscribe("payments.>", "orders", lambda event: record_payment(app, event))
