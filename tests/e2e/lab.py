"""JupyterLab in a throwaway home, and a notebook in it as a learner's browser sees it."""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from shipyard.tools.coursemap import jupyter_lab_arguments
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
        # The runtime folder holds the kernels' Unix sockets, whose paths may not pass 107
        # characters: a short folder of its own, not one deep in pytest's temp tree.
        self.runtime = Path(tempfile.mkdtemp(prefix="rt-"))
        env_dirs = {"JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
                    "JUPYTER_RUNTIME_DIR": str(self.runtime)}
        self.log = home / "lab.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                # Started as the README's first command starts it, from the course's folder;
                # the rest only keeps a test server private (no browser of its own, a port of
                # the OS's choosing, its own token and settings).
                [sys.executable, "-m", "jupyterlab", *jupyter_lab_arguments(), "--no-browser", "--allow-root",
                 "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", f"--IdentityProvider.token={self.token}",
                 f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}"],
                cwd=self.root, env={**os.environ, **env_dirs, "IPYTHONDIR": str(home / "ipython")},
                stdout=log, stderr=subprocess.STDOUT)
        self.url = self._wait_for_url(self.runtime)

    def _wait_for_url(self, runtime: Path, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited:\n{self.log.read_text()[-2000:]}")
            for found in runtime.glob("jpserver-*.json"):
                try:
                    return json.loads(found.read_text())["url"]
                except (ValueError, KeyError):
                    pass  # the server is still writing it: the file exists before its JSON does
            time.sleep(0.1)
        raise RuntimeError(f"JupyterLab did not start in {timeout} s:\n{self.log.read_text()[-2000:]}")

    def page_a_browser_opens(self) -> str:
        """The file the server writes for a browser to open (what `jupyter lab` opens
        without --no-browser): it redirects to the notebook the command named."""
        return next(self.runtime.glob("jpserver-file-to-run-*-open.html")).as_uri()

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
        shutil.rmtree(self.runtime, ignore_errors=True)


class Notebook:
    """One notebook open in a browser tab, driven through the menus a learner uses."""

    def __init__(self, page, lab: JupyterLab, path: str):
        self.page, self.path, self.lab = page, path, lab
        # A workspace of its own: only this notebook open, whatever earlier tabs opened.
        page.goto(f"{lab.url}lab/workspaces/{secrets.token_hex(4)}/tree/{path}?token={lab.token}")
        # Every query below looks only inside the notebook on show.
        self.root = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        self.root.locator(".jp-Cell").first.wait_for(timeout=60_000)
        self.idle.wait_for(timeout=60_000)
        self.wait_for_one_steady_kernel()

    def wait_for_one_steady_kernel(self, steady: float = 1.5, timeout: float = 60) -> None:
        """Wait until the server holds one kernel for this notebook, the same one for
        `steady` seconds. A brand-new JupyterLab can start a first kernel and then replace
        it (after asking which kernel to use); cells run before that land in two kernels."""
        deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
        while time.monotonic() < deadline:
            self.handle_dialog()
            kernels = [s["kernel"]["id"] for s in self.lab.api("GET", "sessions").json() if s["path"] == self.path]
            current = kernels[0] if len(kernels) == 1 else None
            if current != last:
                last, since = current, time.monotonic()
            elif current and time.monotonic() - since >= steady:
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.path} never settled on one kernel")

    def handle_dialog(self) -> None:
        """A brand-new JupyterLab can ask which kernel the first notebook should use, before
        it has listed its kernels: a learner presses Select (the notebook's own kernel).
        Any other dialog in the way is a finding, and fails the test."""
        dialog = self.page.locator(".jp-Dialog")
        if not dialog.count():
            return
        text = dialog.first.inner_text()
        if "Select Kernel" not in text:
            raise AssertionError(f"a dialog blocks {self.path}: {text!r}")
        dialog.first.locator(".jp-mod-accept").click()
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
        self._until(lambda: self.menu("Edit", "Clear Outputs of All Cells"),
                    lambda: self.root.locator(".jp-OutputArea-output").count() == 0, "Clear Outputs")

    def _until(self, action, done, what: str, attempts: int = 3, wait: float = 10) -> None:
        """Do `action` until `done()`, a few times, since a menu command given while the
        notebook is still settling can be lost; each action here is safe to repeat while it
        has had no effect."""
        for _ in range(attempts):
            self.handle_dialog()
            action()
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                if done():
                    return
                self.handle_dialog()
                time.sleep(0.1)
            print(f"{what} had no effect in {self.path}; trying again")
        raise TimeoutError(f"{what} had no effect in {self.path} after {attempts} tries")

    def run_all(self, timeout: float = 240) -> None:
        """Run All Cells and wait until the kernel is idle with no cell queued or running.
        The timeout only guards against a hang: while the other test worker runs a
        classroom of six kernels, a lesson here runs several times slower than alone.

        A brand-new JupyterLab sometimes loses a Run All given while the first notebook's
        kernel is still being chosen: nothing runs, or the first cell only, and no error
        is shown. Then Run All is chosen again (the lessons run twice without harm; the
        reliability tests prove it). A run that stopped at a traceback is left as it is."""
        deadline = time.monotonic() + timeout
        for _ in range(3):
            self.handle_dialog()
            self.menu("Run", "Run All Cells")
            self._wait_until_settled(deadline)
            stopped_early = any(p.strip() == "[ ]:" for p in self.prompts())
            if not stopped_early or any("Traceback" in text for text in self.outputs()):
                return
            print(f"Run All stopped early in {self.path} without an error; choosing it again")
        raise TimeoutError(f"Run All kept stopping early in {self.path}: {self.prompts()}")

    def _wait_until_settled(self, deadline: float) -> None:
        started = time.monotonic()
        while all(p.strip() == "[ ]:" for p in self.prompts()) and time.monotonic() - started < 10:
            self.handle_dialog()
            time.sleep(0.1)
        settled = 0
        while settled < 3:  # idle and nothing running, three looks in a row
            if time.monotonic() > deadline:
                status = self.root.locator(".jp-Notebook-ExecutionIndicator").get_attribute("data-status")
                raise TimeoutError(f"{self.path} was still running (kernel {status}): {self.prompts()}")
            self.handle_dialog()
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

    def choices(self):
        """The lesson's multiple-choice challenges: each a widget box with an Answer button."""
        return self.root.locator(".widget-vbox").filter(has=self.page.locator(".widget-button", has_text="Answer"))

    def choose(self, challenge, option: int, timeout: float = 30) -> str:
        """Pick an option of a challenge, press Answer, and return the words it shows."""
        challenge.locator(".widget-radio-box label").nth(option).click()
        return self.click_in_panel(challenge, "Answer", timeout)

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
