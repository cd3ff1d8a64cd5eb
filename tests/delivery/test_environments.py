"""Staging and production: each runs the released file, and production only what staging
passed and someone approved."""
import httpx
import pytest

from shipyard.delivery.environments import DeployRefused, Environment


@pytest.fixture
def published(index, release):
    index.publish(release.wheel)
    return release


def environments(index, log):
    return (Environment("staging", index, log),
            Environment("production", index, log, needs=("staging", "approval")))


def test_a_release_goes_through_staging_and_the_gate_to_production_with_the_same_hash(index, log, published):
    staging, production = environments(index, log)
    try:
        staging.deploy(published)
        assert staging.smoke_test()
        log.approve(published, by="ana")
        production.deploy(published)
        assert staging.sha256 == production.sha256 == published.sha256 == index.files()[published.wheel.name]
        assert httpx.get(production.url + "/health").json()["version"] == published.version
        assert [e["event"] for e in log.entries(published)] == ["deployed", "smoke-tested", "approved", "deployed"]
    finally:
        staging.instance.stop()
        production.instance.stop()


def test_production_refuses_a_release_that_did_not_pass_staging_and_changes_nothing(index, log, published):
    staging, production = environments(index, log)
    log.approve(published, by="ana")
    with pytest.raises(DeployRefused, match="has not passed staging"):
        production.deploy(published)
    try:
        staging.deploy(published)
        assert not staging.smoke_test({"always fails": lambda url: False})
        with pytest.raises(DeployRefused, match="has not passed staging"):
            production.deploy(published)
        assert production.instance is None and log.entries(published)[-1]["event"] == "smoke-tested"
    finally:
        staging.instance.stop()


def test_production_refuses_an_unapproved_release(index, log, published):
    staging, production = environments(index, log)
    try:
        staging.deploy(published)
        staging.smoke_test()
        with pytest.raises(DeployRefused, match="is not approved"):
            production.deploy(published)
    finally:
        staging.instance.stop()


def test_an_approval_names_who_approves(log, release):
    with pytest.raises(ValueError, match="names who approves"):
        log.approve(release, by=" ")


def test_a_release_that_is_not_in_the_index_is_refused(index, log, release):
    staging, _ = environments(index, log)
    with pytest.raises(DeployRefused, match="publish the release first"):
        staging.deploy(release)


def test_a_file_changed_in_the_index_is_refused_and_the_running_version_keeps_running(index, log, published):
    staging, _ = environments(index, log)
    try:
        running = staging.deploy(published)
        stored = index.packages / published.wheel.name
        stored.write_bytes(stored.read_bytes() + b"tampered")
        with pytest.raises(DeployRefused, match="this is not the file that was built and tested"):
            staging.deploy(published)
        assert running.alive and staging.instance is running
    finally:
        staging.instance.stop()


def test_a_redeploy_keeps_the_environments_address(index, log, published, repo):
    from shipyard.delivery.releases import build
    staging, _ = environments(index, log)
    try:
        first = staging.deploy(published).url
        repo.git("commit", "-q", "--allow-empty", "-m", "next")
        newer = build(repo.path, "payments")
        index.publish(newer.wheel)
        assert staging.deploy(newer).url == first
        assert httpx.get(first + "/health").json()["version"] == newer.version
    finally:
        staging.instance.stop()
