"""Orders saving an order and announcing it, crashed in between, as real processes: with the
transactional outbox nothing is lost and nothing is charged twice; publishing before the
commit (ORDERS_PUBLISH=direct) charges an order that was never saved."""
import pytest
from shopdb import rows

from shipyard import customers, services


def charged_but_never_saved(shop) -> set[str]:
    charged = {order_id for order_id, in rows(shop["payments"], "SELECT order_id FROM payments")}
    return charged - {order_id for order_id, in rows(shop["orders"], "SELECT id FROM orders")}


@pytest.mark.parametrize("fault", ["crash-before-publish", "crash-after-publish"])
def test_orders_crashing_between_commit_and_publish_loses_nothing_and_charges_nothing_twice(broker, fault):
    shop = services.start_shop("events", broker=broker)
    before = customers.accepted(customers.place(shop["orders"].url, 20, workers=4))
    shop["orders"].restart({"ORDERS_FAULT": fault})
    answers = customers.place(shop["orders"].url, 1)
    assert shop["orders"].wait_exit() == 3 and answers[0][0] == 0  # died mid-request: no answer
    (crashed,) = {order_id for order_id, in rows(shop["orders"], "SELECT id FROM orders")} - set(before)
    assert rows(shop["orders"], "SELECT id FROM outbox") == [(f"order-{crashed}",)]  # committed with the order

    shop["orders"].restart({"ORDERS_FAULT": ""})
    after = customers.accepted(customers.place(shop["orders"].url, 20, workers=4))
    assert customers.settle(shop["orders"].url, [*before, crashed, *after], timeout=60) == {"paid": 41}
    charged = rows(shop["payments"], "SELECT order_id, COUNT(*) FROM payments GROUP BY order_id")
    assert sorted(order_id for order_id, _ in charged) == sorted([*before, crashed, *after])
    assert {n for _, n in charged} == {1}
    assert charged_but_never_saved(shop) == set()
    assert broker.stream_size("ORDERS") == 41  # the relay's second publish of the crashed row was dropped
    assert rows(shop["orders"], "SELECT COUNT(*) FROM outbox") == [(0,)]


def test_orders_publishing_before_it_commits_charges_an_order_it_never_saved_when_it_crashes_between(broker):
    shop = services.start_shop("events", {"ORDERS_PUBLISH": "direct", "ORDERS_FAULT": "crash-after-publish"},
                               broker=broker)
    answers = customers.place(shop["orders"].url, 1)
    assert shop["orders"].wait_exit() == 3 and answers[0][0] == 0
    broker.wait_handled("ORDERS", "payments")
    assert rows(shop["orders"], "SELECT COUNT(*) FROM orders") == [(0,)]
    assert len(charged_but_never_saved(shop)) == 1


def test_with_the_outbox_orders_drops_a_payment_for_an_order_it_never_saved(broker):
    shop = services.start_shop("events", {"ORDERS_PUBLISH": "direct", "ORDERS_FAULT": "crash-after-publish"},
                               broker=broker)
    customers.place(shop["orders"].url, 1)
    shop["orders"].wait_exit()
    broker.wait_handled("ORDERS", "payments")
    shop["orders"].restart({"ORDERS_PUBLISH": "outbox", "ORDERS_FAULT": ""})
    broker.wait_handled("PAYMENTS", "orders")
    assert "which orders never saved" in shop["orders"].logs(50)
