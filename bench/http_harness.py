"""HTTP benchmark harness: gunicorn started as in production, clients that behave like a browser.

Used by ``bench/run_http.py``; importable without Django (the load loop never touches it).

- :class:`Server` starts ``gunicorn punkt.wsgi`` the way the README's production section
  does (``PUNKT_PRODUCTION=1``, a secret key, allowed hosts, trusted origins, collected and
  hashed static files), on a free loopback port, with ``--workers``/``--threads``, and
  stops it again. Requests carry ``X-Forwarded-Proto: https`` as the TLS proxy in front of
  gunicorn would send them, so secure cookies, HSTS and the CSRF origin check all apply.
- :class:`HttpClient` is a small asyncio HTTP/1.1 client with a cookie jar and keep-alive
  (reconnecting when gunicorn's sync worker closes the connection after each answer).
  :func:`sign_in` goes through allauth's form like a browser: GET the form, read the CSRF
  token from it, POST e-mail and password, then — for users whose role requires MFA —
  the TOTP form with a code computed from the user's secret (:func:`totp`).
- :func:`run_row` drives ``clients`` concurrent clients against one row (a page or API
  call) for ``seconds`` after ``warmup`` seconds, and returns every latency; req/s is the
  number of answers in the timed window divided by its length.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import html
import math
import os
import re
import secrets
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
#: The TOTP secret run_http.py gives the bench accounts whose role requires MFA.
BENCH_TOTP_SECRET = base64.b32encode(b"punkt-bench-totp-key").decode()
#: A valid NIP for the production settings' seller (sample value, checksum correct).
SAMPLE_SELLER_NIP = "5260250274"


# --- TOTP (RFC 6238, SHA-1, 6 digits, 30 s — allauth's defaults) ------------------------

def totp(secret: str, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // period)
    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10 ** digits:0{digits}d}"


# --- The server -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``gunicorn punkt.wsgi`` with production settings on 127.0.0.1:<port>."""

    def __init__(self, database_url: str, *, workers: int = 4, threads: int = 1,
                 port: int | None = None, var_dir: Path | None = None,
                 log: Path | None = None, extra_env: dict[str, str] | None = None,
                 code: Path | None = None) -> None:
        self.database_url = database_url
        #: the checkout whose code is served (another worktree for before/after runs)
        self.code = code or ROOT
        self.workers = workers
        self.threads = threads
        self.port = port or free_port()
        self.var_dir = var_dir or Path("/tmp/punkt-http-bench") / (
            "main" if self.code == ROOT else self.code.name)
        self.log = log or self.var_dir / "gunicorn.log"
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PUNKT_") and k != "DJANGO_SETTINGS_MODULE"}
        env.update({
            "DATABASE_URL": self.database_url,
            "PUNKT_PRODUCTION": "1",
            "PUNKT_SECRET_KEY": secrets.token_hex(32),
            "PUNKT_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUNKT_CSRF_TRUSTED_ORIGINS": self.origin,
            "PUNKT_PUBLIC_URL": self.origin,
            "PUNKT_SELLER_NIP": SAMPLE_SELLER_NIP,
            "PUNKT_VAR_DIR": str(self.var_dir),
            "PUNKT_SMS_BACKEND": "file",
        })
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        cmd = [str(VENV_BIN / "gunicorn"), "--chdir", str(self.code), "punkt.wsgi",
               "-b", f"127.0.0.1:{self.port}",
               "-w", str(self.workers)]
        if self.threads > 1:
            cmd += ["--threads", str(self.threads)]
        return cmd

    def start(self, timeout: float = 300.0) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        env = self.env()
        subprocess.run([str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput",
                        "-v0"], cwd=self.code, env=env, check=True)
        log = open(self.log, "ab")  # noqa: SIM115 - kept open for the server's life
        self.proc = subprocess.Popen(self.command(), cwd=self.code, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        try:
            self._wait(deadline)
        except BaseException:
            self.stop()
            raise

    def _wait(self, deadline: float) -> None:
        assert self.proc is not None
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                req = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
                with urllib.request.urlopen(req, timeout=2) as resp:  # noqa: S310 - loopback
                    if resp.status == 200:
                        # Let every worker boot (each imports Django on its own).
                        time.sleep(min(5.0, 0.5 * self.workers))
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in time; see {self.log}")

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- The client -------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[-1] if values else ""

    @property
    def location(self) -> str:
        return self.header("location")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class HttpError(RuntimeError):
    pass


class HttpClient:
    """One browser: its own connection (kept alive when the server allows) and cookies."""

    def __init__(self, host: str, port: int, origin: str) -> None:
        self.host, self.port, self.origin = host, port, origin
        self.cookies: dict[str, str] = {}
        self.extra_headers: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def clone(self) -> HttpClient:
        """Another connection for the same browser session (a second tab)."""
        other = HttpClient(self.host, self.port, self.origin)
        other.cookies = dict(self.cookies)
        other.extra_headers = dict(self.extra_headers)
        return other

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        self._reader = self._writer = None

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    def _build(self, method: str, path: str, body: bytes | None,
               headers: dict[str, str] | None) -> bytes:
        h = {
            "Host": f"{self.host}:{self.port}",
            "User-Agent": "punkt-bench/1",
            "Accept": "text/html,application/json",
            "Accept-Encoding": "identity",
            "X-Forwarded-Proto": "https",
            "Connection": "keep-alive",
        }
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD"):
            h["Origin"] = self.origin
            h["Referer"] = self.origin + path
            h["Content-Length"] = str(len(body or b""))
        h.update(self.extra_headers)
        h.update(headers or {})
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
        return head.encode("latin-1") + b"\r\n" + (body or b"")

    async def request(self, method: str, path: str, body: bytes | None = None,
                      headers: dict[str, str] | None = None) -> Response:
        data = self._build(method, path, body, headers)
        for attempt in (0, 1):
            reused = self._writer is not None
            if not reused:
                await self._connect()
            assert self._reader is not None and self._writer is not None
            try:
                self._writer.write(data)
                await self._writer.drain()
                response = await self._read(method)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                await self.close()
                if reused and attempt == 0:
                    continue  # the server closed an idle keep-alive connection
                raise HttpError(f"{method} {path}: {exc!r}") from exc
            self._take_cookies(response)
            return response
        raise AssertionError("unreachable")

    async def _read(self, method: str) -> Response:
        assert self._reader is not None
        head = await self._reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers.setdefault(k.strip().lower(), []).append(v.strip())
        body = b""
        te = ",".join(headers.get("transfer-encoding", [])).lower()
        if method == "HEAD" or status in ("204", "304"):
            pass
        elif "chunked" in te:
            chunks = []
            while True:
                size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self._reader.readuntil(b"\r\n")
                    break
                chunks.append(await self._reader.readexactly(size))
                await self._reader.readexactly(2)
            body = b"".join(chunks)
        elif "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"][-1]))
        else:
            body = await self._reader.read()
            await self.close()
        conn = ",".join(headers.get("connection", [])).lower()
        if "close" in conn or version == "HTTP/1.0":
            await self.close()
        return Response(int(status), headers, body)

    def _take_cookies(self, response: Response) -> None:
        for raw in response.headers.get("set-cookie", []):
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] in ("0", 0):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, headers=headers)

    async def post_form(self, path: str, fields: dict[str, str],
                        headers: dict[str, str] | None = None) -> Response:
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return await self.request("POST", path, urlencode(fields).encode(), h)

    async def post_json(self, path: str, payload: bytes,
                        headers: dict[str, str] | None = None) -> Response:
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return await self.request("POST", path, payload, h)


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(page: Response) -> str:
    match = _CSRF.search(page.text)
    if not match:
        raise HttpError(f"no CSRF token in the page (HTTP {page.status})")
    return html.unescape(match.group(1))


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _form_errors(page: Response) -> str:
    found = re.findall(r'class="[^"]*(?:errorlist|alert)[^"]*"[^>]*>(.*?)</', page.text, re.S)
    return "; ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found)[:300]


