"""The cashier's name + address search also matches the customer's registered address in
the CRM, not only the address printed on the invoice (a customer who moved since)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.cashdesk import selectors, services
from punkt.cashdesk.tests.factories import invoice
from punkt.contracts.tests.factories import customer
from punkt.customers import services as customers

pytestmark = pytest.mark.django_db

NEW_HOME = {"street": "ul. Piotrkowska 10", "postal_code": "90-001", "city": "Łódź"}


def moved(world: Any) -> tuple[Any, Any]:
    """Zofia's invoice printed in Kraków; she has moved to Łódź since."""
    zofia = customer(world)
    printed = invoice(world, zofia)
    customers.customer_update(actor=world.service_a, customer_id=zofia.pk, data=NEW_HOME)
    return zofia, printed


def find(world: Any, address: str, first: str = "Zofia", last: str = "Żółkiewska") -> list[Any]:
    return selectors.invoices_by_buyer(user=world.cashier_a, first_name=first, last_name=last,
                                       address=address)


def test_the_registered_address_in_the_crm_finds_the_invoice(world: Any) -> None:
    _, printed = moved(world)
    assert printed.buyer_city == "Kraków"  # the invoice keeps what it printed
    for address in ("90-001", "90001", "Łódź", "LODZ", "Piotrkowska", "piotrkowska 10"):
        assert find(world, address) == [printed], address
    for address in ("31-042", "Kraków", "Floriańska"):  # as printed, still
        assert find(world, address) == [printed], address


def test_namesakes_and_neighbours_are_not_found(world: Any) -> None:
    _, printed = moved(world)
    namesake = customer(world, street="ul. Długa 5", postal_code="80-001", city="Gdańsk")
    theirs = invoice(world, namesake)
    neighbour = customer(world, first_name="Adam", last_name="Nowak", **NEW_HOME)
    invoice(world, neighbour)
    assert find(world, "Łódź") == [printed]
    assert find(world, "Gdańsk") == [theirs]
    assert find(world, "90-001", first="Adam", last="Nowak") != [printed]
    assert find(world, "Warszawa") == []
    assert find(world, "90-001", first="Zofia", last="Kowalska") == []


def test_a_paid_invoice_shows_only_when_asked(world: Any) -> None:
    _, printed = moved(world)
    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100.00")
    services.payment_register(actor=world.cashier_a, invoice_id=printed.pk, amount="123.00",
                              method="cash")
    assert find(world, "Łódź") == []
    assert selectors.invoices_by_buyer(user=world.cashier_a, first_name="Zofia",
                                       last_name="Żółkiewska", address="Łódź",
                                       unpaid_only=False) == [printed]


def test_the_till_page_and_the_api_find_by_the_crm_address(world: Any, client_as: Any) -> None:
    _, printed = moved(world)
    cashier = client_as(world.cashier_a)
    services.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100.00")
    page = cashier.get(reverse("cashdesk:till"), {"first_name": "zofia",
                                                  "last_name": "zolkiewska", "address": "lodz"})
    assert page.status_code == 200
    assert reverse("cashdesk:invoice", args=[printed.pk]) in page.content.decode()
    api = cashier.get("/api/v1/invoices", {"first_name": "Zofia", "last_name": "Żółkiewska",
                                           "address": "90-001"})
    assert api.status_code == 200, api.content
    assert [i["number"] for i in api.json()] == [printed.number]
