"""Traffic: requests sent while something happens, each one recorded.

    with Traffic({"browse": ("GET", catalog_url + "/products", None)}) as traffic:
        service.restart()
    traffic.failed("browse")

A request fails when it errors, answers 5xx, or takes longer than `slo` seconds: a user who
waits longer than that has given up, so a slow answer counts as no answer.
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

Request = tuple[str, str, dict | None]  # method, url, json body


@dataclass(frozen=True)
class Record:
    capability: str
    started: float  # seconds since the traffic began
    seconds: float  # how long it took (at most the SLO, when it gave up)
    ok: bool


def send(client: httpx.Client, request: Request) -> bool:
    method, url, body = request
    try:
        return client.request(method, url, json=body).status_code < 500
    except httpx.HTTPError:
        return False


def works(request: Request, timeout: float = 2) -> bool:
    """One request: did it get a non-5xx answer in time?"""
    with httpx.Client(timeout=timeout) as client:
        return send(client, request)


def probe(requests: dict[str, Request], timeout: float = 2) -> dict[str, bool]:
    """`works` for several requests at once, so hung ones are waited for together."""
    with ThreadPoolExecutor(len(requests)) as pool:
        answers = pool.map(lambda request: works(request, timeout), requests.values())
        return dict(zip(requests, answers))


def burst(requests: list[Request], workers: int = 8, timeout: float = 5) -> list[tuple[int, dict]]:
    """Send the requests `workers` at a time; each one's (status, JSON body), status 0 when
    no answer came."""
    def one(client: httpx.Client, request: Request) -> tuple[int, dict]:
        method, url, body = request
        try:
            response = client.request(method, url, json=body)
            return response.status_code, response.json()
        except (httpx.HTTPError, ValueError) as error:
            return 0, {"detail": repr(error)}

    with httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=workers)) as client, \
            ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda request: one(client, request), requests))


def timed(requests: list[Request], timeout: float = 5) -> list[float]:
    """Send the requests one after another; each one's time in milliseconds."""
    times = []
    with httpx.Client(timeout=timeout) as client:
        for request in requests:
            started = time.perf_counter()
            if not send(client, request):
                raise RuntimeError(f"{request[0]} {request[1]} failed while timing it")
            times.append((time.perf_counter() - started) * 1000)
    return times


class Traffic:
    """One thread per capability, each sending its request again and again until stopped."""

    def __init__(self, capabilities: dict[str, Request], slo: float = 0.3, pause: float = 0.01):
        self.capabilities, self.slo, self.pause = capabilities, slo, pause
        self.records: list[Record] = []
        self.marks: dict[str, float] = {}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(name, request), daemon=True)
                         for name, request in capabilities.items()]

    def _loop(self, capability: str, request: Request) -> None:
        with httpx.Client(timeout=self.slo) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                ok = send(client, request)
                took = time.perf_counter() - started
                self.records.append(Record(capability, started - self.began, took, ok and took <= self.slo))
                self._stop.wait(self.pause)

    def mark(self, label: str) -> None:
        """Note when something happened (e.g. 'redeploy started'), for the plots."""
        self.marks[label] = time.perf_counter() - self.began

    def __enter__(self) -> "Traffic":
        self.began = time.perf_counter()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def during(self, action, settle: float = 0.5):
        """Let traffic flow, run `action`, let it flow again; marks "started"/"finished"."""
        with self:
            self._stop.wait(settle)
            self.mark("started")
            action()
            self.mark("finished")
            self._stop.wait(settle)
        return self

    def failed(self, capability: str) -> int:
        return sum(not r.ok for r in self.records if r.capability == capability)

    def sent(self, capability: str) -> int:
        return sum(r.capability == capability for r in self.records)
