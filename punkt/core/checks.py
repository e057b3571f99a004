"""Deployment checks of our own (``punkt check --deploy --database default``, run with
the application's settings and ``DATABASE_URL``): on PostgreSQL the application must
connect as a role that owns none of its tables and may not truncate them — migrations
run as the owner (``docs/deployment.md``). A database check: Django runs it only when a
database is named, so the plain ``check --deploy`` of CI, which connects as the owner,
is not affected, and ``migrate`` never runs deploy checks."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import connections

OWNS = "punkt.W101"
TRUNCATES = "punkt.W102"
DEMO_IN_PRODUCTION = "punkt.W110"
CACHE_PER_PROCESS = "punkt.W111"
SEAL_KEY_IS_SECRET_KEY = "punkt.W112"
REPLICA_NOT_POSTGRES = "punkt.E120"


def _tables(connection: Any) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


@checks.register(checks.Tags.database, deploy=True)
def application_role_owns_no_tables(databases: Any = None, **kwargs: Any) -> list[Any]:
    found: list[Any] = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        tables = _tables(connection)
        if not tables:
            continue
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT c.relname, pg_has_role(c.relowner, 'MEMBER'),
                       has_table_privilege(c.oid, 'TRUNCATE'), current_user
                FROM pg_class c
                WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(%s)
                  AND pg_table_is_visible(c.oid)""", [tables])
            rows = cursor.fetchall()
        if not rows:
            continue
        role = rows[0][3]
        owned = [r[0] for r in rows if r[1]]
        truncatable = [r[0] for r in rows if r[2] and not r[1]]
        if owned:
            found.append(checks.Warning(
                f"The database role {role!r} ({alias}) owns (or may act as the owner of) "
                f"{len(owned)} of the application's tables, e.g. {owned[0]}: as the owner "
                "it can TRUNCATE, ALTER or disable the append-only guards.",
                hint="Run migrations as the owner role and serve the application as a "
                     "role that only has SELECT, INSERT, UPDATE and DELETE "
                     "(docs/deployment.md).", id=OWNS))
        if truncatable:
            found.append(checks.Warning(
                f"The database role {role!r} ({alias}) may TRUNCATE {len(truncatable)} of "
                f"the application's tables, e.g. {truncatable[0]}.",
                hint="REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM the application "
                     "role (docs/deployment.md).", id=TRUNCATES))
    return found


@checks.register(checks.Tags.security, deploy=True)
def demo_mode_off_in_production(**kwargs: Any) -> list[Any]:
    """Demo mode switches MFA off for every role (export and cash included) and lets the
    well-known demo accounts in: never in production (``check --deploy``)."""
    from django.conf import settings

    if not getattr(settings, "DEMO_MODE", False):
        return []
    return [checks.Warning(
        "Demo mode (PUNKT_DEMO=1) is on: MFA is not enforced for managers, cashiers, HQ "
        "experts and administrators, and the demo accounts with their published password "
        "may sign in.",
        hint="Unset PUNKT_DEMO in production (docs/deployment.md).", id=DEMO_IN_PRODUCTION)]


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache_in_production(**kwargs: Any) -> list[Any]:
    """Several gunicorn workers with a per-process cache each keep their own role policies
    and sign-in rate limits (a change made in one worker reaches the others only when the
    entry expires) and read every session from the database."""
    from django.conf import settings

    if getattr(settings, "REDIS_URL", ""):
        return []
    return [checks.Warning(
        "PUNKT_REDIS_URL is not set: each worker process keeps its own cache (role "
        "policies, sign-in rate limits) and sessions are read from the database on every "
        "request.",
        hint="Set PUNKT_REDIS_URL=redis://host:6379/0 (docs/deployment.md).",
        id=CACHE_PER_PROCESS)]


@checks.register(checks.Tags.security, deploy=True)
def seal_key_of_its_own(**kwargs: Any) -> list[Any]:
    """Stored secrets (mailbox passwords) sealed with SECRET_KEY become unreadable when the
    secret key is rotated."""
    from django.conf import settings

    if getattr(settings, "PUNKT_SEAL_KEY", ""):
        return []
    return [checks.Warning(
        "PUNKT_SEAL_KEY is not set: stored secrets (mailbox passwords) are sealed with "
        "SECRET_KEY and become unreadable when it is rotated.",
        hint="Set PUNKT_SEAL_KEY to a long random string and keep it (docs/deployment.md).",
        id=SEAL_KEY_IS_SECRET_KEY)]


@checks.register()
def replica_is_postgres(databases: Any = None, *, configured: dict[str, Any] | None = None,
                        **kwargs: Any) -> list[Any]:
    """``DATABASE_REPLICA_URL`` is a standby of the primary: the same engine, PostgreSQL
    (a report's SQL is written for the primary's dialect). ``configured``: the
    ``DATABASES`` setting (the tests give their own)."""
    from django.conf import settings

    configured = settings.DATABASES if configured is None else configured
    replica = configured.get("replica")
    if replica is None:
        return []
    if {replica["ENGINE"], configured["default"]["ENGINE"]} == {"django.db.backends.postgresql"}:
        return []
    return [checks.Error(
        "DATABASE_REPLICA_URL must be a PostgreSQL standby of a PostgreSQL DATABASE_URL.",
        hint="Remove DATABASE_REPLICA_URL or point both at PostgreSQL "
             "(docs/deployment.md, 'A read replica for the reports').",
        id=REPLICA_NOT_POSTGRES)]
