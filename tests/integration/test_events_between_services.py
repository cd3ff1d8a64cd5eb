"""Orders and payments passing events through a real broker, as real processes."""
import threading
import time

import httpx
from shopdb import rows

from shipyard import services, traffic
from shipyard import customers


def order(shop, product="mouse", quantity=1) -> dict:
    response = httpx.post(shop["orders"].url + "/orders", json={"product_id": product, "quantity": quantity})
    assert response.status_code == 201, response.text
    return response.json()


def wait_until_settled(shop, count: int) -> dict[str, int]:
    return dict(customers.wait_settled(shop["orders"].url, count, timeout=60))


def test_an_order_is_accepted_pending_and_then_paid_by_event(broker):
    shop = services.start_shop("events", broker=broker)
    placed = order(shop)
    assert placed["status"] == "pending"
    assert wait_until_settled(shop, 1) == {"paid": 1}
    assert httpx.get(shop["payments"].url + f"/payments/{placed['id']}").json()["status"] == "paid"


def test_a_payment_declined_by_event_gives_the_stock_back(broker):
    shop = services.start_shop("events", {"PAYMENTS_LIMIT_CENTS": "100"}, broker=broker)
    stock = httpx.get(shop["catalog"].url + "/products/mouse").json()["stock"]
    order(shop, quantity=3)
    assert wait_until_settled(shop, 1) == {"payment_declined": 1}
    assert httpx.get(shop["catalog"].url + "/products/mouse").json()["stock"] == stock


def test_orders_are_accepted_while_payments_is_down_and_paid_when_it_returns(broker):
    shop = services.start_shop("events", broker=broker)
    shop["payments"].kill()
    placed = [order(shop) for _ in range(5)]
    assert {p["status"] for p in placed} == {"pending"}
    shop["payments"].restart()
    assert wait_until_settled(shop, 5) == {"paid": 5}


def test_payments_crashing_after_a_charge_charges_once_when_the_event_comes_again(broker):
    shop = services.start_shop("events", {"PAYMENTS_FAULT": "crash-after-charge", "EVENTS_ACK_WAIT_SECONDS": "0.5"},
                               broker=broker)
    placed = order(shop)
    shop["payments"].wait_exit()  # it charged, then died before acknowledging
    assert rows(shop["payments"], "SELECT order_id FROM payments") == [(placed["id"],)]
    shop["payments"].restart({"PAYMENTS_FAULT": ""})
    assert wait_until_settled(shop, 1) == {"paid": 1}
    assert rows(shop["payments"], "SELECT COUNT(*) FROM payments") == [(1,)]
    assert "orders.placed delivered again (delivery 2)" in shop["payments"].logs(50)


def test_a_malformed_event_is_dropped_and_the_consumer_goes_on(broker):
    from shop_chassis.events import NatsBus

    shop = services.start_shop("events", broker=broker)
    kernel = NatsBus(broker.url, "test")
    try:
        kernel.publish("orders.placed", {"order_id": "x", "amount_cents": "lots"}, msg_id="bad-1")
    finally:
        kernel.close()
    order(shop)
    assert wait_until_settled(shop, 1) == {"paid": 1}
    assert "dropped a bad event" in shop["payments"].logs(50)


def test_a_thousand_orders_are_each_paid_exactly_once_though_payments_is_killed_twice(broker):
    shop = services.start_shop("events", {"EVENTS_ACK_WAIT_SECONDS": "1"}, broker=broker)
    count, accepted = 1000, []

    def crash_payments_twice():
        for after in (count // 3, 2 * count // 3):
            while len(accepted) < after:
                time.sleep(0.01)
            shop["payments"].kill()
            shop["payments"].restart()

    crasher = threading.Thread(target=crash_payments_twice)
    crasher.start()
    requests = [("POST", shop["orders"].url + "/orders", {"product_id": "mouse", "quantity": 1})] * 50
    for _ in range(count // 50):
        accepted += [body for status, body in traffic.burst(requests) if status == 201]
    crasher.join()

    assert len(accepted) == count
    assert wait_until_settled(shop, count) == {"paid": count}
    charged = rows(shop["payments"], "SELECT order_id, COUNT(*), SUM(amount_cents) FROM payments GROUP BY order_id")
    assert sorted(order_id for order_id, _, _ in charged) == sorted(o["id"] for o in accepted)
    assert {(n, total) for _, n, total in charged} == {(1, 1900)}
    assert broker.stream_size("PAYMENTS") == count  # one outcome per order reached orders
