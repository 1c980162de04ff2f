"""RFC 9457 problem details for every error the API returns, each with a stable ``type``.

Domain errors carry their own type slug; framework errors (malformed JSON, a body that does not
fit the schema, an oversized body, an unknown route) are mapped to slugs here. The ``type`` is
``/problems/<slug>``, which also serves a page explaining the problem. Titles and details are
translated into the request's locale.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    SerializationException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from ballots.errors import N_, DomainError
from vote.i18n import gettext_, localise

PROBLEM_MEDIA_TYPE = "application/problem+json"
DEFAULT_RETRY_AFTER = 60

FRAMEWORK_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", N_("The request is malformed")),
    401: ("not-authenticated", N_("Please log in")),
    403: ("forbidden", N_("Not allowed")),
    404: ("not-found", N_("Not found")),
    405: ("method-not-allowed", N_("Method not allowed")),
    413: ("body-too-large", N_("The request body is too large")),
    429: ("too-many-requests", N_("Too many requests")),
}


class Problem(msgspec.Struct, omit_defaults=True):
    """An RFC 9457 problem details object (``errors`` lists field-level problems)."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[dict[str, Any]] = msgspec.field(default_factory=list)
    params: dict[str, Any] = msgspec.field(default_factory=dict)


def problem_type(slug: str) -> str:
    """The stable type URI of a problem."""
    return f"/problems/{slug}"


def problem_for(error: DomainError) -> Problem:
    """The translated problem for a domain error."""
    errors = [_error_item(item) for item in getattr(error, "errors", [])]
    detail_params = dict(error.params)
    if errors and "first" in detail_params:  # the first of the listed errors, as translated
        detail_params["first"] = errors[0].get("message", detail_params["first"])
    params = {key: value for key, value in detail_params.items() if _jsonable(value)}
    return Problem(
        type=problem_type(error.type),
        title=gettext_(error.title),
        status=error.status,
        detail=localise(error.detail_msgid, detail_params) if error.detail_msgid else "",
        errors=errors,
        params=params,
    )


def _error_item(item: object) -> dict[str, Any]:
    """One listed error; a message kept as a template (roster errors) is translated."""
    data: dict[str, Any] = msgspec.to_builtins(item)
    template = data.pop("template", "")
    params = data.pop("params", {})
    if template:
        data["message"] = localise(template, params)
    return data


def _jsonable(value: object) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def problem_response(problem: Problem, request: Request[Any, Any, Any]) -> Response[bytes]:
    problem.instance = problem.instance or str(request.url.path)
    return Response(
        msgspec.json.encode(problem),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def domain_error_handler(request: Request[Any, Any, Any], error: DomainError) -> Response[bytes]:
    response = problem_response(problem_for(error), request)
    seconds = retry_after(error)
    if seconds is not None:
        response.headers["retry-after"] = str(seconds)
    return response


def retry_after(error: DomainError) -> int | None:
    """Whole seconds until a refused request may be retried (a 429's ``Retry-After``).

    Taken from the error's ``retry_after`` attribute, else its ``seconds`` parameter; a 429
    without either still says when: after a minute.
    """
    if error.status not in (429, 503):
        return None
    value = getattr(error, "retry_after", None)
    if value is None:
        value = error.params.get("seconds")
    if value is None:
        return DEFAULT_RETRY_AFTER
    try:
        return max(1, math.ceil(float(value)))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def http_error_handler(request: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    status = error.status_code
    slug, title = FRAMEWORK_PROBLEMS.get(status, ("error", N_("The request failed")))
    detail = ""
    errors: list[dict[str, Any]] = []
    if isinstance(error, ValidationException):
        slug, title = _classify_validation(error)
        detail = _validation_detail(error)
        errors = [e for e in (error.extra or []) if isinstance(e, dict)]
    elif isinstance(error, NotFoundException | NotAuthorizedException | PermissionDeniedException):
        detail = ""
    elif status == 400 and _is_malformed_json(error):
        slug, title = "malformed-json", N_("The body is not valid JSON")
        detail = str(error.detail)  # the parser's own words, like the field errors below
    elif status == 413:
        detail = gettext_(N_("The request body is larger than this endpoint accepts."))
    problem = Problem(
        type=problem_type(slug),
        title=gettext_(title),
        status=status,
        detail=detail,
        errors=errors,
    )
    response = problem_response(problem, request)
    if error.headers:
        response.headers.update(error.headers)
    return response


def _classify_validation(error: ValidationException) -> tuple[str, str]:
    text = str(error.detail).lower()
    if "malformed" in text or "json is malformed" in text or "invalid json" in text:
        return "malformed-json", N_("The body is not valid JSON")
    sources = {item.get("source") for item in error.extra or [] if isinstance(item, dict)}
    if sources and "body" not in sources:  # a path or query parameter out of range
        return FRAMEWORK_PROBLEMS[400]
    return "invalid-body", N_("The body does not match the expected fields")


def _is_malformed_json(error: HTTPException) -> bool:
    """Litestar reports an undecodable body as a plain 400 raised from a SerializationException
    (its detail is msgspec's message, e.g. "Input data was truncated")."""
    text = str(error.detail).lower()
    return isinstance(error.__cause__, SerializationException) or "malformed" in text


def _validation_detail(error: ValidationException) -> str:
    parts = []
    for item in error.extra or []:
        if isinstance(item, dict) and item.get("message"):
            key = item.get("key")
            parts.append(f"{key}: {item['message']}" if key else str(item["message"]))
    return "; ".join(parts) or str(error.detail)


def internal_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    request.logger.exception("unhandled error", exc_info=error)
    problem = Problem(
        type=problem_type("internal-error"),
        title=gettext_(N_("Something went wrong on our side")),
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        detail=gettext_(
            N_("Nothing was changed. Please try again; if it persists, tell the committee.")
        ),
    )
    return problem_response(problem, request)
