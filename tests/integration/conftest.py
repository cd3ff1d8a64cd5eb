import pytest

from shipyard import bus
from shipyard.runtime import processes


@pytest.fixture
def broker():
    with bus.start() as started:
        yield started


@pytest.fixture(autouse=True)
def nothing_left_running():
    yield
    processes.stop_all()
