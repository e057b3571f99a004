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

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up the first authenticator right after signing in with the password
        (where MFA is mandatory, the only page open) does not ask for it again."""
        request = getattr(context, "request", None)
        if app == "allauth.mfa" and request is not None and _just_signed_in_without_mfa(request):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

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


def _just_signed_in_without_mfa(request: HttpRequest) -> bool:
    import time

    from allauth.account import app_settings
    from allauth.account.internal.flows.login import get_authentication_records
    from allauth.mfa.models import Authenticator

    user = request.user
    if not user.is_authenticated or Authenticator.objects.filter(user=user).exists():
        return False
    records = get_authentication_records(request, user)
    last = records[-1] if records else None
    return bool(last and last.get("method") == "password"
                and time.time() - float(last.get("at", 0)) < app_settings.REAUTHENTICATION_TIMEOUT)
