"""Pages and API of a sale's documents: prepared from the opportunity page, the approval
button only for another person with the right (C11), another branch's document a 404,
roles without the right refused, the API's list → offer version → approval → sending."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.contracts.models import OfferStatus
from punkt.pipeline.models import SalesDocument
from punkt.pipeline.tests.factories import opportunity, prices

pytestmark = pytest.mark.django_db


def week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def test_an_offer_from_the_page_awaits_another_persons_approval(world: Any,
                                                                client_as: Any) -> None:
    price_list = prices(world)
    items = list(price_list.items.order_by("position"))
    o = opportunity(world)
    seller = client_as(world.service_a)
    page = seller.get(reverse("pipeline:opportunity_detail", args=[o.pk])).content.decode()
    assert 'data-testid="offer-form"' in page and f'name="qty_{items[1].pk}"' in page
    made = seller.post(reverse("pipeline:offer_create", args=[o.pk]), {
        f"qty_{items[0].pk}": "2", f"discount_{items[0].pk}": "0",
        f"qty_{items[1].pk}": "1", f"discount_{items[1].pk}": "20",
        "valid_until": week(), "text": "Montaż gratis"})
    assert made.status_code == 302
    d = SalesDocument.objects.get()
    assert d.offer is not None and d.offer.status == OfferStatus.AWAITING
    page = seller.get(made["Location"]).content.decode()
    assert d.number in page and f'data-testid="send-{d.pk}"' not in page
    assert "musi zatwierdzić inna osoba" in page
    assert f'data-testid="approve-{d.pk}"' not in page  # a seller cannot approve
    refused = seller.post(reverse("pipeline:document_send", args=[d.pk]), follow=True)
    assert "przekracza limit firmy" in refused.content.decode()
    manager = client_as(world.manager_a)
    page = manager.get(reverse("pipeline:opportunity_detail", args=[o.pk])).content.decode()
    assert f'data-testid="approve-{d.pk}"' in page
    assert manager.post(reverse("pipeline:document_approve", args=[d.pk])).status_code == 302
    d.offer.refresh_from_db()
    assert d.offer.status == OfferStatus.PRESENTED
    page = seller.get(reverse("pipeline:opportunity_detail", args=[o.pk])).content.decode()
    assert f'data-testid="send-{d.pk}"' in page
    seller.post(reverse("pipeline:document_send", args=[d.pk]))
    d.refresh_from_db()
    assert d.sent_at is not None
    page = seller.get(reverse("pipeline:opportunity_detail", args=[o.pk])).content.decode()
    assert "Wysłano: oferta handlowa" in page  # the history
    pdf = seller.get(reverse("pipeline:document_pdf", args=[d.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # the offer's page in contracts shows the discount and the approval
    offer_page = seller.get(reverse("contracts:offer_detail", args=[d.offer_id])).content
    assert b"Rabat zatwierdzony" in offer_page


def test_the_author_with_the_right_sees_no_approval_and_is_refused(world: Any,
                                                                    client_as: Any) -> None:
    prices(world)
    o = opportunity(world, actor=world.manager_a)
    manager = client_as(world.manager_a)
    from punkt.materials.models import PriceItem

    first = PriceItem.objects.order_by("pk").first()
    assert first is not None
    manager.post(reverse("pipeline:offer_create", args=[o.pk]), {
        f"qty_{first.pk}": "1", f"discount_{first.pk}": "50", "valid_until": week()})
    d = SalesDocument.objects.get()
    page = manager.get(reverse("pipeline:opportunity_detail", args=[o.pk])).content.decode()
    assert f'data-testid="approve-{d.pk}"' not in page
    assert manager.post(reverse("pipeline:document_approve", args=[d.pk])).status_code == 403
    offer_url = reverse("contracts:offer_detail", args=[d.offer_id])
    assert 'data-testid="offer-awaiting"' in manager.get(offer_url).content.decode()
    assert 'data-testid="offer-approve"' not in manager.get(offer_url).content.decode()
    assert 'data-testid="offer-approve"' in client_as(world.expert).get(offer_url
                                                                        ).content.decode()
    assert manager.post(reverse("contracts:offer_approve", args=[d.offer_id])
                        ).status_code == 403
    assert client_as(world.manager_b).post(
        reverse("pipeline:document_approve", args=[d.pk])).status_code == 404


def test_roles_and_branches(world: Any, client_as: Any) -> None:
    from punkt.pipeline import sales_documents as docs

    o = opportunity(world)
    d = docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="minutes",
                             text="Ustalenia")
    assert client_as(world.service_b).get(
        reverse("pipeline:document_pdf", args=[d.pk])).status_code == 404
    assert client_as(world.cashier_a).get(
        reverse("pipeline:document_pdf", args=[d.pk])).status_code == 404
    assert client_as(world.service_b).post(
        reverse("pipeline:document_send", args=[d.pk])).status_code == 404
    # another seller of the branch: not theirs
    assert client_as(world.retention_a).post(
        reverse("pipeline:document_send", args=[d.pk])).status_code == 403
    assert client_as(world.expert).get(
        reverse("pipeline:document_pdf", args=[d.pk])).status_code == 200
    refused = client_as(world.service_a).post(
        reverse("pipeline:document_create", args=[o.pk]), {"kind": "minutes", "text": ""},
        follow=True)
    assert "To pole jest wymagane" in refused.content.decode()
    assert SalesDocument.objects.count() == 1


def test_api_lists_makes_approves_and_sends(world: Any, client_as: Any) -> None:
    price_list = prices(world)
    item = price_list.items.order_by("position").first()
    o = opportunity(world)
    seller = client_as(world.service_a)
    url = f"/api/v1/opportunities/{o.pk}"
    bad = seller.post(f"{url}/offers", json.dumps({
        "lines": [{"price_item_id": item.pk, "discount": "12.5"}], "valid_until": "2020-01-01"}),
        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "valid_until"
    made = seller.post(f"{url}/offers", json.dumps({
        "lines": [{"price_item_id": item.pk, "quantity": 2, "discount": "12.5"}],
        "valid_until": week()}), content_type="application/json")
    assert made.status_code == 201, made.content
    doc = made.json()
    assert doc["offer_status"] == "awaiting" and doc["may_send"] is False
    assert doc["total_gross"] == "104.98" and doc["max_discount"] == "12.50"
    sending = seller.post(f"/api/v1/sales-documents/{doc['id']}/sending")
    assert sending.status_code == 409
    assert seller.post(f"/api/v1/sales-documents/{doc['id']}/approval").status_code == 403
    assert client_as(world.manager_b).post(
        f"/api/v1/sales-documents/{doc['id']}/approval").status_code == 404
    approved = client_as(world.manager_a).post(f"/api/v1/sales-documents/{doc['id']}/approval")
    assert approved.status_code == 200 and approved.json()["offer_status"] == "presented"
    sent = seller.post(f"/api/v1/sales-documents/{doc['id']}/sending")
    assert sent.status_code == 200 and sent.json()["sent_to"] == "zofia@example.pl"
    minutes = seller.post(f"{url}/documents", json.dumps({"kind": "minutes", "text": "Ok"}),
                          content_type="application/json")
    assert minutes.status_code == 201 and minutes.json()["number"].endswith("/N/1")
    listed = seller.get(f"{url}/documents").json()
    assert [d["kind"] for d in listed] == ["minutes", "offer"]
    assert client_as(world.manager_b).get(f"{url}/documents").status_code == 404
    assert client_as(world.cashier_a).get(f"{url}/documents").status_code in (403, 404)


def test_the_opportunity_page_reads_a_fixed_number_of_queries(world: Any,
                                                               client_as: Any) -> None:
    """However many documents and offer versions a sale has."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from punkt.pipeline import sales_documents as docs
    from punkt.pipeline.tests.factories import offer_lines

    price_list = prices(world)
    o = opportunity(world)
    c = client_as(world.service_a)
    url = reverse("pipeline:opportunity_detail", args=[o.pk])

    def add() -> None:
        d = docs.offer_version_create(actor=world.service_a, opportunity_id=o.pk,
                                      lines=offer_lines(price_list), valid_until=week())
        docs.document_send(actor=world.service_a, document_id=d.pk)
        docs.document_create(actor=world.service_a, opportunity_id=o.pk, kind="survey")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        # the session's own refresh comes and goes with time, not with the page
        return len([q for q in ctx.captured_queries if "django_session" not in q["sql"]
                    and "SAVEPOINT" not in q["sql"]])

    add()
    before = count()
    add()
    add()
    assert count() == before >= 10
