import pytest

from shipyard import services


@pytest.fixture(autouse=True)
def nothing_left_running():
    yield
    services.stop_all()
