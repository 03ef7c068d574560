"""Errors as the API answers them: always JSON `{"error": "<one line>", "detail": <anything>}`.

InputError -> 400, PermissionDenied -> 403, an unknown id -> 404, a taken id -> 409, request
validation -> 422 (naming each field), an upload over the limit -> 413, database busy -> 503;
anything unexpected -> 500 with a short JSON body (and its trace in the server's log only).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from analytics.api.responses import JSON
from analytics.errors import DatabaseBusy, InputError, PermissionDenied, RiskdeskError

log = logging.getLogger("riskdesk.api")


class ErrorBody(BaseModel):
    """Every error answer."""

    error: str
    detail: Any = None


class ApiError(Exception):
    """An answer other than success, raised by a route."""

    status = 400

    def __init__(self, message: str, detail: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.detail, self.headers = message, detail, headers


class BadInput(ApiError):
    """Input the API cannot use, with what was done for the rest in `detail` (400)."""


class Unauthorized(ApiError):
    """No valid bearer token (401)."""

    status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message, None, {"WWW-Authenticate": "Bearer"})


class NotFound(ApiError):
    """An unknown id (404)."""

    status = 404


class Conflict(ApiError):
    """The id is taken (409)."""

    status = 409


class TooLarge(StarletteHTTPException):
    """A request body over the upload limit (413); an HTTPException so body parsing passes it through."""

    def __init__(self, limit: int) -> None:
        size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit:,} bytes"
        super().__init__(413, f"the request is larger than the upload limit of {size} "
                              "(RISKDESK_MAX_UPLOAD_MB)")


DESCRIPTIONS = {
    400: "bad input (names the field, file or line)",
    401: "no valid bearer token",
    403: "the token's role may not do this",
    404: "unknown id",
    409: "the id is taken",
    413: "upload over the size limit",
    422: "request validation failed (names each field)",
    503: "database busy or unavailable",
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error codes an operation may answer (plus 400/401/403/422/503)."""
    every = sorted({400, 401, 403, 422, 503, *codes})
    return {code: {"model": ErrorBody, "description": DESCRIPTIONS[code]} for code in every}


def body(message: str, detail: Any = None) -> dict[str, Any]:
    """The error JSON."""
    return {"error": " ".join(str(message).split()) or "error", "detail": detail}


def _field(loc: tuple | list) -> str:
    return ".".join(str(p) for p in loc)


def _validation(_request: Request, exc: RequestValidationError) -> JSON:
    problems = [{"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
                for e in exc.errors()]
    head = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5]) or "invalid request"
    return JSON(body(head, problems), status_code=422)


def _http(request: Request, exc: StarletteHTTPException) -> JSON:
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such endpoint: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return JSON(body(message), status_code=exc.status_code, headers=getattr(exc, "headers", None))


def _api(_request: Request, exc: ApiError) -> JSON:
    return JSON(body(exc.message, exc.detail), status_code=exc.status, headers=exc.headers)


def _riskdesk(_request: Request, exc: RiskdeskError) -> JSON:
    if isinstance(exc, PermissionDenied):
        status = 403
    elif isinstance(exc, InputError):
        status = 400
    elif isinstance(exc, DatabaseBusy):
        status = 503
    else:
        log.error("failure: %s", exc)
        status = 500
    return JSON(body(str(exc)), status_code=status)


def _unexpected(request: Request, exc: Exception) -> JSON:
    log.exception("internal failure on %s %s", request.method, request.url.path)
    return JSON(body("internal failure", type(exc).__name__), status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the error JSON."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _api)  # type: ignore[arg-type]
    app.add_exception_handler(RiskdeskError, _riskdesk)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
