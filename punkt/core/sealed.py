"""Secrets Punkt must read back (a team mailbox's IMAP password, an outgoing service's
token) are kept sealed: encrypted and authenticated with Fernet (AES-128-CBC + HMAC-SHA256,
``cryptography``), never in plain text in the database or its backups.

The key comes from ``PUNKT_SEAL_KEY`` (any long random string); without it, from
``SECRET_KEY`` — then rotating the secret key makes the stored secrets unreadable, which
is why the deploy check ``punkt.W112`` asks for a key of its own in production. Several
keys separated by commas: the first seals, all of them open (rotation).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "sealed:v1:"


class Unreadable(Exception):
    """A sealed value no configured key opens (the key was changed or lost)."""


def _fernet() -> MultiFernet:
    raw = getattr(settings, "PUNKT_SEAL_KEY", "") or settings.SECRET_KEY
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(
        hashlib.sha256(b"punkt-seal:" + key.encode()).digest())) for key in keys])


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(value: str) -> str:
    if is_sealed(value):
        return value
    return PREFIX + _fernet().encrypt(value.encode()).decode("ascii")


def unseal(value: str) -> str:
    """The secret; a value stored before sealing existed is returned as it is."""
    if not is_sealed(value):
        return value
    try:
        return _fernet().decrypt(value[len(PREFIX):].encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise Unreadable("the stored secret cannot be opened with PUNKT_SEAL_KEY") from exc
