"""Browser: the live chat at 1366×768, two browser contexts. A visitor on a company's page
(another origin, under a strict Content-Security-Policy) opens the widget, gives her name
and writes; the agent, signed in on the console, sees her waiting, takes her, and they
write both ways — each line arrives within 1 s without a reload, and each side sees the
other typing; the agent ends the chat and its ticket (channel chat) holds the transcript.
Outside the team's hours the widget points to the contact form.

The e2e ``live_server`` is WSGI only, so this walk runs the ASGI application (pages and
WebSockets) in uvicorn on a thread of the test process, sharing the test database's one
connection as Django's live server does."""

from __future__ import annotations

import http.server
import os
import socketserver
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from punkt.core.testing import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db"),
              pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")]

WITHIN_MS = 1000


@pytest.fixture
def asgi_server() -> Iterator[str]:
    """The ASGI app in uvicorn on a free port; every thread uses the test's connection."""
    import uvicorn
    from channels.layers import channel_layers
    from django.db import connections

    conn = connections["default"]
    conn.inc_thread_sharing()

    class Shared:
        default = conn

    saved = connections._connections
    connections._connections = Shared()  # type: ignore[assignment]
    channel_layers.backends = {}
    port = free_port()
    from punkt.asgi import application

    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port,
                                           lifespan="off", log_level="warning",
                                           ws_max_size=65536))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)
    connections._connections = saved
    conn.dec_thread_sharing()
    channel_layers.backends = {}


def _site(punkt: str, key: str) -> tuple[str, Any]:
    """A company's page on another origin embedding the widget with one tag, served with a
    strict CSP (no inline code or styles; only Punkt's server allowed)."""
    ws = punkt.replace("http://", "ws://")
    html = (f'<!doctype html><html lang="pl"><head><meta charset="utf-8">'
            f"<title>Firma Przykładowa</title></head><body><h1>Firma Przykładowa</h1>"
            f"<p>Internet i telewizja w Twoim mieście.</p>"
            f'<script src="{punkt}/chat/widget.js" data-desk="{key}" async></script>'
            f"</body></html>").encode()
    csp = (f"default-src 'none'; script-src {punkt}; style-src {punkt}; "
           f"connect-src {ws}; img-src 'none'")

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", csp)
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            return None

    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


def _context(browser: Any, base: str, problems: Any) -> Any:
    context = browser.new_context(base_url=base, locale="pl-PL", service_workers="block",
                                  viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", lambda msg: msg.type == "error" and problems.console.append(
        f"{msg.text} @ {page.url}"))
    page.on("pageerror", lambda exc: problems.page_errors.append(f"{exc} @ {page.url}"))
    page.on("dialog", lambda d: (problems.dialogs.append(d.message), d.dismiss()))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
            and problems.bad_responses.append(f"{r.status} {r.url}"))
    return page


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("PUNKT_E2E_SHOTS", tmp_path)) / name))


