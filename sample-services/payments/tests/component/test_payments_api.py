"""The payments service, tested alone through its HTTP API."""
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings

from payments.app import DEFAULTS, build


@pytest.fixture
def client(tmp_path):
    settings = Settings("payments", database_path=str(tmp_path / "payments.sqlite3"), extra=DEFAULTS)
    with TestClient(build(settings)) as client:
        yield client


def test_a_charge_within_the_limit_is_paid(client):
    response = client.post("/payments", json={"order_id": "o-1", "amount_cents": 4900})
    assert response.json() == {"order_id": "o-1", "amount_cents": 4900, "status": "paid"}


def test_a_charge_over_the_limit_is_declined(client):
    assert client.post("/payments", json={"order_id": "o-2", "amount_cents": 50001}).json()["status"] == "declined"


def test_charging_the_same_order_twice_charges_it_once(client):
    first = client.post("/payments", json={"order_id": "o-3", "amount_cents": 100}).json()
    again = client.post("/payments", json={"order_id": "o-3", "amount_cents": 999}).json()
    assert again == first


def test_a_payment_can_be_read_back_and_a_missing_one_is_a_404(client):
    client.post("/payments", json={"order_id": "o-4", "amount_cents": 100})
    assert client.get("/payments/o-4").json()["status"] == "paid"
    assert client.get("/payments/o-5").status_code == 404


@pytest.mark.parametrize("body", [
    {"order_id": "o-6", "amount_cents": -5}, {"order_id": "o-6", "amount_cents": "5"},
    {"order_id": "", "amount_cents": 5}, {"order_id": "o 6; drop", "amount_cents": 5}, {"amount_cents": 5},
])
def test_bad_charges_get_a_422_and_charge_nothing(client, body):
    assert client.post("/payments", json=body).status_code == 422
    assert client.get("/payments/o-6").status_code == 404


def test_health_and_metrics_answer(client):
    assert client.get("/health").json()["status"] == "ok"
    assert "http_requests_total" in client.get("/metrics").text
