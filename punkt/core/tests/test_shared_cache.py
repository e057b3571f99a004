"""The production cache: Redis (``PUNKT_REDIS_URL``) with sessions read from it first.

Needs Redis on loopback (as PostgreSQL, it runs on the CI machine); skipped elsewhere
unless CI=true, where its absence fails the run."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from django.test import Client, override_settings

REDIS = os.environ.get("PUNKT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_settings() -> Any:
    if not _reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is required in CI (CI=true) but is not reachable on 6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                "LOCATION": REDIS, "KEY_PREFIX": f"punkt-test-{os.getpid()}"}},
            SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        from django.core.cache import cache
        cache.clear()
        yield
        cache.clear()


def test_a_session_is_read_from_redis_and_signing_out_ends_it_everywhere(
        world: Any, redis_settings: Any, django_assert_max_num_queries: Any) -> None:
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    c = Client()
    c.force_login(world.service_a, backend="punkt.organization.backends.EmployeeBackend")
    key = c.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()  # written to the database too
    assert c.get("/api/v1/me").json()["email"] == world.service_a.email
    # Another worker (a fresh client with the same cookie) finds it in Redis: the request
    # reads no session row, only the employee with their access.
    other = Client()
    other.cookies["sessionid"] = key
    with django_assert_max_num_queries(1):
        assert other.get("/api/v1/me").status_code == 200
    assert c.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    assert other.get("/api/v1/me").status_code == 401


def test_deploy_check_warns_of_a_per_process_cache(settings: Any) -> None:
    from punkt.core.checks import CACHE_PER_PROCESS, shared_cache_in_production

    settings.REDIS_URL = ""
    assert [w.id for w in shared_cache_in_production()] == [CACHE_PER_PROCESS]
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert shared_cache_in_production() == []
