import pytest

from shipyard import ci


@pytest.fixture
def server():
    started = ci.start()
    yield started
    started.stop()


@pytest.fixture
def alice(server):
    return server.clone("alice")
