"""The report router's rules (``core/reports.py``), on any database: without a replica
(or with the switch off) reports read the primary; writes and migrations never go to the
replica; a nested report keeps the outer one's database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS

from punkt.core.reports import ReportRouter, read_connection, report_database, report_reads

pytestmark = pytest.mark.django_db


def test_without_a_replica_reports_read_the_primary(settings: Any) -> None:
    settings.REPORTS_ON_REPLICA = True  # switched on, but no "replica" database here
    if "replica" in settings.DATABASES:
        pytest.skip("a replica is configured in this run")
    assert report_database() == DEFAULT_DB_ALIAS
    with report_reads() as alias:
        assert alias == DEFAULT_DB_ALIAS and read_connection().alias == DEFAULT_DB_ALIAS
        with report_reads() as inner:
            assert inner == alias


def test_the_switch_keeps_reports_on_the_primary(settings: Any) -> None:
    settings.REPORTS_ON_REPLICA = False
    assert report_database() == DEFAULT_DB_ALIAS


def test_the_router_sends_no_write_or_migration_to_the_replica() -> None:
    router = ReportRouter()
    assert router.db_for_read(object) is None  # outside a report: Django's default
    with report_reads() as alias:
        assert router.db_for_read(object) == alias
    assert router.db_for_write(object) == DEFAULT_DB_ALIAS
    assert router.allow_migrate("replica", "customers") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "customers") is True
    assert router.allow_relation(object(), object()) is True


def test_a_replica_that_is_not_postgres_is_refused_by_the_checks() -> None:
    from punkt.core.checks import REPLICA_NOT_POSTGRES, replica_is_postgres

    pg = {"ENGINE": "django.db.backends.postgresql"}
    lite = {"ENGINE": "django.db.backends.sqlite3"}
    assert [e.id for e in replica_is_postgres(configured={"default": pg, "replica": lite})] \
        == [REPLICA_NOT_POSTGRES]
    assert [e.id for e in replica_is_postgres(configured={"default": lite, "replica": lite})] \
        == [REPLICA_NOT_POSTGRES]
    assert replica_is_postgres(configured={"default": pg, "replica": pg}) == []
    assert replica_is_postgres(configured={"default": lite}) == []
