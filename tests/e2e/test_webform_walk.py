"""Browser: the public contact form. A customer (no account) writes through the form with
an attachment, reads the receipt from the SMTP sink and opens its link; an agent, signed
in in another browser context, answers on the ticket page; the notice mail brings the
customer back, who sees the answer and replies; the agent sees the reply. Screenshots of
the form (1366×768 and 390×844), the thank-you page and the follow page. At the end the
agent revokes the link and it shows nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_dashboard_walk import sign_in
from tests.e2e.test_retention_walk import anonymous  # noqa: F401 - fixture
from tests.world import PASSWORD, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]
ALL_WEEK = {k: "0:00-24:00" for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name),
                    full_page=True)


def _deliver() -> None:
    """What the worker does with the queued mails."""
    from punkt.webform import services
    from punkt.webform.models import MailStatus, WebMail

    for pk in WebMail.objects.filter(status=MailStatus.QUEUED).values_list("pk", flat=True):
        assert services.send_now(pk) == MailStatus.SENT


def _link(sink: Any, n: int) -> str:
    body = sink.messages[n].get_payload(decode=True).decode()
    found = re.search(r"https?://\S+?(/contact/t/\S+/)", body)
    assert found, body
    return found.group(1)


def test_a_customer_writes_follows_the_link_and_answers_the_agent(
        anonymous: Any, page: Any, browser: Any, live_server: Any,  # noqa: F811
        problems: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from punkt.core.testing import smtp_sink
    from punkt.servicedesk.models import Ticket, TicketMessage
    from punkt.webform.tests.factories import form_desk

    settings.VAR_DIR = tmp_path
    settings.PUNKT_PUBLIC_URL = live_server.url
    settings.PUNKT_SELLER_NAME = "Punkt Telekom"
    settings.PUNKT_WEBFORM_MIN_SECONDS = 0  # the robot types faster than a person
    customer = anonymous
    world = make_world()
    f = form_desk(world)
    f.centre.hours = ALL_WEEK
    f.centre.save()
    with smtp_sink(settings) as sink:
        # the phone's view of the form
        mobile = browser.new_context(base_url=live_server.url, locale="pl-PL",
                                     viewport={"width": 390, "height": 844})
        phone = mobile.new_page()
        phone.goto("/contact/")
        expect(phone.get_by_role("heading", name="Napisz do nas")).to_be_visible()
        _shot(phone, tmp_path, "webform-form-390.png")
        mobile.close()

        customer.set_viewport_size({"width": 1366, "height": 768})
        customer.goto("/contact/")
        expect(customer.get_by_text("Administratorem Twoich danych osobowych jest")
               ).to_contain_text("Punkt Telekom")
        _shot(customer, tmp_path, "webform-form-1366.png")
        # sent without the required fields: each one is named
        customer.get_by_test_id("send").click()
        expect(customer.get_by_test_id("form-errors")).to_contain_text("Imię i nazwisko")
        problems.expect_failure("/contact/")  # the 422 of that page
        _shot(customer, tmp_path, "webform-form-errors-1366.png")
        customer.get_by_label("Imię i nazwisko").fill("Zofia Żółkiewska")
        customer.get_by_label("E-mail").fill("zofia@example.pl")
        customer.get_by_label("Telefon").fill("601 234 567")
        customer.get_by_label("Czego dotyczy sprawa").select_option(label="Inna sprawa")
        customer.get_by_label("Temat").fill("Nie doszła faktura za listopad")
        customer.get_by_label("Twoja wiadomość").fill("Nie dostałam faktury za listopad e-mailem.")
        customer.get_by_label("Załącznik").set_input_files(files=[{
            "name": "umowa.pdf", "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n%%EOF\n"}])
        customer.get_by_label("Zapoznałem(-am) się z informacją").check()
        with customer.expect_navigation():
            customer.get_by_test_id("send").click()
        ticket = Ticket.objects.get()
        expect(customer.get_by_test_id("ticket-number")).to_have_text(ticket.number)
        _shot(customer, tmp_path, "webform-thanks-1366.png")

        _deliver()
        assert len(sink.messages) == 1 and sink.messages[0]["To"] == "zofia@example.pl"
        link = _link(sink, 0)
        customer.goto(link)
        expect(customer.get_by_test_id("ticket-number")).to_have_text(ticket.number)
        expect(customer.get_by_test_id("ticket-status")).to_contain_text("czeka na naszą odpowiedź")

        # the agent answers on the ticket page
        agent = page
        sign_in(agent, world.expert.email, PASSWORD)
        agent.set_viewport_size({"width": 1366, "height": 768})
        agent.goto(f"/servicedesk/tickets/{ticket.pk}/")
        expect(agent.get_by_test_id("web-origin")).to_contain_text("+48 601 234 567")
        expect(agent.get_by_test_id("web-origin")).to_contain_text("umowa.pdf")
        agent.get_by_label("Wiadomość").fill("Sprawdzimy to — proszę podać numer klienta.")
        with agent.expect_navigation():
            agent.get_by_test_id("send-note").click()
        agent.get_by_label("Wiadomość").fill("Wysłaliśmy fakturę ponownie. Czy doszła?")
        with agent.expect_navigation():
            agent.get_by_test_id("send-reply").click()
        expect(agent.get_by_text("Zapisano odpowiedź.")).to_be_visible()
        _deliver()
        assert len(sink.messages) == 2
        assert _link(sink, 1) == link
        assert "Wysłaliśmy fakturę ponownie" in sink.messages[1].get_payload(
            decode=True).decode()

        # the customer follows the link, sees the answer (not the note) and replies
        customer.goto(link)
        conversation = customer.get_by_test_id("conversation")
        expect(conversation).to_contain_text("Wysłaliśmy fakturę ponownie. Czy doszła?")
        expect(conversation).not_to_contain_text("numer klienta")
        expect(customer.get_by_test_id("ticket-status")).to_contain_text("w realizacji")
        customer.get_by_label("Twoja wiadomość").fill("Tak, doszła. Dziękuję!")
        with customer.expect_navigation():
            customer.get_by_test_id("send-reply").click()
        expect(customer.get_by_test_id("reply-sent")).to_be_visible()
        expect(conversation).to_contain_text("Tak, doszła. Dziękuję!")
        _shot(customer, tmp_path, "webform-follow-1366.png")
        assert TicketMessage.objects.filter(ticket=ticket, author__isnull=True).count() == 2

        # the agent sees the reply
        agent.reload()
        expect(agent.get_by_test_id("conversation")).to_contain_text("Tak, doszła. Dziękuję!")
        _shot(agent, tmp_path, "webform-agent-ticket-1366.png")

        # the customer forwarded the link by mistake: the agent revokes it
        with agent.expect_navigation():
            agent.get_by_test_id("revoke-link").click()
        with agent.expect_navigation():
            agent.get_by_test_id("revoke-confirm").click()
        expect(agent.get_by_text("Link klienta przestał działać")).to_be_visible()
        problems.expect_failure(link)
        customer.goto(link)
        expect(customer.get_by_test_id("link-gone")).to_contain_text("Ten link jest nieważny.")
        expect(customer.locator("body")).not_to_contain_text(ticket.number)
    problems.assert_clean()


def test_a_forged_link_shows_the_same_page_as_a_revoked_one(page: Any, problems: Any,
                                                            tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1366, "height": 768})
    problems.expect_failure("/contact/t/")
    page.goto("/contact/t/WzEsImFiYyJd:forged/")
    expect(page.get_by_test_id("link-gone")).to_contain_text("Ten link jest nieważny.")
    _shot(page, tmp_path, "webform-link-gone-1366.png")
    problems.assert_clean()
