"""One shape for anything that serves a service at an address: a process started by the
interpreter or forked by the zygote (`services.Service`), a group behind one address
(`services.Replicas`, lesson 07's router), a container (lesson 08). Deploy strategies,
checkers and plots take an `Instance` and never ask which kind it is."""
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import httpx

READY, NOT_READY, NOT_ANSWERING = "ready", "not ready", "not answering"


@runtime_checkable
class Instance(Protocol):
    name: str
    url: str  # where callers reach it: http://127.0.0.1:PORT

    @property
    def alive(self) -> bool: ...  # is any process (or container) of it running?

    @property
    def ids(self) -> list[str]: ...  # its processes' pids, or its containers' ids

    def logs(self, lines: int = 20) -> str: ...

    def health(self, timeout: float = 1) -> str: ...  # READY, NOT_READY or NOT_ANSWERING

    def stop(self, timeout: float = 5) -> None: ...

    def kill(self) -> None: ...

    def restart(self, env: Mapping[str, str] | None = None, timeout: float = 20) -> "Instance": ...


def health(url: str, timeout: float = 1) -> str:
    """What GET /health at `url` says: READY (200), NOT_READY (any other answer, such as the
    chassis's 503 while a dependency is missing) or NOT_ANSWERING (refused, or no answer
    within `timeout` seconds: the address may be held while nothing serves it)."""
    try:
        answer = httpx.get(f"{url}/health", timeout=timeout, verify=False)  # plain HTTP on loopback: no CA bundle
    except httpx.HTTPError:
        return NOT_ANSWERING
    return READY if answer.status_code == 200 else NOT_READY
