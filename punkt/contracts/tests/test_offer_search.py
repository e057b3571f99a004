"""The offer form searches the price lists in force (htmx) instead of listing every table:
matching positions by code or name, a chosen one added as a row of the offer, the rows
shown again after an error."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from punkt.contracts import selectors
from punkt.contracts.models import Offer
from punkt.contracts.tests.factories import customer, publish

pytestmark = pytest.mark.django_db

SERVICES = ("kod;nazwa;cena brutto;VAT\nINT-300;Internet 300;59,99;23\n"
            "INT-600;Internet 600;79,99;23\nTV-1;Telewizja Start;29,99;23\n"
            "FIB-1;Światłowód domowy;99,00;23\n").encode()
ACCESSORIES = b"kod;nazwa;cena brutto;VAT\nRTR-1;Router Wi-Fi;249;23\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lists(world: Any) -> tuple[Any, Any, Any]:
    services = publish(world, "price_list", SERVICES, "uslugi.csv", title="Cennik usług")
    accessories = publish(world, "price_list", ACCESSORIES, "akcesoria.csv",
                          title="Cennik akcesoriów")
    elsewhere = publish(world, "price_list", b"kod;nazwa;cena brutto;VAT\nB-1;Internet B;1;23\n",
                        "b.csv", branch=world.b, title="Cennik oddziału B")
    return services, accessories, elsewhere


def url(c: Any) -> str:
    return reverse("contracts:offer_create", args=[c.pk])


def codes(html: str) -> list[str]:
    return re.findall(r'data-testid="add-([^"]+)"', html)


def test_the_form_lists_no_table_but_a_search(world: Any, client_as: Any, lists: Any) -> None:
    html = client_as(world.service_a).get(url(customer(world))).content.decode()
    assert 'data-testid="item-search"' in html
    assert 'name="qty_' not in html and "Internet 600" not in html  # no table of positions
    assert "5 pozycji w cennikach obowiązujących w tym oddziale." in html  # not branch B's


def test_search_by_code_name_and_polish_letters(world: Any, client_as: Any,
                                               lists: Any) -> None:
    client, c = client_as(world.service_a), customer(world)

    def found(q: str) -> list[str]:
        r = client.get(url(c), {"part": "items", "item_q": q}, **HTMX)
        assert r.status_code == 200
        return codes(r.content.decode())

    assert found("int") == ["INT-300", "INT-600"]
    assert found("internet 600") == ["INT-600"]
    assert found("rtr") == ["RTR-1"]  # the other price list too
    assert found("swiatlowod") == ["FIB-1"] == found("ŚWIATŁOWÓD")
    assert found("internet b") == []  # branch B's price list is not in force here
    assert found("") == []
    html = client.get(url(c), {"part": "items", "item_q": "xyz"}, **HTMX).content.decode()
    assert 'data-testid="no-items"' in html


def test_search_names_at_most_twenty_and_says_there_are_more(world: Any) -> None:
    rows = "".join(f"P-{n:02d};Pakiet {n};{n},00;23\n" for n in range(1, 26))
    publish(world, "price_list", ("kod;nazwa;cena brutto;VAT\n" + rows).encode(), "p.csv")
    found = selectors.price_items_matching(branch_id=world.a.pk, q="pakiet")
    assert len(found.items) == 20 and found.more and found.total == 25
    assert [i.code for i in found.items][:3] == ["P-01", "P-02", "P-03"]


def test_adding_a_position_and_recording_the_offer(world: Any, client_as: Any,
                                                   lists: Any) -> None:
    services, accessories, elsewhere = lists
    client, c = client_as(world.service_a), customer(world)
    router = accessories.items.get(code="RTR-1")
    row = client.get(url(c), {"part": "line", "item": router.pk}, **HTMX)
    assert row.status_code == 200
    assert f'name="qty_{router.pk}" value="1"' in row.content.decode()
    # Already on the offer: nothing to add.
    again = client.get(url(c), {"part": "line", "item": router.pk, f"qty_{router.pk}": "2"},
                       **HTMX)
    assert again.status_code == 204
    # Another branch's position, or no position: not found.
    b_item = elsewhere.items.get()
    assert client.get(url(c), {"part": "line", "item": b_item.pk}, **HTMX).status_code == 404
    assert client.get(url(c), {"part": "line", "item": "x"}, **HTMX).status_code == 404
    internet = services.items.get(code="INT-300")
    done = client.post(url(c), {f"qty_{internet.pk}": "2", f"qty_{router.pk}": "1"})
    assert done.status_code == 302
    assert Offer.objects.get().total_gross == Decimal("368.98")


def test_an_error_shows_the_chosen_positions_again(world: Any, client_as: Any,
                                                   lists: Any) -> None:
    services, _, _ = lists
    client, c = client_as(world.service_a), customer(world)
    internet = services.items.get(code="INT-600")
    bad = client.post(url(c), {f"qty_{internet.pk}": "-3", "note": "dzwonić po 16"})
    assert bad.status_code == 422
    html = bad.content.decode()
    assert 'data-testid="offer-error"' in html
    assert f'name="qty_{internet.pk}" value="-3"' in html and "dzwonić po 16" in html


def test_parts_follow_the_customer_s_scope_and_role(world: Any, client_as: Any,
                                                    lists: Any) -> None:
    c = customer(world)
    assert client_as(world.service_b).get(
        url(c), {"part": "items", "item_q": "int"}, **HTMX).status_code == 404
    assert client_as(world.cashier_a).get(
        url(c), {"part": "items", "item_q": "int"}, **HTMX).status_code in (403, 404)
