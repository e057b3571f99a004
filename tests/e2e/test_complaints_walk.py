"""Browser: a complaint at the counter at 1366×768. The service employee registers it from
the customer's profile (the product picked from her purchases, a photo of the warranty
card), prints the receipt and acknowledges it; the manager sends nothing to HQ and decides
it in the branch; the employee records the remedy and sends the answer letter; the
profile's tab shows it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def test_a_counter_complaint_is_registered_decided_and_remedied(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.complaints.models import Complaint
    from punkt.complaints.tests.factories import purchase
    from punkt.contracts.tests.factories import customer

    world = make_world()
    cust = customer(world)
    line = purchase(world, cust)
    page = signed_in(world.service_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/customers/{cust.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nowa reklamacja").click()
    expect(page.get_by_test_id("complaint-customer")).to_contain_text(cust.display_name)
    expect(page.get_by_text("art. 7a ustawy o prawach konsumenta")).to_be_visible()
    page.get_by_label("Kupiony produkt").select_option(value=str(line.pk))
    page.get_by_label("Relacja klienta").fill("Router restartuje się co godzinę.")
    page.get_by_label("Twoja opinia").fill("Dioda miga na czerwono.")
    page.get_by_label("Żądanie klienta").select_option(label="naprawa")
    page.get_by_label("karta gwarancyjna").set_input_files(
        {"name": "karta.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    page.get_by_label("Regulamin reklamacji przedstawiony klientowi (wersja)").fill(
        "Regulamin 2026")
    page.get_by_test_id("terms-shown").check()
    _shot(page, tmp_path, "complaint-new-1366.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Zarejestruj reklamację").click()
    complaint = Complaint.objects.get()
    expect(page.get_by_test_id("complaint-rule")).to_contain_text("art. 7a")
    expect(page.get_by_test_id("complaint-files")).to_contain_text("karta.jpg")
    expect(page.get_by_test_id("complaint-product")).to_contain_text("Router Wi-Fi 6")
    with page.expect_navigation():
        page.get_by_test_id("complaint-acknowledge-submit").click()
    _shot(page, tmp_path, "complaint-1366.png")

    manager = signed_in(world.manager_a.email)
    manager.set_viewport_size({"width": 1366, "height": 768})
    manager.goto("/complaints/")
    expect(manager.get_by_test_id("complaint-table")).to_contain_text(complaint.number)
    with manager.expect_navigation():
        manager.get_by_role("link", name=complaint.number).click()
    manager.get_by_label("Decyzja", exact=True).select_option(value="upheld")
    with manager.expect_navigation():
        manager.get_by_test_id("complaint-decide_in_branch-submit").click()
    expect(manager.get_by_test_id("complaint-decision")).to_contain_text("uznana")

    page.reload()
    # the demand was a repair: the remedy's kind comes chosen
    expect(page.get_by_label("Sposób załatwienia")).to_have_value("repair")
    page.get_by_label("Co zrobiono (wymagane, chyba że wymiana)").fill("Wymieniono zasilacz.")
    with page.expect_navigation():
        page.get_by_test_id("complaint-remedy-submit").click()
    complaint.refresh_from_db()
    assert complaint.status == "remedied" and complaint.decided_by_id == world.manager_a.pk
    # the answer letter: HQ's text for an upheld complaint, filled, completed and sent
    body = page.get_by_label("Treść", exact=True)
    expect(body).to_contain_text("została uznana w całości")
    expect(body).to_contain_text("Wymieniono zasilacz")
    body.fill(body.input_value() + "\nSprzęt do odbioru w oddziale.")
    page.get_by_label("Sposób wysyłki").select_option("email")
    with page.expect_navigation():
        page.get_by_test_id("letter-answer-submit").click()
    expect(page.get_by_test_id("complaint-letters")).to_contain_text("odpowiedź na reklamację")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.informed_how) == ("informed", "email")
    assert complaint.letters.get().body.endswith("Sprzęt do odbioru w oddziale.")
    page.goto(f"/customers/{cust.pk}/?tab=complaints#tabs")
    expect(page.get_by_test_id("tab-complaints")).to_contain_text(complaint.number)
    problems.assert_clean()
