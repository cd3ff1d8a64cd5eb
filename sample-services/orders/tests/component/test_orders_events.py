"""Component tests of orders on events: the service alone, its broker a fake with the real
bus interface."""
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings
from shop_chassis.events import BusUnavailable

from orders.app import DEFAULTS, build


def test_an_order_is_accepted_pending_and_announced_as_orders_placed(events_shop):
    client, catalog, bus = events_shop
    order = client.post("/orders", json={"product_id": "keyboard", "quantity": 2})
    assert order.status_code == 201 and order.json()["status"] == "pending"
    client.app.state.outbox.flush()  # the request published it already, unless the relay's thread was at it
    assert bus.published == [("orders.placed", {"order_id": order.json()["id"], "amount_cents": 9800})]
    assert catalog.stock["keyboard"] == 3


def test_payments_completed_marks_the_order_paid(events_shop):
    client, catalog, bus = events_shop
    order_id = client.post("/orders", json={"product_id": "keyboard", "quantity": 1}).json()["id"]
    bus.publish("payments.completed", {"order_id": order_id, "status": "paid", "amount_cents": 4900}, msg_id="p1")
    assert client.get(f"/orders/{order_id}").json()["status"] == "paid"


def test_payments_failed_declines_the_order_and_gives_the_stock_back_once(events_shop):
    client, catalog, bus = events_shop
    order_id = client.post("/orders", json={"product_id": "keyboard", "quantity": 2}).json()["id"]
    for attempt in ("p1", "p2"):  # delivered twice: the second changes nothing
        bus.publish("payments.failed", {"order_id": order_id, "status": "declined"}, msg_id=attempt)
    assert client.get(f"/orders/{order_id}").json()["status"] == "payment_declined"
    assert catalog.stock["keyboard"] == 5


def test_a_malformed_payment_event_is_dropped_as_bad_input(events_shop):
    client, catalog, bus = events_shop
    bus.publish("payments.completed", {"order_id": "x", "status": "maybe"}, msg_id="bad")
    assert bus.dropped == [("payments.completed", {"order_id": "x", "status": "maybe"}, "orders")]


def test_orders_on_events_refuses_to_start_without_a_broker(tmp_path):
    extra = {**DEFAULTS, "CATALOG_URL": "http://catalog.invalid", "PAYMENT_FLOW": "events"}
    app = build(Settings("orders", database_path=str(tmp_path / "o.sqlite3"), extra=extra))
    with pytest.raises(RuntimeError, match="EVENTS_URL"), TestClient(app):
        pass


def test_an_order_is_accepted_while_the_broker_refuses_and_announced_once_it_takes_events(events_shop):
    client, catalog, bus = events_shop
    real_publish = bus.publish

    def refuse(subject, event, msg_id):
        raise BusUnavailable("the broker is away")

    bus.publish = refuse
    order = client.post("/orders", json={"product_id": "keyboard", "quantity": 1})
    assert order.status_code == 201 and order.json()["status"] == "pending"
    assert bus.published == []  # saved with its event, which waits in the outbox
    bus.publish = real_publish
    client.app.state.outbox.flush()
    assert bus.published == [("orders.placed", {"order_id": order.json()["id"], "amount_cents": 4900})]


def test_a_payment_for_an_order_never_saved_is_dropped_as_bad_input(events_shop):
    client, catalog, bus = events_shop  # with the outbox, no order's event leaves before the order is saved
    bus.publish("payments.completed", {"order_id": "abc123", "status": "paid"}, msg_id="p-ghost")
    assert bus.dropped == [("payments.completed", {"order_id": "abc123", "status": "paid"}, "orders")]


def test_the_outbox_relay_stops_with_the_app(events_app):
    app = events_app
    with TestClient(app):
        relay = app.state.outbox
        assert relay.thread.is_alive()
    relay.thread.join(timeout=5)
    assert not relay.thread.is_alive()


def test_orders_set_to_crash_after_publishing_settles_no_payment_once_its_publish_began(events_shop):
    client, catalog, bus = events_shop  # (the crash itself would end this test's process: not reached here)
    order_id = client.post("/orders", json={"product_id": "keyboard", "quantity": 1}).json()["id"]
    client.app.state.settings.extra["ORDERS_FAULT"] = "crash-after-publish"
    client.app.state.outbox.hook("publishing", f"order-{order_id}")
    bus.publish("payments.completed", {"order_id": order_id, "status": "paid"}, msg_id="p1")
    assert client.get(f"/orders/{order_id}").json()["status"] == "pending"
    assert bus.unacknowledged == [("payments.completed", {"order_id": order_id, "status": "paid"}, "orders")]
