"""Browser: a contract terminated early (issue 15). The manager opens an active contract,
goes to "terminate early", is refused without a reason, then gives the reason and the
last day, confirms; the contract shows "wypowiedziana", the day and that the customer
left; HQ's contract report and churn report count it. With ``PUNKT_E2E_SHOTS=dir`` the
pages are saved as PNG (1366×768)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.e2e.test_retention_walk import _active_contract
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

REASON = "Klient wyjeżdża <b>za granicę</b> na stałe"


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_the_manager_terminates_a_contract_and_hq_sees_who_left(
        page: Any, problems: Any, tmp_path: Path, settings: Any) -> None:
    from django.utils import timezone
    from playwright.sync_api import expect

    from punkt.contracts.models import Contract

    settings.VAR_DIR = tmp_path
    world = make_world()
    contract = _active_contract(world, ends_in=200)
    today = timezone.localdate()

    # 1. The manager opens the contract and goes to "terminate early".
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, world.manager_a.email, PASSWORD)
    page.goto(f"/contracts/{contract.pk}/")
    expect(page.get_by_test_id("contract-status")).to_have_text("aktywna")
    with page.expect_navigation():
        page.get_by_test_id("terminate-link").click()
    assert page.url.endswith(f"/contracts/{contract.pk}/terminate/"), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(contract.number)
    form = page.get_by_test_id("terminate-form")
    expect(form.get_by_label("Ostatni dzień obowiązywania")).to_have_value(today.isoformat())
    _shot(page, tmp_path, "contract-terminate-form")
    problems.assert_clean()

    # 2. Without a reason: refused, naming it; nothing changed.
    problems.confirm("Wypowiedzieć tę umowę")
    problems.expect_failure(f"/contracts/{contract.pk}/terminate/")
    with page.expect_navigation():
        form.get_by_role("button", name="Wypowiedz umowę").click()
    expect(page.get_by_test_id("terminate-error")).to_contain_text(
        "Podaj, dlaczego umowa jest wypowiadana.")
    assert Contract.objects.get(pk=contract.pk).status == "active"

    # 3. With the reason: terminated today; the page says so and who left.
    form = page.get_by_test_id("terminate-form")
    form.get_by_label("Powód wypowiedzenia").fill(REASON)
    with page.expect_navigation():
        form.get_by_role("button", name="Wypowiedz umowę").click()
    assert page.url.endswith(f"/contracts/{contract.pk}/"), page.url
    expect(page.get_by_text("Umowa została wypowiedziana.")).to_be_visible()
    expect(page.get_by_test_id("contract-status")).to_have_text("wypowiedziana")
    expect(page.get_by_test_id("terminated-on")).to_have_text(today.strftime("%d.%m.%Y"))
    expect(page.get_by_test_id("contract-reasons")).to_contain_text(REASON)  # as text
    expect(page.get_by_test_id("terminate-link")).to_have_count(0)
    expect(page.get_by_test_id("contract-history")).to_contain_text("wypowiedziana")
    _shot(page, tmp_path, "contract-terminated")
    problems.expected_failures.clear()
    problems.bad_responses.clear()
    problems.console.clear()

    # 4. HQ's reports read the kept figures: one terminated, one customer who left.
    hq = page.context.browser.new_context(base_url=page.url.split("/contracts/")[0],
                                          locale="pl-PL")
    expert = hq.new_page()
    expert.set_viewport_size({"width": 1366, "height": 768})
    sign_in(expert, world.expert.email, PASSWORD)
    expert.goto("/contracts/reports/")
    company = expert.get_by_test_id("report-company")
    expect(company).to_contain_text("Wszystkie oddziały")
    cells = company.locator("td")
    expect(cells.nth(4)).to_have_text("1")  # terminated early
    expect(cells.nth(5)).to_have_text("1")  # customers who left
    _shot(expert, tmp_path, "contract-reports-hq")
    expert.goto(f"/retention/churn/?month={today:%Y-%m}")
    row = expert.get_by_test_id("churn").locator("tbody tr").filter(has_text="Oddział A")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(row.locator("td").nth(3)).to_have_text("1")
    _shot(expert, tmp_path, "churn-hq")
    hq.close()
    problems.assert_clean()
