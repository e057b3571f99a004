"""Password reset e-mail really goes through SMTP (an aiosmtpd sink on loopback)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from punkt.core.testing import free_port, smtp_sink


@pytest.fixture
def smtp(settings: Any) -> Any:
    with smtp_sink(settings) as sink:
        yield sink


def test_password_reset_mail_goes_out_through_smtp(world: Any, smtp: Any) -> None:
    response = Client().post("/accounts/password/reset/", {"email": world.service_a.email})
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == world.service_a.email
    assert "/accounts/password/reset/key/" in message.get_payload(decode=True).decode()


def test_mail_server_down_gives_a_clear_message(world: Any, settings: Any) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": free_port(),
                                                "timeout": 2}}}
    response = Client().post("/accounts/password/reset/", {"email": world.service_a.email},
                             follow=True)
    assert response.status_code == 200
    assert "msg-error" in response.content.decode()
