"""The chassis' health routes: alive whenever the process answers, ready only while its
database reads; /health answers for the platform as readiness does."""
import pytest
from fastapi.testclient import TestClient
from shop_chassis import Settings, create_app


def make_table(conn):
    conn.execute("CREATE TABLE IF NOT EXISTS things (id TEXT)")


@pytest.fixture
def disk(tmp_path):
    (tmp_path / "disk").mkdir()
    return tmp_path / "disk"


@pytest.fixture
def client(disk):
    app = create_app(Settings("demo", database_path=str(disk / "demo.sqlite3")), "1.2.3", [], make_table)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("path", ["/health", "/health/live", "/health/ready"])
def test_every_health_route_says_ok_with_the_service_and_version_while_the_database_reads(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "demo", "version": "1.2.3"}


@pytest.mark.parametrize("path", ["/health", "/health/ready"])
def test_a_database_folder_that_went_away_makes_the_service_unready_with_a_json_503(client, disk, path):
    disk.rename(disk.with_name("away"))
    response = client.get(path)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "unable to open database file" in response.json()["detail"]


def test_liveness_still_says_ok_when_the_database_cannot_be_opened(client, disk):
    disk.rename(disk.with_name("away"))
    assert client.get("/health/live").json()["status"] == "ok"


def test_a_file_that_is_not_a_database_makes_the_service_unready(client, disk):
    for file in disk.iterdir():
        file.unlink()
    (disk / "demo.sqlite3").write_bytes(b"this is not a database" * 200)
    response = client.get("/health/ready")
    assert response.status_code == 503 and "not a database" in response.json()["detail"]


def test_readiness_comes_back_when_the_database_does(client, disk):
    away = disk.rename(disk.with_name("away"))
    assert client.get("/health/ready").status_code == 503
    away.rename(disk)
    assert client.get("/health/ready").status_code == 200


def test_openapi_documents_each_health_route_with_its_status_codes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/health/live"]["get"]["responses"]) == {"200"}
    for path in ("/health", "/health/ready"):
        assert {"200", "503"} <= set(paths[path]["get"]["responses"])
        example = paths[path]["get"]["responses"]["503"]["content"]["application/json"]["example"]
        assert example["status"] == "unavailable"


def test_health_requests_are_counted_per_route_in_the_metrics(client):
    client.get("/health/live")
    client.get("/health/ready")
    metrics = client.get("/metrics").text
    assert 'route="/health/live"' in metrics and 'route="/health/ready"' in metrics
