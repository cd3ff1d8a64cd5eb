"""Payments as an event consumer: each `orders.placed` is charged once, and the outcome is
published as `payments.completed` or `payments.failed`.

An event can arrive twice (a redelivery after a crash, a producer's retry), so the order id
is the idempotency key: the second arrival finds the first charge and publishes it again.
"""
import os

from shop_chassis import db

from payments import domain
from payments.api import ChargeRequest

# A fault switch for lesson 03: die right after charging, before acknowledging the event.
CRASH_AFTER_CHARGE = "crash-after-charge"


def charge_order_placed(app, event: dict) -> None:
    request = ChargeRequest.model_validate(event)  # ValueError: a bad event, dropped by the bus
    settings = app.state.settings
    conn = db.connect(settings.database_path)
    try:
        with conn:
            first_time = domain.get_payment(conn, request.order_id) is None
            payment = domain.charge(conn, request.order_id, request.amount_cents,
                                    int(settings.extra["PAYMENTS_LIMIT_CENTS"]))
    finally:
        conn.close()
    if first_time and settings.extra["PAYMENTS_FAULT"] == CRASH_AFTER_CHARGE:
        os._exit(3)  # the charge is committed; the broker never hears that it was handled
    outcome = "completed" if payment["status"] == "paid" else "failed"
    app.state.bus.publish(f"payments.{outcome}", payment, msg_id=f"payment-{request.order_id}")


def consume(app) -> None:
    if app.state.bus is not None:
        app.state.bus.subscribe("orders.placed", "payments", lambda event: charge_order_placed(app, event))
