"""The delivery workflow of lesson 06, and the repository it runs in.

On every push to main: the tests, then build once, publish the wheel to the index, deploy it
to staging and smoke-test it there. Production is not in it: that takes an approval
(`ReleaseLog.approve`) and a promotion from the kernel. Valid GitHub Actions: the index's
URL and the deploy API's come from the repository's variables, the index's password from its
secrets, as on GitHub.
"""
from pathlib import Path

from shipyard.ci import examples
from shipyard.ci.git import Repo
from shipyard.delivery import ci_deliver

REQUIREMENTS = examples.REQUIREMENTS + "build\nhatchling\ntwine\n"

WORKFLOW = """\
name: delivery
on:
  push:
    branches: [main]
env:
  PYTEST_DISABLE_PLUGIN_AUTOLOAD: "1"  # only the plugins the tests ask for: a faster start
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install what the pipeline needs
        run: python ci-install.py
      - name: Unit and component tests
        working-directory: payments
        run: python -m pytest -q tests/unit tests/component
  release:
    needs: test
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the version counts the commits
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install what the pipeline needs
        run: python ci-install.py
      - name: Build once
        run: python ci-deliver.py build payments
      - name: Publish to the index
        run: python -m twine upload --non-interactive --disable-progress-bar dist/*.whl
        env:
          TWINE_REPOSITORY_URL: ${{ vars.INDEX_URL }}
          TWINE_USERNAME: ci
          TWINE_PASSWORD: ${{ secrets.INDEX_PASSWORD }}
      - name: Deploy to staging
        run: python ci-deliver.py deploy staging
        env:
          DEPLOY_API_URL: ${{ vars.DEPLOY_API_URL }}
      - name: Smoke-test staging
        run: python ci-deliver.py smoke-test staging
        env:
          DEPLOY_API_URL: ${{ vars.DEPLOY_API_URL }}
"""


def delivery_repository(repo: Repo, workflow: str | None = WORKFLOW, service: str = "payments") -> Repo:
    """Fill a clone with a service as its own repository (as lesson 05 did), the packages its
    pipeline installs, the script of its build and deploy steps, and its delivery workflow
    (none if `workflow` is None)."""
    examples.service_repository(repo, service)
    repo.write("requirements-ci.txt", REQUIREMENTS)
    repo.write("ci-deliver.py", Path(ci_deliver.__file__).read_text())
    if workflow is not None:
        repo.write(".github/workflows/delivery.yml", workflow)
    return repo
