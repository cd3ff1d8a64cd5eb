"""The sample repositories lesson 05 builds: a sample service as a repository of its own,
with the workflow the lesson writes for it."""
from shipyard.ci.git import Repo
from shipyard.paths import SERVICES

# The packages a service's CI installs (names only): already in the course's Python; on
# GitHub, setup-python's fresh Python has none of them.
REQUIREMENTS = ("ruff\npytest\nfastapi\nuvicorn\nhttpx\nnats-py\npact-python\nprometheus-client\n"
                "openfeature-sdk\nopenfeature-provider-flagd\n")  # the chassis reads feature flags with them

# Every job runs this first: pip only for what is missing. On GitHub, where each job starts
# on a fresh machine, that is everything; in this course's Python, nothing, and the step
# costs one Python start instead of pip's start and its look at every package.
CI_INSTALL = '''"""Install the packages requirements-ci.txt names, unless they are all there already."""
import importlib.metadata
import subprocess
import sys
from pathlib import Path

names = Path("requirements-ci.txt").read_text().split()
missing = []
for name in names:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        missing.append(name)
if missing:  # --no-warn-conflicts: pip's check of every other installed package only warns
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-warn-conflicts", *missing], check=True)
print(f"{len(names) - len(missing)} of {len(names)} packages were there; pip installed {len(missing)}")
'''

PAYMENTS_WORKFLOW = """\
name: payments
on:
  push:
    branches: [main]
  pull_request:
    branches: [main]
env:
  PYTEST_DISABLE_PLUGIN_AUTOLOAD: "1"  # only the plugins the tests ask for: a faster start
jobs:
  lint:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install what the checks need
        run: python ci-install.py
      - name: Lint with ruff
        run: ruff check payments chassis
  unit:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install what the checks need
        run: python ci-install.py
      - name: Unit tests
        working-directory: payments
        run: python -m pytest -q tests/unit
      - name: Say which commit broke the build
        if: failure()
        run: git log -1 --format="%h by %an, %s"
  integration:
    needs: [lint, unit]  # the slow tests only once the fast checks are green
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install what the checks need
        run: python ci-install.py
      - name: Component and contract tests
        working-directory: payments
        run: python -m pytest -q tests/component tests/contract
"""


def service_repository(repo: Repo, service: str) -> Repo:
    """Fill a clone with one sample service as its own repository: the service and its
    tests, the chassis it builds on, the published pacts and message schemas, the shop's lint rules, the
    packages its CI installs and the script that installs them."""
    for folder in (service, "chassis", "pacts", "contracts"):
        if (SERVICES / folder).is_dir():  # contracts: the message schemas services publish
            repo.copy(SERVICES / folder, folder)
    repo.write("ruff.toml", (SERVICES / "ruff.toml").read_text())
    repo.write("requirements-ci.txt", REQUIREMENTS)
    repo.write("ci-install.py", CI_INSTALL)
    return repo
