"""The customer API's timeline links each entry to the record it names: ``url`` (its
page) and ``api_url`` (its endpoint, where one exists), from the areas' source-link
registry (``profile.register_source_link(..., api=api_route(...))``), each only for a
reader who may follow it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from punkt.contracts.tests.factories import prepared
from punkt.customers import profile, services
from punkt.customers.models import TimelineEntry

pytestmark = pytest.mark.django_db


def _links(client: Any, customer_id: int) -> dict[str, tuple[str, str]]:
    response = client.get(f"/api/v1/customers/{customer_id}/timeline", {"limit": 100})
    assert response.status_code == 200
    return {f"{e['source_type']}:{e['source_id']}" if e["source_type"] else e["kind"]:
            (e["url"], e["api_url"]) for e in response.json()}


def test_timeline_entries_link_to_the_page_and_the_api_of_their_record(
        world: Any, client_as: Any) -> None:
    contract = prepared(world)
    cust = contract.customer
    event = services.consent_record(actor=world.service_a, customer_id=cust.pk,
                                    purpose="marketing_email", granted=True)
    for source_type, source_id in (("customers.customerimport", "41"),
                                   ("catalog.product", "7"), ("nowhere.thing", "1")):
        TimelineEntry.objects.create(customer=cust, kind="system", source_type=source_type,
                                     source_id=source_id)
    client = client_as(world.service_a)
    note = client.post(f"/api/v1/customers/{cust.pk}/notes", json.dumps({"body": "Notatka"}),
                       content_type="application/json")
    assert note.status_code == 201 and (note.json()["url"], note.json()["api_url"]) == ("", "")

    links = _links(client, cust.pk)
    assert links[f"contracts.contract:{contract.pk}"] == (
        reverse("contracts:contract_detail", args=[contract.pk]),
        f"/api/v1/contracts/{contract.pk}")
    assert links[f"contracts.offer:{contract.offer_id}"] == (
        reverse("contracts:offer_detail", args=[contract.offer_id]),
        f"/api/v1/offers/{contract.offer_id}")
    assert links[f"customers.consentevent:{event.pk}"] == (
        reverse("customers:customer_detail", args=[cust.pk]) + "#consents",
        f"/api/v1/customers/{cust.pk}/consents")
    assert links["catalog.product:7"] == (reverse("catalog:product_detail", args=[7]), "")
    assert links["nowhere.thing:1"] == ("", "")  # no area registered it
    assert links["note"] == ("", "")
    # The service employee may not open imports; their manager may.
    assert links["customers.customerimport:41"] == ("", "")
    assert _links(client_as(world.manager_a), cust.pk)["customers.customerimport:41"] == (
        reverse("customers:import_detail", args=[41]), "/api/v1/customer-imports/41")
    # The links of the real records answer the client (the registry names real routes).
    real = [f"contracts.contract:{contract.pk}", f"contracts.offer:{contract.offer_id}",
            f"customers.consentevent:{event.pk}"]
    for page, api in (links[key] for key in real):
        assert client.get(page.split("#")[0]).status_code == 200, page
        assert client.get(api).status_code == 200, api


#: builders that read their records (an id with no row gives no link): tested with rows
READS_ROWS = {"customers.consentevent", "cashdesk.payment", "cashdesk.credituse"}


def test_every_api_link_registered_names_an_api_route(world: Any) -> None:
    """An area's ``api=`` builder gives a path under /api/v1/ for a numeric id."""
    for source_type, link in profile.SOURCE_LINKS.items():
        if link.api is None or source_type in READS_ROWS:
            continue
        assert link.api(["12"])["12"].startswith("/api/v1/"), source_type


def test_payments_link_to_their_invoice_in_the_api(world: Any, client_as: Any) -> None:
    """Cashdesk's entries: the invoice's page and ``/api/v1/invoices/<id>``, also for a
    payment (which has no endpoint of its own)."""
    from punkt.cashdesk import services as cash
    from punkt.cashdesk.tests.factories import invoice

    inv = invoice(world)
    cash.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100.00")
    payment = cash.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="10.00",
                                    method="cash")
    links = _links(client_as(world.expert), inv.customer_id)
    assert links[f"cashdesk.payment:{payment.pk}"] == (
        reverse("cashdesk:invoice", args=[inv.pk]), f"/api/v1/invoices/{inv.pk}")
