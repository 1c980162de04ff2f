"""The OpenAPI document against the running app: schemathesis generates valid and invalid requests
for every operation, without a login and with a chair's API token, on SQLite and PostgreSQL, and
every answer must be a documented status with the documented content type and body, never a 5xx.

The examples are bounded (``MAX_EXAMPLES`` per operation and mode) so the whole run takes a few
minutes on two cores; Hypothesis keeps no database of examples between runs. A stateful run then
chains operations along the links schemathesis infers from the document, with a chair's token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from litestar import Litestar
from litestar.testing import AsyncTestClient
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.vote.helpers import World, bearer, login
from vote.app import create_app
from vote.settings import Settings

MAX_EXAMPLES = 12

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


async def _chair_token(settings: Settings, world: World) -> str:
    """An API token of the demo street chair, made through the API on an app of its own."""
    async with AsyncTestClient(app=create_app(settings)) as client:
        session_token = await login(client, "chair", world.info.totp_secret)
        response = await client.post(
            "/api/v1/auth/tokens", json={"name": "contract"}, headers=bearer(session_token)
        )
        assert response.status_code == 201, response.text
        return str(response.json()["token"])


@pytest.fixture
def contract_token(settings: Settings, seeded: Any) -> str:
    world: World = asyncio.run(_world(settings, seeded))
    return asyncio.run(_chair_token(settings, world))


async def _world(settings: Settings, seeded: Any) -> World:
    from tests.vote.helpers import Db, build_world

    return await build_world(Db(settings.database_url), seeded[1])


@pytest.fixture
def contract_app(settings: Settings) -> Iterator[Litestar]:
    yield create_app(settings)
    shutdown_lifespans()


def run_contract(app: Litestar, headers: dict[str, str]) -> None:
    """Every operation, valid and invalid data; all failures reported together."""
    api = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 35
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @CONTRACT_SETTINGS
            def check(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:  # nothing to make invalid: no parameters and no body
                continue
            except (Exception, BaseExceptionGroup) as error:  # every operation runs; all listed
                failures.append(f"{operation.label} [{mode}]: {error}")
    assert not failures, "\n\n".join(failures)


CONTRACT_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


def test_api_matches_its_document_without_login(contract_app: Litestar) -> None:
    run_contract(contract_app, {})


def test_api_matches_its_document_with_a_chair_token(
    contract_app: Litestar, contract_token: str
) -> None:
    run_contract(contract_app, bearer(contract_token))


def test_chained_calls_match_the_document(contract_app: Litestar, contract_token: str) -> None:
    """Stateful: schemathesis links operations (a created unit's id into the unit routes, a
    matter's into its ballots, ...) from the document and chains real answers into later calls."""
    api = schemathesis.openapi.from_asgi("/schema/openapi.json", contract_app)
    machine = api.as_state_machine()
    assert machine.bundles, "schemathesis found no links between operations to chain"
    headers = bearer(contract_token)

    calls: list[str] = []

    class WithChairToken(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            calls.append(f"{case.method} {case.formatted_path}")
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS[:-1])

    WithChairToken.run(
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
    assert len(calls) >= MAX_EXAMPLES
