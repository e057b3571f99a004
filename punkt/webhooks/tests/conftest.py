"""A real HTTP receiver on loopback (``http.server`` in a thread) for the webhook tests.

Each path answers from a script: ``receiver.script("/flaky", [500, 500, 200])`` answers
500 twice then 200 (the last answer repeats); ``("sleep", 2.0)`` waits before answering
200; ``("redirect", "/ok")`` answers 302. Every request is recorded with its headers and
body."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int
    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, list[Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/ok") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, answers: list[Any]) -> None:
        self.scripts[path] = list(answers)

    def next_answer(self, path: str) -> Any:
        with self.lock:
            answers = self.scripts.get(path) or [200]
            return answers.pop(0) if len(answers) > 1 else answers[0]

    def on(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/webhooks.md shows it."""
    timestamp = headers["Punkt-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    given = [p.strip().removeprefix("v1=") for p in headers["Punkt-Signature"].split(",")
             if p.strip().startswith("v1=")]
    return any(hmac.compare_digest(expected, g) for g in given)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            rec = state["r"]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with rec.lock:
                rec.requests.append(Received(self.path, dict(self.headers.items()), body))
            answer = rec.next_answer(self.path)
            if isinstance(answer, tuple) and answer[0] == "sleep":
                time.sleep(answer[1])
                answer = 200
            if isinstance(answer, tuple) and answer[0] == "redirect":
                self.send_response(302)
                self.send_header("Location", rec.url(answer[1]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            text = b"ok" if answer < 300 else b"boom"
            self.send_response(answer)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (timeout test)
                self.wfile.write(text)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["r"] = Receiver(port=server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["r"]
    finally:
        server.shutdown()
        server.server_close()
