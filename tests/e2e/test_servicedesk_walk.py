"""Browser: the service desk at 1366×768. A counter employee opens a ticket from the
customer's profile, answers the customer, sees the ticket in her queue and in "My work",
and resolves it; the profile's Tickets tab and timeline then show it."""

from __future__ import annotations

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


def test_a_counter_ticket_is_opened_answered_and_resolved(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.servicedesk.models import Ticket, TicketStatus
    from punkt.servicedesk.tests.factories import desk

    world = make_world()
    d = desk(world)
    d.team_a.hours = {k: "0:00-24:00" for k in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                  "sun")}
    d.team_a.save()  # the clocks run whenever the walk runs
    cust = customer(world)
    page = signed_in(world.service_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/customers/{cust.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nowe zgłoszenie").click()
    expect(page.get_by_test_id("ticket-customer")).to_contain_text(cust.display_name)
    page.get_by_label("Kanał").select_option(label="okienko")
    page.get_by_label("Zespół").select_option(label=d.team_a.name)
    page.get_by_label("Temat").fill("Nie doszła faktura za listopad")
    page.get_by_label("Co zgłasza klient").fill("Klientka nie dostała faktury e-mailem.")
    _shot(page, tmp_path, "desk-ticket-new-1366.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Przyjmij zgłoszenie").click()
    ticket = Ticket.objects.get()
    expect(page.get_by_text(f"Przyjęto zgłoszenie {ticket.number}.")).to_be_visible()
    expect(page.get_by_test_id("conversation")).to_contain_text("nie dostała faktury")
    expect(page.get_by_test_id("ticket-sla")).to_contain_text("SLA w normie")

    page.get_by_label("Wiadomość").fill("Wysłaliśmy fakturę ponownie na adres e-mail.")
    with page.expect_navigation():
        page.get_by_test_id("send-reply").click()
    expect(page.get_by_text("Zapisano odpowiedź.")).to_be_visible()
    page.get_by_label("Wiadomość").fill("Sprawdzić adres e-mail w billingu.")
    with page.expect_navigation():
        page.get_by_test_id("send-note").click()
    expect(page.get_by_test_id("conversation")).to_contain_text("notatka wewnętrzna")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.first_responded_at is not None
    assert ticket.assignee_id == world.service_a.pk
    _shot(page, tmp_path, "desk-ticket-1366.png")

    page.goto("/servicedesk/")
    expect(page.get_by_test_id("ticket-table")).to_contain_text(ticket.number)
    _shot(page, tmp_path, "desk-queue-1366.png")
    page.goto("/work/")
    expect(page.get_by_test_id("my-tickets")).to_contain_text(ticket.number)
    _shot(page, tmp_path, "desk-my-work-1366.png")

    page.goto(f"/servicedesk/tickets/{ticket.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("ticket-resolve").click()
    expect(page.get_by_role("heading", name=ticket.number)).to_contain_text("rozwiązane")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED

    page.goto(f"/customers/{cust.pk}/?tab=tickets#tabs")
    expect(page.get_by_test_id("tab-tickets")).to_contain_text(ticket.number)
    _shot(page, tmp_path, "desk-profile-tab-1366.png")

    # The branch manager keeps the office's hours and members.
    manager = signed_in(world.manager_a.email)
    manager.set_viewport_size({"width": 1366, "height": 768})
    manager.goto("/servicedesk/teams/")
    with manager.expect_navigation():
        manager.get_by_role("link", name=d.team_a.name).click()
    manager.get_by_label("Sobota").fill("9:00-13:00")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Zapisz zespół").click()
    expect(manager.get_by_text("Zapisano zespół.")).to_be_visible()
    d.team_a.refresh_from_db()
    assert d.team_a.hours["sat"] == "9:00-13:00"
    _shot(manager, tmp_path, "desk-team-1366.png")
    problems.assert_clean()


def test_a_ticket_is_transferred_to_another_team_with_a_reason(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.servicedesk.models import Ticket
    from punkt.servicedesk.tests.factories import desk, ticket

    world = make_world()
    d = desk(world)
    made = ticket(world, d)
    page = signed_in(world.service_a.email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/servicedesk/tickets/{made.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("ticket-transfer").click()
    page.get_by_label("Do zespołu lub działu").select_option(value=str(d.team_b.pk))
    page.get_by_label("Powód").fill("Klient mieszka w oddziale B.")
    _shot(page, tmp_path, "desk-transfer-1366.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Przekaż", exact=True).click()
    expect(page.get_by_text(f"Zgłoszenie {made.number} przekazane do zespołu")).to_be_visible()
    expect(page.get_by_test_id("conversation")).to_contain_text("Klient mieszka w oddziale B.")
    moved = Ticket.objects.get(pk=made.pk)
    assert (moved.team_id, moved.assignee_id) == (d.team_b.pk, world.service_b.pk)
