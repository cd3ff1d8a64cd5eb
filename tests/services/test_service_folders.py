"""Each sample service is a project of its own: package, tests, README and Dockerfile."""
import importlib
import re
import tomllib

import pytest

from shipyard.paths import SERVICES
from shipyard.services import SHOP


@pytest.mark.parametrize("name", sorted(SHOP))
def test_each_service_is_an_installable_package_that_brings_its_server(name):
    project = tomllib.loads((SERVICES / name / "pyproject.toml").read_text())["project"]
    assert project["name"] == f"shop-{name.removeprefix('shop-')}"
    assert any(dependency.startswith("uvicorn") for dependency in project["dependencies"])
    assert any(dependency.startswith("shop-chassis") for dependency in project["dependencies"])


@pytest.mark.parametrize("name", sorted(SHOP))
def test_each_service_has_its_own_tests_readme_and_dockerfile(name):
    folder = SERVICES / name
    assert list((folder / "tests").rglob("test_*.py")) and (folder / "README.md").exists()
    assert "/health" in (folder / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(SHOP))
def test_each_dockerfile_serves_the_app_the_course_starts_and_installs_without_network(name):
    dockerfile = (SERVICES / name / "Dockerfile").read_text()
    served = re.search(r'CMD \["uvicorn", "([\w.]+:\w+)"', dockerfile).group(1)
    assert served == SHOP[name].app
    module, attribute = served.split(":")
    assert hasattr(importlib.import_module(module), attribute)
    assert "--no-index" in dockerfile and "HEALTHCHECK" in dockerfile


def test_the_shop_passes_its_own_lint_rules():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=SERVICES, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
