"""The README's promises: two commands, and the second is what CI runs."""
import subprocess

import yaml

from shipyard.coursemap import start_commands
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
