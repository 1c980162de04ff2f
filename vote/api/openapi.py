"""The OpenAPI document made truthful, in one pass over what Litestar generates.

Litestar documents the routes, parameters and bodies from their types. This step adds what it
cannot know: who may call each operation (security schemes, from the ``actor`` dependency),
every error status an operation can answer with the problem+json body actually sent, the
``Retry-After`` header of a 429 or 503, closed request objects (``additionalProperties: false``
where unknown fields are refused), integer formats, and the bodies of raw uploads and non-JSON
answers (CSV/XLSX rosters, PDF invitations, the JSON Lines board).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.routes import HTTPRoute

from ballots.invitations import Invitation
from ballots.models.bounds import ID_MAX
from vote.problems import PROBLEM_MEDIA_TYPE, Problem
from vote.web import SESSION_COOKIE

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A chair's API token (POST /api/v1/auth/tokens) or login session token.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The login cookie of the chair's console.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "With the login cookie, every change also needs the session's CSRF token.",
    },
}

READ_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
WRITE_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"session": [], "csrf": []}]

ERROR_DESCRIPTIONS = {
    400: "The request is malformed: bad JSON, a field or parameter out of range.",
    401: "Not logged in, or the login or voting code is wrong.",
    403: (
        "Not allowed: outside your units, your role, an invalid voting code or CSRF token, or a "
        "login session whose chair must first choose their own password "
        "(password-change-required)."
    ),
    404: "No such resource (or not public yet).",
    409: "Not possible in the current state (already voted, not open, already exists…).",
    413: "The request body is larger than this endpoint accepts.",
    422: "The input is well-formed but breaks a rule (invalid answer, roster errors…).",
    429: "Too many failed attempts; retry after ``Retry-After`` seconds.",
    503: "Busy; retry after ``Retry-After`` seconds.",
}

RETRY_AFTER = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer", "format": "int32", "minimum": 1},
}

# Errors beyond the general rules (see _error_statuses), by (method, path).
EXTRA_ERRORS: dict[tuple[str, str], set[int]] = {
    ("POST", "/api/v1/auth/login"): {401, 422, 429, 503},
    ("POST", "/api/v1/ballots/{ballot_id}/casts"): {403, 409, 422, 429},
    ("POST", "/api/v1/ballots/{ballot_id}/voter-status"): {403, 422, 429},
    ("POST", "/api/v1/meetings/{meeting_id}/check-in"): {403, 409, 422, 429},
    ("GET", "/api/v1/ballots/{ballot_id}/result"): {409},
    ("GET", "/api/v1/ballots/{ballot_id}/board/proof"): {422},
    ("GET", "/api/v1/ballots/{ballot_id}/board/consistency"): {422},
    ("GET", "/api/v1/units/{unit_id}/residents"): {422},
    ("POST", "/api/v1/meetings/{meeting_id}/attendance"): {429},
    ("POST", "/api/v1/meetings/{meeting_id}/speaker-sign-ups"): {403, 409, 422, 429},
    ("POST", "/api/v1/meetings/{meeting_id}/speaker-sign-ups/withdraw"): {403, 409, 422, 429},
    ("POST", "/api/v1/notices/{notice_id}/opinions"): {403, 409, 422, 429},
}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"type": "string", "format": "binary"}
RAW_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/units/{unit_id}/roll"): {
        "description": "The roster file as the raw body (CSV in UTF-8, or an XLSX workbook).",
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}, XLSX: {"schema": BINARY}},
    },
}

INVITATIONS = {
    "description": "The invitations issued (credentials are shown only here); a PDF with "
    "``?format=pdf``.",
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Invitation"}}
        },
        "application/pdf": {"schema": BINARY},
    },
}
NON_JSON_ANSWERS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/ballots/{ballot_id}/invitations"): {
        "201": INVITATIONS,
        "204": {"description": "A PDF was asked for and nobody needed an invitation."},
    },
    ("POST", "/api/v1/ballots/{ballot_id}/electors/{resident_id}/reissue"): {"201": INVITATIONS},
    ("GET", "/api/v1/ballots/{ballot_id}/board"): {
        "200": {
            "description": "The board: one JSON event per line (docs/bulletin-board.md).",
            "content": {"application/jsonl": {"schema": {"type": "string"}}},
        }
    },
}

_TYPED_SEGMENT = re.compile(r"\{(\w+):\w+\}")


class RefinedJsonRenderPlugin(JsonRenderPlugin):
    """Serves /schema/openapi.json, refined."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        refine_openapi(request.app, openapi_schema)
        return super().render(request, openapi_schema)


