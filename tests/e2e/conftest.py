"""Browser tests: real JupyterLab, real headless Chromium (Debian's), driven by Playwright.

Where no browser can be had, the tests skip with one line saying why; CI sets
SHIPYARD_REQUIRE_BROWSER=1 after installing Chromium, so there a missing browser fails.
"""
import os
from pathlib import Path

import pytest

from lab import JupyterLab, Notebook
from shipyard.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / ".e2e-screenshots"


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    missing = _missing_browser()
    if missing:
        if os.environ.get("SHIPYARD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here, but {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1000})
        yield context
        context.close()


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    server = JupyterLab(tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_in_call = report.failed
    return report


@pytest.fixture
def open_notebook(browser, lab, request):
    """Open a notebook (path relative to the course) in a new tab; screenshot it if the test
    fails; close the tab and shut its kernel down after."""
    pages = []

    def open_(path: str) -> Notebook:
        page = browser.new_page()
        pages.append(page)
        return Notebook(page, lab, path)

    yield open_
    if getattr(request.node, "failed_in_call", False):
        SCREENSHOTS.mkdir(exist_ok=True)
        for i, page in enumerate(pages):
            shot = SCREENSHOTS / f"{request.node.name}-{i}.png".replace("/", "_")
            page.screenshot(path=shot, full_page=True)
            print(f"screenshot of the failure: {shot}")
        print("JupyterLab's log ends:\n" + "\n".join(lab.log.read_text().splitlines()[-30:]))
    for page in pages:
        page.close()
    lab.shut_down_kernels()


def course_notebooks(folder: str) -> list[str]:
    return sorted(f"{folder}/{path.name}" for path in (ROOT / folder).glob("*.ipynb"))


