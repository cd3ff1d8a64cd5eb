"""Lesson 00's environment check: what this machine has. Packages are read from what is installed
(importlib.metadata: importing them all would take seconds); the broker, git and Docker are asked."""
import importlib.metadata
import os
import platform
import shutil
import sys
from dataclasses import dataclass

PACKAGES = ["jupyterlab", "ipywidgets", "fastapi", "uvicorn", "httpx", "matplotlib", "nats-py", "docker", "nbval", "pact-python"]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def where() -> str:
    if "BINDER_LAUNCH_HOST" in os.environ or "BINDER_REQUEST" in os.environ:
        return "Binder"
    if "JUPYTERHUB_SERVICE_PREFIX" in os.environ:
        return "JupyterHub"
    return "your own machine"


def docker_engine() -> Check:
    try:
        import docker

        version = docker.from_env(timeout=2).version()["Version"]
        return Check("Docker engine", True, f"version {version} answers")
    except Exception as error:  # no engine is normal: say so, in one line
        return Check("Docker engine", False, f"none answers ({type(error).__name__}); every lesson runs "
                     "as local processes, and needs none")


def broker() -> Check:
    from shipyard.bus import BrokerFailed, server_binary

    try:
        return Check("NATS server", True, f"{server_binary()}: lesson 03 starts it")
    except BrokerFailed as missing:
        return Check("NATS server", False, str(missing))


def git() -> Check:
    found = shutil.which("git")
    return Check("git", bool(found), f"{found}: lesson 05's CI server builds real repositories"
                 if found else "not found: install git for lesson 05 (the CI server builds git repositories)")


def checks() -> list[Check]:
    found = [Check("Python", sys.version_info >= (3, 11), f"{platform.python_version()} (3.11 or newer needed)"),
             Check("Running on", True, where())]
    for package in PACKAGES:
        try:
            found.append(Check(package, True, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            found.append(Check(package, False, "missing: run the README's first command again"))
    return [*found, broker(), git(), docker_engine()]


class Report(list):
    """A list of checks that shows itself as a table."""

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{'✔' if c.ok else '–'}</td><td>{c.name}</td><td>{c.detail}</td></tr>" for c in self)
        return f"<table><tr><th></th><th>what</th><th>found</th></tr>{rows}</table>"

    def __repr__(self) -> str:
        return "\n".join(f"{'ok ' if c.ok else ' - '} {c.name}: {c.detail}" for c in self)


def report() -> Report:
    return Report(checks())
