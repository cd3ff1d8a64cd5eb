"""A repository holding the payments service at a commit, and a package index, for the
delivery tests."""
import shutil

import pytest

from shipyard.ci.git import Repo
from shipyard.delivery.index import start_index
from shipyard.delivery.log import ReleaseLog
from shipyard.delivery.releases import build
from shipyard.paths import SERVICES


@pytest.fixture
def repo(tmp_path):
    repo = Repo(tmp_path / "payments-repo", "ana")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.copy(SERVICES / "payments", "payments")
    shutil.rmtree(repo.path / "payments" / "tests")
    repo.commit("payments as a repository")
    return repo


@pytest.fixture
def index():
    index = start_index()
    yield index
    index.stop()


@pytest.fixture
def release(repo):
    return build(repo.path, "payments")


@pytest.fixture
def log(tmp_path):
    return ReleaseLog(tmp_path / "releases.jsonl")
