"""Health, asked two ways: is the process alive, and is it ready for traffic?

Kubernetes' two probes ask those two questions: a failed liveness probe restarts the
container, a failed readiness probe only takes it out of the load balancer until it
answers again. A database that cannot be opened is a reason not to send traffic, not a
reason to restart the process, so only readiness looks at it.
"""
import sqlite3
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from shop_chassis import db


class Health(BaseModel):
    status: Literal["ok"]
    service: str
    version: str


class Unready(BaseModel):
    status: Literal["unavailable"]
    service: str
    version: str
    detail: str  # what went wrong


def database_problem(path: str) -> str | None:
    """None when the database opens and its first page reads; else what went wrong."""
    try:
        conn = db.connect(path)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the file, not just opens it
        finally:
            conn.close()
    except sqlite3.Error as error:
        return f"database: {error}"
    return None


def health_router(service: str, version: str, database_path: str) -> APIRouter:
    router = APIRouter(tags=["operations"])
    unready = {503: {"model": Unready, "description": "Not ready: its database cannot be read",
                     "content": {"application/json": {"example": {
                         "status": "unavailable", "service": service, "version": version,
                         "detail": "database: unable to open database file"}}}}}

    def ready() -> Health:
        problem = database_problem(database_path)
        if problem:
            return JSONResponse({"status": "unavailable", "service": service, "version": version,
                                 "detail": problem}, status_code=503)
        return {"status": "ok", "service": service, "version": version}

    router.add_api_route(
        "/health", ready, methods=["GET"], responses=unready,
        summary="Health for the platform: the same answer as /health/ready",
        response_description="Ready: the process answers and its database reads")
    router.add_api_route(
        "/health/ready", ready, methods=["GET"], responses=unready, summary="Readiness: send it traffic?",
        response_description="Ready: the process answers and its database reads")

    @router.get("/health/live", summary="Liveness: is the process answering at all?",
                response_description="Alive: answers whenever the process can answer HTTP")
    def live() -> Health:
        return {"status": "ok", "service": service, "version": version}

    return router
