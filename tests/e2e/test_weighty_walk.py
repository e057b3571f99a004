"""Browser: weighty matters and merge/split at 1366×768.

An agent proposes the resolution of a weighty ticket (a disputed invoice of 3000 zł); the
manager, in another browser context, finds it under "To decide" in My work, accepts it;
the agent then sees the ticket resolved with the answer sent and the bell. The manager
looks at the weekly control list. An agent merges a duplicate and splits a message into a
new ticket."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]
ALWAYS = {k: "0:00-24:00" for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def test_the_manager_decides_a_weighty_matter(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from django.utils import timezone
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.servicedesk import services
    from punkt.servicedesk.models import Ticket, TicketMessage, TicketStatus
    from punkt.servicedesk.tests.factories import desk, ticket

    world = make_world()
    d = desk(world)
    d.team_a.hours = ALWAYS
    d.team_a.save()
    cust = customer(world)
    claim = ticket(world, d, customer_id=cust.pk, subject="Kwestionowana faktura za listopad",
                   body="Klient kwestionuje naliczenie 3000 zł.", amount="3000")
    # a small one the agent resolved alone last week: on the manager's control list
    small = ticket(world, d, customer_id=cust.pk, subject="Zmiana numeru telefonu")
    services.reply(actor=world.service_a, ticket_id=small.pk,
                   body="Numer zmieniony, potwierdzenie wysłane SMS-em.")
    services.ticket_move(actor=world.service_a, ticket_id=small.pk, action="resolve")
    today = timezone.localdate()
    last_week = datetime.datetime.combine(today - datetime.timedelta(days=today.weekday() + 5),
                                          datetime.time(11),
                                          tzinfo=timezone.get_current_timezone())
    Ticket.objects.filter(pk=small.pk).update(
        created_at=last_week - datetime.timedelta(hours=3), resolved_at=last_week)

    agent = signed_in(world.service_a.email)
    agent.set_viewport_size({"width": 1366, "height": 768})
    agent.goto(f"/servicedesk/tickets/{claim.pk}/")
    expect(agent.get_by_test_id("weighty-notice")).to_be_visible()
    expect(agent.get_by_test_id("weighty-reason")).to_contain_text("kwota sporna")
    expect(agent.get_by_test_id("ticket-resolve")).to_have_count(0)
    agent.get_by_label(re.compile("Proponowane rozwiązanie")).fill(
        "Przyznajemy rację: wystawimy korektę faktury na 3000 zł.")
    _shot(agent, tmp_path, "weighty-propose-1366.png")
    with agent.expect_navigation():
        agent.get_by_test_id("propose-submit").click()
    expect(agent.get_by_text("Proponowane rozwiązanie trafiło do kierownika do decyzji.")
           ).to_be_visible()
    expect(agent.get_by_test_id("waiting-decision")).to_be_visible()

    manager = signed_in(world.manager_a.email)
    manager.set_viewport_size({"width": 1366, "height": 768})
    manager.goto("/")
    expect(manager.get_by_test_id("panel-to-decide")).to_contain_text("1")
    manager.goto("/work/")
    expect(manager.get_by_test_id("to-decide")).to_contain_text(claim.number)
    _shot(manager, tmp_path, "weighty-my-work-to-decide-1366.png")
    with manager.expect_navigation():
        manager.get_by_test_id("to-decide").get_by_role("link").first.click()
    expect(manager.get_by_test_id("pending-proposal")).to_contain_text("korektę faktury")
    _shot(manager, tmp_path, "weighty-decision-1366.png")
    with manager.expect_navigation():
        manager.get_by_test_id("decide-accept").click()
    expect(manager.get_by_text("Rozwiązanie przyjęte: odpowiedź poszła do klienta.")
           ).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == TicketStatus.RESOLVED and claim.decided_by_id == world.manager_a.pk
    assert TicketMessage.objects.filter(ticket=claim, internal=False,
                                        body__contains="korektę").exists()

    agent.goto("/")
    expect(agent.get_by_test_id("bell-count")).to_have_text("1")
    agent.goto(f"/servicedesk/tickets/{claim.pk}/")
    expect(agent.get_by_test_id("past-decisions")).to_contain_text("zaakceptowane")
    expect(agent.get_by_test_id("conversation")).to_contain_text("korektę faktury na 3000 zł")
    _shot(agent, tmp_path, "weighty-accepted-1366.png")

    manager.goto("/servicedesk/control/")
    expect(manager.get_by_test_id("control-list")).to_contain_text(small.number)
    expect(manager.get_by_test_id("control-list")).to_contain_text("Numer zmieniony")
    expect(manager.get_by_test_id("control-list")).not_to_contain_text(claim.number)
    _shot(manager, tmp_path, "weighty-control-list-1366.png")
    problems.assert_clean()


def test_an_agent_merges_a_duplicate_and_splits_a_message(
        signed_in: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.contracts.tests.factories import customer
    from punkt.servicedesk.models import Ticket, TicketStatus
    from punkt.servicedesk.tests.factories import desk, ticket

    world = make_world()
    d = desk(world)
    d.team_a.hours = ALWAYS
    d.team_a.save()
    cust = customer(world)
    first = ticket(world, d, customer_id=cust.pk, subject="Nie doszła faktura za listopad",
                   body="Klientka nie dostała faktury. Przy okazji: chce też zmienić taryfę.")
    dup = ticket(world, d, customer_id=cust.pk, subject="Gdzie jest faktura?",
                 body="Dzwoniła drugi raz w sprawie faktury.")

    agent = signed_in(world.service_a.email)
    agent.set_viewport_size({"width": 1366, "height": 768})
    agent.goto(f"/servicedesk/tickets/{dup.pk}/")
    with agent.expect_navigation():
        agent.get_by_test_id("ticket-merge").click()
    agent.get_by_label(re.compile(first.number)).check()
    _shot(agent, tmp_path, "merge-form-1366.png")
    with agent.expect_navigation():
        agent.get_by_test_id("merge-submit").click()
    expect(agent.get_by_text(f"{dup.number} scalono z {first.number}.")).to_be_visible()
    expect(agent.get_by_test_id("merged-here")).to_contain_text(dup.number)
    expect(agent.get_by_test_id("conversation")).to_contain_text("Dzwoniła drugi raz")
    dup.refresh_from_db()
    assert dup.status == TicketStatus.CLOSED and dup.merged_into_id == first.pk

    message = first.messages.order_by("id").first()
    with agent.expect_navigation():
        agent.get_by_test_id(f"split-{message.pk}").click()
    agent.get_by_label("Temat nowego zgłoszenia").fill("Zmiana taryfy")
    _shot(agent, tmp_path, "split-form-1366.png")
    with agent.expect_navigation():
        agent.get_by_test_id("split-submit").click()
    new = Ticket.objects.get(split_from=first)
    expect(agent.get_by_text(f"Z wiadomości utworzono zgłoszenie {new.number}.")).to_be_visible()
    expect(agent.get_by_test_id("split-from")).to_contain_text(first.number)
    expect(agent.get_by_test_id("conversation")).to_contain_text("chce też zmienić taryfę")
    _shot(agent, tmp_path, "split-new-ticket-1366.png")
    agent.goto(f"/servicedesk/tickets/{dup.pk}/")
    expect(agent.get_by_test_id("merged-into")).to_contain_text(first.number)
    _shot(agent, tmp_path, "merged-duplicate-1366.png")
    problems.assert_clean()
