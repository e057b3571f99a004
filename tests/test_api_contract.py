"""C30: every API operation documents its responses; generated input never causes a 500."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from punkt.wsgi import application

# Business rules (duplicate code, postal-code format…) legitimately refuse some
# schema-valid input with 422, so "positive data acceptance" is not checked.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def keep_connection() -> Any:
    """Calls go straight to the WSGI app, not through Django's test client, so stop the
    request signals from closing the test transaction's connection (as the client does)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world: Any, keep_connection: Any) -> str:
    from punkt.organization.services import api_token_create

    _t, secret = api_token_create(actor=world.admin, name="schemathesis")
    return secret


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_every_operation_documents_its_errors() -> None:
    import json

    from django.test import Client

    spec = json.loads(Client().get("/api/openapi.json").content)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"401", "403", "422"} <= codes, (method, path, codes)
            if "{" in path:
                assert "404" in codes, (method, path, codes)
