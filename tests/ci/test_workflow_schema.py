"""Every workflow the course writes is valid against GitHub's published workflow schema
(check-jsonschema's built-in `vendor.github-workflows`: offline, nothing fetched)."""
import os
import subprocess
import sys

import pytest

from shipyard.ci import examples, teamwork
from shipyard.delivery import pipeline as delivery
from shipyard.deploy import pipeline as deployment
from shipyard.exercises.notebooks import solution_code
from shipyard.paths import ROOT


def solution_workflow() -> str:
    namespace: dict = {}
    exec(solution_code("05-continuous-integration", "catalog_workflow"), namespace)
    return namespace["catalog_workflow"]


WORKFLOWS = {
    "lesson 05's payments workflow": lambda: examples.PAYMENTS_WORKFLOW,
    "lesson 05's teamwork workflow": lambda: teamwork.WORKFLOW,
    "exercise 05's solution": solution_workflow,
    "lesson 06's delivery workflow": lambda: delivery.WORKFLOW,
    "lesson 07's continuous deployment workflow": lambda: deployment.WORKFLOW,
    "the course's own .github/workflows/ci.yml": lambda: (ROOT / ".github/workflows/ci.yml").read_text(),
}


def validate(text: str, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "workflow.yml"
    path.write_text(text)
    # A proxy that answers nothing: if the validator ever tried the network, it would fail here.
    offline = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "no_proxy": ""}
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(path)], capture_output=True, text=True, timeout=120, env={**os.environ, **offline})


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_workflow_is_valid_against_githubs_workflow_schema(name, tmp_path):
    checked = validate(WORKFLOWS[name](), tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_workflow_with_a_misspelt_key_is_refused_by_the_schema(tmp_path):
    checked = validate(examples.PAYMENTS_WORKFLOW.replace("runs-on:", "runs_on:", 1), tmp_path)
    assert checked.returncode == 1 and "runs_on" in checked.stdout + checked.stderr
