"""The chat's pages: the console for the team's agents, the desks for managers (roles
refused with 403, another branch's desk a 404), the widget's script and stylesheet open
to any site, the ticket page showing the transcript."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from punkt.chat import services
from punkt.chat.models import ChatDesk
from punkt.chat.tests.factories import WORKING, chat_desk, online

pytestmark = pytest.mark.django_db


def test_the_console_for_agents_and_a_hint_for_others(world: Any, client_as: Any) -> None:
    chat_desk(world)
    page = client_as(world.service_a).get(reverse("chat:console")).content.decode()
    assert 'id="chat-console"' in page and "chat/console.js" in page
    lonely = client_as(world.service_b).get(reverse("chat:console")).content.decode()
    assert 'data-testid="chat-no-desk"' in lonely
    assert client_as(world.cashier_a).get(reverse("chat:console")).status_code == 403
    assert client_as(world.service_a).get(reverse("chat:desk_list")).status_code == 403


def test_managers_keep_the_desk_and_see_the_script_tag(world: Any, client_as: Any) -> None:
    d = chat_desk(world)
    c = client_as(world.manager_a)
    listing = c.get(reverse("chat:desk_list")).content.decode()
    assert d.title in listing
    edit = c.get(reverse("chat:desk_edit", args=[d.pk])).content.decode()
    assert f'data-desk="{d.key}"' in edit and "/chat/widget.js" in edit
    bad = c.post(reverse("chat:desk_edit", args=[d.pk]),
                 {"team_id": d.team_id, "title": "Czat", "allowed_origins": "www.firma.pl"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.content.decode()
    assert "www.firma.pl" in bad.content.decode()  # the input is kept
    new = c.post(reverse("chat:desk_new"), {"team_id": d.team_id, "title": "Drugi czat",
                                            "allowed_origins": "https://sklep.firma.pl",
                                            "is_active": "1"})
    assert new.status_code == 302
    assert ChatDesk.objects.filter(title="Drugi czat").exists()
    assert client_as(world.manager_b).get(
        reverse("chat:desk_edit", args=[d.pk])).status_code == 404
    assert client_as(world.manager_b).get(
        reverse("chat:desk_preview", args=[d.pk])).status_code == 404
    preview = c.get(reverse("chat:desk_preview", args=[d.pk])).content.decode()
    assert f'data-desk="{d.key}"' in preview


def test_the_widget_files_need_no_sign_in(client: Any) -> None:
    js = client.get(reverse("chat:widget_js"))
    assert js.status_code == 200 and js["Content-Type"].startswith("text/javascript")
    body = js.content.decode()
    assert "/*TEXTS*/" not in body and "Rozpocznij" in body or "Start the chat" in body
    assert "eval(" not in body and "innerHTML" not in body
    css = client.get(reverse("chat:widget_css"))
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")
    assert client.post(reverse("chat:widget_js")).status_code == 405


def test_the_ticket_page_shows_the_transcript(world: Any, client_as: Any) -> None:
    d = chat_desk(world)
    online(world.service_a)
    with time_machine.travel(WORKING):
        s = services.start(desk=d, name="Ewa", email="", text="Pytanie z czatu")
        services.take(actor=world.service_a, session_id=s.pk)
        services.visitor_say(session_id=s.pk, text="Druga linia")
        services.agent_say(actor=world.service_a, session_id=s.pk, text="Odpowiedź agenta")
    page = client_as(world.service_a).get(
        reverse("servicedesk:ticket_detail", args=[s.ticket_id])).content.decode()
    for text in ("Pytanie z czatu", "Druga linia", "Odpowiedź agenta"):
        assert text in page
