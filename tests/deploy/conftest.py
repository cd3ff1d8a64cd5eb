"""Payments' three releases of lesson 07 (as it is, a good change, a bad one), built once for
the session, and a package index holding them; a router and a production behind it per test."""
import pytest

from shipyard import ci
from shipyard.ci.git import Repo
from shipyard.delivery import flags
from shipyard.delivery.index import start_index
from shipyard.delivery.log import ReleaseLog
from shipyard.deploy import RoutedEnvironment, examples, start_router


@pytest.fixture(scope="session")
def three():
    server = ci.start()
    try:
        yield examples.build_three(examples.repository(server))
    finally:
        server.stop()


@pytest.fixture(scope="session")
def index(three):
    index = start_index()
    for release in three:
        index.publish(release.wheel)
    yield index
    index.stop()


@pytest.fixture
def router():
    router = start_router()
    yield router
    router.stop()


@pytest.fixture
def production(index, router, tmp_path):
    """Production behind the router, running the first release."""
    environment = RoutedEnvironment("production", index, ReleaseLog(tmp_path / "releases.jsonl"), router,
                                    env={"FLAGS_PATH": str(flags.write(tmp_path / "flags.json", {}))})
    yield environment
    environment.stop()


@pytest.fixture
def repo(tmp_path):
    """A repository with one commit."""
    repo = Repo(tmp_path / "repo", "ana")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.write("README.md", "payments\n")
    repo.commit("payments as a repository")
    return repo
