"""The segment pages, CSV and API over HTTP on the world of ``segment_world.build``: who
may see and set up segments (C2), the manager's branch only (C1), the CSV audited with
formulas neutralised (C25, C26), the profile's line and tab, the setup forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from punkt.analytics.models import Segment, SegmentProduct
from punkt.analytics.tests import segment_world as sw
from punkt.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> sw.SegWorld:
    return sw.build(world)


@pytest.mark.parametrize(("role", "view", "setup"), [
    ("admin", 200, 200), ("hq_expert", 200, 200), ("manager", 200, 403),
    ("service", 200, 403), ("retention", 200, 403), ("cashier", 403, 403)])
def test_who_sees_and_who_sets_up(w: sw.SegWorld, client_as: Any, role: str, view: int,
                                  setup: int) -> None:
    c = client_as(w.world.by_role()[role])
    for url in (reverse("analytics:segments"), reverse("analytics:crosssell"),
                "/api/v1/analytics/segments", "/api/v1/analytics/segments/maturity",
                "/api/v1/analytics/segments/cross-sell",
                f"/api/v1/analytics/segments/{w.small.pk}/matrix"):
        assert c.get(url).status_code == view, url
    assert c.get(reverse("analytics:segment_setup")).status_code == setup
    assert c.get(reverse("analytics:segment_edit", args=[w.small.pk])).status_code == setup


def test_the_manager_sees_his_branch_with_cells_linking_their_records(
        w: sw.SegWorld, client_as: Any) -> None:
    c = client_as(w.world.manager_a)
    for params in ({"segment": w.small.pk}, {"segment": w.small.pk, "branch": w.world.b.pk}):
        text = c.get(reverse("analytics:segments"), params).content.decode()
        assert f'data-testid="row-{w.c4.pk}"' not in text
    text = c.get(reverse("analytics:segments"), {"segment": w.small.pk}).content.decode()
    assert text.index(f'data-testid="row-{w.c7.pk}"') < text.index(
        f'data-testid="row-{w.c1.pk}"') < text.index(f'data-testid="row-{w.c2.pk}"')
    assert "Za drogo" in text and "Nie ogląda" in text and "55,6%" in text
    assert "/pipeline/" in text and "/contracts/" in text and "/sales/" in text
    only = c.get(reverse("analytics:segments"), {"segment": w.small.pk, "state": "refused"})
    assert f'data-testid="row-{w.c1.pk}"' not in only.content.decode()
    hq = client_as(w.world.expert).get(reverse("analytics:segments"),
                                       {"segment": w.small.pk}).content.decode()
    assert f'data-testid="row-{w.c4.pk}"' in hq and "50,0%" in hq


def test_the_cross_sell_page_and_its_links(w: sw.SegWorld, client_as: Any) -> None:
    text = client_as(w.world.manager_a).get(reverse("analytics:crosssell")).content.decode()
    order = [text.index(f'data-testid="suggestion-{c.pk}-{w.tv.pk}"')
             for c in (w.c2, w.c1, w.c5)]
    assert order == sorted(order)
    assert f"/pipeline/new/?customer_id={w.c2.pk}&amp;product_id={w.tv.pk}" in text
    assert "1 500,00" in text or "1500,00" in text or "1\xa0500,00" in text


def test_the_api(w: sw.SegWorld, client_as: Any) -> None:
    c = client_as(w.world.manager_a)
    listed = c.get("/api/v1/analytics/segments").json()["items"]
    assert [s["name"] for s in listed] == ["Małe firmy", "Firmy", "Młodzi"]
    assert [p["product_code"] for p in listed[0]["products"]] == ["INT-300", "RTR-1", "TV-1"]
    m = c.get(f"/api/v1/analytics/segments/{w.small.pk}/matrix").json()
    assert [r["customer_id"] for r in m["items"]] == [w.c7.pk, w.c1.pk, w.c2.pk]
    assert [x["state"] for x in m["items"][1]["cells"]] == ["signed", "offered", "none"]
    assert m["items"][2]["cells"][0]["reason"] == "Za drogo"
    assert m["items"][1]["maturity_percent"] == "33.3"
    refused = c.get(f"/api/v1/analytics/segments/{w.small.pk}/matrix",
                    {"state": "refused"}).json()
    assert [r["customer_id"] for r in refused["items"]] == [w.c2.pk]
    avg = c.get("/api/v1/analytics/segments/maturity").json()["items"]
    assert [(a["customers"], a["maturity_percent"]) for a in avg] == [
        (3, "55.6"), (1, "0.0"), (1, "0.0")]
    sell = c.get("/api/v1/analytics/segments/cross-sell").json()
    assert [(s["customer_id"], s["product_code"], s["value"]) for s in sell["items"]] == [
        (w.c2.pk, "TV-1", "1500.00"), (w.c1.pk, "TV-1", "500.00"), (w.c5.pk, "TV-1", "400.00")]
    one = c.get(f"/api/v1/analytics/segments/customers/{w.c1.pk}").json()
    assert (one["segment"]["id"], one["products_used"], one["to_sell"]) == (
        w.small.pk, 1, [w.tv.pk])
    assert c.get(f"/api/v1/analytics/segments/customers/{w.c4.pk}").status_code == 404
    assert c.get("/api/v1/analytics/segments/999999/matrix").status_code == 404


def test_the_profile_line_and_tab(w: sw.SegWorld, client_as: Any) -> None:
    c = client_as(w.world.manager_a)
    page = c.get(reverse("customers:customer_detail", args=[w.c1.pk])).content.decode()
    assert "Małe firmy: 1 z 3" in page or "Małe firmy: 1 of 3" in page
    tab = c.get(reverse("customers:customer_tab", args=[w.c1.pk, "segment"]),
                HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="segment-to-sell"' in tab
    assert f"/pipeline/new/?customer_id={w.c1.pk}&amp;product_id={w.tv.pk}" in tab
    none = c.get(reverse("customers:customer_tab", args=[w.c6.pk, "segment"]),
                 HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="no-segment"' in none


def test_export_is_audited_and_neutralises_formulas(w: sw.SegWorld, client_as: Any) -> None:
    from punkt.core.models import AuditEvent

    Customer.objects.filter(pk=w.c1.pk).update(display_name='=HYPERLINK("http://x")')
    r = client_as(w.world.manager_a).get(reverse("analytics:segments_export"),
                                         {"segment": w.small.pk})
    assert r.status_code == 200
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 4 and "Omega" in lines[1] and "Delta" not in body
    assert "'=HYPERLINK" in body and ";=HYPERLINK" not in body
    assert "Za drogo" in body
    assert AuditEvent.objects.filter(action="analytics.segments.export").count() == 1
    assert client_as(w.world.service_a).get(
        reverse("analytics:segments_export")).status_code == 403
    again = client_as(w.world.manager_a, reauthenticated=False).get(
        reverse("analytics:segments_export"))
    assert again.status_code == 302 and "reauthenticate" in again["Location"]


def test_hq_sets_up_a_segment_through_the_forms(w: sw.SegWorld, client_as: Any) -> None:
    c = client_as(w.world.expert)
    r = c.post(reverse("analytics:segment_setup"), {
        "form": "new", "name": "Budowlanka", "kind": ["company"],
        "industry": "Budownictwo, Deweloperka"})
    made = Segment.objects.get(name="Budowlanka")
    assert r.status_code == 302 and made.rules == {
        "kind": ["company"], "industry": ["Budownictwo", "Deweloperka"]}
    edit = reverse("analytics:segment_edit", args=[made.pk])
    c.post(edit, {"form": "add", "product_id": w.router.pk, "value": "299,00"})
    c.post(edit, {"form": "add", "product_id": w.inet.pk, "value": "1440"})
    first = SegmentProduct.objects.get(segment=made, product=w.inet)
    c.post(edit, {"form": "up", "target_id": first.pk})
    assert [t.product for t in SegmentProduct.objects.filter(segment=made)] == [
        w.inet, w.router]
    c.post(edit, {"form": "value", "target_id": first.pk, "value": "abc"})
    first.refresh_from_db()
    assert str(first.value) == "1440.00"
    c.post(reverse("analytics:segment_setup"), {"form": "up", "segment_id": made.pk})
    assert [s.name for s in Segment.objects.all()] == [
        "Małe firmy", "Firmy", "Budowlanka", "Młodzi"]
    assert client_as(w.world.manager_a).post(
        edit, {"form": "remove", "target_id": first.pk}).status_code == 403
    c.post(reverse("analytics:segment_setup"), {"form": "delete", "segment_id": made.pk})
    assert not Segment.objects.filter(pk=made.pk).exists()
