"""Feature flags: flagd's format, evaluated by the real OpenFeature client, in the kernel and
in a running service."""
import time

import httpx
import pytest

from shipyard import services
from shipyard.delivery import flags

CUSTOMERS = [f"c-{n:04d}" for n in range(400)]


def test_a_rollout_reaches_about_its_share_of_customers_and_the_same_ones_every_time(tmp_path):
    path = flags.write(tmp_path / "flags.json", {"raised-limit": flags.boolean(rollout=20)})
    first = flags.evaluate(path, "raised-limit", CUSTOMERS)
    assert 0.14 < flags.share(first) < 0.26
    assert flags.evaluate(path, "raised-limit", CUSTOMERS) == first


def test_a_wider_rollout_keeps_the_customers_who_had_the_feature(tmp_path):
    path = tmp_path / "flags.json"
    narrow = flags.evaluate(flags.write(path, {"f": flags.boolean(rollout=20)}), "f", CUSTOMERS)
    wide = flags.evaluate(flags.write(path, {"f": flags.boolean(rollout=50)}), "f", CUSTOMERS)
    assert all(wide[c] for c, on in narrow.items() if on)


@pytest.mark.parametrize("flag, expected", [(flags.boolean(), 0.0), (flags.boolean(on=True), 1.0),
                                            (flags.boolean(rollout=0), 0.0), (flags.boolean(rollout=100), 1.0)])
def test_off_on_and_the_ends_of_a_rollout_are_the_same_for_everyone(tmp_path, flag, expected):
    path = flags.write(tmp_path / "flags.json", {"f": flag})
    assert flags.share(flags.evaluate(path, "f", CUSTOMERS)) == expected


@pytest.mark.parametrize("text, says", [
    (None, "cannot be read as JSON"), ("{ not json", "cannot be read as JSON"),
    ('{"flags": []}', "not a valid flagd flag file"),
    ('{"flags": {"f": {"state": "ENABLED"}}}', "not a valid flagd flag file: .*variants"),
    ('{"flags": {"f": {"state": "ENABLED", "variants": {"on": "yes"}, "defaultVariant": "on"}}}', "could not be evaluated"),
    ('{"flags": {"other": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}}}', "defines no flag 'f'"),
])
def test_a_bad_flag_file_or_an_unknown_flag_is_said_in_words(tmp_path, capfd, text, says):
    path = tmp_path / "flags.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(flags.FlagError, match=says):
        flags.evaluate(path, "f", CUSTOMERS[:3])
    assert "Traceback" not in capfd.readouterr().err


def test_a_rollout_outside_0_to_100_is_refused():
    with pytest.raises(flags.FlagError, match="from 0 to 100"):
        flags.boolean(rollout=120)


def test_a_running_service_follows_its_flag_file_with_no_restart(tmp_path):
    path = flags.write(tmp_path / "flags.json", {"raised-limit": flags.boolean()})
    payments = services.start("payments", {"FLAGS_PATH": str(path)})
    try:
        pid, orders = payments.pid, iter(range(10_000))

        def status() -> str:
            body = {"order_id": f"o-{next(orders)}", "amount_cents": 60_000, "customer_id": "c-1"}
            return httpx.post(payments.url + "/payments", json=body, timeout=5).json()["status"]

        assert status() == "declined"
        flags.write(path, {"raised-limit": flags.boolean(on=True)})
        deadline = time.monotonic() + 5
        while status() != "paid":
            assert time.monotonic() < deadline, "the flag change never took effect"
        assert payments.pid == pid and payments.alive
    finally:
        payments.stop()
