"""The raised-limit feature, behind its feature flag: read through OpenFeature from a flagd
flag file that can change while payments runs."""
import json
import time

import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings

from payments.app import DEFAULTS, build

OVER_THE_LIMIT = 60_000  # the limit is 50,000; the raised one twice that


def flag_file(path, variant: str = "off", targeting: dict | None = None) -> None:
    flag = {"state": "ENABLED", "variants": {"on": True, "off": False}, "defaultVariant": variant}
    if targeting:
        flag["targeting"] = targeting
    path.write_text(json.dumps({"flags": {"raised-limit": flag}}))


def status(client, order: str, customer: str | None = None) -> str:
    body = {"order_id": order, "amount_cents": OVER_THE_LIMIT, **({"customer_id": customer} if customer else {})}
    return client.post("/payments", json=body).json()["status"]


def eventually(check, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(autouse=True)
def quick_reloads(monkeypatch):
    """The file looked at every 10 ms, not 100: the same behaviour, a cheaper test."""
    import shop_chassis.flags
    monkeypatch.setattr(shop_chassis.flags, "RELOAD_MS", 10)


@pytest.fixture
def flags(tmp_path):
    path = tmp_path / "flags.json"
    flag_file(path)
    return path


def started(tmp_path, flags_path: str = "") -> TestClient:
    settings = Settings("payments", database_path=str(tmp_path / "payments.sqlite3"), extra=DEFAULTS,
                        flags_path=str(flags_path))
    return TestClient(build(settings))


@pytest.fixture
def client(tmp_path, flags):
    with started(tmp_path, flags) as client:
        yield client


def test_the_feature_is_dark_while_its_flag_is_off(client):
    assert status(client, "o-1", "c-1") == "declined"


def test_turning_the_flag_on_takes_effect_without_a_restart_and_off_again(client, flags):
    flag_file(flags, "on")
    orders = iter(range(1000))
    assert eventually(lambda: status(client, f"o-{next(orders)}", "c-1") == "paid")
    flag_file(flags, "off")  # the kill switch
    assert eventually(lambda: status(client, f"o-{next(orders)}", "c-1") == "declined")


def test_a_charge_without_a_customer_never_gets_the_feature(client, flags):
    flag_file(flags, "on")
    probes = iter(range(1000))  # a new order each time: a repeated one gets its first answer
    assert eventually(lambda: status(client, f"o-{next(probes)}", "c-1") == "paid")
    assert status(client, "o-without") == "declined"


def test_a_fractional_rollout_gives_each_customer_the_same_answer_every_time(tmp_path, flags):
    flag_file(flags, "off", {"fractional": [["on", 50], ["off", 50]]})
    with started(tmp_path, flags) as client:
        first = {c: status(client, f"a-{c}", f"c-{c}") for c in range(20)}
        again = {c: status(client, f"b-{c}", f"c-{c}") for c in range(20)}
    assert first == again and set(first.values()) == {"paid", "declined"}


def test_a_malformed_flag_file_keeps_the_last_good_flags(client, flags):
    flag_file(flags, "on")
    probes = iter(range(1000))
    assert eventually(lambda: status(client, f"o-{next(probes)}", "c-1") == "paid")
    flags.write_text("{ not json")
    time.sleep(0.05)  # five looks at the file
    assert status(client, "o-4", "c-1") == "paid"


def test_without_a_flag_file_every_feature_is_off(tmp_path):
    with started(tmp_path) as client:
        assert status(client, "o-5", "c-1") == "declined"


def test_a_service_started_with_a_malformed_flag_file_runs_with_every_flag_off_until_it_is_fixed(tmp_path):
    path = tmp_path / "flags.json"
    path.write_text("{ not json")
    with started(tmp_path, path) as client:
        assert status(client, "o-6", "c-1") == "declined"
        flag_file(path, "on")
        probes = iter(range(1000))
        assert eventually(lambda: status(client, f"o-{next(probes)}", "c-1") == "paid")

