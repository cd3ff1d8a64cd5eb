"""The release log: what happened to which release, when, and who did it.

One JSON line per event, appended, never rewritten: deployed (to an environment), deploy
failed, smoke-tested (passed or not), approved (by whom). The environments read it to decide
what they may run (`shipyard.delivery.environments`); the lesson reads it back as a table.
"""
import json
import time
from pathlib import Path

from shipyard.delivery.releases import Release
from shipyard.paths import workdir

RELEASE_KEYS = ("at", "event", "project", "version", "commit", "wheel", "sha256")


class ReleaseLog:
    def __init__(self, path: Path | None = None):
        self.path = Path(path or workdir() / "releases.jsonl")
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def record(self, event: str, release: Release, **detail) -> dict:
        entry = {"at": time.time(), "event": event, "project": release.project, "version": release.version,
                 "commit": release.commit, "wheel": release.wheel.name, "sha256": release.sha256, **detail}
        with self.path.open("a") as log:
            log.write(json.dumps(entry) + "\n")
        return entry

    def entries(self, release: Release | None = None) -> list[dict]:
        """Every event, oldest first; only one release's if given (by its file's hash)."""
        if not self.path.exists():
            return []
        every = [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]
        return [e for e in every if release is None or (e["version"], e["sha256"]) == (release.version, release.sha256)]

    def has(self, event: str, release: Release, **detail) -> bool:
        return any(e["event"] == event and all(e.get(k) == v for k, v in detail.items())
                   for e in self.entries(release))

    def approve(self, release: Release, by: str) -> dict:
        """The manual gate: `by` approves this release for production (see also
        `shipyard.delivery.gate.approval_button`)."""
        if not by or not by.strip():
            raise ValueError("an approval names who approves")
        return self.record("approved", release, by=by.strip())

    def ready(self) -> list[Release]:
        """Releases that passed staging, newest last: each one anyone may approve and promote."""
        passed = [e for e in self.entries() if e["event"] == "smoke-tested" and e.get("passed")]
        unique = {(e["version"], e["sha256"]): e for e in passed}
        return [Release.from_record(e) for e in unique.values()]

    def table(self, release: Release | None = None) -> list[tuple[str, str, str, str]]:
        """(time, event, version, detail) per event, to read in a notebook."""
        def detail(entry):
            return ", ".join(f"took {v:.2f} s" if k == "seconds" else f"{k}={v}"
                             for k, v in entry.items() if k not in RELEASE_KEYS)
        return [(time.strftime("%H:%M:%S", time.localtime(e["at"])), e["event"], e["version"], detail(e))
                for e in self.entries(release)]
