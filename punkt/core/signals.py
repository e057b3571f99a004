"""Audit of sign-ins and sign-outs (C26). Business changes are audited by services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from punkt.core.audit import audit_record
from punkt.core.models import AuditOutcome


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    import time

    if request is not None and hasattr(request, "session"):
        request.session["punkt_login_at"] = int(time.time())
    audit_record(action="auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action="auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                  **kwargs: Any) -> None:
    login = str(credentials.get("email") or credentials.get("username")
                or credentials.get("login") or "")[:254]
    audit_record(action="auth.login", outcome=AuditOutcome.FAILED, actor_label=login,
                 message="Sign-in failed")


def axes_username(request: Any, credentials: dict[str, Any] | None) -> str | None:
    """The account name axes locks: allauth passes ``email``; forms post ``login``."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get(
            "login")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("login")
    return str(value).strip().lower() if value else None


def _account_event(action: str) -> Any:
    def receiver_(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
        audit_record(action=action, actor=user, obj=user)

    return receiver_


def connect_allauth_signals() -> None:
    """Security changes made on allauth's pages (password, authenticators) are audited too."""
    from allauth.account import signals as account
    from allauth.mfa import signals as mfa

    for signal, action in [
        (account.password_changed, "auth.password_change"),
        (account.password_set, "auth.password_set"),
        (account.password_reset, "auth.password_reset"),
        (mfa.authenticator_added, "auth.mfa_added"),
        (mfa.authenticator_removed, "auth.mfa_removed"),
        (mfa.authenticator_reset, "auth.mfa_reset"),
    ]:
        signal.connect(_account_event(action), weak=False, dispatch_uid=action)
