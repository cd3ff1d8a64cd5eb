"""JupyterLab in a throwaway home, and a notebook in it as a learner's browser sees it."""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shipyard.paths import ROOT

FOLDERS = ("notebooks", "exercises", "solutions")
# Lab settings for tests: every cell in the page (no virtual scrolling), no news pop-ups.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


class JupyterLab:
    """A JupyterLab server on 127.0.0.1, a port of the OS's choosing, a random token, and
    config, data, runtime and workspace folders of its own. It serves a copy of the
    course's notebooks, so nothing a test does reaches the repository."""

    def __init__(self, home: Path):
        self.home, self.token = home, secrets.token_hex(16)
        self.root = home / "course"
        for folder in FOLDERS:
            shutil.copytree(ROOT / folder, self.root / folder)
        for name, values in SETTINGS.items():
            path = home / "settings" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env_dirs = {f"JUPYTER_{kind.upper()}_DIR": str(home / kind) for kind in ("config", "data", "runtime")}
        self.log = home / "lab.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
                 "--ServerApp.port=0", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                 f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}"],
                env={**os.environ, **env_dirs, "IPYTHONDIR": str(home / "ipython")},
                stdout=log, stderr=subprocess.STDOUT)
        self.url = self._wait_for_url(home / "runtime")

    def _wait_for_url(self, runtime: Path, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited:\n{self.log.read_text()[-2000:]}")
            for found in runtime.glob("jpserver-*.json"):
                return json.loads(found.read_text())["url"]
            time.sleep(0.1)
        raise RuntimeError(f"JupyterLab did not start in {timeout} s:\n{self.log.read_text()[-2000:]}")

    def api(self, method: str, path: str) -> httpx.Response:
        return httpx.request(method, f"{self.url}api/{path}", headers={"Authorization": f"token {self.token}"})

    def shut_down_kernels(self) -> None:
        """End every kernel (and so every service a notebook started)."""
        for session in self.api("GET", "sessions").json():
            self.api("DELETE", f"sessions/{session['id']}")

    def stop(self) -> None:
        self.shut_down_kernels()
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Notebook:
    """One notebook open in a browser tab, driven through the menus a learner uses."""

    def __init__(self, page, lab: JupyterLab, path: str):
        self.page, self.path = page, path
        # A workspace of its own: only this notebook open, whatever earlier tabs opened.
        page.goto(f"{lab.url}lab/workspaces/{secrets.token_hex(4)}/tree/{path}?token={lab.token}")
        # Every query below looks only inside the notebook on show.
        self.root = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        self.root.locator(".jp-Cell").first.wait_for(timeout=60_000)
        self.idle.wait_for(timeout=60_000)

    @property
    def idle(self):
        return self.root.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")

    def menu(self, menu: str, item: str, timeout: float = 30) -> None:
        """Choose a menu item, waiting while it is disabled (a kernel still connecting)."""
        deadline = time.monotonic() + timeout
        while True:
            self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
            label = self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$"))
            entry = self.page.locator(".lm-Menu-item").filter(has=label)
            if "lm-mod-disabled" not in (entry.first.get_attribute("class") or ""):
                return entry.first.click()
            self.page.keyboard.press("Escape")
            if time.monotonic() > deadline:
                raise TimeoutError(f"menu {menu} > {item} stayed disabled in {self.path}")
            time.sleep(0.3)

    def prompts(self) -> list[str]:
        return self.root.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()

    def outputs(self) -> list[str]:
        return self.root.locator(".jp-OutputArea-output").all_inner_texts()

    def clear_outputs(self) -> None:
        self.menu("Edit", "Clear Outputs of All Cells")
        self.root.locator(".jp-OutputArea-output").first.wait_for(state="detached")

    def run_all(self, timeout: float = 120) -> None:
        """Run All Cells, then wait until the kernel is idle with no cell queued or running.

        In a freshly started JupyterLab the first notebook's kernel can report idle before
        it accepts work, and Run All is then dropped without a word; nothing has run, so
        choosing it again is safe."""
        deadline = time.monotonic() + timeout
        for attempt in range(3):
            self.menu("Run", "Run All Cells")
            started = time.monotonic()
            while all(p.strip() == "[ ]:" for p in self.prompts()) and time.monotonic() - started < 10:
                time.sleep(0.1)
            if not all(p.strip() == "[ ]:" for p in self.prompts()):
                break
            print(f"Run All was dropped in {self.path}; choosing it again")
        else:
            raise TimeoutError(f"Run All did not start {self.path}")
        settled = 0
        while settled < 3:  # idle and nothing running, three looks in a row
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.path} was still running after {timeout} s: {self.prompts()}")
            busy = any("*" in p for p in self.prompts()) or self.idle.count() == 0
            settled = 0 if busy else settled + 1
            time.sleep(0.2)

    def errors(self) -> list[str]:
        """Tracebacks in the outputs, and cells Run All never reached (it stops at an error)."""
        tracebacks = [text for text in self.outputs() if "Traceback (most recent call last)" in text]
        skipped = [f"cell {i + 1} never ran" for i, p in enumerate(self.prompts()) if p.strip() == "[ ]:"]
        return tracebacks + skipped

    def panels(self):
        """The exercise panels: each a widget box holding a Check button."""
        return self.root.locator(".widget-vbox").filter(has=self.page.locator(".widget-button", has_text="Check"))

    def click_in_panel(self, panel, button: str, timeout: float = 30) -> str:
        """Press a panel button and return the feedback it shows (the old one must go first)."""
        feedback = panel.locator(".shipyard-feedback")
        before = feedback.all_inner_texts()
        panel.locator(".widget-button", has_text=re.compile(f"^{button}$")).click()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = feedback.all_inner_texts()
            if now and now != before:
                return now[-1]
            time.sleep(0.1)
        raise TimeoutError(f"pressing {button} in {self.path} showed no feedback within {timeout} s")
