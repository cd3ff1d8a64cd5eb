"""Prometheus metrics: requests counted and timed per route, exposed at /metrics."""
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest


def instrument(app: FastAPI, service: str) -> None:
    # One registry per app, so several apps in one process (tests, the monolith) never clash.
    registry = CollectorRegistry()
    requests = Counter("http_requests_total", "HTTP requests answered",
                       ["service", "method", "route", "status"], registry=registry)
    latency = Histogram("http_request_duration_seconds", "Time to answer an HTTP request",
                        ["service", "method", "route"], registry=registry)

    @app.middleware("http")
    async def count_and_time(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        latency.labels(service, request.method, route).observe(time.perf_counter() - started)
        requests.labels(service, request.method, route, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
