"""How API requests sign in: a personal token (``Authorization: Bearer pkt_…``) or the
browser session, which must have passed MFA where the role requires it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from punkt.core import context
from punkt.core.errors import DomainError
from punkt.organization.middleware import mfa_missing
from punkt.organization.services import api_token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            context.current().actor = user
            context.current().channel = "api"
        return user


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF checked on writes).

    Only a request that carries no token and has a signed-in session is one: a token that
    did not pass (revoked, expired, mistyped) or no sign-in at all answers 401, never
    "CSRF check failed" (403) — the CSRF check guards a session, and there is none."""

    def __call__(self, request: HttpRequest) -> Any:
        sent_token = request.headers.get("Authorization", "")[:7].lower() == "bearer "
        user = getattr(request, "user", None)
        if sent_token or user is None or not user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            if mfa_missing(user, request.session):
                raise MfaRequired(
                    "Your role requires two-factor authentication: set it up in Punkt first.")
            context.current().actor = user
        return user


class MfaRequired(DomainError):
    status = 403

    def __init__(self, message: str) -> None:
        super().__init__("mfa_required", message)
