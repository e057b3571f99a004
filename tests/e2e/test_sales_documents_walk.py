"""Browser: the documents of a sale at 1366×768. The seller prepares an offer with a 20 %
discount on a router from the opportunity page — it awaits approval (C11) and cannot be
sent; the branch manager approves it; the seller sends it by e-mail; the customer opens
the link from the e-mail (no sign-in) and downloads the PDF; the seller sees when it was
sent and opened."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def test_an_offer_approved_by_the_manager_sent_and_opened_by_the_customer(
        signed_in: Any, browser: Any, live_server: Any, tmp_path: Path) -> None:  # noqa: F811
    from django.utils import timezone
    from playwright.sync_api import expect

    from punkt.pipeline import sales_documents as docs
    from punkt.pipeline.models import SalesDocument
    from punkt.pipeline.tests.factories import opportunity, prices

    world = make_world()
    price_list = prices(world)
    router = price_list.items.get(code="RTR-1")
    o = opportunity(world)
    page = signed_in(world.service_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/pipeline/{o.pk}/")
    page.get_by_text("Przygotuj ofertę (nową wersję)").click()
    form = page.get_by_test_id("offer-form")
    form.locator(f"input[name=qty_{router.pk}]").fill("1")
    form.locator(f"input[name=discount_{router.pk}]").fill("20")
    form.get_by_label("Ważna do").fill(
        (timezone.localdate() + datetime.timedelta(days=10)).isoformat())
    with page.expect_navigation():
        form.get_by_role("button", name="Przygotuj ofertę").click()
    d = SalesDocument.objects.get()
    row = page.get_by_test_id(f"document-offer-{d.version}")
    expect(row).to_contain_text("czeka na zatwierdzenie rabatu")
    expect(row).to_contain_text("199,20")
    expect(page.get_by_test_id(f"send-{d.pk}")).to_have_count(0)
    _shot(page, tmp_path, "sales-documents-awaiting-1366.png")

    manager = signed_in(world.manager_a.email)
    manager.set_viewport_size({"width": 1366, "height": 768})
    manager.goto(f"/pipeline/{o.pk}/")
    with manager.expect_navigation():
        manager.get_by_test_id(f"approve-{d.pk}").click()
    expect(manager.get_by_test_id(f"document-offer-{d.version}")).to_contain_text(
        "zatwierdził(a)")

    page.reload()
    with page.expect_navigation():
        page.get_by_test_id(f"send-{d.pk}").click()
    expect(page.get_by_test_id(f"document-offer-{d.version}").get_by_test_id(
        "document-sent")).to_contain_text("zofia@example.pl")

    link = docs.document_link(d.pk).split("/dokument/")[1]
    customer = browser.new_context(base_url=live_server.url, locale="pl-PL")
    visitor = customer.new_page()
    visitor.goto(f"/dokument/{link}")
    expect(visitor.get_by_role("heading")).to_contain_text(d.number)
    with visitor.expect_download() as download:
        visitor.get_by_test_id("download").click()
    assert download.value.suggested_filename.endswith(".pdf")
    customer.close()
    page.reload()
    expect(page.get_by_test_id(f"document-offer-{d.version}").get_by_test_id(
        "document-opened")).not_to_have_text("—")
    expect(page.get_by_test_id("opportunity-history")).to_contain_text(
        "Klient otworzył dokument")
    _shot(page, tmp_path, "sales-documents-opened-1366.png")