class RefinedYamlRenderPlugin(YamlRenderPlugin):
    """Serves /schema/openapi.yaml, refined."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        refine_openapi(request.app, openapi_schema)
        return super().render(request, openapi_schema)


def refine_openapi(app: Litestar, schema: dict[str, Any]) -> None:
    """Refine the app's generated (and cached) OpenAPI document in place, once."""
    if schema.get("x-refined"):
        return
    components = schema.setdefault("components", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    schemas = components.setdefault("schemas", {})
    _, extra = msgspec.json.schema_components(
        [Problem, Invitation], ref_template="#/components/schemas/{name}"
    )
    for name, definition in extra.items():
        schemas.setdefault(name, definition)
    closed: set[str] = set()
    for method, path, handler in _operations(app):
        operation = schema["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue
        # A public route may share a router (and its path) with chairs' routes: it is secured
        # only when it takes the actor.
        secured = (
            "actor" in handler.resolve_dependencies()
            and "actor" in handler.parsed_fn_signature.parameters
        )
        if secured:
            operation["security"] = READ_SECURITY if method == "GET" else WRITE_SECURITY
        else:
            operation["security"] = []
        if (method, path) in RAW_BODIES:
            operation["requestBody"] = RAW_BODIES[(method, path)]
        operation["responses"].update(NON_JSON_ANSWERS.get((method, path), {}))
        _document_errors(operation, method, path, secured)
        closed |= _closed_structs(handler)
    for name, definition in schemas.items():
        if definition.get("title") in closed or name in closed:
            definition["additionalProperties"] = False
    _refine_integers(schema)
    schema["x-refined"] = True


def _operations(app: Litestar) -> list[tuple[str, str, Any]]:
    found: list[tuple[str, str, Any]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = _TYPED_SEGMENT.sub(r"{\1}", route.path)
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            for method in handler.http_methods:
                found.append((str(method), path, handler))
    return found


def _error_statuses(operation: dict[str, Any], method: str, path: str, secured: bool) -> set[int]:
    statuses = set(EXTRA_ERRORS.get((method, path), set()))
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(400)
    if "{" in path:
        statuses.add(404)
    if operation.get("requestBody"):
        statuses.add(413)
    if secured:
        statuses |= {401, 403}
        if method != "GET":
            statuses |= {404, 409, 422}
    return statuses


def _document_errors(operation: dict[str, Any], method: str, path: str, secured: bool) -> None:
    responses = operation.setdefault("responses", {})
    for status in sorted(_error_statuses(operation, method, path, secured)):
        response: dict[str, Any] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if status in (429, 503):
            response["headers"] = {"Retry-After": RETRY_AFTER}
        responses[str(status)] = response


def _closed_structs(handler: Any) -> set[str]:
    """Names of the Structs in the handler's request body that refuse unknown fields."""
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return set()
    names: set[str] = set()
    stack = [msgspec.inspect.type_info(data.annotation)]
    seen: set[int] = set()
    while stack:
        info = stack.pop()
        if id(info) in seen:
            continue
        seen.add(id(info))
        if isinstance(info, msgspec.inspect.StructType):
            if info.forbid_unknown_fields:
                names.add(info.cls.__name__)
            stack.extend(field.type for field in info.fields)
        elif isinstance(info, msgspec.inspect.UnionType):
            stack.extend(info.types)
        elif isinstance(info, msgspec.inspect.CollectionType):
            stack.append(info.item_type)
        elif isinstance(info, msgspec.inspect.DictType):
            stack.extend((info.key_type, info.value_type))
    return names


def _refine_integers(node: Any) -> None:
    """Give every integer a format (int32 when bounded to 32 bits, else int64) and integral
    bounds, and move bounds Litestar puts beside a ``oneOf`` into its integer branch."""
    if isinstance(node, list):
        for item in node:
            _refine_integers(item)
        return
    if not isinstance(node, dict):
        return
    for key in ("minimum", "maximum"):
        if isinstance(node.get(key), float) and node[key].is_integer():
            node[key] = int(node[key])
    branches = node.get("oneOf") or node.get("anyOf")
    if branches and ("minimum" in node or "maximum" in node):
        for branch in branches:
            if isinstance(branch, dict) and branch.get("type") == "integer":
                for key in ("minimum", "maximum"):
                    if key in node:
                        branch[key] = node[key]
        node.pop("minimum", None)
        node.pop("maximum", None)
    if node.get("type") == "integer" and "format" not in node:
        low, high = node.get("minimum", -(2**31) - 1), node.get("maximum", ID_MAX + 1)
        bounded = low >= -(2**31) and high <= ID_MAX
        node["format"] = "int32" if bounded else "int64"
    for value in node.values():
        _refine_integers(value)
