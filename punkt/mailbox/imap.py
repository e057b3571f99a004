"""Reading a mailbox over IMAP with UIDs (stdlib ``imaplib``), always over verified TLS:
IMAPS or STARTTLS, the server's certificate checked against the system's CAs or
``PUNKT_MAILBOX_CA_FILE``."""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from punkt.core import sealed
from punkt.mailbox.models import Mailbox, Security

TIMEOUT = 30
UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
UID = re.compile(rb"UID (\d+)")


class ImapError(Exception):
    """The server refused or the connection failed (the poll records it)."""


@dataclass(frozen=True)
class Listed:
    uid: int
    size: int


def tls_context() -> ssl.SSLContext:
    cafile = getattr(settings, "PUNKT_MAILBOX_CA_FILE", "") or None
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _ok(result: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = result
    if status != "OK":
        raise ImapError(f"{what}: {status} {data!r}"[:300])
    return data


class Session:
    def __init__(self, client: imaplib.IMAP4) -> None:
        self.client = client

    def select(self, folder: str) -> int:
        """Open ``folder`` read-write; its UIDVALIDITY."""
        _ok(self.client.select(_quote(folder)), "SELECT")
        data = self.client.response("UIDVALIDITY")[1]
        for item in data:
            if isinstance(item, bytes) and item.strip().isdigit():
                return int(item)
        raise ImapError("the server gave no UIDVALIDITY")

    def list_after(self, last_uid: int, limit: int) -> list[Listed]:
        """UIDs above ``last_uid`` (ascending, at most ``limit``) with their sizes."""
        data = _ok(self.client.uid("FETCH", f"{last_uid + 1}:*", "(UID RFC822.SIZE)"),
                   "FETCH")
        out = []
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid, size = UID.search(line), SIZE.search(line)
            if uid and size and int(uid.group(1)) > last_uid:  # "n:*" always returns the last
                out.append(Listed(int(uid.group(1)), int(size.group(1))))
        return sorted(out, key=lambda m: m.uid)[:limit]

    def fetch(self, uid: int) -> bytes:
        data = _ok(self.client.uid("FETCH", str(uid), "(BODY.PEEK[])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and isinstance(item[1], bytes):
                return item[1]
        raise ImapError(f"no message with UID {uid}")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def connect(mailbox: Mailbox) -> Iterator[Session]:
    try:
        password = mailbox.secret()
    except sealed.Unreadable as exc:
        raise ImapError(str(exc)) from None
    context = tls_context()
    try:
        if mailbox.security == Security.IMAPS:
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(mailbox.host, mailbox.port,
                                                      ssl_context=context, timeout=TIMEOUT)
        else:
            client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
            client.starttls(ssl_context=context)
        if (mailbox.username + password).isascii():
            client.login(mailbox.username, password)
        else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8 (RFC 4616)
            client.authenticate("PLAIN", lambda _challenge: b"\0".join(
                [b"", mailbox.username.encode(), password.encode()]))
    except (OSError, UnicodeError, imaplib.IMAP4.error) as exc:
        raise ImapError(str(exc)[:300] or exc.__class__.__name__) from None
    try:
        yield Session(client)
    except imaplib.IMAP4.error as exc:
        raise ImapError(str(exc)[:300]) from None
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            client.logout()
