"""Provider contract test: payments, alone, answers every request orders' published pact
holds the way orders expects. It runs in payments' own build, with no orders anywhere."""
from pathlib import Path

from shop_chassis import Settings
from shop_chassis.testing import serve, verify_pact

from payments.app import DEFAULTS, build

PACTS = Path(__file__).resolve().parents[3] / "pacts"  # the shop's pact broker: a folder


def test_payments_honours_the_contract_orders_published(tmp_path):
    app = build(Settings("payments", database_path=str(tmp_path / "payments.sqlite3"), extra=DEFAULTS))
    with serve(app) as url:
        verification = verify_pact("payments", PACTS / "orders-payments.json", url)
    assert verification.ok, verification.output
