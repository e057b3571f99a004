"""The JSON API at /api/v1, OpenAPI docs at /api/docs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from punkt.core.areas import areas
from punkt.core.errors import ActionDenied, DomainError
from punkt.core.middleware import record_refusal
from punkt.organization.api_auth import BrowserSessionAuth, TokenAuth

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
