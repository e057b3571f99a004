"""HQ starts the analytics refresh now (issue 19): queued once per ten minutes however
often it is asked for (C9), never while one runs, only by HQ; the page says what is
happening; the worker then computes a new snapshot."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from punkt.analytics import services
from punkt.analytics.models import Snapshot, SnapshotStatus
from punkt.core.errors import Conflict
from punkt.core.models import AuditEvent, ScheduledRun

pytestmark = pytest.mark.django_db


def _manual() -> int:
    return ScheduledRun.objects.filter(job=services.MANUAL_JOB).count()


def test_asked_twice_in_ten_minutes_it_is_queued_once(world: Any) -> None:
    at = timezone.now()
    services.refresh_request(actor=world.expert, now=at)
    with pytest.raises(Conflict) as refused:
        services.refresh_request(actor=world.admin, now=at + datetime.timedelta(seconds=5))
    assert refused.value.code == "refresh_asked" and "już" in refused.value.message
    assert _manual() == 1 and DBTaskResult.objects.count() == 1
    assert AuditEvent.objects.filter(action="analytics.refresh.request").count() == 1
    assert services.refresh_asked() is not None
    # the worker runs the queued task (here: its function, with the queued arguments): a
    # new snapshot, nothing waiting any more
    from punkt.analytics.tasks import refresh_analytics

    queued = DBTaskResult.objects.get().args_kwargs
    refresh_analytics.call(*queued["args"], **queued["kwargs"])
    snap = Snapshot.objects.current()
    assert snap is not None and snap.slot.startswith("manual-")
    assert services.refresh_asked() is None
    # the next stretch of ten minutes may ask again
    services.refresh_request(actor=world.expert, now=at + datetime.timedelta(minutes=10))
    assert _manual() == 2


def test_never_while_a_refresh_runs(world: Any) -> None:
    Snapshot.objects.create(as_of=timezone.localdate(), month=0, window_months=3,
                            period_months=12, status=SnapshotStatus.RUNNING)
    with pytest.raises(Conflict) as refused:
        services.refresh_request(actor=world.expert)
    assert refused.value.code == "refresh_running"
    assert _manual() == 0 and DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(("who", "allowed"), [("expert", True), ("admin", True),
                                              ("manager_a", False), ("service_a", False)])
def test_only_hq_may_ask_page_and_api(world: Any, client_as: Any, who: str,
                                      allowed: bool) -> None:
    c = client_as(getattr(world, who))
    page = c.get(reverse("analytics:matrix")).content.decode()
    assert ('data-testid="refresh-now"' in page) is allowed
    resp = c.post(reverse("analytics:refresh_now"), follow=True)
    if allowed:
        assert _manual() == 1
        assert "Przeliczenie zlecone" in resp.content.decode()
        again = c.post("/api/v1/analytics/refresh", content_type="application/json")
        assert again.status_code == 409 and again.json()["code"] == "refresh_asked"
        shown = c.get(reverse("analytics:matrix")).content.decode()
        assert 'data-testid="refresh-asked"' in shown
        assert 'data-testid="refresh-now"' not in shown
    else:
        assert resp.status_code == 403 and _manual() == 0
        assert c.post("/api/v1/analytics/refresh",
                      content_type="application/json").status_code == 403


def test_the_api_queues_it(world: Any, client_as: Any) -> None:
    resp = client_as(world.expert).post("/api/v1/analytics/refresh",
                                        content_type="application/json")
    assert resp.status_code == 202 and resp.json()["requested_at"]
    assert _manual() == 1
