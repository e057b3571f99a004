"""Browser: a renewal (R5). A contract ends in about 20 days; the retention employee sees it
on the dashboard, calls the customer and records a "yes"; the customer accepts the proposal
through the link in the message, without signing in; the case is then renewed and the
employee goes on to prepare the new contract."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]

NOTE = "Klient chce <b>zostać</b> na kolejne 24 miesiące"


def _active_contract(world: Any, ends_in: int) -> Any:
    """An active contract of branch A whose term ends ``ends_in`` days from today."""
    from django.utils import timezone

    from punkt.contracts import services
    from punkt.contracts.models import Contract
    from punkt.contracts.tests.factories import hq_materials, prepared

    hq_materials(world)
    contract = prepared(world, actor=world.service_a)
    services.contract_sign(actor=world.service_a, contract_id=contract.pk)
    services.batch_collect(actor=world.manager_a, branch_id=contract.branch_id)
    services.contract_review(actor=world.manager_a, contract_id=contract.pk, approve=True,
                              signatures=["Klient", "Pracownik"])
    services.contract_finalise(actor=world.expert, contract_id=contract.pk, approve=True)
    Contract.objects.filter(pk=contract.pk).update(
        ends_on=timezone.localdate() + datetime.timedelta(days=ends_in))
    return Contract.objects.select_related("customer").get(pk=contract.pk)


def _confirmation_path(contract_id: int) -> tuple[str, str]:
    """(the link the customer gets when the queued proposal is sent, the offer's number)."""
    from punkt.contracts.models import Offer
    from punkt.messaging.models import Message
    from punkt.messaging.services import LINK

    offer = Offer.objects.get(renews_id=contract_id)
    message = Message.objects.get(source_id=str(offer.pk))
    assert LINK in message.body  # the stored message never holds the secret link
    from punkt.retention.services import proposal_link  # what sending puts in the message

    match = re.search(r"/potwierdzenie/[^/\s]+/", proposal_link(offer.pk))
    assert match
    return match.group(0), offer.number


@pytest.fixture
def anonymous(browser: Any, live_server: Any, problems: Any) -> Iterator[Any]:
    """A page in a fresh browser context with no session (the customer), watched like
    the ``page`` fixture's."""
    context = browser.new_context(base_url=live_server.url, locale="pl-PL",
                                  service_workers="block")
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
    yield page
    context.close()


def test_retention_employee_renews_and_customer_accepts_through_the_link(
        page: Any, anonymous: Any, problems: Any, tmp_path: Path, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.VAR_DIR = tmp_path
    world = make_world()
    contract = _active_contract(world, ends_in=20)
    name = contract.customer.display_name
    case_url = f"/retention/contracts/{contract.pk}/"

    # 1. The retention employee signs in; the dashboard lists the contract ending soon.
    sign_in(page, world.retention_a.email, PASSWORD)
    ending = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Umowy kończące się wkrótce"))
    expect(ending).to_be_visible()
    expect(ending).to_contain_text(contract.ends_on.strftime("%d.%m.%Y"))
    with page.expect_navigation():
        ending.get_by_role("link", name=name).click()
    assert page.url.endswith(case_url), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_role("heading", level=1)).to_contain_text(contract.number)
    expect(page.get_by_test_id("attempts")).to_contain_text("Jeszcze bez kontaktu.")
    problems.assert_clean()

    # 2. The call: the customer agrees to renew. A proposal goes out; no contract yet.
    call = page.get_by_test_id("call-form")
    call.get_by_label("zgoda na przedłużenie").check()
    call.get_by_label("Notatka").fill(NOTE)
    with page.expect_navigation():
        call.get_by_role("button", name="Zapisz rozmowę").click()
    expect(page.get_by_text("Zapisano rozmowę.")).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_have_text(
        "wysłano propozycję przedłużenia, czeka na akceptację")
    # The form stays (a refusal or a new proposal after expiry); a second "yes" is refused.
    expect(page.get_by_test_id("call-form")).to_have_count(1)
    expect(page.get_by_role("link", name="Przygotuj nową umowę")).to_have_count(0)
    attempts = page.get_by_test_id("attempts").locator("tbody tr")
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("rozmowa telefoniczna")
    expect(attempts.first).to_contain_text("zgoda na przedłużenie")
    expect(attempts.first).to_contain_text(NOTE)  # shown as text, not markup
    expect(attempts.first).to_contain_text(world.retention_a.full_name)
    link, offer_number = _confirmation_path(contract.pk)
    expect(page.get_by_role("link", name=offer_number)).to_be_visible()
    problems.assert_clean()

    # The worklist (menu "Obsługa" › "Retencja", beside complaints) still lists it, with
    # the proposal awaiting acceptance.
    page.get_by_test_id("menu-service").click()
    with page.expect_navigation():
        page.locator("nav.mainnav").get_by_role("link", name="Retencja").click()
    expect(page.get_by_role("heading", name="Umowy kończące się wkrótce")).to_be_visible()
    row = page.get_by_test_id("worklist").locator("tbody tr").filter(has_text=contract.number)
    expect(row).to_contain_text("wysłano propozycję przedłużenia, czeka na akceptację")
    expect(row).to_contain_text("zgoda na przedłużenie")
    with page.expect_navigation():
        row.get_by_role("link", name=name).click()
    assert page.url.endswith(case_url), page.url
    problems.assert_clean()

    # 3. The customer opens the link from the message — no sign-in — and accepts.
    anonymous.goto(link)
    expect(anonymous.get_by_role("heading", level=1)).to_contain_text(offer_number)
    expect(anonymous.get_by_text(contract.number)).to_be_visible()
    with anonymous.expect_navigation():
        anonymous.get_by_role("button", name="Akceptuję propozycję").click()
    expect(anonymous.get_by_test_id("accepted")).to_contain_text("Zaakceptowano")
    expect(anonymous.get_by_role("button", name="Akceptuję propozycję")).to_have_count(0)
    problems.assert_clean()

    # 4. Back at the retention page: renewed, and the new contract can be prepared.
    page.reload()
    expect(page.get_by_test_id("case-status")).to_have_text("przedłużona")
    with page.expect_navigation():
        page.get_by_role("link", name="Przygotuj nową umowę").click()
    expect(page.get_by_label("Wzór umowy (obowiązująca wersja)")).to_be_visible()
    problems.assert_clean()
