"""The package index: a real pypiserver that holds each published file once, for good."""
import subprocess
import sys

import httpx
import pytest

from shipyard.delivery.index import PublishRefused, start_index
from shipyard.delivery.releases import sha256


def test_a_published_wheel_is_listed_with_its_sha256_and_pip_can_download_it(index, release, tmp_path):
    index.publish(release.wheel)
    assert index.files() == {release.wheel.name: release.sha256}
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                           "--index-url", index.simple_url, "-d", str(tmp_path / "got"), release.requirement],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert sha256(tmp_path / "got" / release.wheel.name) == release.sha256


def test_uploading_needs_the_kernels_password_and_a_wrong_one_publishes_nothing(index, release):
    with pytest.raises(PublishRefused, match="403 Forbidden: the user or password is not the index's"):
        index.publish(release.wheel, password="guessed")
    assert index.files() == {}


def test_a_published_version_can_never_be_overwritten(index, release, tmp_path):
    index.publish(release.wheel)
    other = tmp_path / release.wheel.name
    other.write_bytes(release.wheel.read_bytes() + b"\0")  # other bytes, same name
    with pytest.raises(PublishRefused, match="400 Bad Request: Package .* already exists"):
        index.publish(other)
    assert index.files() == {release.wheel.name: release.sha256}


@pytest.mark.parametrize("content, says", [(None, "there is no file"), (b"not a zip", "is not a wheel")])
def test_a_missing_or_corrupt_file_is_refused_in_words(index, tmp_path, content, says):
    wheel = tmp_path / "shop_payments-1.0.0-py3-none-any.whl"
    if content is not None:
        wheel.write_bytes(content)
    with pytest.raises(PublishRefused, match=says):
        index.publish(wheel)
    assert index.files() == {}


def test_downloads_are_open_and_an_unknown_package_is_not_fetched_from_elsewhere(index):
    assert httpx.get(index.simple_url).status_code == 200
    assert httpx.get(index.simple_url + "requests/").status_code == 404  # no fallback to pypi.org


def test_each_index_has_its_own_password_and_packages(release):
    first, second = start_index(), start_index()
    try:
        first.publish(release.wheel)
        assert first.password != second.password
        assert second.files() == {}
    finally:
        first.stop()
        second.stop()
