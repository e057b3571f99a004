from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from punkt.core.access import Principal
from punkt.organization import permissions as perms

ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def user_has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


#: Session key: when this session last saw the user holding a TOTP authenticator (Unix
#: time). Read on every page, so the Authenticator table is not asked each time.
MFA_CHECKED_KEY = "punkt_mfa_checked"
#: How long that holds. Removing the authenticator in this session clears it at once
#: (:func:`forget_mfa_check`); another session of the same user notices within this time.
MFA_RECHECK_SECONDS = 300


def mfa_missing(user: Principal, session: SessionBase | None = None) -> bool:
    """True when the user's roles require MFA and they have no authenticator (not in demo).

    With the request's ``session`` the answer "has TOTP" is remembered in it for
    :data:`MFA_RECHECK_SECONDS`; a missing authenticator is never remembered."""
    if settings.DEMO_MODE:
        return False
    from punkt.organization.services import mfa_required_roles

    if not perms.access_of(user).roles & mfa_required_roles():
        return False
    now = int(time.time())
    if session is not None:
        checked = session.get(MFA_CHECKED_KEY)
        if isinstance(checked, int) and 0 <= now - checked < MFA_RECHECK_SECONDS:
            return False
    if not user_has_totp(user):
        return True
    if session is not None:
        session[MFA_CHECKED_KEY] = now
    return False


def forget_mfa_check(sender: Any = None, request: HttpRequest | None = None,
                     **kwargs: Any) -> None:
    """An authenticator was removed or reset: ask the table again on the next request."""
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(MFA_CHECKED_KEY, None)


class MfaRequiredMiddleware:
    """Users holding a role whose policy requires MFA must set up TOTP before anything else.

    In demo mode (``PUNKT_DEMO=1``) the requirement is not enforced, so the demo accounts
    work out of the box; production never runs in demo mode.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        # The API checks the browser session in BrowserSessionAuth (403 mfa_required);
        # bearer tokens are created by users who passed this check or by the operator.
        if (user is not None and user.is_authenticated
                and not request.path.startswith(ALLOWED_PREFIXES)
                and not request.path.startswith("/api/")
                and mfa_missing(user, request.session)):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