async def sign_in(client: HttpClient, email: str, password: str,
                  totp_secret: str | None = None) -> None:
    """Sign in through allauth's forms, as a browser does; raises HttpError if refused."""
    page = await client.get("/accounts/login/")
    token = csrf_token(page)
    resp = await client.post_form("/accounts/login/", {
        "csrfmiddlewaretoken": token, "login": email, "password": password})
    if resp.status != 302:
        raise HttpError(f"sign-in of {email}: HTTP {resp.status} {_form_errors(resp)}")
    location = _path(resp.location)
    if "/2fa/authenticate" in location:
        if not totp_secret:
            raise HttpError(f"{email} needs a TOTP code and has no secret")
        for _attempt in range(3):
            page = await client.get(location)
            resp = await client.post_form(location, {
                "csrfmiddlewaretoken": csrf_token(page), "code": totp(totp_secret)})
            if resp.status == 302:
                break
            # The code was used in this 30-s window already (allauth refuses a replay):
            # wait for the next one.
            await asyncio.sleep(30 - time.time() % 30 + 0.5)
        else:
            raise HttpError(f"TOTP of {email} refused: {_form_errors(resp)}")
        location = _path(resp.location)
    home = await client.get("/")
    if home.status != 200:
        raise HttpError(f"{email} signed in but / answers {home.status} → {home.location}")