def test_a_visitor_and_an_agent_chat_live_and_it_becomes_a_ticket(
        asgi_server: str, browser: Any, problems: Any, client_as: Any, monkeypatch: Any,
        tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from punkt.chat import services
    from punkt.chat.models import ChatSession
    from punkt.chat.tests.factories import chat_desk, online
    from punkt.servicedesk.models import Ticket, TicketMessage
    from tests.world import make_world

    world = make_world()
    desk = chat_desk(world)
    open_now = {"yes": True}  # the team's hours: a walk may run on a Sunday or a holiday
    monkeypatch.setattr(services, "is_open", lambda d, now=None: open_now["yes"])
    site, httpd = _site(asgi_server, desk.key)
    desk.allowed_origins = site
    desk.save()
    online(world.service_a)
    try:
        agent = _context(browser, asgi_server, problems)
        session = client_as(world.service_a).cookies["sessionid"].value
        agent.context.add_cookies([{"name": "sessionid", "value": session,
                                    "url": asgi_server}])
        agent.goto("/chat/")
        expect(agent.get_by_test_id("chat-presence")).to_contain_text("Przyjmujesz rozmowy")

        visitor = _context(browser, site, problems)
        visitor.goto("/")
        visitor.get_by_role("button", name="Napisz do nas").click()
        expect(visitor.get_by_test_id("chat-status")).to_contain_text("Napisz do nas")
        visitor.get_by_label("Twoje imię").fill("Ewa <script>alert(1)</script>")
        visitor.get_by_label("Jak możemy pomóc?").fill("Nie działa mi internet od rana.")
        _shot(visitor, tmp_path, "chat-widget-start-1366.png")
        visitor.get_by_role("button", name="Rozpocznij rozmowę").click()
        expect(visitor.get_by_test_id("chat-status")).to_contain_text("1. w kolejce")

        waiting = agent.get_by_test_id("chat-waiting")
        expect(waiting).to_contain_text("Ewa <script>alert(1)</script>", timeout=WITHIN_MS)
        expect(waiting).to_contain_text("Nie działa mi internet")
        _shot(agent, tmp_path, "chat-console-queue-1366.png")
        agent.get_by_test_id("chat-take").click()
        box = agent.get_by_test_id("chat-box")
        expect(box).to_contain_text("Nie działa mi internet od rana.")
        expect(visitor.get_by_test_id("chat-status")).to_contain_text(
            world.service_a.first_name, timeout=WITHIN_MS)

        agent.get_by_test_id("chat-input").press_sequentially("Dzień", delay=20)
        expect(visitor.get_by_test_id("chat-typing")).to_be_visible(timeout=WITHIN_MS)
        agent.get_by_test_id("chat-input").fill("Dzień dobry, sprawdzę łącze. Jaki adres?")
        agent.get_by_test_id("chat-input").press("Enter")
        expect(visitor.get_by_test_id("chat-log")).to_contain_text(
            "sprawdzę łącze", timeout=WITHIN_MS)

        say = visitor.get_by_role("textbox", name="Twoja wiadomość")
        say.press_sequentially("ul.", delay=20)
        expect(box.get_by_test_id("chat-typing")).to_contain_text("pisze", timeout=WITHIN_MS)
        say.fill("ul. Długa 5, Kraków")
        say.press("Enter")
        expect(box.get_by_test_id("chat-log")).to_contain_text("ul. Długa 5",
                                                                timeout=WITHIN_MS)
        _shot(visitor, tmp_path, "chat-widget-1366.png")
        _shot(agent, tmp_path, "chat-console-1366.png")

        agent.get_by_test_id("chat-end").click()
        expect(visitor.get_by_test_id("chat-status")).to_contain_text(
            "zakończył", timeout=WITHIN_MS)

        # the next visit outside the team's hours: the contact form instead
        open_now["yes"] = False
        visitor.get_by_role("button", name="Nowa rozmowa").click()
        expect(visitor.get_by_test_id("chat-contact")).to_have_attribute(
            "href", f"{asgi_server}/contact/")
        _shot(visitor, tmp_path, "chat-widget-closed-1366.png")
        manager = _context(browser, asgi_server, problems)
        manager.context.add_cookies([{"name": "sessionid", "url": asgi_server,
                                      "value": client_as(world.manager_a)
                                      .cookies["sessionid"].value}])
        manager.goto(f"/chat/desks/{desk.pk}/")
        expect(manager.get_by_test_id("desk-snippet")).to_contain_text(
            f'data-desk="{desk.key}"')
        _shot(manager, tmp_path, "chat-desk-1366.png")
        assert not problems.dialogs  # the visitor's name stayed text (C22)
        problems.assert_clean()
    finally:
        httpd.shutdown()

    chat = ChatSession.objects.get()
    ticket = Ticket.objects.get(pk=chat.ticket_id)
    assert ticket.channel == "chat" and ticket.assignee_id == world.service_a.pk
    assert ticket.first_responded_at is not None
    lines = list(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True))
    assert lines == ["Nie działa mi internet od rana.",
                     "Dzień dobry, sprawdzę łącze. Jaki adres?", "ul. Długa 5, Kraków"]
