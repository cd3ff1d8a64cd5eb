"""Message contract, consumer side: payments charges every `orders.placed` the shared JSON
Schema accepts and drops, as bad input, every one it refuses. It runs in payments' own
build, with a fake bus and no orders anywhere."""
import json
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings
from shop_chassis.events import InMemoryBus

from payments.app import DEFAULTS, build

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "contracts" / "orders.placed.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Events the schema refuses, each the way a producer might get it wrong.
REFUSED = {
    "no order_id": {"amount_cents": 1900},
    "no amount": {"order_id": "o-1"},
    "amount as text": {"order_id": "o-1", "amount_cents": "1900"},
    "amount as a boolean": {"order_id": "o-1", "amount_cents": True},
    "amount with a fraction": {"order_id": "o-1", "amount_cents": 19.5},
    "zero amount": {"order_id": "o-1", "amount_cents": 0},
    "negative amount": {"order_id": "o-1", "amount_cents": -5},
    "amount over the limit of the schema": {"order_id": "o-1", "amount_cents": 10_000_001},
    "empty order_id": {"order_id": "", "amount_cents": 1900},
    "order_id with a space": {"order_id": "o 1", "amount_cents": 1900},
    "order_id too long": {"order_id": "x" * 65, "amount_cents": 1900},
    "order_id as a number": {"order_id": 42, "amount_cents": 1900},
    "a list": ["o-1", 1900],
}
CASES = [pytest.param(event, id=f"example {i}") for i, event in enumerate(SCHEMA["examples"])] + \
        [pytest.param(event, id=name) for name, event in REFUSED.items()]


@pytest.fixture
def service(tmp_path):
    bus = InMemoryBus()
    settings = Settings("payments", database_path=str(tmp_path / "payments.sqlite3"), extra=DEFAULTS)
    with TestClient(build(settings, bus=bus)):
        yield bus


def test_the_contract_is_a_valid_schema_with_examples_it_accepts():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["examples"] and all(VALIDATOR.is_valid(example) for example in SCHEMA["examples"])
    assert not any(VALIDATOR.is_valid(event) for event in REFUSED.values())


@pytest.mark.parametrize("event", CASES)
def test_payments_charges_what_the_schema_accepts_and_drops_what_it_refuses(service, event):
    bus = service
    bus.publish("orders.placed", event, msg_id="m-1")
    outcomes = [subject for subject, _ in bus.published if subject.startswith("payments.")]
    if VALIDATOR.is_valid(event):
        assert outcomes in (["payments.completed"], ["payments.failed"]) and not bus.dropped
    else:
        assert outcomes == [] and bus.dropped == [("orders.placed", event, "payments")]
