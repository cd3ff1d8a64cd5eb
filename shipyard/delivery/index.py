"""A real package index for this kernel: the artifact repository of lesson 06.

    index = start_index()
    index.publish(wheel)                  # twine upload, with the kernel's password
    index.files()                         # {file name: sha256}, as pip sees them
    pip install --index-url {index.simple_url} shop-payments==1.1.0.dev3+g3f2a9c1

pypiserver, started like every course service (127.0.0.1, a port the OS picks, dies with
the kernel); its packages live in the kernel's temp dir. Publishing and installing use the
tools a team uses against its own index: twine, and pip or uv.
"""
import html
import os
import re
import secrets
import sys
import zipfile
from pathlib import Path

import httpx

from shipyard import services
from shipyard.runtime import processes

USER = "ci"  # the index's one uploader, as a team's CI would have


class PublishRefused(RuntimeError):
    """The index (or twine, before it) refused a file; the message says why."""


class PackageIndex(services.Service):
    """pypiserver serving `packages` (see `shipyard.delivery.index_app`)."""

    def __init__(self, name: str = "index"):
        self.password = secrets.token_urlsafe(16)  # made here, known to no one else
        super().__init__(name, services.Spec("shipyard.delivery.index_app:app", ()), {
            "INDEX_USER": USER, "INDEX_PASSWORD": self.password})
        self.packages = self.folder / "packages"
        self.packages.mkdir()
        self.env["INDEX_PACKAGES"] = str(self.packages)

    @property
    def simple_url(self) -> str:
        """What pip's and uv's --index-url take (PEP 503's simple API)."""
        return f"{self.url}/simple/"

    @property
    def credentials(self) -> dict[str, str]:
        """twine's environment variables, as a CI secret would set them."""
        return {"TWINE_REPOSITORY_URL": self.url, "TWINE_USERNAME": USER, "TWINE_PASSWORD": self.password}

    def publish(self, *files: Path, password: str | None = None) -> str:
        """`twine upload` the files; twine's report. Raises PublishRefused with the index's
        answer when it refuses (a wrong password, a version it already holds)."""
        if not files:
            raise PublishRefused("nothing to publish: give at least one file")
        for file in map(Path, files):
            if not file.is_file():
                raise PublishRefused(f"nothing published: there is no file {file}")
            if not zipfile.is_zipfile(file):  # twine would end in a traceback
                raise PublishRefused(f"nothing published: {file.name} is not a wheel (not a zip archive)")
        env = {**self.credentials, **({"TWINE_PASSWORD": password} if password is not None else {})}
        # --verbose: twine then prints the index's answer, which says why it refused.
        done = processes.run([sys.executable, "-m", "twine", "upload", "--non-interactive", "--verbose",
                              "--disable-progress-bar", *map(str, files)], timeout=60,
                             env={**os.environ, **env, "NO_COLOR": "1", "COLUMNS": "500"})  # one line each
        report = done.stdout + done.stderr
        if done.returncode:
            raise PublishRefused(_refusal(report))
        return "\n".join(line for line in report.splitlines() if line.startswith(("Uploading", "View at")))

    def files(self) -> dict[str, str]:
        """Every file the index holds, with the sha256 its simple pages give pip."""
        return {name: digest for name, (_, digest) in self._links().items()}

    def link(self, file: str) -> str | None:
        """Where pip would download `file` from, or None if the index does not hold it."""
        found = self._links().get(file)
        return found[0] if found else None

    def _links(self) -> dict[str, tuple[str, str]]:
        """{file name: (its URL, its sha256)}, read from the simple pages as pip reads them."""
        found = {}
        with httpx.Client(timeout=5) as client:
            root = httpx.URL(self.simple_url)
            for project in re.findall(r'href="([^"]+)"', client.get(root).text):
                page_url = root.join(project)
                for href, name, digest in re.findall(r'href="([^"#]*/([^"/#]+))#sha256=([0-9a-f]{64})"',
                                                      client.get(page_url).text):
                    found[name] = (str(page_url.join(href)), digest)
        return found

    def __repr__(self) -> str:
        return f"<PackageIndex at {self.url}: {len(list(self.packages.iterdir()))} files>"


def start_index(timeout: float = 20) -> PackageIndex:
    index = PackageIndex().launch()
    try:
        return index.wait_healthy(timeout)
    except services.ServiceFailed:
        index.stop()
        raise


def _refusal(report: str) -> str:
    """Why twine or the index refused, in one line: the HTTP status and the index's reason."""
    status = re.search(r"HTTPError: (\d{3} [^\n]*?) from", report)
    reason = re.search(r"<pre>(.*?)</pre>", report, re.DOTALL)
    reason = " ".join(html.unescape(reason.group(1)).split()) if reason else ""
    if status and status.group(1).startswith(("401", "403")):
        reason = "the user or password is not the index's"
    if status:
        return f"the index refused the upload: {status.group(1)}: {reason.split('!')[0] or 'no reason given'}"
    lines = [line.strip() for line in report.splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line]
    return " ".join(errors) or (lines[-1] if lines else "twine failed without a word")
