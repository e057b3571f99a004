"""Browser: a contract's whole life (R4). A customer-service employee prepares it from an
accepted offer, waits for the PDF and records the signature; the manager takes the batch
and returns it with a reason; the employee corrects it and has it signed again; the manager
approves it; an HQ expert finalises it and it becomes active."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

NOTE = "Brak daty urodzenia <b>klienta</b>"


@pytest.fixture
def signed_in(browser: Any, live_server: Any, problems: Any) -> Iterator[Callable[[str], Any]]:
    """``signed_in(email)`` → a page in its own browser context (own cookies) signed in as
    ``email``, watched like the ``page`` fixture's; the contexts are closed afterwards."""
    contexts: list[Any] = []

    def open_as(email: str) -> Any:
        context = browser.new_context(base_url=live_server.url, locale="pl-PL",
                                      service_workers="block")
        contexts.append(context)
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(10_000)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and problems.console.append(
            f"{msg.text} @ {page.url}"))
        page.on("pageerror", lambda exc: problems.page_errors.append(f"{exc} @ {page.url}"))
        page.on("response", lambda r: r.status >= 400 and problems.bad_responses.append(
            f"{r.status} {r.request.method} {r.url}"))

        def on_dialog(dialog: Any) -> None:
            problems.dialogs.append(f"{dialog.type}: {dialog.message} @ {page.url}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        sign_in(page, email, PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _render_pdf(contract_id: int) -> None:
    """What the background worker does: render the PDF of the current revision."""
    from punkt.contracts import services
    from punkt.contracts.models import Contract

    revision = Contract.objects.values_list("revision", flat=True).get(pk=contract_id)
    assert services.store_pdf(contract_id=contract_id, revision=revision)


def _wait_for_pdf_and_sign(page: Any, contract_id: int) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_text("Dokument jest przygotowywany…")).to_be_visible()
    sign = page.get_by_role("button", name="Klient podpisał")
    expect(sign).to_be_disabled()  # nothing to print yet
    _render_pdf(contract_id)
    # The document card polls every 2 s: the link and the sign button come without a reload.
    expect(page.get_by_role("link", name="Dokument umowy (PDF)")).to_be_visible()
    expect(sign).to_be_enabled()
    with page.expect_navigation():
        sign.click()
    expect(page.get_by_text("Umowa oznaczona jako podpisana.")).to_be_visible()
    expect(page.get_by_test_id("contract-status")).to_have_text("podpisana")


def _take_batch_and_open(page: Any, number: str) -> None:
    from playwright.sync_api import expect

    with page.expect_navigation():
        page.locator("nav.mainnav").get_by_role("link", name="Do sprawdzenia").click()
    expect(page.get_by_role("heading", name="Umowy do sprawdzenia")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Weź je teraz").click()
    table = page.get_by_test_id("review-table")
    with page.expect_navigation():
        table.get_by_role("link", name=number).click()
    expect(page.get_by_test_id("contract-status")).to_have_text("u kierownika")


def test_contract_prepared_returned_fixed_approved_and_finalised(
        page: Any, problems: Any, signed_in: Callable[[str], Any], tmp_path: Path,
        settings: Any) -> None:
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import accepted_offer, hq_materials

    settings.VAR_DIR = tmp_path
    world = make_world()
    prices, _template = hq_materials(world)
    offer = accepted_offer(world, prices)

    # 1. The employee prepares the contract from the accepted offer.
    sign_in(page, world.service_a.email, PASSWORD)
    page.goto(f"/contracts/offers/{offer.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Przygotuj umowę").click()
    page.get_by_label("Wzór umowy (obowiązująca wersja)").select_option(
        label="Umowa abonencka — wersja 1")
    page.get_by_label("Okres (miesiące)").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Przygotuj umowę").click()
    match = re.search(r"/contracts/(\d+)/$", page.url)
    assert match, page.url
    contract_id = int(match.group(1))
    expect(page.get_by_test_id("contract-status")).to_have_text("przygotowana")
    number = page.locator("h1").inner_text().split()[1]
    _wait_for_pdf_and_sign(page, contract_id)
    problems.assert_clean()

    # 2. The manager takes the signed contracts now and returns this one with reasons.
    manager = signed_in(world.manager_a.email)
    _take_batch_and_open(manager, number)
    returning = manager.get_by_test_id("return-form")
    returning.get_by_label("Brak podpisu").check()
    returning.get_by_label("Notatka").fill(NOTE)
    with manager.expect_navigation():
        returning.get_by_role("button", name="Zwróć do poprawy").click()
    # Back at the desk: the returned contract left the list of contracts to check.
    expect(manager.get_by_text("Zwrócono pracownikowi z Twoimi uwagami.")).to_be_visible()
    expect(manager.get_by_test_id("review-table").get_by_role("link", name=number)).to_have_count(0)
    problems.assert_clean()

    # 3. The employee sees why, corrects it and has the new document signed.
    page.reload()
    expect(page.get_by_test_id("contract-status")).to_have_text("zwrócona do poprawy")
    reasons = page.get_by_test_id("contract-reasons")
    expect(reasons).to_contain_text("Do poprawy")
    expect(reasons).to_contain_text("Brak podpisu")
    expect(reasons).to_contain_text(NOTE)  # shown as text, not markup
    with page.expect_navigation():
        page.get_by_role("button", name="Popraw i przygotuj ponownie").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("przygotowana")
    expect(page.get_by_test_id("contract-reasons")).to_have_count(0)
    _wait_for_pdf_and_sign(page, contract_id)
    problems.assert_clean()

    # 4. The manager takes the new batch, confirms both signatures and approves.
    _take_batch_and_open(manager, number)
    approving = manager.get_by_test_id("approve-form")
    approving.get_by_label("Klient").check()
    approving.get_by_label("Pracownik").check()
    with manager.expect_navigation():
        approving.get_by_role("button", name="Zatwierdź i wyślij do centrali").click()
    expect(manager.get_by_text("Zatwierdzono i wysłano do centrali.")).to_be_visible()
    expect(manager.get_by_test_id("review-table").get_by_role("link", name=number)).to_have_count(0)
    problems.assert_clean()

    # 5. HQ finds it among the approved contracts and finalises it.
    expert = signed_in(world.expert.email)
    with expert.expect_navigation():
        expert.locator("nav.mainnav").get_by_role("link", name="Umowy").click()
    expert.get_by_label("Status").select_option(label="zatwierdzona, w centrali")
    expert.wait_for_url(re.compile(r"status=approved"))
    results = expert.get_by_test_id("contract-table")
    expect(results.locator("tbody tr")).to_have_count(1)
    with expert.expect_navigation():
        results.get_by_role("link", name=number).click()
    with expert.expect_navigation():
        expert.get_by_role("button", name="Finalizuj: umowa staje się aktywna").click()
    expect(expert.get_by_test_id("contract-status")).to_have_text("aktywna")
    history = expert.get_by_test_id("contract-history")
    expect(history.locator("tbody tr")).to_have_count(9)
    steps = history.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert steps == [
        "przygotowana",
        "przygotowana → podpisana",
        "podpisana → u kierownika",
        "u kierownika → zwrócona do poprawy",
        "zwrócona do poprawy → przygotowana",
        "przygotowana → podpisana",
        "podpisana → u kierownika",
        "u kierownika → zatwierdzona, w centrali",
        "zatwierdzona, w centrali → aktywna",
    ], steps
    expect(history).to_contain_text("Brak podpisu")
    problems.assert_clean()
