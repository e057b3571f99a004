"""SMS gateways behind one small interface.

``PUNKT_SMS_BACKEND`` chooses: ``file`` (default: each SMS a JSON file in
``var/sms/``, for the demo and tests), ``console`` (printed to the log) or ``smsapi``
(SMSAPI.pl's HTTP API — ``PUNKT_SMSAPI_TOKEN``, ``PUNKT_SMSAPI_URL``, ``PUNKT_SMS_SENDER``).
A gateway returns the provider's message id or raises :class:`SmsError`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Protocol

from django.conf import settings

logger = logging.getLogger("punkt.sms")


class SmsError(Exception):
    pass


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> str: ...


class FileGateway:
    def send(self, to: str, text: str) -> str:
        folder = Path(settings.VAR_DIR) / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        message_id = uuid.uuid4().hex
        (folder / f"{message_id}.json").write_text(
            json.dumps({"to": to, "text": text}, ensure_ascii=False), encoding="utf-8")
        return message_id


class ConsoleGateway:
    def send(self, to: str, text: str) -> str:
        message_id = uuid.uuid4().hex
        logger.warning("SMS to %s: %s", to, text)
        return message_id


class SmsApiGateway:
    """SMSAPI.pl: ``POST /sms.do`` with a bearer token, JSON answer."""

    def __init__(self, token: str, url: str, sender: str = "", timeout: float = 10) -> None:
        if not token:
            raise SmsError("PUNKT_SMSAPI_TOKEN is not set")
        self.token, self.url, self.sender, self.timeout = token, url.rstrip("/"), sender, timeout

    def send(self, to: str, text: str) -> str:
        fields = {"to": to.lstrip("+"), "message": text, "format": "json", "encoding": "utf-8"}
        if self.sender:
            fields["from"] = self.sender
        if settings.PUNKT_SMS_REPORT_TOKEN:  # delivery reports come back here (sms_reports)
            fields["notify_url"] = (f"{settings.PUNKT_PUBLIC_URL}/sms/raporty/"
                                    f"{settings.PUNKT_SMS_REPORT_TOKEN}/")
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            f"{self.url}/sms.do", data=urllib.parse.urlencode(fields).encode(),
            headers={"Authorization": f"Bearer {self.token}"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = json.loads(response.read().decode() or "{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise SmsError(f"SMS gateway unreachable: {exc}") from exc
        if "error" in body:
            raise SmsError(f"SMS gateway refused ({body.get('error')}): "
                           f"{body.get('message', '')}")
        try:
            return str(body["list"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise SmsError(f"SMS gateway answered without an id: {body!r:.200}") from None


def gateway() -> SmsGateway:
    name = getattr(settings, "PUNKT_SMS_BACKEND", "file")
    if name == "smsapi":
        return SmsApiGateway(settings.PUNKT_SMSAPI_TOKEN, settings.PUNKT_SMSAPI_URL,
                             settings.PUNKT_SMS_SENDER)
    if name == "console":
        return ConsoleGateway()
    return FileGateway()
