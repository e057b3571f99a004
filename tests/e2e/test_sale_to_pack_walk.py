"""Browser: issue 18's whole walk at 1366×768 — a sale from a refused presentation to the
monthly pack. The customer refuses the presentation for now (a retry date: a task on "My
work"); later the seller sends the meeting minutes, prepares and sends the offer, and
takes the sale through every stage, each refusing to be left without what it requires;
at the closing the acceptance act goes out with the invoice's number and the sale is won.
The branch manager prepares the month's pack: the won sale is there against HQ's plan."""

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


def _control(page: Any, kind: str, on: datetime.date) -> None:
    form = page.get_by_test_id("control-form")
    form.get_by_label("Punkt kontrolny").select_option(value=kind)
    form.get_by_label("Data").fill(on.isoformat())
    with page.expect_navigation():
        form.get_by_role("button", name="Ustaw").click()


def _next(page: Any, stage: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id("move-next").click()
    from playwright.sync_api import expect

    expect(page.get_by_test_id("opportunity-stage")).to_contain_text(stage)


def _send_latest(page: Any, kind: str) -> None:
    from playwright.sync_api import expect

    from punkt.pipeline.models import SalesDocument

    d = SalesDocument.objects.filter(kind=kind).latest("pk")
    with page.expect_navigation():
        page.get_by_test_id(f"send-{d.pk}").click()
    expect(page.get_by_test_id(f"document-{kind}-{d.version}").get_by_test_id(
        "document-sent")).to_contain_text("zofia@example.pl")


def test_a_refused_presentation_becomes_a_won_sale_in_the_monthly_pack(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from django.utils import timezone
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.pipeline import plans
    from punkt.pipeline.models import Opportunity, SalesDocument
    from punkt.pipeline.tests.factories import prices
    from punkt.work.models import Task

    world = make_world()
    price_list = prices(world)
    router = price_list.items.get(code="RTR-1")
    cust = customer(world)
    today = timezone.localdate()
    month = plans.current_month(today)
    plans.plan_set(actor=world.expert, branch_id=world.a.pk, month=month.strftime("%Y-%m"),
                   values={"won": 2, "new_customers": 5})

    page = signed_in(world.service_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/customers/{cust.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nowa szansa sprzedaży").click()
    page.get_by_label("Przedmiot sprzedaży").fill("Router z instalacją")
    page.get_by_label("Przewidywana kwota (zł)").fill("249,00")
    with page.expect_navigation():
        page.get_by_role("button", name="Otwórz szansę sprzedaży").click()
    o = Opportunity.objects.get()

    # The customer refuses the presentation for now: a retry date, a task on "My work".
    retry = today + datetime.timedelta(days=7)
    page.get_by_text("Klient na razie odmówił: spróbuj ponownie później").click()
    page.get_by_test_id("refuse-form").get_by_label("Powód").select_option(
        label="Klient odmówił prezentacji")
    page.get_by_label("Ponowna próba dnia").fill(retry.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Zapisz odmowę").click()
    expect(page.get_by_test_id("control-retry")).to_contain_text(f"{retry:%d.%m.%Y}")
    retry_task = Task.objects.get(subject_id=str(o.pk))
    page.goto("/work/")
    expect(page.get_by_text(o.number).first).to_be_visible()

    # The retry: the presentation takes place, the minutes are sent.
    page.goto(f"/pipeline/{o.pk}/")
    expect(page.get_by_test_id("stage-missing")).to_contain_text("daty wysłania protokołu")
    with page.expect_navigation():
        page.get_by_test_id("done-retry").click()
    assert Task.objects.get(pk=retry_task.pk).status == "done"
    page.get_by_text("Notatka ze spotkania", exact=True).click()
    page.get_by_label("Co przedstawiono i ustalono").fill(
        "Przedstawiono router z instalacją; klient prosi o ofertę.")
    with page.expect_navigation():
        page.get_by_role("button", name="Przygotuj notatkę").click()
    _send_latest(page, "minutes")
    _control(page, "minutes", today)
    _next(page, "Oferta")

    # The offer: refused to move on before it is sent, then prepared and sent.
    with page.expect_navigation():
        page.get_by_test_id("move-next").click()
    expect(page.get_by_test_id("opportunity-stage")).to_contain_text("Oferta")
    expect(page.get_by_text("oferty handlowej wysłanej do klienta").first).to_be_visible()
    page.get_by_text("Przygotuj ofertę (nową wersję)").click()
    form = page.get_by_test_id("offer-form")
    form.locator(f"input[name=qty_{router.pk}]").fill("1")
    form.get_by_label("Ważna do").fill((today + datetime.timedelta(days=14)).isoformat())
    with page.expect_navigation():
        form.get_by_role("button", name="Przygotuj ofertę").click()
    _send_latest(page, "offer")
    _next(page, "Porozumienie")

    # The agreement needs the expected closing month.
    page.get_by_text("Zmień szczegóły").click()
    page.get_by_label("Przewidywany miesiąc zamknięcia").fill(month.strftime("%Y-%m"))
    with page.expect_navigation():
        page.get_by_test_id("edit-form").get_by_role("button", name="Zapisz").click()
    _next(page, "Zapłata")
    _control(page, "invoice_due", today)
    _next(page, "Realizacja")
    _control(page, "event", today)
    _next(page, "Zamknięcie")

    # The closing: the acceptance act with the invoice's number, the survey and the next
    # contact planned, then won.
    page.get_by_text("Protokół odbioru", exact=True).click()
    page.get_by_label("Numer faktury").fill("FV/2026/0412")
    with page.expect_navigation():
        page.get_by_role("button", name="Przygotuj protokół odbioru").click()
    _send_latest(page, "acceptance")
    _control(page, "survey", today + datetime.timedelta(days=30))
    _control(page, "next_contact", today + datetime.timedelta(days=180))
    with page.expect_navigation():
        page.get_by_test_id("win").click()
    o.refresh_from_db()
    assert o.status == "won"
    assert set(SalesDocument.objects.filter(opportunity=o, sent_at__isnull=False)
               .values_list("kind", flat=True)) == {"minutes", "offer", "acceptance"}
    _shot(page, tmp_path, "sale-won-1366.png")

    # The manager prepares the month's pack: one won sale of the two planned.
    manager = signed_in(world.manager_a.email)
    manager.set_viewport_size({"width": 1366, "height": 768})
    manager.goto(f"/pipeline/packs/{world.a.pk}/{month:%Y-%m}/")
    with manager.expect_navigation():
        manager.get_by_test_id("recompute").click()
    expect(manager.get_by_test_id("prepared")).to_contain_text("Przygotowano")
    won = manager.get_by_test_id("pack-measures").get_by_role("row", name="Wygrane sprzedaże")
    expect(won).to_contain_text("2")
    expect(won).to_contain_text("1")
    expect(won).to_contain_text("50")
    expect(manager.get_by_test_id("pack-funnel")).to_contain_text("249")
    _shot(manager, tmp_path, "monthly-pack-1366.png")
