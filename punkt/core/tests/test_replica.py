"""Reports on a real streaming replica (``core/reports.py``): CI starts a primary and a
standby of it on loopback (``scripts/replica.sh``) and runs these with
``DATABASE_REPLICA_URL``; without a replica they are skipped (the router's own rules are
tested everywhere in ``test_reports.py``)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from punkt.core.models import AuditEvent
from punkt.core.reports import REPLICA, read_connection, report_reads
from tests.world import make_world

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(REPLICA not in settings.DATABASES,
                       reason="no read replica configured (DATABASE_REPLICA_URL)"),
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]


def _replayed() -> None:
    """Wait until the standby has replayed everything the primary wrote so far."""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_insert_lsn()")
        lsn = cur.fetchone()[0]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connections[REPLICA].cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cur.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError(f"the standby did not replay up to {lsn} in 20 s")


@pytest.fixture
def on_replica(settings: Any) -> None:
    settings.REPORTS_ON_REPLICA = True


def test_the_replica_is_a_read_only_standby_of_the_test_database() -> None:
    with connections[REPLICA].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery(), current_database(), "
                    "current_setting('port')")
        recovering, name, port = cur.fetchone()
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery(), current_database(), current_setting('port')")
        primary = cur.fetchone()
    assert recovering is True and primary[0] is False
    assert name == primary[1] and port != primary[2]
    with pytest.raises(Exception, match="read-only"), connections[REPLICA].cursor() as cur:
        cur.execute("CREATE TABLE punkt_never (id int)")


def test_a_report_reads_the_replica_and_sees_what_the_primary_committed(
        on_replica: None) -> None:
    from punkt.complaints import statistics
    from punkt.complaints.tests.factories import complaint

    w = make_world()
    complaint(w)
    complaint(w)
    _replayed()
    today = timezone.localdate()
    with CaptureQueriesContext(connections[REPLICA]) as there, \
            CaptureQueriesContext(connections["default"]) as here:
        stats = statistics.complaint_statistics(user=w.expert, start=today, end=today)
    assert stats.total.received == 2 and stats.customers_complaining == 2
    assert any("complaints_" in q["sql"] for q in there.captured_queries)
    assert not any("complaints_" in q["sql"] for q in here.captured_queries), \
        here.captured_queries


def test_inside_a_report_reads_go_to_the_replica_and_writes_to_the_primary(
        on_replica: None) -> None:
    from punkt.organization.models import Branch

    w = make_world()
    _replayed()
    with report_reads() as alias:
        assert alias == REPLICA and read_connection().alias == REPLICA
        branch = Branch.objects.get(pk=w.a.pk)
        assert branch._state.db == REPLICA
        event = AuditEvent.objects.create(action="replica.test", actor_label="test")
    # written on the primary (the standby could not take it) and kept after the report
    assert AuditEvent.objects.using("default").filter(pk=event.pk).exists()
    branch.name = "Oddział A po zmianie"
    branch.save(update_fields=["name"])
    assert Branch.objects.using("default").get(pk=w.a.pk).name == "Oddział A po zmianie"


def test_an_analytics_page_and_its_export_read_there_and_audit_here(
        on_replica: None, client: Any) -> None:
    from tests.world import stamp_reauthentication

    w = make_world()
    _replayed()
    client.force_login(w.expert, backend="punkt.organization.backends.EmployeeBackend")
    stamp_reauthentication(client, w.expert)
    audited = AuditEvent.objects.count()
    with CaptureQueriesContext(connections[REPLICA]) as there:
        page = client.get(reverse("analytics:goals"))
        export = client.get(reverse("analytics:goals_export"))
    assert page.status_code == 200 and export.status_code == 200
    assert any("analytics_" in q["sql"] or "customers_" in q["sql"]
               for q in there.captured_queries)
    assert AuditEvent.objects.using("default").count() > audited
