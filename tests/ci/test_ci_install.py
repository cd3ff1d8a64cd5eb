"""Lesson 05's ci-install.py: pip only for the packages that are missing (offline here)."""
import os
import subprocess
import sys

from shipyard.ci import examples


def install(tmp_path, requirements: str) -> subprocess.CompletedProcess:
    (tmp_path / "requirements-ci.txt").write_text(requirements)
    (tmp_path / "ci-install.py").write_text(examples.CI_INSTALL)
    (tmp_path / "wheels").mkdir()
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path / "wheels"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    return subprocess.run([sys.executable, "ci-install.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **offline})


def test_when_every_package_is_there_pip_is_not_started(tmp_path):
    done = install(tmp_path, examples.REQUIREMENTS)
    names = len(examples.REQUIREMENTS.split())
    assert done.returncode == 0 and done.stdout.strip() == f"{names} of {names} packages were there; pip installed 0"


def test_a_missing_package_is_handed_to_pip_and_the_step_fails_when_pip_cannot_install_it(tmp_path):
    done = install(tmp_path, "pytest\nshipyard-no-such-package\n")
    assert done.returncode != 0 and "shipyard-no-such-package" in done.stderr and "pip" in done.stderr
