from __future__ import annotations

import ipaddress
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from punkt.core import context
from punkt.core.errors import ActionDenied, DomainError

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind one trusted proxy (``PUNKT_TRUST_X_FORWARDED_FOR``) it
    is the right-most X-Forwarded-For entry — the one the proxy appended; entries to its
    left are whatever the client sent."""
    if getattr(settings, "PUNKT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            ip = _valid_ip(forwarded.split(",")[-1])
            if ip:
                return ip
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


class RequestIdMiddleware:
    """Gives every request an id (echoed in ``X-Request-ID``) and the audit context."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.set_context(
            context.RequestContext(
                request_id=request_id,
                ip=client_ip(request),
                channel=channel,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset_context(token)
        response["X-Request-ID"] = request_id
        return response


class SessionTimeoutMiddleware:
    """Idle timeout on top of the absolute ``SESSION_COOKIE_AGE``; records the actor."""

    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("punkt_last_seen")
            started = request.session.get("punkt_login_at")
            idle = last is not None and now - int(last) > settings.PUNKT_SESSION_IDLE_SECONDS
            # The session cookie's age slides with every save; this limit does not.
            expired = started is not None and now - int(started) > settings.SESSION_COOKIE_AGE
            if idle or expired:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity.")
                              if idle else _("Your session ended; please sign in again."))
                login_url = resolve_url(settings.LOGIN_URL)
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
            if started is None:
                request.session["punkt_login_at"] = now
            if last is None or now - int(last) >= self.TOUCH_EVERY:
                request.session["punkt_last_seen"] = now
            context.current().actor = user
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages may show personal data: never let a browser or proxy keep them (C20). Files
    (PDFs, exports, downloads) get a strict CSP of their own (``files.file_csp``) before
    the pages' policy would be added (it sits after Django's CSP middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from punkt.core import files

        response = self.get_response(request)
        if not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            response.setdefault("Cache-Control", "no-store, private")
            if files.is_file_response(response):
                response.setdefault("Content-Security-Policy",
                                    files.file_csp(response.get("Content-Type", "")))
        return response


def record_refusal(request: HttpRequest, exc: ActionDenied) -> None:
    from punkt.core.audit import audit_refusal

    audit_refusal(exc, actor=getattr(request, "user", None),
                  where=f"{request.method} {request.path}")


class DomainErrorMiddleware:
    """Pages: a refused action → 403 page with the reason; other business errors → page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, ActionDenied):
            record_refusal(request, exception)
        template = "403.html" if exception.status == 403 else "error.html"
        response = TemplateResponse(
            request, template, {"error": exception}, status=exception.status
        )
        return response.render()


class PolishFirstLocaleMiddleware:
    """Polish unless the user chose otherwise: the switcher's cookie, else the employee's
    language setting (runs after authentication).

    The browser's Accept-Language is ignored on purpose: Punkt's users are Polish staff
    on shared counter computers whose browsers often say ``en-US``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen not in dict(settings.LANGUAGES):
            # No choice in this browser: the employee's own setting, else Polish.
            user = getattr(request, "user", None)
            chosen = getattr(user, "language", "") if user is not None and \
                user.is_authenticated else ""
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """Refuse NUL characters in query strings, forms and JSON with a clear 400.

    PostgreSQL cannot store them, so they would otherwise surface as a server error.
    Multipart bodies (file uploads) are not inspected: binary files contain NULs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = self._nul_field(request)
        if field is not None:
            from django.http import JsonResponse

            message = f"The value of {field} contains a NUL character."
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "bad_request", "message": message,
                                     "field": field}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _nul_field(request: HttpRequest) -> str | None:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")
        content_type = request.META.get("CONTENT_TYPE", "")
        is_api = request.path.startswith("/api/")
        if content_type.startswith("application/json") or (
                is_api and not content_type.startswith("multipart/")):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return "body"
        elif content_type.startswith("application/x-www-form-urlencoded"):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return key.replace("\x00", "")
        return None
