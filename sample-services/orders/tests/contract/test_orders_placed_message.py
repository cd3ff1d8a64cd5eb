"""Message contract, producer side: every `orders.placed` orders publishes validates against
the shared JSON Schema (`sample-services/contracts`). It runs in orders' own build, with a
fake bus and a fake catalog: no payments anywhere."""
import json
import time
from pathlib import Path

import jsonschema

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "contracts" / "orders.placed.schema.json").read_text())



def published(bus, subject: str, count: int, timeout: float = 5) -> list[dict]:
    """The events on `subject`, once there are `count` (an outbox may publish a moment later)."""
    deadline = time.monotonic() + timeout
    while len(found := [event for s, event in bus.published if s == subject]) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return found


def test_every_orders_placed_that_orders_publishes_validates_against_the_shared_schema(events_shop):
    client, _catalog, bus = events_shop
    for quantity in (1, 2):
        assert client.post("/orders", json={"product_id": "keyboard", "quantity": quantity}).status_code == 201
    events = published(bus, "orders.placed", 2)
    assert len(events) == 2
    for event in events:
        jsonschema.validate(event, SCHEMA, cls=jsonschema.Draft202012Validator)
        # JSON Schema counts 1900.0 as an integer too; orders writes its amounts as integers all the same.
        assert type(event["amount_cents"]) is int
