"""Offers: from the price lists in force, prices copied, the customer's answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from punkt.contracts import services
from punkt.contracts.models import Offer, OfferStatus
from punkt.contracts.workflows import OFFER_FLOW
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.customers import services as customers
from punkt.customers.models import TimelineEntry
from punkt.materials import services as materials

PRICES = b"kod;nazwa;cena brutto;VAT\nINT-300;Internet 300;59,99;23\nRTR-1;Router;249;23\n"


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def publish(world: Any, kind: str = "price_list", data: bytes = PRICES,
            name: str = "cennik.csv", material_id: int | None = None) -> Any:
    if material_id is None:
        material_id = materials.material_create(actor=world.expert, kind=kind,
                                                title=f"Materiał {kind}").pk
    v = materials.version_create(actor=world.expert, material_id=material_id,
                                 uploaded=SimpleUploadedFile(name, data),
                                 valid_from=timezone.localdate())
    return materials.version_publish(actor=world.expert, version_id=v.pk)


def customer(world: Any, branch: Any = None, actor: Any = None) -> Any:
    return customers.customer_create(
        actor=actor or world.service_a, branch_id=(branch or world.a).pk,
        data={"kind": "person", "first_name": "Jan", "last_name": "Kowalski"},
        consents=[{"purpose": "contract", "granted": True}], confirm_duplicate=True)


def test_offer_copies_prices_and_goes_on_the_timeline(world: Any) -> None:
    prices = publish(world)
    promo = publish(world, "promo", b"%PDF-1.4\n%%EOF\n", "ulotka.pdf")
    c = customer(world)
    internet, router = prices.items.order_by("position")
    offer = services.offer_create(actor=world.service_a, customer_id=c.pk, lines=[
        {"price_item_id": internet.pk, "quantity": 2}, {"price_item_id": router.pk}],
        promo_version_id=promo.pk, note="Klient porówna z ofertą konkurencji")
    assert offer.total_gross == Decimal("368.98") and offer.promo == promo
    assert [(x.code, x.quantity, x.total_gross) for x in offer.lines.all()] == [
        ("INT-300", 2, Decimal("119.98")), ("RTR-1", 1, Decimal("249.00"))]
    entry = TimelineEntry.objects.get(customer=c, kind="offer")
    assert offer.number in entry.subject and "Router × 1" in entry.body
    # A new price list: the offer keeps its prices; the old positions are no longer offered.
    publish(world, data=PRICES.replace(b"59,99", b"49,99"), material_id=prices.material_id)
    assert Offer.objects.get(pk=offer.pk).lines.all()[0].price_gross == Decimal("59.99")
    with pytest.raises(Conflict) as exc:
        services.offer_create(actor=world.service_a, customer_id=c.pk,
                              lines=[{"price_item_id": internet.pk}])
    assert exc.value.code == "superseded"


def test_offer_rules_name_the_field(world: Any) -> None:
    prices = publish(world)
    item = prices.items.first()
    c = customer(world)
    cases = [([], "lines"), ([{"price_item_id": item.pk, "quantity": 0}], "lines"),
             ([{"price_item_id": item.pk, "quantity": "dużo"}], "lines"),
             ([{"price_item_id": 999999}], "lines")]
    for lines, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.offer_create(actor=world.service_a, customer_id=c.pk, lines=lines)
        assert exc.value.field == field
    with pytest.raises(ValidationFailed) as exc:  # a price list is not a promo material
        services.offer_create(actor=world.service_a, customer_id=c.pk,
                              lines=[{"price_item_id": item.pk}], promo_version_id=prices.pk)
    assert exc.value.field == "promo"
    assert not Offer.objects.exists()


def test_other_branch_cashier_and_price_list_of_another_branch(world: Any) -> None:
    only_b = materials.material_create(actor=world.expert, kind="price_list", title="B")
    v = materials.version_create(actor=world.expert, material_id=only_b.pk,
                                 uploaded=SimpleUploadedFile("b.csv", PRICES),
                                 valid_from=timezone.localdate(), all_branches=False,
                                 branch_ids=[world.b.pk])
    materials.version_publish(actor=world.expert, version_id=v.pk)
    c = customer(world)
    with pytest.raises(ValidationFailed) as exc:  # B's price list is not A's
        services.offer_create(actor=world.service_a, customer_id=c.pk,
                              lines=[{"price_item_id": v.items.all()[0].pk}])
    assert exc.value.field == "lines" and "B" not in exc.value.message
    with pytest.raises(ActionDenied):
        services.offer_create(actor=world.service_b, customer_id=c.pk,
                              lines=[{"price_item_id": v.items.all()[0].pk}])
    with pytest.raises(ActionDenied):
        services.offer_create(actor=world.cashier_a, customer_id=c.pk,
                              lines=[{"price_item_id": v.items.all()[0].pk}])
    with pytest.raises(NotFound):
        services.offer_create(actor=world.service_a, customer_id=999999, lines=[])


def test_answer_once_and_decline_needs_a_reason(world: Any) -> None:
    prices = publish(world)
    c = customer(world)
    offer = services.offer_create(actor=world.service_a, customer_id=c.pk,
                                  lines=[{"price_item_id": prices.items.first().pk}])
    with pytest.raises(ValidationFailed) as exc:
        services.offer_decide(actor=world.service_a, offer_id=offer.pk, accepted=False)
    assert exc.value.field == "reason"
    services.offer_decide(actor=world.service_a, offer_id=offer.pk, accepted=True)
    with pytest.raises(Conflict):
        services.offer_decide(actor=world.manager_a, offer_id=offer.pk, accepted=False,
                              reason="rozmyślił się")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ACCEPTED


@pytest.mark.parametrize(("action", "allowed_from"), [("accept", {OfferStatus.PRESENTED}),
                                                      ("decline", {OfferStatus.PRESENTED})])
def test_every_offer_transition_from_every_state(world: Any, action: str,
                                                 allowed_from: set[str]) -> None:
    for state in OfferStatus.values:
        offer = Offer(status=state, branch=world.a)
        if state in allowed_from:
            OFFER_FLOW.ensure_can(offer, action, actor=world.service_a)
            with pytest.raises(ActionDenied):  # another branch
                OFFER_FLOW.ensure_can(offer, action, actor=world.service_b)
        else:
            with pytest.raises(Conflict):
                OFFER_FLOW.ensure_can(offer, action, actor=world.service_a)


def test_offer_pages(world: Any, client_as: Any) -> None:
    prices = publish(world)
    c = customer(world)
    client = client_as(world.service_a)
    profile = client.get(f"/customers/{c.pk}/").content.decode()
    assert f"/contracts/offers/new/{c.pk}/" in profile
    form = client.get(f"/contracts/offers/new/{c.pk}/")
    item = prices.items.first()
    assert form.status_code == 200 and 'data-testid="item-search"' in form.content.decode()
    bad = client.post(f"/contracts/offers/new/{c.pk}/", {})
    assert bad.status_code == 422 and 'data-testid="offer-error"' in bad.content.decode()
    response = client.post(f"/contracts/offers/new/{c.pk}/", {f"qty_{item.pk}": "3"})
    offer = Offer.objects.get()
    assert response.status_code == 302 and offer.total_gross == Decimal("179.97")
    page = client.get(f"/contracts/offers/{offer.pk}/").content.decode()
    assert "179,97" in page
    client.post(f"/contracts/offers/{offer.pk}/decide/", {"answer": "decline",
                                                          "reason": "za drogo"})
    assert Offer.objects.get().decline_reason == "za drogo"
    assert client_as(world.service_b).get(f"/contracts/offers/{offer.pk}/").status_code == 404
