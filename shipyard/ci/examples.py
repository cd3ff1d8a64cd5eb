"""The sample repositories lesson 05 builds: a sample service as a repository of its own,
with the workflow the lesson writes for it."""
from shipyard.ci.git import Repo
from shipyard.paths import SERVICES

# The packages a service's CI installs: already in the course's Python, so here pip finds
# them and downloads nothing; on GitHub it installs them.
REQUIREMENTS = "ruff\npytest\nfastapi\nuvicorn\nhttpx\nnats-py\npact-python\nprometheus-client\n"

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
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install what the checks need
        # pip's check of every installed package for conflicts only warns, and takes seconds
        run: pip install -q --no-warn-conflicts -r requirements-ci.txt
      - name: Lint with ruff
        run: ruff check payments chassis
      - name: Unit tests
        working-directory: payments
        run: python -m pytest -q tests/unit
      - name: Component and contract tests
        working-directory: payments
        run: python -m pytest -q tests/component tests/contract
      - name: Say which commit broke the build
        if: failure()
        run: git log -1 --format="%h by %an, %s"
"""


def service_repository(repo: Repo, service: str) -> Repo:
    """Fill a clone with one sample service as its own repository: the service and its
    tests, the chassis it builds on, the published pacts, the shop's lint rules and the
    packages its CI installs."""
    for folder in (service, "chassis", "pacts"):
        repo.copy(SERVICES / folder, folder)
    repo.write("ruff.toml", (SERVICES / "ruff.toml").read_text())
    repo.write("requirements-ci.txt", REQUIREMENTS)
    return repo
