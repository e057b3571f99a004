"""Leaflet distribution: handed out at the counter (final at once) or by a person on a
contract of mandate (the manager confirms), out of the branch's stock and never below
it, the pay against the budget, cancelling back into stock once; the pages and the API."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.campaigns.models import Distribution, DistributionStatus
from punkt.campaigns.services import budget_of, print_order_move
from punkt.campaigns.services import distribution as dist
from punkt.campaigns.tests import factories as f
from punkt.campaigns.workflows import DISTRIBUTION_FLOW
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.inventory.models import StockLevel, StockMovement

pytestmark = pytest.mark.django_db


def delivered(world: Any, **campaign: Any) -> Any:
    """A leaflet of branch A with a delivered run of 1000 in stock."""
    lf = f.leaflet(world, f.campaign(world, **campaign) if campaign else None)
    order = f.print_order(world, lf)
    print_order_move(actor=world.service_a, order_id=order.pk, action="deliver")
    return lf


def stock(lf: Any) -> int:
    return StockLevel.objects.get(branch_id=lf.branch_id, product_id=lf.product_id).quantity


def refused(call: Any, field: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert exc.value.field == field, exc.value.message
    return exc.value


def mandate(world: Any, lf: Any, **data: Any) -> Distribution:
    values: dict[str, Any] = {"kind": "mandate", "quantity": 300,
                              "distributor": "Jan Kowalski", "area": "ul. Długa, ul. Krótka",
                              "pay": "80,00", **data}
    return dist.distribution_record(actor=world.service_a, leaflet_id=lf.pk, **values)


def test_counter_hand_out_leaves_stock_and_is_final(world: Any) -> None:
    lf = delivered(world)
    row = dist.distribution_record(actor=world.service_a, leaflet_id=lf.pk, kind="counter",
                                   quantity="120", distributor="ignored", pay="50")
    assert row.status == DistributionStatus.CONFIRMED
    assert (row.distributor, row.area, row.pay) == ("", "", Decimal("0"))
    assert row.day == timezone.localdate()
    assert stock(lf) == 880
    movement = StockMovement.objects.get(pk=row.stock_movement_id)
    assert (movement.kind, movement.quantity, movement.balance_after) == ("handout", -120, 880)


def test_mandate_distribution_waits_for_the_manager_and_its_pay_is_spent(world: Any) -> None:
    lf = delivered(world)
    before = budget_of(lf.campaign).spent
    row = mandate(world, lf)
    assert row.status == DistributionStatus.RECORDED
    assert budget_of(lf.campaign).spent == before + Decimal("80.00")
    assert dist.allowed_actions(row, world.service_a) == []
    assert dist.allowed_actions(row, world.manager_a) == ["confirm", "cancel"]
    with pytest.raises(ActionDenied):
        dist.distribution_move(actor=world.service_a, distribution_id=row.pk,
                               action="confirm")
    done = dist.distribution_move(actor=world.manager_a, distribution_id=row.pk,
                                  action="confirm")
    assert done.status == DistributionStatus.CONFIRMED and done.confirmed_by is not None
    with pytest.raises(Conflict):
        dist.distribution_move(actor=world.manager_a, distribution_id=row.pk,
                               action="confirm")


@pytest.mark.parametrize("data, field", [
    ({"distributor": ""}, "distributor"),
    ({"area": "  "}, "area"),
    ({"pay": ""}, "pay"),
    ({"pay": "-5"}, "pay"),
    ({"pay": "1_000"}, "pay"),
    ({"pay": "100000,01"}, "pay"),
    ({"quantity": "0"}, "quantity"),
    ({"quantity": "abc"}, "quantity"),
    ({"quantity": "100001"}, "quantity"),
    ({"kind": "post"}, "kind"),
    ({"day": "2026-13-01"}, "day"),
    ({"distributor": "x" * 201}, "distributor"),
])
def test_bad_values_name_their_field_and_change_nothing(world: Any, data: dict[str, Any],
                                                        field: str) -> None:
    lf = delivered(world)
    refused(lambda: mandate(world, lf, **data), field)
    assert stock(lf) == 1000 and not Distribution.objects.exists()


def test_the_day_is_not_in_the_future_nor_before_the_campaign(world: Any) -> None:
    lf = delivered(world)
    today = timezone.localdate()
    refused(lambda: mandate(world, lf, day=today + datetime.timedelta(days=1)), "day")
    refused(lambda: mandate(world, lf, day=today - datetime.timedelta(days=1)), "day")
    assert mandate(world, lf, day=today.isoformat()).day == today


def test_more_than_in_stock_is_refused_on_quantity(world: Any) -> None:
    lf = delivered(world)
    error = refused(lambda: mandate(world, lf, quantity=1001), "quantity")
    assert "1000" in str(error.message)
    assert stock(lf) == 1000 and not Distribution.objects.exists()


def test_a_pay_over_the_remaining_budget_is_refused_on_pay(world: Any) -> None:
    lf = delivered(world, budget="250,00")  # the 1000 run cost 190,00
    refused(lambda: mandate(world, lf, pay="60,01"), "pay")
    assert mandate(world, lf, pay="60,00").pay == Decimal("60.00")
    assert budget_of(lf.campaign).left == Decimal("0.00")


def test_cancelling_puts_the_leaflets_back_once_and_frees_the_budget(world: Any) -> None:
    lf = delivered(world)
    row = mandate(world, lf)
    spent = budget_of(lf.campaign).spent
    refused(lambda: dist.distribution_move(actor=world.manager_a, distribution_id=row.pk,
                                           action="cancel", reason=""), "reason")
    done = dist.distribution_move(actor=world.manager_a, distribution_id=row.pk,
                                  action="cancel", reason="Ulotki nie wyszły z salonu")
    assert done.status == DistributionStatus.CANCELLED and done.returned_movement_id
    assert stock(lf) == 1000
    assert budget_of(lf.campaign).spent == spent - Decimal("80.00")
    with pytest.raises(Conflict):
        dist.distribution_move(actor=world.manager_a, distribution_id=row.pk,
                               action="cancel", reason="drugi raz")
    assert stock(lf) == 1000


@pytest.mark.parametrize("action", ["confirm", "cancel"])
@pytest.mark.parametrize("state", DistributionStatus.values)
def test_every_step_from_every_state(world: Any, action: str, state: str) -> None:
    lf = delivered(world)
    row = mandate(world, lf)
    if state != DistributionStatus.RECORDED:  # reached the way a user does
        dist.distribution_move(actor=world.manager_a, distribution_id=row.pk,
                               action="confirm" if state == "confirmed" else "cancel",
                               reason="pomyłka")
    allowed = state in DISTRIBUTION_FLOW.transition(action).sources
    call = lambda: dist.distribution_move(actor=world.manager_a,  # noqa: E731
                                          distribution_id=row.pk, action=action,
                                          reason="pomyłka")
    if allowed:
        assert call().status == DISTRIBUTION_FLOW.transition(action).target
    else:
        with pytest.raises(Conflict):
            call()


def test_another_branch_neither_sees_nor_records(world: Any) -> None:
    lf = delivered(world)
    row = mandate(world, lf)
    with pytest.raises(NotFound):
        dist.distribution_move(actor=world.manager_b, distribution_id=row.pk,
                               action="confirm")
    with pytest.raises((NotFound, ActionDenied)):
        dist.distribution_record(actor=world.service_b, leaflet_id=lf.pk, kind="counter",
                                 quantity=1)
    with pytest.raises(ActionDenied):  # sees the campaign, may not hand leaflets out
        dist.distribution_record(actor=world.retention_a, leaflet_id=lf.pk, kind="counter",
                                 quantity=1)
    with pytest.raises((NotFound, ActionDenied)):
        dist.distribution_record(actor=world.cashier_a, leaflet_id=lf.pk, kind="counter",
                                 quantity=1)


def test_nothing_is_handed_out_for_an_ended_campaign(world: Any) -> None:
    from punkt.campaigns.services import campaign_move

    lf = delivered(world)
    campaign_move(actor=world.manager_a, campaign_id=lf.campaign_id, action="start")
    campaign_move(actor=world.manager_a, campaign_id=lf.campaign_id, action="end")
    with pytest.raises(Conflict):
        dist.distribution_record(actor=world.service_a, leaflet_id=lf.pk, kind="counter",
                                 quantity=5)


def test_totals_per_leaflet(world: Any) -> None:
    lf = delivered(world)
    dist.distribution_record(actor=world.service_a, leaflet_id=lf.pk, kind="counter",
                             quantity=100)
    mandate(world, lf, quantity=300)
    cancelled = mandate(world, lf, quantity=50)
    dist.distribution_move(actor=world.manager_a, distribution_id=cancelled.pk,
                           action="cancel", reason="pomyłka")
    [t] = dist.totals(lf.campaign, user=world.manager_a)
    assert (t["printed"], t["counter"], t["mandate"], t["stock"]) == (1000, 100, 300, 600)
    assert dist.totals(lf.campaign, user=world.manager_b) == []


# -- pages and API --------------------------------------------------------------------------

def test_pages_record_and_confirm(world: Any, client_as: Any) -> None:
    lf = delivered(world)
    client = client_as(world.service_a)
    url = reverse("campaigns:distribution_new", args=[lf.pk])
    page = client.get(url)
    assert page.status_code == 200 and "1000" in page.content.decode()
    bad = client.post(url, {"kind": "mandate", "quantity": "300", "area": "Rynek",
                            "pay": "80"})
    assert bad.status_code == 200 and Distribution.objects.count() == 0
    assert "person on the contract" in bad.content.decode() or "umowie zlecenia" in \
        bad.content.decode()
    ok = client.post(url, {"kind": "mandate", "quantity": "300", "distributor": "Jan Nowak",
                           "area": "Rynek", "pay": "80,00"})
    assert ok.status_code == 302
    row = Distribution.objects.get()
    detail = client.get(reverse("campaigns:campaign_detail", args=[lf.campaign_id]))
    assert "Jan Nowak" in detail.content.decode()
    client = client_as(world.manager_a)
    listing = client.get(reverse("campaigns:distribution_list"))
    assert "Jan Nowak" in listing.content.decode()
    moved = client.post(reverse("campaigns:distribution_act", args=[row.pk, "confirm"]),
                        {"back": "list"})
    assert moved.status_code == 302 and moved["Location"].endswith("/campaigns/distribution/")
    assert Distribution.objects.get().status == DistributionStatus.CONFIRMED
    client = client_as(world.manager_b)
    assert "Jan Nowak" not in client.get(reverse("campaigns:distribution_list")
                                         + "?status=all").content.decode()
    assert client.get(url).status_code == 404


def _api(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.generic(method, path, json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_api_records_refuses_and_moves(world: Any, client_as: Any) -> None:
    lf = delivered(world)
    service = client_as(world.service_a)
    r = _api(service, "POST", "/api/v1/leaflet-distribution", {
        "leaflet_id": lf.pk, "kind": "mandate", "quantity": 200, "distributor": "Ola Lis",
        "area": "os. Słoneczne"})
    assert r.status_code == 422 and "pay" in r.content.decode()
    r = _api(service, "POST", "/api/v1/leaflet-distribution", {
        "leaflet_id": lf.pk, "kind": "counter", "quantity": 5000})
    assert r.status_code == 422 and "quantity" in r.content.decode()
    r = _api(service, "POST", "/api/v1/leaflet-distribution", {
        "leaflet_id": lf.pk, "kind": "mandate", "quantity": 200, "distributor": "Ola Lis",
        "area": "os. Słoneczne", "pay": "45.50"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["pay"], body["actions"]) == ("recorded", "45.50", [])
    manager = client_as(world.manager_a)
    r = _api(manager, "POST", f"/api/v1/leaflet-distribution/{body['id']}/moves",
             {"action": "confirm"})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert len(_api(manager, "GET", "/api/v1/leaflet-distribution?status=confirmed")
               .json()["items"]) == 1
    other = client_as(world.manager_b)
    assert other.get(f"/api/v1/leaflet-distribution/{body['id']}").status_code == 404
