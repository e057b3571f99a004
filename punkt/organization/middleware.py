from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from punkt.core.access import Principal
from punkt.organization import permissions as perms

ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def user_has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_missing(user: Principal) -> bool:
    """True when the user's roles require MFA and they have no authenticator (not in demo)."""
    if settings.DEMO_MODE:
        return False
    from punkt.organization.services import mfa_required_roles

    return bool(perms.access_of(user).roles & mfa_required_roles()) and not user_has_totp(user)


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
                and not request.path.startswith("/api/") and mfa_missing(user)):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
