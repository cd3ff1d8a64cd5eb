"""Provider contract test: the catalog, alone, answers every request orders' published pact
holds the way orders expects. It runs in the catalog's own build, with no orders anywhere."""
from pathlib import Path

from shop_chassis import Settings
from shop_chassis.testing import serve, verify_pact

from catalog.app import build

PACTS = Path(__file__).resolve().parents[3] / "pacts"  # the shop's pact broker: a folder


def test_the_catalog_honours_the_contract_orders_published(tmp_path):
    app = build(Settings("catalog", database_path=str(tmp_path / "catalog.sqlite3")))
    with serve(app) as url:
        verification = verify_pact("catalog", PACTS / "orders-catalog.json", url)
    assert verification.ok, verification.output
