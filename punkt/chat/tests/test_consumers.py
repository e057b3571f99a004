"""The chat's two sockets through channels' ``WebsocketCommunicator`` (in-memory layer):
a whole chat both ways, the queue, the hours, the visitor's token, the limits, and what
each side may open (C21: the agent's socket needs a fresh signed-in session from Punkt's
own origin; C22: texts travel as data)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from punkt.chat.models import ChatSession, ChatStatus
from punkt.chat.tests.factories import CLOSED, SITE, WORKING, agent, chat_desk, online, until
from punkt.chat.tests.factories import visitor as visitor_socket
from punkt.servicedesk import services as desk_services
from punkt.servicedesk.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db(transaction=True)


def run(flow: Any) -> None:
    async_to_sync(flow)()


def test_a_chat_both_ways_becomes_a_ticket(world: Any, client_as: Any) -> None:
    d = chat_desk(world)
    online(world.service_a)
    agent_client = client_as(world.service_a)

    async def flow() -> None:
        v = visitor_socket(d.key)
        assert (await v.connect())[0]
        hello = await until(v, "hello")
        assert hello["open"] is True and hello["agents_online"] is True
        assert hello["title"] == "Czat z Biurem A"
        await v.send_json_to({"type": "start", "name": "Ewa <b>", "email": "",
                              "text": "Dzień dobry, <script>alert(1)</script> faktura?"})
        started = await until(v, "started")
        assert started["token"] and started["status"] == "waiting"
        assert started["position"] == 1
        assert started["history"][0]["text"].startswith("Dzień dobry, <script>")

        a = agent(agent_client)
        assert (await a.connect())[0]
        queue = await until(a, "queue")
        assert queue["online"] is True
        assert [w["name"] for w in queue["waiting"]] == ["Ewa <b>"]
        await a.send_json_to({"type": "take", "chat": queue["waiting"][0]["id"]})
        chat = await until(a, "chat")
        chat_id = chat["chat"]["id"]
        assert chat["chat"]["history"][0]["from"] == "visitor"
        assert (await until(v, "agent"))["name"] == world.service_a.first_name

        await v.send_json_to({"type": "typing"})
        assert (await until(a, "typing"))["chat"] == chat_id
        await v.send_json_to({"type": "message", "text": "Numer FV/1/2026"})
        got = await until(a, "message")
        assert got["text"] == "Numer FV/1/2026" and got["from"] == "visitor"

        await a.send_json_to({"type": "typing", "chat": chat_id})
        await until(v, "typing")
        await a.send_json_to({"type": "message", "chat": chat_id, "text": "Już sprawdzam."})
        mine = await until(v, "message")
        while mine["from"] != "agent":  # the visitor's own line comes back first
            mine = await until(v, "message")
        assert mine["text"] == "Już sprawdzam." and mine["author"] == world.service_a.first_name

        await a.send_json_to({"type": "end", "chat": chat_id})
        assert (await until(v, "ended"))["by"] == "agent"
        assert (await until(a, "ended"))["chat"] == chat_id
        await v.disconnect()
        await a.disconnect()

    with time_machine.travel(WORKING):
        run(flow)
    session = ChatSession.objects.get()
    ticket = Ticket.objects.get(pk=session.ticket_id)
    assert session.status == ChatStatus.ENDED and session.agent == world.service_a
    assert ticket.channel == "chat" and ticket.assignee == world.service_a
    assert ticket.first_responded_at is not None  # the agent's line is a public reply
    lines = list(TicketMessage.objects.filter(ticket=ticket).order_by("id"))
    assert [(m.author_id is not None, m.internal) for m in lines] == [
        (False, False), (False, False), (True, False)]
    assert lines[0].author_label == "Ewa <b>"


def test_outside_working_hours_the_widget_points_to_the_contact_form(world: Any) -> None:
    d = chat_desk(world)

    async def flow() -> None:
        v = visitor_socket(d.key)
        assert (await v.connect())[0]
        hello = await until(v, "hello")
        assert hello["open"] is False and hello["contact_url"].endswith("/contact/")
        await v.send_json_to({"type": "start", "name": "Ewa", "email": "", "text": "Halo"})
        error = await until(v, "error")
        assert error["code"] == "closed"
        await v.disconnect()

    with time_machine.travel(CLOSED):
        run(flow)
    assert not Ticket.objects.exists()


def test_a_foreign_site_or_an_unknown_key_cannot_connect(world: Any) -> None:
    d = chat_desk(world)

    async def flow() -> None:
        assert not (await visitor_socket(d.key, origin="https://evil.example").connect())[0]
        assert not (await visitor_socket(d.key, origin="").connect())[0]
        assert not (await visitor_socket("no-such-key").connect())[0]
        ok = visitor_socket(d.key, origin=SITE + "/")
        assert (await ok.connect())[0]
        await ok.disconnect()

    run(flow)


def test_the_token_resumes_the_chat_and_a_forged_one_does_not(world: Any) -> None:
    d = chat_desk(world)
    other = type(d).objects.create(team=d.team, title="Inny", allowed_origins=SITE)

    async def flow() -> None:
        v = visitor_socket(d.key)
        await v.connect()
        await until(v, "hello")
        await v.send_json_to({"type": "start", "name": "Ewa", "email": "ewa@example.pl",
                              "text": "Pierwsza"})
        token = (await until(v, "started"))["token"]
        await v.disconnect()

        again = visitor_socket(d.key)
        await again.connect()
        await until(again, "hello")
        await again.send_json_to({"type": "resume", "token": token})
        state = await until(again, "started")
        assert state["token"] is None and state["history"][0]["text"] == "Pierwsza"
        await again.disconnect()

        for bad in (token[:-2] + "xx", "", 5, token + "."):
            forged = visitor_socket(d.key)
            await forged.connect()
            await until(forged, "hello")
            await forged.send_json_to({"type": "resume", "token": bad})
            await until(forged, "reset")
            await forged.send_json_to({"type": "message", "text": "wpuść mnie"})
            assert (await until(forged, "error"))["code"] == "no_chat"
            await forged.disconnect()

        elsewhere = visitor_socket(other.key)
        await elsewhere.connect()
        await until(elsewhere, "hello")
        await elsewhere.send_json_to({"type": "resume", "token": token})
        await until(elsewhere, "reset")
        await elsewhere.disconnect()

    with time_machine.travel(WORKING):
        run(flow)
    assert TicketMessage.objects.count() == 1


def test_limits_on_size_rate_and_connections(world: Any, settings: Any) -> None:
    d = chat_desk(world)
    settings.PUNKT_CHAT_MESSAGE_MAX = 50
    settings.PUNKT_CHAT_STARTS_PER_HOUR = 1
    settings.PUNKT_CHAT_CONNECTS_PER_MINUTE = 4

    async def flow() -> None:
        v = visitor_socket(d.key)
        await v.connect()
        assert (await until(v, "hello"))["max"] == 50
        await v.send_json_to({"type": "start", "name": "Ewa", "email": "zły@", "text": "x"})
        assert (await until(v, "error"))["field"] == "email"
        await v.send_json_to({"type": "start", "name": "Ewa", "email": "", "text": "x" * 51})
        assert (await until(v, "error"))["field"] == "text"
        await v.send_json_to({"type": "start", "name": "", "email": "", "text": "x"})
        assert (await until(v, "error"))["field"] == "name"
        await v.send_json_to({"type": "start", "name": "Ewa", "email": "", "text": "x"})
        await until(v, "started")
        codes = []
        for i in range(7):
            await v.send_json_to({"type": "message", "text": f"m{i}"})
        for _ in range(7):
            frame = await v.receive_json_from(timeout=3)
            codes.append(frame.get("code") or frame["type"])
        assert "too_fast" in codes and codes.count("message") == 5
        await v.send_to(text_data="{" + " " * 17000 + "}")
        closed = await v.receive_output(timeout=3)
        assert closed["type"] == "websocket.close" and closed["code"] == 1009

        second = visitor_socket(d.key)
        await second.connect()
        await until(second, "hello")
        await second.send_json_to({"type": "start", "name": "Ewa", "email": "", "text": "y"})
        assert (await until(second, "error"))["code"] == "too_many"
        await second.send_to(text_data="not json")
        assert (await until(second, "error"))["code"] == "bad_frame"
        await second.disconnect()

        for _ in range(2):  # the third and fourth this minute
            more = visitor_socket(d.key)
            assert (await more.connect())[0]
            await more.disconnect()
        assert not (await visitor_socket(d.key).connect())[0]  # the fifth this minute
        fresh = visitor_socket(d.key, ip="198.51.100.1")  # another address is not counted
        assert (await fresh.connect())[0]
        await fresh.disconnect()

    with time_machine.travel(WORKING):
        run(flow)
    assert ChatSession.objects.count() == 1


def test_the_agent_socket_needs_a_fresh_session_the_right_and_the_team(
        world: Any, client_as: Any, settings: Any) -> None:
    chat_desk(world)
    online(world.service_a)
    ok = client_as(world.service_a)
    cashier = client_as(world.cashier_a)  # no chat right
    other_team = client_as(world.service_b)  # chat right, another team

    async def flow() -> None:
        from channels.testing import WebsocketCommunicator

        from punkt.asgi import application

        anonymous = WebsocketCommunicator(application, "/ws/chat/agent/",
                                          headers=[(b"origin", b"http://testserver"),
                                                   (b"host", b"testserver")])
        assert not (await anonymous.connect())[0]
        assert not (await agent(ok, origin="https://evil.example").connect())[0]
        assert not (await agent(cashier).connect())[0]
        assert not (await agent(other_team).connect())[0]
        good = agent(ok)
        assert (await good.connect())[0]
        await until(good, "queue")
        await good.send_json_to({"type": "message", "chat": 999, "text": "x"})
        assert (await until(good, "error"))["code"] == "no_chat"
        await good.disconnect()

    run(flow)
    manager = client_as(world.manager_a)  # a manager's role requires MFA outside the demo

    async def without_mfa() -> None:
        assert not (await agent(manager).connect())[0]

    settings.DEMO_MODE = False
    run(without_mfa)
    settings.DEMO_MODE = True
    session = ok.session
    session["punkt_last_seen"] = 1  # idle since 1970
    session.save()

    async def idle() -> None:
        assert not (await agent(ok).connect())[0]

    run(idle)


def test_visitors_hear_only_their_own_chat(world: Any, client_as: Any) -> None:
    d = chat_desk(world)
    online(world.service_a, world.manager_a)
    a_client = client_as(world.service_a)

    async def flow() -> None:
        one, two = visitor_socket(d.key), visitor_socket(d.key, ip="198.51.100.2")
        for v, name in ((one, "Pierwszy"), (two, "Drugi")):
            await v.connect()
            await until(v, "hello")
            await v.send_json_to({"type": "start", "name": name, "email": "",
                                  "text": f"tajne {name}"})
            await until(v, "started")
        a = agent(a_client)
        await a.connect()
        queue = await until(a, "queue")
        first = queue["waiting"][0]["id"]
        await a.send_json_to({"type": "take", "chat": first})
        await until(a, "chat")
        # the second visitor moves up and hears a number, never the other's name
        assert (await until(two, "queue"))["position"] == 1
        await one.send_json_to({"type": "message", "text": "tylko dla agenta"})
        await until(a, "message")
        frames = []
        while not await two.receive_nothing(timeout=0.3):
            frames.append(await two.receive_json_from())
        assert all("Pierwszy" not in str(f) and "tylko" not in str(f) for f in frames)
        # a visitor cannot act as an agent: nothing but their place in the queue comes
        await two.send_json_to({"type": "take", "chat": first})
        while not await two.receive_nothing(timeout=0.3):
            assert (await two.receive_json_from())["type"] == "queue"
        assert await database_sync_to_async(
            lambda: ChatSession.objects.get(pk=first).agent_id)() == world.service_a.pk
        for c in (one, two, a):
            await c.disconnect()

    with time_machine.travel(WORKING):
        run(flow)


def test_a_reply_from_the_ticket_page_reaches_the_widget(world: Any, client_as: Any) -> None:
    d = chat_desk(world)
    online(world.service_a)
    a_client = client_as(world.service_a)

    async def flow() -> None:
        v = visitor_socket(d.key)
        await v.connect()
        await until(v, "hello")
        await v.send_json_to({"type": "start", "name": "Ewa", "email": "", "text": "Pytanie"})
        await until(v, "started")
        a = agent(a_client)
        await a.connect()
        queue = await until(a, "queue")
        await a.send_json_to({"type": "take", "chat": queue["waiting"][0]["id"]})
        await until(a, "chat")
        ticket_id = await database_sync_to_async(
            lambda: ChatSession.objects.get().ticket_id)()
        await database_sync_to_async(desk_services.reply)(
            actor=world.service_a, ticket_id=ticket_id, body="Odpowiedź ze zgłoszenia")
        got = await until(v, "message")
        assert got["text"] == "Odpowiedź ze zgłoszenia" and got["from"] == "agent"
        await database_sync_to_async(desk_services.note)(
            actor=world.service_a, ticket_id=ticket_id, body="notatka wewnętrzna")
        while not await v.receive_nothing(timeout=0.3):
            assert "notatka" not in str(await v.receive_json_from())
        await v.disconnect()
        await a.disconnect()

    with time_machine.travel(WORKING):
        run(flow)


def test_an_away_agent_cannot_take_and_the_ping_answers(world: Any, client_as: Any) -> None:
    d = chat_desk(world)
    a_client = client_as(world.service_a)

    async def flow() -> None:
        v = visitor_socket(d.key)
        await v.connect()
        assert (await until(v, "hello"))["agents_online"] is False
        await v.send_json_to({"type": "ping", "t": 7})
        assert (await until(v, "pong"))["t"] == 7
        await v.send_json_to({"type": "start", "name": "Ewa", "email": "", "text": "Halo"})
        await until(v, "started")
        a = agent(a_client)
        await a.connect()
        queue = await until(a, "queue")
        assert queue["online"] is False
        await a.send_json_to({"type": "take", "chat": queue["waiting"][0]["id"]})
        assert (await until(a, "error"))["code"] == "away"
        await a.send_json_to({"type": "presence", "status": "online"})
        assert (await until(a, "queue"))["online"] is True
        await a.send_json_to({"type": "take", "chat": queue["waiting"][0]["id"]})
        await until(a, "chat")
        await v.send_json_to({"type": "end"})
        assert (await until(a, "ended"))["by"] == "visitor"
        await v.disconnect()
        await a.disconnect()

    with time_machine.travel(WORKING):
        run(flow)
