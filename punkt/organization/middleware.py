from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from punkt.organization import permissions as perms

ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def user_has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    """Users holding a role whose policy requires MFA must set up TOTP before anything else.

    In demo mode (``PUNKT_DEMO=1``) the requirement is not enforced, so the demo accounts
    work out of the box; production never runs in demo mode.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not settings.DEMO_MODE
                and not request.path.startswith(ALLOWED_PREFIXES)
                and not request.path.startswith("/api/")):
            from punkt.organization.services import mfa_required_roles

            if perms.access_of(user).roles & mfa_required_roles() and not user_has_totp(user):
                return redirect("mfa_activate_totp")
        return self.get_response(request)
