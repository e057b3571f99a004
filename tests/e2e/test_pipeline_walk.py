"""Browser: a sale from a refused presentation to a win at 1366×768. The seller opens an
opportunity from the customer's profile; the customer refuses the presentation for now
(a date to try again: a task on "My work"); the seller sets the minutes' date and moves
the card on the board with its ▶ button, then drags it to the next stage (refused: the
offer's validity date is missing, said on the page); the manager sees it on the branch's
board, and the seller loses it on price — the stage kept."""

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


def test_a_refused_presentation_tried_again_moved_on_the_board_and_lost(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from django.utils import timezone
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.pipeline.models import Opportunity
    from punkt.work.models import Task

    world = make_world()
    cust = customer(world)
    page = signed_in(world.service_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/customers/{cust.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nowa szansa sprzedaży").click()
    page.get_by_label("Przedmiot sprzedaży").fill("Internet 600 Mb/s dla domu")
    page.get_by_label("Przewidywana kwota (zł)").fill("1 560,00")
    _shot(page, tmp_path, "opportunity-new-1366.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Otwórz szansę sprzedaży").click()
    o = Opportunity.objects.get()
    expect(page.get_by_test_id("opportunity-stage")).to_contain_text("Prezentacja")
    expect(page.get_by_test_id("stage-missing")).to_contain_text("daty wysłania protokołu")

    retry = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_text("Klient na razie odmówił: spróbuj ponownie później").click()
    page.get_by_label("Powód", exact=True).first.select_option(label="Klient odmówił prezentacji")
    page.get_by_label("Ponowna próba dnia").fill(retry.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Zapisz odmowę").click()
    expect(page.get_by_test_id("control-retry")).to_contain_text(f"{retry:%d.%m.%Y}")
    assert Task.objects.get(subject_id=str(o.pk)).assignee_id == world.service_a.pk
    page.goto("/work/")
    expect(page.get_by_text(o.number).first).to_be_visible()

    page.goto(f"/pipeline/{o.pk}/")
    page.get_by_test_id("control-form").get_by_label("Punkt kontrolny").select_option(
        value="minutes")
    page.get_by_test_id("control-form").get_by_label("Data").fill(
        timezone.localdate().isoformat())
    with page.expect_navigation():
        page.get_by_test_id("control-form").get_by_role("button", name="Ustaw").click()
    page.goto("/pipeline/")
    card = page.get_by_test_id(f"card-{o.number}")
    expect(card).to_contain_text("Internet 600 Mb/s dla domu")
    _shot(page, tmp_path, "pipeline-board-1366.png")
    with page.expect_navigation():
        card.get_by_role("button", name="Przenieś do Oferta").click()
    o.refresh_from_db()
    assert o.stage.code == "offer"
    # dragged to the agreement: refused, the offer's validity is missing
    with page.expect_navigation():
        page.get_by_test_id(f"card-{o.number}").drag_to(
            page.locator(".board-column", has_text="Porozumienie"))
    expect(page.get_by_text("daty ważności oferty").first).to_be_visible()
    o.refresh_from_db()
    assert o.stage.code == "offer"

    manager = signed_in(world.manager_a.email)
    manager.set_viewport_size({"width": 1366, "height": 768})
    manager.goto("/pipeline/")
    expect(manager.get_by_test_id(f"card-{o.number}")).to_be_visible()

    page.goto(f"/pipeline/{o.pk}/")
    page.get_by_text("Oznacz jako utraconą").first.click()
    page.get_by_test_id("lose-form").get_by_label("Powód").select_option(label="Cena za wysoka")
    with page.expect_navigation():
        page.get_by_test_id("lose-form").get_by_role("button").click()
    expect(page.get_by_test_id("opportunity-loss")).to_contain_text("Cena za wysoka")
    _shot(page, tmp_path, "opportunity-lost-1366.png")
    o.refresh_from_db()
    assert (o.status, o.stage.code) == ("lost", "offer")