# --- Load ---------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the report: a request (or a family of them) sent over and over."""

    name: str
    #: the session key the row runs as ("" = anonymous), see run_http.py
    who: str
    #: request number → (method, path, body or None, extra headers)
    request: Callable[[int], tuple[str, str, bytes | None, dict[str, str]]]
    expect: tuple[int, ...] = (200,)
    reference: bool = False


def get(path: str | Callable[[int], str],
        headers: dict[str, str] | None = None
        ) -> Callable[[int], tuple[str, str, bytes | None, dict[str, str]]]:
    def make(i: int) -> tuple[str, str, bytes | None, dict[str, str]]:
        return "GET", path(i) if callable(path) else path, None, headers or {}
    return make


@dataclass
class RowResult:
    name: str
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    reference: bool = False

    def pct(self, p: float) -> float:
        s = sorted(self.latencies_ms)
        if not s:
            return math.nan
        return s[max(0, math.ceil(p / 100 * len(s)) - 1)]

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "clients": self.clients, "n": len(self.latencies_ms),
                "seconds": round(self.seconds, 3), "p50_ms": round(self.pct(50), 2),
                "p95_ms": round(self.pct(95), 2), "p99_ms": round(self.pct(99), 2),
                "rps": round(self.rps, 1), "errors": self.errors,
                "reference": self.reference}


async def run_row(row: Row, sessions: dict[str, HttpClient | list[HttpClient]],
                  *, clients: int, seconds: float, warmup: float) -> RowResult:
    """``clients`` concurrent browsers send ``row``'s requests back to back."""
    base = sessions[row.who]
    pool = base if isinstance(base, list) else [base]
    browsers = [pool[i % len(pool)].clone() for i in range(clients)]
    result = RowResult(row.name, clients, reference=row.reference)
    counter = 0
    start = time.perf_counter()
    t0 = start + warmup
    t1 = t0 + seconds

    async def one(b: HttpClient) -> None:
        nonlocal counter
        while True:
            now = time.perf_counter()
            if now >= t1:
                return
            i = counter
            counter += 1
            method, path, body, headers = row.request(i)
            began = time.perf_counter()
            try:
                resp = await b.request(method, path, body, headers)
            except HttpError as exc:
                key = type(exc.__cause__ or exc).__name__
                result.errors[key] = result.errors.get(key, 0) + 1
                continue
            ended = time.perf_counter()
            if resp.status not in row.expect:
                key = f"HTTP {resp.status}"
                if key not in result.errors:
                    print(f"  ! {row.name}: {method} {path} → {resp.status} {resp.location}",
                          file=sys.stderr)
                result.errors[key] = result.errors.get(key, 0) + 1
            elif t0 <= began and ended <= t1:
                result.latencies_ms.append((ended - began) * 1000)

    await asyncio.gather(*(one(b) for b in browsers))
    result.seconds = t1 - t0
    for b in browsers:
        await b.close()
    return result
