"""What the OpenAPI document says, checked directly: who may call what, the problem+json errors,
bounded ids and texts, closed request objects, and OPTIONS answering every method."""

from __future__ import annotations

from typing import Any

from tests.vote.helpers import Client, World

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


async def document(client: Client) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_operations_say_who_may_call_them(client: Client, world: World) -> None:
    doc = await document(client)
    assert set(doc["components"]["securitySchemes"]) == {"bearer", "session", "csrf"}
    paths = doc["paths"]
    assert paths["/api/v1/ballots/{ballot_id}/casts"]["post"]["security"] == []
    assert paths["/api/v1/auth/login"]["post"]["security"] == []
    assert {"bearer": []} in paths["/api/v1/units"]["get"]["security"]
    assert {"session": [], "csrf": []} in paths["/api/v1/units"]["post"]["security"]
    assert {"session": []} in paths["/api/v1/units"]["get"]["security"]


async def test_every_error_is_a_documented_problem(client: Client, world: World) -> None:
    doc = await document(client)
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            errors = {code for code in operation["responses"] if code.startswith(("4", "5"))}
            for code in errors:
                content = operation["responses"][code]["content"]
                assert content == {"application/problem+json": {"schema": PROBLEM_REF}}, (
                    method,
                    path,
                    code,
                )
            if operation["security"]:
                assert {"401", "403"} <= errors, (method, path)
            if "{" in path:
                assert "404" in errors, (method, path)
    login = doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["429"]
    assert login["headers"]["Retry-After"]["schema"]["type"] == "integer"


async def test_ids_texts_and_request_objects_are_bounded(client: Client, world: World) -> None:
    doc = await document(client)
    schemas = doc["components"]["schemas"]
    matter_in = schemas["MatterIn"]
    assert matter_in["additionalProperties"] is False
    unit_id = matter_in["properties"]["unit_id"]
    assert unit_id == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "format": "int32"}
    assert matter_in["properties"]["title"]["maxLength"] == 300
    assert schemas["BallotDraft"]["properties"]["title"]["maxLength"] == 300
    path_id = doc["paths"]["/api/v1/ballots/{ballot_id}"]["get"]["parameters"][0]["schema"]
    assert path_id["maximum"] == 2**31 - 1
    assert schemas["UnitOut"]["properties"]["id"]["format"] == "int64"


async def test_non_json_bodies_are_documented(client: Client, world: World) -> None:
    paths = (await document(client))["paths"]
    roll = paths["/api/v1/units/{unit_id}/roll"]["post"]["requestBody"]["content"]
    assert "text/csv" in roll
    invitations = paths["/api/v1/ballots/{ballot_id}/invitations"]["post"]["responses"]["201"]
    assert {"application/json", "application/pdf"} <= set(invitations["content"])
    board = paths["/api/v1/ballots/{ballot_id}/board"]["get"]["responses"]["200"]
    assert set(board["content"]) == {"application/jsonl"}
    result = paths["/api/v1/ballots/{ballot_id}/result"]["get"]["responses"]["200"]
    assert result["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BallotResult"
    }


async def test_options_lists_every_method(client: Client, world: World) -> None:
    for path in ("/api/v1/matters", "/api/v1/units", "/api/v1/auth/tokens"):
        response = await client.options(path)
        assert response.status_code == 204
        allowed = {method.strip() for method in response.headers["allow"].split(",")}
        assert {"GET", "POST", "OPTIONS"} <= allowed, (path, allowed)
