"""C1: branch isolation over every route, pages and API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from punkt.api import api
from punkt.core.routes import KINDS
from tests import isolation

# Third-party routes (sign-in, MFA, language switch, admin) are outside Punkt's scoping.
EXTERNAL_NAMESPACES = {"admin", "api"}
EXTERNAL_PREFIXES = ("allauth.", "django.", "ninja.")


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str, Any]]:
    out = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns in EXTERNAL_NAMESPACES:
                continue
            out += _walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern):
            out.append((f"{namespace}{p.name}", p.callback))
    return out


def punkt_routes() -> list[tuple[str, Any]]:
    return [(name, cb) for name, cb in _walk(get_resolver().url_patterns)
            if not cb.__module__.startswith(EXTERNAL_PREFIXES)]


def api_operations() -> list[tuple[str, Any]]:
    ops = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                ops.append((str(op.operation_id), op.view_func))
    return ops


def test_every_page_route_declares_its_scope() -> None:
    missing = [name for name, cb in punkt_routes() if getattr(cb, "punkt_scope", None) not in KINDS]
    assert not missing, f"Routes without @scoped(...): {missing}"


def test_every_api_operation_declares_its_scope() -> None:
    missing = [op for op, fn in api_operations() if getattr(fn, "punkt_scope", None) not in KINDS]
    assert not missing, f"API operations without @scoped(...): {missing}"


def test_every_branch_route_has_an_isolation_case() -> None:
    pages = [n for n, cb in punkt_routes() if cb.punkt_scope == "branch"]
    lists = [n for n, cb in punkt_routes() if cb.punkt_scope == "list"]
    assert not [n for n in pages if n not in isolation.PAGE_CASES], "add to tests/isolation.py"
    assert not [n for n in lists if n not in isolation.PAGE_LISTS], "add to tests/isolation.py"
    ops = [o for o, fn in api_operations() if fn.punkt_scope == "branch"]
    api_lists = [o for o, fn in api_operations() if fn.punkt_scope == "list"]
    assert not [o for o in ops if o not in isolation.API_CASES], "add to tests/isolation.py"
    assert not [o for o in api_lists if o not in isolation.API_LISTS], "add to tests/isolation.py"


def _page_names() -> list[str]:
    return sorted(isolation.PAGE_CASES)


@pytest.mark.parametrize("url_name", _page_names())
@pytest.mark.parametrize("method", ["get", "post"])
def test_branch_a_cannot_reach_branch_b_pages(url_name: str, method: str, world: Any,
                                              client_as: Any) -> None:
    from punkt.core.models import AuditEvent

    kwargs = isolation.PAGE_CASES[url_name](world)
    url = reverse(url_name, kwargs=kwargs)
    client = client_as(world.manager_a)
    before = AuditEvent.objects.filter(outcome="ok").count()
    response = getattr(client, method)(url, {"name": "Hacked"})
    assert response.status_code in (403, 404, 405), (url, response.status_code)
    assert AuditEvent.objects.filter(outcome="ok").count() == before, "something changed"
    text = response.content.decode()
    assert world.b.name not in text and world.service_b.email not in text


@pytest.mark.parametrize("url_name", sorted(isolation.PAGE_LISTS))
def test_branch_lists_hide_other_branches(url_name: str, world: Any, client_as: Any) -> None:
    marker = isolation.PAGE_LISTS[url_name](world)
    response = client_as(world.manager_a).get(reverse(url_name))
    assert response.status_code in (200, 403)
    body = (b"".join(response.streaming_content) if response.streaming
            else response.content).decode()
    assert marker not in body


@pytest.mark.parametrize("operation", sorted(isolation.API_CASES))
def test_branch_a_cannot_reach_branch_b_api(operation: str, world: Any, client_as: Any) -> None:
    method, path = isolation.API_CASES[operation](world)
    body = isolation.API_BODIES.get(operation, lambda w: None)(world)
    client = client_as(world.manager_a)
    response = client.generic(method, path, data=json.dumps(body) if body is not None else "",
                              content_type="application/json")
    assert response.status_code in (403, 404), (operation, response.status_code,
                                                response.content)
    assert set(response.json()) == {"code", "message", "field"}


@pytest.mark.parametrize("operation", sorted(isolation.API_LISTS))
def test_api_lists_hide_other_branches(operation: str, world: Any, client_as: Any) -> None:
    path, marker = isolation.API_LISTS[operation](world)
    response = client_as(world.manager_a).get(path)
    assert response.status_code == 200
    assert marker not in response.content.decode()
    # ...while HQ (or, for branch-only work lists, branch B's own staff) sees it.
    viewer = getattr(world, isolation.API_LIST_VIEWERS.get(operation, "admin"))
    assert marker in client_as(viewer).get(path).content.decode()
