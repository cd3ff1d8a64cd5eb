"""What every service's HTTP API shares: one error body, the answers the chassis itself gives
(documented in every operation they can come from), a 405 that names every method of its
path, and JSON's own idea of an integer.

A service documents only its own refusals, with `refusals({404: "Unknown product"})`; the
chassis adds to every operation of its OpenAPI document the answers it gives before a
service's code runs:

    400  the body is not JSON text that can be read (bytes that are not UTF-8, say)
    413  the body is larger than the limit
    422  the body or a parameter does not match the schema (FastAPI's list of errors)

400 and 413 where an operation takes a body; 422 where it takes a body or parameters. (A GET
sent with a body over the limit is refused with 413 as well: a request its document does not
describe, since an operation without a requestBody takes none.)
"""
import math
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import validation_error_definition, validation_error_response_definition
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field
from shop_chassis.limits import BodyTooLarge
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

REF = "#/components/schemas/"
FASTAPI_PARSE_ERROR = "There was an error parsing the body"  # FastAPI's 400, whatever the cause
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Error(BaseModel):
    """Every refusal a service words itself, and the chassis' own: one sentence for a person."""

    detail: str = Field(description="What was wrong with the request", examples=["unknown product 'teapot'"])


def refusals(described: dict[int, str]) -> dict[int, dict]:
    """A route's `responses=`: each status it answers on its own, with the Error body."""
    return {status: {"model": Error, "description": why} for status, why in described.items()}


def _whole_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# JSON has numbers, not integers: to JSON Schema (the language of OpenAPI) 417.0 is the integer
# 417, and so it is to JavaScript. A field of this type takes what its document calls an
# integer, 417 or 417.0, and nothing else: 417.5, "417" and true are still refused.
WholeNumber = Annotated[int, BeforeValidator(_whole_number), Field(strict=True)]


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict:
    return {"description": description, "content": _json({"$ref": REF + "Error"})}


def describe_chassis_answers(document: dict, max_body_bytes: int) -> dict:
    """Add the chassis' own answers to every operation of an OpenAPI document (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", Error.model_json_schema())
    schemas.setdefault("ValidationError", validation_error_definition)
    schemas.setdefault("HTTPValidationError", validation_error_response_definition)
    operations = [item[method] for item in document.get("paths", {}).values() for method in METHODS if method in item]
    known = {operation.get("operationId") for operation in operations}
    for operation in operations:
        _drop_links_to_missing_operations(operation, known)
        _add_chassis_answers(operation, max_body_bytes)
    return document


def _drop_links_to_missing_operations(operation: dict, known: set) -> None:
    """A router shared by several apps (the monolith's) may link to operations only some have."""
    for answer in operation.get("responses", {}).values():
        links = answer.get("links", {})
        for name in [name for name, link in links.items() if link.get("operationId") not in known]:
            del links[name]
        if "links" in answer and not links:
            del answer["links"]


def _add_chassis_answers(operation: dict, max_body_bytes: int) -> None:
    answers, reads_body = operation.setdefault("responses", {}), "requestBody" in operation
    if reads_body:
        answers.setdefault("400", _error("The body is not JSON text that can be read (not UTF-8, say)"))
        answers.setdefault("413", _error(f"The request body is larger than {max_body_bytes} bytes"))
    if reads_body or operation.get("parameters"):
        invalid = {"$ref": REF + "HTTPValidationError"}
        declared = answers.setdefault("422", {"description": "Validation Error", "content": _json(invalid)})
        content = declared.setdefault("content", _json({}))["application/json"]
        if content.get("schema") != invalid:  # the service answers 422 itself too: either body
            content["schema"] = {"anyOf": [invalid, content.get("schema", {})]}
            declared["description"] += ", or a request that does not match the schema (Validation Error)"
    operation["responses"] = dict(sorted(answers.items()))


def _unreadable(cause: BaseException | None) -> HTTPException:
    """What to answer for a body FastAPI could not read (it says only 400, whatever the cause)."""
    for error in getattr(cause, "exceptions", ()):  # an exception group, from a middleware's task group
        if isinstance(error, BodyTooLarge):
            cause = error
    if isinstance(cause, BodyTooLarge):  # a body streamed past the limit, with no Content-Length to tell
        return cause
    if isinstance(cause, UnicodeDecodeError):
        return HTTPException(400, "the body is not JSON: it is not UTF-8 text")
    if isinstance(cause, RecursionError):
        return HTTPException(400, "the body is not JSON this service reads: it nests too deeply")
    return HTTPException(400, "the body could not be read as JSON")


def allowed_methods(request: Request, tried: str) -> str:
    """The Allow header of a 405: the methods of the route Starlette tried (`tried`) and of
    every path of the OpenAPI document that matches the request's path."""
    methods = {method.strip() for method in tried.split(",") if method.strip()}
    asked = request.scope["path"].removeprefix(request.scope.get("root_path", ""))  # as the router sees it
    for path, item in request.app.openapi().get("paths", {}).items():
        if compile_path(path)[0].match(asked):
            methods |= {method.upper() for method in item if method in METHODS}
    return ", ".join(sorted(methods))


async def chassis_http_errors(request: Request, exc: HTTPException):
    """FastAPI's own handler, with two answers put right: a 405's Allow header lists every
    method of the path (Starlette names only those of the first route it tried), and a body
    that cannot be read gets the documented Error saying why (or 413, if it was too large)."""
    if exc.status_code == 405:
        headers = dict(exc.headers or {})
        headers["Allow"] = allowed_methods(request, headers.get("Allow", ""))
        exc = HTTPException(405, exc.detail, headers=headers)
    elif exc.status_code == 400 and exc.detail == FASTAPI_PARSE_ERROR:
        exc = _unreadable(exc.__cause__)
    return await http_exception_handler(request, exc)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and Infinity, which Python reads in a body, cannot be written back as JSON
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


async def chassis_validation_errors(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, whose errors quote the input: that input may be a NaN, which is no JSON."""
    return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))}, status_code=422)


def document_and_answer(app: FastAPI, max_body_bytes: int) -> None:
    """Install the chassis' error handling and the OpenAPI document that describes it."""
    app.add_exception_handler(HTTPException, chassis_http_errors)
    app.add_exception_handler(RequestValidationError, chassis_validation_errors)
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            describe_chassis_answers(generate(), max_body_bytes)  # generate() caches it in app.openapi_schema
        return app.openapi_schema

    app.openapi = openapi
