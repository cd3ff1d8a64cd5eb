"""The delivery workflow's steps that are not one command (this file needs only the standard
library; its build step runs `build` with hatchling, which ci-install.py installs; lesson 06
commits it to the service's repository).

    python ci-deliver.py build payments       build once: dist/<wheel> and dist/release.json
    python ci-deliver.py deploy staging       ask the deploy API to run dist/release.json there
    python ci-deliver.py smoke-test staging   ask it to smoke-test what runs there; fails if it fails

`build` versions the wheel by the commit checked out: the pyproject's version (the release
the team works towards), `.devN` (N commits so far, so a later commit sorts higher), `+g`
and the commit's first 7 hex digits. It needs the whole history (checkout's fetch-depth: 0).
`deploy` and `smoke-test` talk to DEPLOY_API_URL, as a team's pipeline talks to its platform.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

VERSION_LINE = re.compile(r'(?m)^version\s*=\s*"[^"\n]*"')
DIST = Path("dist")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout.strip()


def build(folder: str) -> dict:
    pyproject = Path(folder) / "pyproject.toml"
    text = pyproject.read_text()
    if len(VERSION_LINE.findall(text)) != 1:
        sys.exit(f"{pyproject} must name its version once, as version = \"X.Y.Z\"")
    project = tomllib.loads(text)["project"]
    commit = git("rev-parse", "HEAD")
    version = f"{project['version']}.dev{git('rev-list', '--count', 'HEAD')}+g{commit[:7]}"
    pyproject.write_text(VERSION_LINE.sub(f'version = "{version}"', text))
    try:  # --no-isolation: the build backend comes from this Python, so the build needs no network
        subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(DIST), folder],
                       check=True)
    finally:
        pyproject.write_text(text)  # the working copy as it was
    wheel = next(DIST.glob(f"*-{version}-*.whl"))
    record = {"project": project["name"], "version": version, "commit": commit, "wheel": wheel.name,
              "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()}
    (DIST / "release.json").write_text(json.dumps(record, indent=1))
    print(f"built {wheel.name}\nsha256 {record['sha256']}")
    return record


def ask(path: str, body: dict) -> dict:
    """POST to the deploy API; its JSON answer. Exits with its message if it refuses."""
    url = os.environ.get("DEPLOY_API_URL")
    if not url:
        sys.exit("DEPLOY_API_URL is not set: the workflow gives it from the repository's variables")
    request = urllib.request.Request(url.rstrip("/") + path, json.dumps(body).encode(),
                                     {"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as refused:
        sys.exit(f"refused ({refused.code}): {json.load(refused).get('message', '')}")


def main(command: str, argument: str) -> None:
    if command == "build":
        build(argument)
    elif command == "deploy":
        done = ask(f"/environments/{argument}/deployments", json.loads((DIST / "release.json").read_text()))
        print(f"{done['version']} runs in {argument} at {done['url']} (deployed in {done['seconds']:.2f} s)")
    elif command == "smoke-test":
        done = ask(f"/environments/{argument}/smoke-tests", {})
        print(f"smoke test of {done['version']} in {argument}: {'passed' if done['passed'] else 'FAILED'}"
              + "".join(f"\n  failed: {check}" for check in done["failed"]))
        sys.exit(0 if done["passed"] else 1)
    else:
        sys.exit(f"unknown command {command!r}: build, deploy or smoke-test")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
