"""Traffic: requests sent while something happens, each one recorded.

    with Traffic({"browse": ("GET", catalog_url + "/products", None)}) as traffic:
        service.restart()
    traffic.failed("browse"), traffic.unavailable("browse")

The load is open-loop, as real users arrive: each capability's requests leave on a fixed
schedule (`rate` a second) whether or not earlier ones have answered, so a stalled service
meets as many requests as a healthy one would. (A closed loop, where each client waits
for its answer before sending again, sends almost nothing while the service stalls, and
so under-counts the outage.) It is bounded: each request is abandoned at its deadline,
and nothing is sent after `longest` seconds.

A request fails when it errors, answers 5xx, or has no answer within `deadline` seconds:
a user who waits longer than that has given up, so a late answer counts as no answer.
"""
import asyncio
import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

Request = tuple[str, str, dict | None]  # method, url, json body


@dataclass(frozen=True)
class Record:
    capability: str
    started: float  # when it was sent, in seconds since the traffic began
    seconds: float  # how long it took (about the deadline, when it was abandoned)
    ok: bool  # a non-5xx answer within the deadline


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
    """Open-loop load: per capability, one request every 1/`rate` seconds, on schedule. A
    capability is a request, or a function that makes each one (a new order every time, say)."""

    def __init__(self, capabilities: dict[str, Request], rate: float = 25, deadline: float = 0.3,
                 longest: float = 60):
        self.capabilities, self.rate, self.deadline, self.longest = capabilities, rate, deadline, longest
        self.records: list[Record] = []
        self.marks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        # No connection is reused: each request is a new user, with a connection of its own.
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=self.deadline) as client:
            await asyncio.gather(*(self._arrivals(client, name, request)
                                   for name, request in self.capabilities.items()))

    async def _arrivals(self, client: httpx.AsyncClient, capability: str, request: Request) -> None:
        sent = []
        for k in itertools.count():
            due = k / self.rate  # on the schedule, not after the last answer: open loop
            if due >= self.longest:
                break
            await asyncio.sleep(max(0.0, self.began + due - time.perf_counter()))
            if self._stop.is_set():
                break
            sent.append(asyncio.create_task(self._one(client, capability, request)))
        await asyncio.gather(*sent)

    async def _one(self, client: httpx.AsyncClient, capability: str, request: Request | Callable[[], Request]) -> None:
        method, url, body = request() if callable(request) else request  # a function: a new request each time
        started, ok = time.perf_counter(), False
        try:
            async with asyncio.timeout(self.deadline):  # the whole request, not each phase
                ok = (await client.request(method, url, json=body)).status_code < 500
        except (httpx.HTTPError, TimeoutError):
            pass
        took = time.perf_counter() - started
        self.records.append(Record(capability, started - self.began, took, ok and took <= self.deadline))

    def mark(self, label: str) -> None:
        """Note when something happened (e.g. 'redeploy started'), for the plots."""
        self.marks[label] = time.perf_counter() - self.began

    def __enter__(self) -> "Traffic":
        self.began = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()  # the requests in flight end by their deadline
        self.records.sort(key=lambda record: record.started)

    def during(self, action, settle: float = 0.3):
        """Let traffic flow, run `action`, let it flow again; marks "started"/"finished"."""
        with self:
            self._stop.wait(settle)
            self.mark("started")
            action()
            self.mark("finished")
            self._stop.wait(settle)
        return self

    def _of(self, capability: str) -> list[Record]:
        return [r for r in self.records if r.capability == capability]

    def sent(self, capability: str) -> int:
        return len(self._of(capability))

    def failed(self, capability: str) -> int:
        return sum(not r.ok for r in self._of(capability))

    def too_slow(self, capability: str) -> int:
        """Failed requests that got no answer within the deadline (the rest were refused or
        answered 5xx)."""
        return sum(not r.ok and r.seconds >= self.deadline for r in self._of(capability))

    def outages(self, capability: str) -> list[tuple[float, float]]:
        """The stretches of time the capability did not work, as (from, to) in seconds since
        the traffic began: from a failed request's sending to the sending of the next one that
        succeeded (or one interval past the last request, if none did)."""
        stretches, down_since = [], None
        records = self._of(capability)
        for record in records:
            if not record.ok and down_since is None:
                down_since = record.started
            elif record.ok and down_since is not None:
                stretches.append((down_since, record.started))
                down_since = None
        if down_since is not None:
            stretches.append((down_since, records[-1].started + 1 / self.rate))
        return stretches

    def unavailable(self, capability: str) -> float:
        """Seconds the capability did not work (the outages added up), to within 1/rate."""
        return sum(end - start for start, end in self.outages(capability))
