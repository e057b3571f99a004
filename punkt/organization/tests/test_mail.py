"""Password reset e-mail really goes through SMTP (an aiosmtpd sink on loopback)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.test import Client


class Sink(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Any:
    port = _free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port}}}
    yield sink
    controller.stop()


def test_password_reset_mail_goes_out_through_smtp(world: Any, smtp: Any) -> None:
    response = Client().post("/accounts/password/reset/", {"email": world.service_a.email})
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == world.service_a.email
    assert "/accounts/password/reset/key/" in message.get_payload(decode=True).decode()


def test_mail_server_down_gives_a_clear_message(world: Any, settings: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": _free_port(),
                                                "timeout": 2}}}
    response = Client().post("/accounts/password/reset/", {"email": world.service_a.email},
                             follow=True)
    assert response.status_code == 200
    assert "msg-error" in response.content.decode()
