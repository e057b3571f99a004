"""The retention list as staff work it: the customer's phone beside the name, formatted as
everywhere (``+48 601 234 567``), each contract linked."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from punkt.contracts.tests import factories as f
from punkt.retention.tests.test_retention import active


def test_the_list_shows_the_phone_to_dial_and_links_the_contract(world: Any,
                                                                  client_as: Any) -> None:
    with_phone = f.customer(world, phone="601 234 567")
    without = f.customer(world, first_name="Adam", last_name="Bez-Telefonu")
    dial, other = active(world, 10, cust=with_phone), active(world, 20, cust=without)
    html = client_as(world.retention_a).get(reverse("retention:worklist")).content.decode()
    assert '<a href="tel:+48601234567">+48 601 234 567</a>' in html
    assert html.count('data-testid="worklist-phone"') == 2
    for c in (dial, other):
        assert f'href="{reverse("contracts:contract_detail", args=[c.pk])}"' in html
    case = client_as(world.retention_a).get(reverse("retention:case", args=[dial.pk]))
    assert "+48 601 234 567" in case.content.decode()
