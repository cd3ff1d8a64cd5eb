"""Component tests of payments as an event consumer: the service alone, its broker a fake
with the real bus interface."""
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings
from shop_chassis.events import InMemoryBus

from payments.app import DEFAULTS, build


@pytest.fixture
def service(tmp_path):
    bus = InMemoryBus()
    settings = Settings("payments", database_path=str(tmp_path / "payments.sqlite3"), extra=DEFAULTS)
    with TestClient(build(settings, bus=bus)) as client:
        yield client, bus


def test_an_order_placed_is_charged_and_announced_as_payments_completed(service):
    client, bus = service
    bus.publish("orders.placed", {"order_id": "o-1", "amount_cents": 1900}, msg_id="order-o-1")
    assert bus.published[-1] == ("payments.completed", {"order_id": "o-1", "amount_cents": 1900, "status": "paid"})
    assert client.get("/payments/o-1").json()["status"] == "paid"


def test_an_order_over_the_limit_is_announced_as_payments_failed(service):
    client, bus = service
    bus.publish("orders.placed", {"order_id": "o-2", "amount_cents": 50001}, msg_id="order-o-2")
    assert bus.published[-1][0] == "payments.failed"


def test_the_same_order_placed_twice_is_charged_once(service):
    client, bus = service
    for attempt in ("first", "retry-with-a-new-id"):  # the broker cannot tell these apart
        bus.publish("orders.placed", {"order_id": "o-3", "amount_cents": 100}, msg_id=attempt)
    assert client.get("/payments/o-3").json()["amount_cents"] == 100
    assert [subject for subject, _ in bus.published].count("payments.completed") == 1


@pytest.mark.parametrize("event", [{"order_id": "o-4", "amount_cents": "lots"}, {"order_id": "o-4"}, {}, ["o-4"]])
def test_a_malformed_order_event_is_dropped_as_bad_input_and_charges_nothing(service, event):
    client, bus = service
    bus.publish("orders.placed", event, msg_id="bad")  # the publisher never hears of a consumer's verdict
    assert bus.dropped == [("orders.placed", event, "payments")] and not bus.unacknowledged
    assert client.get("/payments/o-4").status_code == 404
