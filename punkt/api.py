"""The JSON API at /api/v1, OpenAPI docs at /api/docs."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from punkt.core.areas import areas
from punkt.core.errors import ActionDenied, DomainError
from punkt.core.middleware import record_refusal
from punkt.organization.api_auth import BrowserSessionAuth, TokenAuth


class JsonOnly(Parser):
    """Every JSON body of the API is read here, after the caller is authenticated: it must
    come as ``application/json`` in UTF-8 (the only charset JSON has, RFC 8259). A body
    sent as ``text/plain`` or labelled with another charset is refused (415), not guessed;
    bytes that are not UTF-8 or not JSON are refused (400). Form uploads (multipart) are
    read by Django and never reach this parser."""

    def parse_body(self, request: HttpRequest) -> Any:
        if (request.content_type or "").lower() != "application/json":
            raise DomainError("unsupported_media_type",
                              "Send the body as JSON: Content-Type: application/json.",
                              field="Content-Type", status=415)
        charset = (request.content_params or {}).get("charset", "").strip().lower()
        if charset and charset not in ("utf-8", "utf8"):
            raise DomainError("unsupported_media_type",
                              "JSON is sent in UTF-8: Content-Type: application/json; "
                              "charset=utf-8.", field="Content-Type", status=415)
        try:
            return json.loads(request.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise DomainError("bad_request", "The body is not UTF-8 text.", field="body",
                              status=400) from None
        except ValueError:
            raise DomainError("bad_request", "The body is not valid JSON.", field="body",
                              status=400) from None


api = NinjaAPI(
    title="Punkt API",
    version="1",
    description=(
        "Punkt's JSON API. Authenticate with a personal token "
        "(`Authorization: Bearer pkt_…`, create one under *API tokens*) or the browser "
        "session. Every error has the body `{code, message, field}`."
    ),
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=JsonOnly(),
)


def _error(request: HttpRequest, status: int, code: str, message: str,
           field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "field": field},
                               status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, ActionDenied):
        record_refusal(request, exc)
    return _error(request, exc.status, exc.code, exc.message, exc.field)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in first.get("loc", []) if part not in ("body", "query", "path",
                                                                      "payload")]
    field = ".".join(loc) or None
    message = first.get("msg", "Invalid input.")
    if first.get("type") == "extra_forbidden":
        message = f"Unknown or read-only field: {field}."
    return _error(request, 422, "invalid", message, field)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated",
                  "Sign in or send a valid token: Authorization: Bearer pkt_…")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "Forbidden.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):  # the body refused by JsonOnly
        return _domain_error(request, exc.__cause__)
    code = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
            409: "conflict"}.get(exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc))


def _register_routers() -> None:
    from punkt.core.api_views import router as core_router

    api.add_router("/v1", core_router)
    for area in areas():  # each business area's router, in INSTALLED_APPS order
        if area.api_router is not None:
            api.add_router("/v1", area.api_router)


_register_routers()
