#!/usr/bin/env python
"""Live chat under load: concurrent WebSockets against the real ASGI server.

    .venv/bin/python bench/run_chat.py [--chats 100] [--seconds 30] [--interval 5]
        [--workers 2] [--db postgres://postgres@127.0.0.1:5432/punkt_chatbench]
        [--redis redis://127.0.0.1:6379/0]

It creates the database if missing and migrates it, makes a branch office with a chat
desk open round the clock and one agent per chat (online, with a signed-in session),
then starts uvicorn (``--workers`` processes) with the Redis channel layer
(``channels_redis`` pub/sub) and opens 2 × ``--chats`` sockets: every visitor starts a
chat (a ticket opens) and one agent takes it. For ``--seconds`` each visitor and each
agent then writes a line every ``--interval`` seconds (jittered) and sends a typing signal
and a ping. Per kind it prints p50/p95/max of:

* ``message`` — one side's line until the other side receives it: the socket, the
  services (ticket message, audit, SLA; a public reply for the agent) on PostgreSQL, and
  the Redis layer to the other process;
* ``typing`` — the typing signal to the other side: the socket and the Redis layer, no
  database;
* ``ping`` (reference) — a round trip the server answers itself: the socket alone.

The clients run in this process on the same machine, so their CPU is counted against the
server's. Rate limits are lifted for the run (one address opens every socket).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ORIGIN = "https://bench.firma.pl"


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--chats", type=int, default=100, help="chats (2 sockets each)")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--interval", type=float, default=5.0, help="seconds between lines")
    p.add_argument("--workers", type=int, default=2, help="uvicorn processes")
    p.add_argument("--db", default=os.environ.get(
        "BENCH_CHAT_DB_URL", "postgres://postgres@127.0.0.1:5432/punkt_chatbench"))
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    return p.parse_args()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(args: argparse.Namespace) -> tuple[str, list[str]]:
    """Database, desk and agents (reused by later runs); the desk's key and the agents'
    session ids."""
    name = args.db.rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name],
                   capture_output=True, check=False)
    env = {**os.environ, "DATABASE_URL": args.db}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], env=env,
                   check=True)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "punkt.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from punkt.chat.models import AgentPresence, Availability, ChatDesk, ChatSession, ChatStatus
    from punkt.chat.services import is_open
    from punkt.core.roles import Role
    from punkt.organization.models import Branch, Employee
    from punkt.organization.tests.factories import BranchFactory
    from punkt.servicedesk.models import Team, TeamMember, TicketType
    from tests.world import make_user

    branch = Branch.objects.filter(code="CHB-01").first() or BranchFactory.create(
        code="CHB-01", name="Oddział czatu (bench)")
    team, _ = Team.objects.get_or_create(
        name="Biuro czatu (bench)", defaults={"branch": branch, "hours": {
            k: "0:00-24:00" for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}})
    TicketType.objects.get_or_create(name="Pytanie z czatu (bench)")
    desk, _ = ChatDesk.objects.get_or_create(team=team, defaults={
        "title": "Czat (bench)", "allowed_origins": ORIGIN})
    if not is_open(desk):
        sys.exit("The desk is closed today (a public holiday): run the bench another day.")
    ChatSession.objects.filter(desk=desk).exclude(status=ChatStatus.ENDED).update(
        status=ChatStatus.ENDED)
    sessions = []
    for i in range(args.chats):
        email = f"agent{i:03d}.bench@chat.test"
        agent = Employee.objects.filter(email=email).first() or make_user(
            email, Role.SERVICE, branch)
        TeamMember.objects.get_or_create(team=team, employee=agent)
        AgentPresence.objects.update_or_create(employee=agent,
                                               defaults={"status": Availability.ONLINE})
        s = SessionStore()
        s[SESSION_KEY] = str(agent.pk)
        s[BACKEND_SESSION_KEY] = "punkt.organization.backends.EmployeeBackend"
        s[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        s["punkt_last_seen"] = int(time.time())
        s.create()
        sessions.append(str(s.session_key))
    return desk.key, sessions


def _server(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": args.db, "PUNKT_CHANNEL_REDIS_URL": args.redis,
           "PUNKT_DEBUG": "0", "PUNKT_CHAT_CONNECTS_PER_MINUTE": "1000000",
           "PUNKT_CHAT_STARTS_PER_HOUR": "1000000", "PUNKT_CHAT_MESSAGE_BURST": "1000",
           "PUNKT_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    cmd = [str(Path(sys.executable).parent / "uvicorn"), "punkt.asgi:application",
           "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
           "--lifespan", "off", "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            time.sleep(1.0)  # the other workers
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("uvicorn did not start")


class Meter:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.sent: dict[str, float] = {}
        self.measuring = False

    def add(self, kind: str, seconds: float) -> None:
        if self.measuring:
            self.samples[kind].append(seconds * 1000)


async def _run(args: argparse.Namespace, port: int, key: str, sessions: list[str]) -> Meter:
    import websockets

    meter = Meter()
    base = f"ws://127.0.0.1:{port}"
    typing_sent: dict[tuple[str, int], float] = {}

    async def reader(ws: Any, side: str, state: dict[str, Any]) -> None:
        async for raw in ws:
            m = json.loads(raw)
            kind = m.get("type")
            now = time.perf_counter()
            if kind == "pong":
                meter.add("ping (reference)", now - float(m["t"]))
            elif kind == "message":
                if not m["text"].startswith(side[0]):  # not the echo of one's own line
                    sent = meter.sent.pop(m["text"], None)
                    if sent is not None:
                        meter.add("message", now - sent)
            elif kind == "typing":
                chat = state.get("chat")
                sent_at = typing_sent.pop(("v" if side == "agent" else "a", chat), None)
                if sent_at is not None:
                    meter.add("typing", now - sent_at)
            elif kind == "queue":
                state["queue"] = m.get("waiting", state.get("queue"))
            elif kind == "started":
                state["chat"] = m["history"][0]["chat"]
                state["ready"].set()
            elif kind == "chat":
                state["chat"] = m["chat"]["id"]
                state["ready"].set()
            elif kind == "agent":
                state["taken"].set()

    visitors, agents = [], []
    print(f"opening {2 * args.chats} sockets …", flush=True)
    for i in range(args.chats):
        ws = await websockets.connect(f"{base}/ws/chat/visitor/{key}/", origin=ORIGIN,
                                      max_size=2**16, ping_interval=None)
        state: dict[str, Any] = {"ready": asyncio.Event(), "taken": asyncio.Event()}
        task = asyncio.create_task(reader(ws, "visitor", state))
        await ws.send(json.dumps({"type": "start", "name": f"Gość {i}", "email": "",
                                  "text": f"Dzień dobry, pytanie {i}"}))
        visitors.append((ws, state, task))
    await asyncio.wait_for(asyncio.gather(*(s["ready"].wait() for _w, s, _t in visitors)),
                           timeout=120)
    for session in sessions:
        ws = await websockets.connect(
            f"{base}/ws/chat/agent/", origin=f"http://127.0.0.1:{port}", max_size=2**16,
            ping_interval=None, additional_headers={"Cookie": f"sessionid={session}"})
        state = {"ready": asyncio.Event(), "taken": asyncio.Event()}
        task = asyncio.create_task(reader(ws, "agent", state))
        agents.append((ws, state, task))
    for (ws, _state, _t), (_vw, vstate, _vt) in zip(agents, visitors, strict=True):
        await ws.send(json.dumps({"type": "take", "chat": vstate["chat"]}))
    await asyncio.wait_for(asyncio.gather(*(s["ready"].wait() for _w, s, _t in agents),
                                          *(s["taken"].wait() for _w, s, _t in visitors)),
                           timeout=120)
    print("all chats taken; settling …", flush=True)
    await asyncio.sleep(3)

    meter.measuring = True
    stop = time.monotonic() + args.seconds

    async def talk(ws: Any, side: str, chat: int, seq: int = 0) -> None:
        await asyncio.sleep(random.uniform(0, args.interval))
        while time.monotonic() < stop:
            seq += 1
            text = f"{side[0]}:{chat}:{seq}"
            meter.sent[text] = time.perf_counter()
            if side == "agent":
                await ws.send(json.dumps({"type": "message", "chat": chat, "text": text}))
            else:
                await ws.send(json.dumps({"type": "message", "text": text}))
            await asyncio.sleep(args.interval / 3)
            typing_sent[(side[0], chat)] = time.perf_counter()
            await ws.send(json.dumps({"type": "typing", "chat": chat}))
            await asyncio.sleep(args.interval / 3)
            await ws.send(json.dumps({"type": "ping", "t": time.perf_counter()}))
            await asyncio.sleep(args.interval / 3 * random.uniform(0.8, 1.2))

    await asyncio.gather(*(talk(ws, "visitor", s["chat"]) for ws, s, _t in visitors),
                         *(talk(ws, "agent", s["chat"]) for ws, s, _t in agents))
    await asyncio.sleep(2)
    meter.measuring = False
    lost = len(meter.sent)
    for ws, _s, task in visitors + agents:
        task.cancel()
        await ws.close()
    meter.samples["lost messages"] = [float(lost)]
    return meter


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    args = _args()
    key, sessions = _prepare(args)
    port = _free_port()
    server = _server(args, port)
    try:
        meter = asyncio.run(_run(args, port, key, sessions))
    finally:
        server.terminate()
        server.wait(10)
    lost = int(meter.samples.pop("lost messages")[0])
    print(f"\n{2 * args.chats} sockets ({args.chats} chats), uvicorn × {args.workers}, "
          f"Redis layer, {args.seconds:.0f} s, a line every {args.interval:g} s per side")
    print(f"{'kind':<18}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind in ("message", "typing", "ping (reference)"):
        v = meter.samples.get(kind, [])
        if not v:
            print(f"{kind:<18}{0:>7}")
            continue
        print(f"{kind:<18}{len(v):>7}{statistics.median(v):>10.1f}{_pct(v, 0.95):>10.1f}"
              f"{max(v):>10.1f}")
    print(f"lost messages: {lost}")


if __name__ == "__main__":
    main()
