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


def _open_step(page: Any, action: str) -> None:
    """Opens the step's folded form as a person would: a click on its summary."""
    form = page.get_by_test_id(f"complaint-{action}")
    if not form.is_visible():
        page.locator("details", has=form).locator("summary").click()


def test_a_complaint_sent_to_hq_is_decided_there_and_replaced_from_stock(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    """Issue 17's walk: a complaint at the counter → HQ decides → a replacement unit leaves
    the branch's stock as a movement → the answer letter goes out by e-mail."""
    from django.core import mail
    from playwright.sync_api import expect

    from punkt.complaints.models import Complaint
    from punkt.complaints.tests.factories import purchase
    from punkt.contracts.tests.factories import customer
    from punkt.inventory.models import MovementKind, StockLevel
    from punkt.inventory.services import stock_move

    world = make_world()
    cust = customer(world)
    line = purchase(world, cust)
    stock_move(branch_id=world.a.pk, product_id=line.product_id, delta=2,
               kind=MovementKind.RECEIPT, reason="dostawa")

    # the service employee registers it at the counter, the customer wants a new unit
    page = signed_in(world.service_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/customers/{cust.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nowa reklamacja").click()
    page.get_by_label("Kupiony produkt").select_option(value=str(line.pk))
    page.get_by_label("Relacja klienta").fill("Router nie włącza się po burzy.")
    page.get_by_label("Twoja opinia").fill("Brak reakcji na zasilanie, obudowa cała.")
    page.get_by_label("Żądanie klienta").select_option(value="replacement")
    page.get_by_label("Regulamin reklamacji przedstawiony klientowi (wersja)").fill(
        "Regulamin 2026")
    page.get_by_test_id("terms-shown").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Zarejestruj reklamację").click()
    complaint = Complaint.objects.get()
    with page.expect_navigation():
        page.get_by_test_id("complaint-acknowledge-submit").click()
    # not a small matter: the employee sends it to HQ
    _open_step(page, "send_to_hq")
    page.locator("#f-send_to_hq-note").fill("Możliwa wada serii, proszę o decyzję centrali.")
    with page.expect_navigation():
        page.get_by_test_id("complaint-send_to_hq-submit").click()
    complaint.refresh_from_db()
    assert complaint.status == "at_hq"

    # HQ's expert finds it on the list, records the cause, then decides
    expert = signed_in(world.expert.email)
    expert.set_viewport_size({"width": 1366, "height": 768})
    expert.goto("/complaints/")
    expect(expert.get_by_test_id("complaint-table")).to_contain_text(complaint.number)
    with expert.expect_navigation():
        expert.get_by_role("link", name=complaint.number).click()
    _open_step(expert, "investigate")
    expert.locator("#f-investigate-cause").select_option(value="product_defect")
    expert.locator("#f-investigate-cause_note").fill("Uszkodzony zasilacz, seria 2026/07.")
    with expert.expect_navigation():
        expert.get_by_test_id("complaint-investigate-submit").click()
    _open_step(expert, "decide")
    expert.locator("#f-decide-outcome").select_option(value="upheld")
    with expert.expect_navigation():
        expert.get_by_test_id("complaint-decide-submit").click()
    expect(expert.get_by_test_id("complaint-decision")).to_contain_text("uznana")
    expect(expert.get_by_test_id("complaint-decision")).to_contain_text("centrali")
    _shot(expert, tmp_path, "complaint-hq-decided-1366.png")

    # back at the branch: the replacement comes chosen and leaves the stock
    page.reload()
    _open_step(page, "remedy")
    expect(page.get_by_label("Sposób załatwienia")).to_have_value("replacement")
    expect(page.get_by_test_id("remedy-stock")).to_contain_text("2")
    with page.expect_navigation():
        page.get_by_test_id("complaint-remedy-submit").click()
    expect(page.get_by_test_id("complaint-movement")).to_contain_text("Router Wi-Fi 6")
    assert StockLevel.objects.get(branch=world.a, product_id=line.product_id).quantity == 1
    complaint.refresh_from_db()
    assert complaint.status == "remedied" and complaint.stock_movement is not None
    # the movement names the complaint, and its page links back
    with page.expect_navigation():
        page.get_by_test_id("complaint-movement").get_by_role("link").click()
    expect(page.get_by_role("link", name=complaint.number).first).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name=complaint.number).first.click()

    # the answer letter: HQ's upheld text names the replacement; it goes out by e-mail
    body = page.get_by_label("Treść", exact=True)
    expect(body).to_contain_text("została uznana w całości")
    page.get_by_label("Sposób wysyłki").select_option("email")
    with page.expect_navigation():
        page.get_by_test_id("letter-answer-submit").click()
    expect(page.get_by_test_id("complaint-letters")).to_contain_text("odpowiedź na reklamację")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.informed_how) == ("informed", "email")
    assert complaint.decided_at_hq and complaint.decided_by_id == world.expert.pk
    from punkt.messaging.models import Message, MessageStatus
    from punkt.messaging.services import deliver_now

    for pk in Message.objects.filter(status=MessageStatus.QUEUED).values_list("pk", flat=True):
        deliver_now(pk)  # what the worker does with the queued mails
    sent = [m for m in mail.outbox if complaint.number in m.subject]
    assert sent and sent[-1].to == [cust.email]
    assert any(a[0].endswith(".pdf") for a in sent[-1].attachments)
    _shot(page, tmp_path, "complaint-replaced-informed-1366.png")
    problems.assert_clean()
