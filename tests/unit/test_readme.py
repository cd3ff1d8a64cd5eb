"""The README's promises: two commands, and the second is what CI runs."""
import re
import subprocess
import tomllib

import yaml

from shipyard.tools.coursemap import start_commands
from shipyard.paths import ROOT

README = (ROOT / "README.md").read_text()


def test_the_readme_gives_exactly_two_set_up_commands_one_to_open_and_one_to_test():
    open_course, run_tests = start_commands()
    assert "jupyter lab" in open_course and "pip install" in open_course
    assert "pytest" in run_tests and '.[test]' in run_tests


def test_ci_runs_the_readmes_test_command():
    printed = subprocess.run(["bash", ".ci/run", "--print-test-command"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
    assert printed == start_commands()[1]


def test_the_github_workflow_runs_the_same_script():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    steps = workflow["jobs"]["test"]["steps"]
    assert any(step.get("run") == "bash .ci/run" for step in steps)


def test_the_readme_links_the_benchmark_the_contributors_page_and_has_troubleshooting():
    assert "(BENCHMARK.md)" in README and "## Troubleshooting" in README
    assert "(CONTRIBUTING.md)" in README and (ROOT / "CONTRIBUTING.md").exists()


def test_the_python_versions_promised_are_exactly_those_the_courses_ci_tests():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    tested = workflow["jobs"]["test"]["strategy"]["matrix"]["python-version"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    classified = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")]
    assert classified == tested
    assert project["requires-python"] == f">={tested[0]}"
    assert re.findall(r"Python (3\.\d+) or newer", README) and set(re.findall(r"Python (3\.\d+) or newer", README)) == {tested[0]}
    assert f"tests Python {' and '.join(tested)}" in README
