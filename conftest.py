"""Shared fixtures: a small organisation with one user per role in two branches."""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("PUNKT_DEMO", "0")

from tests.world import (  # noqa: E402, F401
    PASSWORD,
    World,
    make_user,
    make_world,
    stamp_reauthentication,
)


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_truncate_guards() -> Any:
    """After a transactional test Django empties every table with one TRUNCATE; on
    PostgreSQL the append-only tables refuse it (punkt/core/dbguards.py), so the flush
    runs with the triggers off for its transaction, as ``truncate_for_maintenance`` does
    (the tests connect as a superuser; the application's role could not)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def flush(self: Any, sql_list: list[str]) -> None:
        original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _default_language(settings: Any) -> Any:
    """Every test starts in the default language (Polish), whatever an earlier test in the
    same process activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


@pytest.fixture
def client_as(client: Any) -> Any:
    """``client_as(user)`` → a test client signed in as ``user`` (no MFA prompt)."""
    from django.test import Client

    def make(user: Any, *, reauthenticated: bool = True) -> Client:
        c = Client()
        c.force_login(user, backend="punkt.organization.backends.EmployeeBackend")
        if reauthenticated:
            stamp_reauthentication(c, user)
        return c

    return make


@pytest.fixture(autouse=True)
def _no_mfa_enforcement_by_default(settings: Any) -> None:
    """Most tests sign in with force_login; MFA enforcement has its own tests."""
    from django.core.cache import cache

    cache.clear()
    # reports read the primary: a test's rows are in its own transaction, which a
    # replica never sees (tests/replica tests switch it on, core/tests/test_replica.py)
    settings.REPORTS_ON_REPLICA = False
    settings.DEMO_MODE = True
    settings.AXES_ENABLED = True
    # Fast hashing in tests; tests of the real hasher set PASSWORD_HASHERS themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "punkt.core.hashers.PunktArgon2PasswordHasher"]
