"""One HTTP POST of a webhook, and which addresses a webhook may reach (SSRF guard).

The host is resolved once, every address it resolves to is checked, and the connection
goes to the checked address (the TLS certificate is still verified for the host name), so
a DNS answer that changes between the check and the connect cannot lead the request into
the internal network. ``http.client`` follows no redirect: a 3xx is a failed attempt.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

#: what a receiver's answer may weigh before we stop reading (it only goes to the log)
MAX_ANSWER = 2048
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The address may not be called (scheme, host, or where it resolves to)."""


def timeout() -> float:
    return float(getattr(settings, "PUNKT_WEBHOOK_TIMEOUT", 5))


def dev_targets() -> bool:
    """Development and tests: http:// to loopback and private addresses are allowed."""
    return bool(getattr(settings, "PUNKT_WEBHOOK_DEV_TARGETS", False))


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False)
            for n in getattr(settings, "PUNKT_WEBHOOK_ALLOWED_NETWORKS", ())]


def address_allowed(ip: IP) -> bool:
    """A public address; a private, loopback or link-local one only when allowed by
    ``PUNKT_WEBHOOK_ALLOWED_NETWORKS`` (or in development)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed_networks()):
        return True
    if dev_targets():
        return not ip.is_multicast and not ip.is_unspecified
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IP, ...]


def _resolve(host: str, port: int) -> tuple[IP, ...]:
    try:
        return (ipaddress.ip_address(host.strip("[]")),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Refused(_("The address's server cannot be found.")) from None
    found: list[IP] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise Refused(_("The address's server cannot be found."))
    return tuple(found)


def target(url: str) -> Target:
    """Check ``url`` and resolve it; :class:`Refused` with a reason for the user."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(_("Give a full address such as https://example.com/hooks.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise Refused(_("Give a full address such as https://example.com/hooks."))
    if parts.username or parts.password:
        raise Refused(_("Do not put a user name or password in the address."))
    if parts.fragment:
        raise Refused(_("The address may not contain a # part."))
    host = parts.hostname
    port = port or (443 if scheme == "https" else 80)
    plain = _("The address must start with https:// (plain http:// only to this computer "
              "during development).")
    if scheme == "http" and not dev_targets():
        raise Refused(plain)
    addresses = _resolve(host, port)
    if scheme == "http" and not all(a.is_loopback for a in addresses):
        raise Refused(plain)
    if not all(address_allowed(a) for a in addresses):
        raise Refused(_("The address leads into a private or internal network, which "
                        "webhooks may not call."))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port, path, addresses)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: IP, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._ip), self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: IP, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((str(self._ip), self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Result:
    ok: bool
    status: int | None
    duration_ms: int
    error: str = ""


def post(url: str, body: bytes, headers: dict[str, str]) -> Result:
    """POST ``body`` to ``url``: 2xx is delivered; anything else (a redirect, an error
    status, a refused address, a timeout, a connection error) is a failed attempt."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        where = target(url)
    except Refused as exc:
        return Result(False, None, took(), str(exc))
    cls = _PinnedHTTPS if where.scheme == "https" else _PinnedHTTP
    conn = cls(where.host, where.port, where.addresses[0], timeout())
    try:
        conn.request("POST", where.path, body=body, headers=headers)
        answer = conn.getresponse()
        text = answer.read(MAX_ANSWER).decode("utf-8", "replace")
        status = answer.status
    except TimeoutError:
        return Result(False, None, took(), _("No answer within %(n)s s.") % {"n": timeout()})
    except (OSError, http.client.HTTPException) as exc:
        return Result(False, None, took(), f"{type(exc).__name__}: {exc}"[:500])
    finally:
        conn.close()
    if 200 <= status < 300:
        return Result(True, status, took())
    if 300 <= status < 400:
        where_to = answer.getheader("Location", "")
        return Result(False, status, took(), (_("Redirect not followed: %(to)s")
                                              % {"to": where_to})[:500])
    return Result(False, status, took(), f"HTTP {status}: {text.strip()[:300]}")
