"""Build once: one commit, one wheel, its version naming the commit and its hash recorded."""
import re
import zipfile

import pytest

from shipyard.delivery.releases import BuildFailed, build


def test_the_version_names_the_commit_in_pep_440(repo, release):
    sha = repo.sha()
    assert release.commit == sha
    assert re.fullmatch(rf"1\.1\.0\.dev1\+g{sha[:7]}", release.version)
    assert release.wheel.name == f"shop_payments-{release.version}-py3-none-any.whl"


def test_a_later_commit_sorts_higher(repo, release):
    from packaging.version import Version
    repo.git("commit", "-q", "--allow-empty", "-m", "one more")
    later = build(repo.path, "payments")
    assert Version(later.version) > Version(release.version)


def test_the_build_takes_the_committed_files_not_the_working_copy(repo, release):
    (repo.path / "payments" / "payments" / "uncommitted.py").write_text("x = 1\n")
    again = build(repo.path, "payments")
    assert "payments/uncommitted.py" not in zipfile.ZipFile(again.wheel).namelist()


def test_rebuilding_the_same_commit_gives_a_new_file(repo, release):
    again = build(repo.path, "payments")
    assert again.wheel != release.wheel and again.version == release.version


@pytest.mark.parametrize("folder, commit, says", [("payments", "no-such-ref", "has no commit"),
                                                  ("nowhere", "HEAD", "has no nowhere/pyproject.toml")])
def test_a_bad_commit_or_folder_is_refused_in_words(repo, folder, commit, says):
    with pytest.raises(BuildFailed, match=says):
        build(repo.path, folder, commit)


def test_a_service_that_does_not_build_says_why(repo):
    repo.write("payments/pyproject.toml", repo.read("payments/pyproject.toml").replace('name = "shop-payments"', 'name = ""'))
    repo.commit("break the name")
    with pytest.raises(BuildFailed, match="the build of payments at"):
        build(repo.path, "payments")
