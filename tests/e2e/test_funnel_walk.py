"""Browser: the manager imports existing deals (R11, issue 18 item 9) — a file refused with
the row and column of a customer of another branch, then, corrected, checked, confirmed
and written —, and reads them in the funnel and refusals report (R12.6): the stages
reached, the loss by its reason, the seller's win rate linked to the list of those
sales."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.e2e.test_dashboard_walk import open_menu_for
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

HEADER = "klient;tytuł;kwota;etap;opiekun;status;powód;data utworzenia;data zamknięcia\n"


def _run_worker() -> None:
    """What the background worker does with the queued file."""
    from punkt.pipeline.models import DealImport, DealImportStatus
    from punkt.pipeline.tasks import deal_import_check, deal_import_run

    for job in DealImport.objects.filter(status=DealImportStatus.QUEUED):
        deal_import_check.call(job.pk)
    for job in DealImport.objects.filter(status=DealImportStatus.RUNNING):
        deal_import_run.call(job.pk)


def test_the_manager_imports_deals_and_reads_the_funnel(
        signed_in: Any, problems: Any, tmp_path: Path, settings: Any) -> None:  # noqa: F811
    from django.urls import reverse
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.pipeline.models import Opportunity

    settings.VAR_DIR = tmp_path
    world = make_world()
    first, second = customer(world), customer(world)
    other = customer(world, branch=world.b, actor=world.service_b)
    seller = world.service_a.email

    page = signed_in(world.manager_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(reverse("pipeline:opportunity_list"))
    with page.expect_navigation():
        page.get_by_test_id("deal-import-link").click()
    expect(page.get_by_test_id("import-columns")).to_contain_text("opiekun")

    def upload(name: str, text: str) -> None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        page.get_by_label("Plik CSV lub XLSX").set_input_files(str(path))
        with page.expect_navigation():
            page.get_by_role("button", name="Prześlij i sprawdź").click()
        expect(page.get_by_test_id("import-state")).to_have_text("w kolejce do sprawdzenia")
        _run_worker()  # the page polls: the outcome arrives without a reload

    # 1. Row 3 names a customer of branch B: nothing is written.
    upload("transakcje.csv", HEADER
           + f"{first.number};Internet 1 Gb/s;1200,00;;{seller};wygrana;;02.11.2026;"
             "20.11.2026\n"
           + f"{other.number};Telewizja;300,00;Oferta;{seller};przegrana;Cena za wysoka;"
             "03.11.2026;10.11.2026\n")
    expect(page.get_by_test_id("import-state")).to_have_text("odrzucony: plik zawiera błędy")
    expect(page.get_by_test_id("import-errors")).to_contain_text("customer")
    assert not Opportunity.objects.exists()

    # 2. Corrected: checked, confirmed, written.
    page.goto(reverse("pipeline:deal_imports"))
    upload("transakcje-poprawione.csv", HEADER
           + f"{first.number};Internet 1 Gb/s;1200,00;;{seller};wygrana;;02.11.2026;"
             "20.11.2026\n"
           + f"{second.number};Telewizja;300,00;Oferta;{seller};przegrana;Cena za wysoka;"
             "03.11.2026;10.11.2026\n")
    expect(page.get_by_test_id("import-state")).to_have_text(
        "sprawdzony, czeka na potwierdzenie")
    expect(page.get_by_test_id("import-deals")).to_have_text("2")
    with page.expect_navigation():
        page.get_by_test_id("import-confirm").click()
    _run_worker()
    expect(page.get_by_test_id("import-state")).to_have_text("zaimportowany")
    assert Opportunity.objects.filter(branch=world.a).count() == 2

    # 3. The funnel from the menu, for November.
    url = reverse("pipeline:funnel")
    open_menu_for(page, url)
    with page.expect_navigation():
        page.locator(f'nav.mainnav a[href="{url}"]').click()
    page.get_by_label("Od", exact=True).fill("2026-11-01")
    page.get_by_label("Do", exact=True).fill("2026-11-30")
    with page.expect_navigation():
        page.get_by_role("button", name="Pokaż").click()
    expect(page.get_by_test_id("chart-conversion")).to_be_visible()
    expect(page.get_by_test_id("funnel-stages")).to_contain_text("Zamknięcie")
    expect(page.get_by_test_id("won-of-opened")).to_have_text("1")
    expect(page.get_by_test_id("funnel-losses")).to_contain_text("Cena za wysoka")
    expect(page.get_by_test_id("funnel-branches")).to_contain_text("50,0 %")
    with page.expect_navigation():
        page.get_by_test_id(f"rate-employee-{world.service_a.pk}").click()
    expect(page.get_by_test_id("closed-between")).to_contain_text("01.11.2026")
    expect(page.get_by_test_id("opportunity-table")).to_contain_text("Telewizja")
    expect(page.get_by_test_id("opportunity-table")).to_contain_text("Internet 1 Gb/s")
    problems.assert_clean()
