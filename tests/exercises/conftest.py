import pytest

from shipyard import services


@pytest.fixture(scope="session", autouse=True)
def stop_services_at_the_end():
    yield
    services.stop_all()
