"""Browser: the administrator's webhooks at 1366×768. A bad address is refused beside its
field; a new webhook shows its signing secret once; a ticket's event fails once against a
real receiver on loopback, shows in the delivery log and is sent again from it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from punkt.webhooks.tests.conftest import receiver  # noqa: F401 - fixture
from tests.e2e.test_contract_walk import signed_in  # noqa: F401 - fixture
from tests.world import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def test_the_admin_subscribes_a_system_and_follows_its_deliveries(
        signed_in: Any, receiver: Any, problems: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from punkt.servicedesk.tests.factories import desk, ticket
    from punkt.webhooks import services
    from punkt.webhooks.models import Delivery, Subscription

    world = make_world()
    d = desk(world)
    admin = signed_in(world.admin.email)
    admin.set_viewport_size({"width": 1366, "height": 768})
    admin.goto("/webhooks/")
    admin.get_by_test_id("webhook-new").click()
    expect(admin.get_by_role("heading", name="Nowy webhook")).to_be_visible()
    admin.get_by_label("Nazwa").fill("Centrala telefoniczna")
    admin.get_by_label("Adres (URL)").fill("https://no-such-host.invalid/punkt")
    admin.get_by_label("otwarto zgłoszenie").check()
    admin.get_by_label("odpowiedź do klienta lub wiadomość klienta w zgłoszeniu").check()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Utwórz webhook").click()
    expect(admin.locator("#e-url")).to_contain_text("Nie można znaleźć serwera")
    _shot(admin, tmp_path, "webhooks-form-error-1366.png")
    receiver.script("/punkt", [500, 200])
    admin.get_by_label("Adres (URL)").fill(receiver.url("/punkt"))
    with admin.expect_navigation():
        admin.get_by_role("button", name="Utwórz webhook").click()
    sub = Subscription.objects.get()
    expect(admin.get_by_test_id("webhook-secret")).to_contain_text(sub.secret)
    _shot(admin, tmp_path, "webhooks-secret-once-1366.png")
    admin.reload()
    expect(admin.get_by_test_id("webhook-secret")).to_have_count(0)

    t = ticket(world, d)
    row = Delivery.objects.get(subscription=sub)
    assert services.deliver(row.pk) == "pending"  # the receiver answered 500
    admin.reload()
    table = admin.get_by_test_id("delivery-table")
    expect(table).to_contain_text("ticket.created")
    expect(table).to_contain_text("HTTP 500")
    _shot(admin, tmp_path, "webhooks-delivery-log-1366.png")
    with admin.expect_navigation():
        table.get_by_role("button", name="Wyślij ponownie").click()
    expect(admin.get_by_text("Wysyłka zostanie za chwilę ponowiona.")).to_be_visible()
    assert services.deliver(row.pk) == "delivered"
    assert t.number in receiver.on("/punkt")[-1].body.decode()
    admin.reload()
    expect(admin.get_by_test_id("delivery-table")).to_contain_text("doręczone")

    admin.goto("/webhooks/")
    expect(admin.get_by_test_id("webhook-table")).to_contain_text("Centrala telefoniczna")
    _shot(admin, tmp_path, "webhooks-list-1366.png")
    problems.assert_clean()
