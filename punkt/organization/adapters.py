from __future__ import annotations

import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

logger = logging.getLogger("punkt.mail")


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by administrators, never by self-service sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, ctx: dict[str, Any]) -> None:
        """Send through SMTP; if the mail server is down, say so instead of a 500."""
        try:
            super().send_mail(template_prefix, email, ctx)
        except (OSError, smtplib.SMTPException):
            logger.exception("Could not send %s to %s", template_prefix, email)
            request = getattr(context, "request", None)
            if request is not None:
                messages.error(request, _("The e-mail could not be sent right now. Try again "
                                          "in a few minutes or ask your administrator."))
