"""HQ keeps the ticket types and their SLA targets per priority (R9.2): typed as working
hours, validated field by field, the default where left empty, used by tickets opened
afterwards; other roles are refused."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from punkt.core.errors import ActionDenied, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.servicedesk import services, ticket_types
from punkt.servicedesk.models import SlaTarget, TicketType
from punkt.servicedesk.tests.factories import desk, ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "minutes"), [
    ("2:30", 150), ("8", 480), ("0:45", 45), (" 16:00 ", 960), ("", None), ("  ", None)])
def test_durations_are_hours_and_minutes(text: str, minutes: int | None) -> None:
    assert ticket_types.parse_duration(text, "first_high") == minutes
    if minutes:
        assert ticket_types.parse_duration(ticket_types.format_duration(minutes), "x") == minutes


@pytest.mark.parametrize("text", ["2:3", "2:60", "abc", "-1", "0", "0:00", "1.5", "٢", "99999"])
def test_bad_durations_name_the_field(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        ticket_types.parse_duration(text, "resolve_low")
    assert refused.value.field == "resolve_low"


def test_hq_saves_a_type_with_targets_and_new_tickets_use_them(world: Any) -> None:
    d = desk(world)
    saved = ticket_types.type_save(
        actor=world.admin, name="  Awaria internetu ", default_team_id=d.team_a.pk, weight="2",
        amount_threshold="1 500,00", targets={"urgent": ("0:30", "4"), "normal": ("", "")})
    assert (saved.name, saved.default_team_id, saved.weight, str(saved.amount_threshold)) == (
        "Awaria internetu", d.team_a.pk, 2, "1500.00")
    assert list(SlaTarget.objects.filter(type=saved).values_list(
        "priority", "first_response_minutes", "resolution_minutes")) == [("urgent", 30, 240)]
    assert AuditEvent.objects.get(action="servicedesk.type.create").changes["name"] == [
        None, "Awaria internetu"]
    monday = datetime.datetime(2026, 11, 16, 9, tzinfo=datetime.UTC)  # 10:00 in Warsaw
    import time_machine

    with time_machine.travel(monday, tick=False):
        t = ticket(world, d, type_id=saved.pk, priority="urgent")
    assert t.first_response_due == monday + datetime.timedelta(minutes=30)
    assert services.targets(saved, "normal") == (datetime.timedelta(hours=8),
                                                  datetime.timedelta(hours=40))
    # changed: urgent back to the default, low given
    ticket_types.type_save(actor=world.admin, type_id=saved.pk, name="Awaria internetu",
                           default_team_id=d.team_a.pk, weight=2, amount_threshold="",
                           targets={"low": ("16", "80")})
    assert list(SlaTarget.objects.filter(type=saved).values_list("priority", flat=True)) == [
        "low"]
    change = AuditEvent.objects.get(action="servicedesk.type.change").changes
    assert change["targets"] == [{"urgent": [30, 240]}, {"low": [960, 4800]}]
    assert change["amount_threshold"] == ["1500.00", None]
    t.refresh_from_db()
    assert t.first_response_due == monday + datetime.timedelta(minutes=30)  # kept


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": ""}, "name"),
    ({"name": "PYTANIE o fakturę"}, "name"),  # taken (in another case)
    ({"weight": "11"}, "weight"), ({"weight": "x"}, "weight"),
    ({"amount_threshold": "1_000"}, "amount_threshold"),
    ({"default_team_id": "999999"}, "default_team"),
    ({"targets": {"high": ("2:00", "")}}, "resolve_high"),
    ({"targets": {"high": ("8", "2")}}, "resolve_high"),
    ({"targets": {"low": ("2:75", "8")}}, "first_low"),
])
def test_bad_input_names_the_field_and_stores_nothing(world: Any, fields: dict[str, Any],
                                                      field: str) -> None:
    desk(world)
    before = (TicketType.objects.count(), SlaTarget.objects.count())
    data: dict[str, Any] = {"name": "Reklamacja sprzętu", **fields}
    with pytest.raises(ValidationFailed) as refused:
        ticket_types.type_save(actor=world.admin, **data)
    assert refused.value.field == field
    assert (TicketType.objects.count(), SlaTarget.objects.count()) == before


def test_only_hq_keeps_types(world: Any, client_as: Any) -> None:
    d = desk(world)
    with pytest.raises(ActionDenied):
        ticket_types.type_save(actor=world.manager_a, name="Nowy typ")
    for user in (world.manager_a, world.service_a):
        assert client_as(user).get(reverse("servicedesk:type_list")).status_code == 403
        assert client_as(user).get(reverse("servicedesk:type_edit",
                                           args=[d.question.pk])).status_code == 403
    page = client_as(world.admin).get(reverse("servicedesk:type_list")).content.decode()
    assert d.question.name in page and "2:00 / 8:00" in page  # the stored normal target


def test_the_form_saves_and_shows_a_refusal_at_its_field(world: Any, client_as: Any) -> None:
    d = desk(world)
    url = reverse("servicedesk:type_edit", args=[d.question.pk])
    admin = client_as(world.admin)
    form = admin.get(url).content.decode()
    assert 'name="first_normal"' in form and 'value="2:00"' in form
    post = {"name": "Pytanie o fakturę", "default_team": str(d.team_a.pk), "weight": "1",
            "amount_threshold": "", "is_active": "1", "first_normal": "3:00",
            "resolve_normal": "1:00"}
    refused = admin.post(url, post).content.decode()
    field = re.search(r'<input class="qty" name="resolve_normal"[^>]*>', refused)
    assert field and 'value="1:00"' in field.group() and 'aria-invalid="true"' in field.group()
    assert SlaTarget.objects.get(type=d.question, priority="normal").first_response_minutes \
        == 120  # nothing stored
    done = admin.post(url, {**post, "resolve_normal": "12:00"})
    assert done.status_code == 302
    assert SlaTarget.objects.get(type=d.question, priority="normal").resolution_minutes == 720
    created = admin.post(reverse("servicedesk:type_new"),
                         {**post, "resolve_normal": "12:00", "name": "Zmiana taryfy"})
    assert created.status_code == 302 and TicketType.objects.filter(name="Zmiana taryfy").exists()
