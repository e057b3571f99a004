"""The breach log (GDPR art. 33): the 72-hour clock, every transition from every state,
refusals naming the field, the dashboard panel, pages, the API and audit rows."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.privacy import services
from punkt.privacy.models import Breach, BreachStatus
from punkt.privacy.workflows import BREACH_FLOW

pytestmark = pytest.mark.django_db


def record(world: Any, hours_ago: float = 1, actor: Any = None, **over: Any) -> Breach:
    fields: dict[str, Any] = {
        "discovered_at": timezone.now() - datetime.timedelta(hours=hours_ago),
        "title": "Zgubiony laptop", "description": "Laptop z bazą klientów zgubiony w pociągu",
        "data_categories": "imiona, adresy", "subjects_count": 120,
        "measures": "Zdalne wymazanie dysku"}
    fields.update(over)
    return services.breach_record(actor=actor or world.admin, **fields)


def test_record_starts_the_72_hour_clock_and_is_audited(world: Any) -> None:
    b = record(world, hours_ago=10)
    assert b.status == BreachStatus.OPEN and b.number.startswith("NO/")
    assert b.notify_by == b.discovered_at + datetime.timedelta(hours=72)
    clock = b.clock()
    assert clock["overdue"] is False and clock["hours"] == 61
    assert AuditEvent.objects.filter(action="privacy.breach.record", object_id=str(b.pk)).exists()


def test_deadline_follows_the_setting(world: Any, settings: Any) -> None:
    settings.PUNKT_BREACH_NOTIFY_HOURS = 48
    b = record(world, hours_ago=50)
    assert b.overdue and b.clock()["overdue"] and b.clock()["hours"] == 2


@pytest.mark.parametrize("field,value", [
    ("title", "  "), ("description", ""), ("data_categories", ""), ("measures", ""),
    ("subjects_count", "-1"), ("subjects_count", "abc"), ("subjects_count", ""),
    ("subjects_count", "1" * 30), ("records_count", "x"),
    ("discovered_at", "wczoraj"), ("discovered_at", ""), ("discovered_at", "2099-01-01T10:00"),
])
def test_bad_input_names_the_field_and_writes_nothing(world: Any, field: str,
                                                      value: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        record(world, **{field: value})
    assert err.value.field == field
    assert not Breach.objects.exists()


def test_occurred_after_discovery_is_refused(world: Any) -> None:
    with pytest.raises(ValidationFailed) as err:
        record(world, occurred_at=timezone.now())
    assert err.value.field == "occurred_at"


def test_only_the_administrator_manages_breaches(world: Any) -> None:
    for user in (world.expert, world.manager_a, world.service_a, world.cashier_a):
        with pytest.raises(ActionDenied):
            record(world, actor=user)
    assert not Breach.objects.exists()


def test_notify_in_time(world: Any) -> None:
    b = record(world, hours_ago=5)
    b = services.breach_notify(actor=world.admin, breach_id=b.pk, authority_reference="ZSPU.1")
    assert b.status == BreachStatus.NOTIFIED and not b.notified_late
    assert AuditEvent.objects.filter(action="privacy.breach.notify").count() == 1


def test_late_notification_needs_the_reasons_for_the_delay(world: Any) -> None:
    b = record(world, hours_ago=80)
    with pytest.raises(ValidationFailed) as err:
        services.breach_notify(actor=world.admin, breach_id=b.pk)
    assert err.value.field == "late_reason"
    b.refresh_from_db()
    assert b.status == BreachStatus.OPEN
    b = services.breach_notify(actor=world.admin, breach_id=b.pk, late_reason="Weekend")
    assert b.notified_late and b.late_reason == "Weekend"


def test_notification_before_discovery_is_refused(world: Any) -> None:
    b = record(world, hours_ago=5)
    with pytest.raises(ValidationFailed) as err:
        services.breach_notify(actor=world.admin, breach_id=b.pk,
                               notified_at=b.discovered_at - datetime.timedelta(hours=1))
    assert err.value.field == "notified_at"


@pytest.mark.parametrize("state", list(BreachStatus.values))
@pytest.mark.parametrize("action", list(BREACH_FLOW.actions()))
def test_every_transition_from_every_state(world: Any, state: str, action: str) -> None:
    b = record(world)
    Breach.objects.filter(pk=b.pk).update(status=state)
    allowed = state in BREACH_FLOW.transition(action).sources
    call = {"notify": lambda: services.breach_notify(actor=world.admin, breach_id=b.pk),
            "not_required": lambda: services.breach_not_required(
                actor=world.admin, breach_id=b.pk, reason="Dane zaszyfrowane"),
            "close": lambda: services.breach_close(actor=world.admin, breach_id=b.pk)}[action]
    if allowed:
        assert call().status == BREACH_FLOW.transition(action).target
    else:
        with pytest.raises(Conflict):
            call()
        b.refresh_from_db()
        assert b.status == state


def test_not_required_needs_a_reason(world: Any) -> None:
    b = record(world)
    with pytest.raises(ValidationFailed) as err:
        services.breach_not_required(actor=world.admin, breach_id=b.pk, reason=" ")
    assert err.value.field == "reason"


def test_dashboard_panel_shows_the_time_left(world: Any, client_as: Any) -> None:
    record(world, hours_ago=70, title="Wyciek listy")
    page = client_as(world.admin).get(reverse("core:dashboard")).content.decode()
    assert "Wyciek listy" in page and 'data-testid="breach-clock"' in page
    assert "1 h 59 min" in page or "2 h 0 min" in page
    other = client_as(world.manager_a).get(reverse("core:dashboard")).content.decode()
    assert "Wyciek listy" not in other


def test_pages_record_and_notify(world: Any, client_as: Any) -> None:
    c = client_as(world.admin)
    bad = c.post(reverse("privacy:breach_list"), {"title": "X", "discovered_at": ""})
    assert bad.status_code == 200 and not Breach.objects.exists()
    local = timezone.localtime() - datetime.timedelta(hours=3)
    ok = c.post(reverse("privacy:breach_list"), {
        "title": "Błędna wysyłka", "discovered_at": local.strftime("%Y-%m-%dT%H:%M"),
        "description": "E-mail do złego adresata", "data_categories": "imię, e-mail",
        "subjects_count": "1", "measures": "Prośba o usunięcie"})
    b = Breach.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("privacy:breach_detail",
                                                                args=[b.pk])
    detail = c.get(ok["Location"])
    assert detail.status_code == 200 and "Błędna wysyłka" in detail.content.decode()
    c.post(reverse("privacy:breach_act", args=[b.pk, "notify"]), {})
    b.refresh_from_db()
    assert b.status == BreachStatus.NOTIFIED
    listing = c.get(reverse("privacy:breach_list")).content.decode()
    assert b.number in listing
    assert client_as(world.expert).get(reverse("privacy:breach_list")).status_code == 403
    assert client_as(world.manager_a).get(
        reverse("privacy:breach_detail", args=[b.pk])).status_code == 403


def test_api_records_lists_and_notifies(world: Any, client_as: Any) -> None:
    c = client_as(world.admin)

    def post(path: str, body: Any) -> Any:
        return c.post(path, json.dumps(body), content_type="application/json")

    bad = post("/api/v1/privacy/breaches", {
        "discovered_at": timezone.now().isoformat(), "title": "T", "description": "D",
        "data_categories": "C", "subjects_count": -5, "measures": "M"})
    assert bad.status_code == 422
    made = post("/api/v1/privacy/breaches", {
        "discovered_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "title": "T", "description": "D", "data_categories": "C", "subjects_count": 5,
        "measures": "M"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "open" and 69 * 3600 < body["seconds_left"] <= 70 * 3600
    listed = c.get("/api/v1/privacy/breaches?status=open").json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    done = post(f"/api/v1/privacy/breaches/{body['id']}/notify", {"authority_reference": "R1"})
    assert done.status_code == 200 and done.json()["status"] == "notified"
    again = post(f"/api/v1/privacy/breaches/{body['id']}/notify", {})
    assert again.status_code == 409
    closed = post(f"/api/v1/privacy/breaches/{body['id']}/close", {})
    assert closed.json()["status"] == "closed"
    assert c.get("/api/v1/privacy/breaches/999999").status_code == 404
    assert client_as(world.manager_a).get("/api/v1/privacy/breaches").status_code == 403


def test_a_moment_with_any_offset_is_stored_in_utc(world: Any) -> None:
    """Python allows offsets up to ±23:59, PostgreSQL refuses some (the API fuzz found a
    500 at +22:18): every moment is stored as UTC."""
    odd = datetime.timezone(datetime.timedelta(hours=22, minutes=18))
    when = (timezone.now() - datetime.timedelta(hours=3)).astimezone(odd).replace(microsecond=0)
    breach = record(world, discovered_at=when.isoformat())
    breach.refresh_from_db()
    assert breach.discovered_at == when
    with pytest.raises(ValidationFailed):
        record(world, discovered_at="0001-01-01T00:30:00+22:18")
