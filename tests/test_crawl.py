"""C21 (no writes on GET) and C20 (a strict CSP on files): the crawl of ``tests/crawl.py``
over every GET route, with real ids, as every role."""

from __future__ import annotations

from typing import Any

import pytest

from punkt.core.tests import crawl_probe_urls as probes
from tests import crawl


def test_every_get_route_as_every_role_writes_nothing(world: Any, settings: Any) -> None:
    settings.PUNKT_SMS_REPORT_TOKEN = "crawl-sms-secret"  # the gateway's callback answers
    seeded = crawl.seed(world)
    visits = []
    for role in [*sorted(seeded.users), crawl.ANONYMOUS]:
        visits += crawl.crawl(seeded, role)
    found = crawl.problems(visits)
    assert not found, "\n".join(found)
    # Real ids: every route is reached (neither 403 nor 404) by at least one role.
    reached = {v.route for v in visits if v.status not in (403, 404)}
    crawled = {v.route for v in visits}
    missed = sorted(crawled - reached - set(probes.UNREACHED))
    assert not missed, f"no role reaches these routes with the seeded ids: {missed}"
    # ...and every role was refused somewhere or reached everything: the roles differ.
    assert len({frozenset(v.route for v in visits if v.role == r and v.status == 200)
                for r in seeded.users}) == len(seeded.users)
    # Nobody signed in: only the public pages answer; the rest sends to sign-in (or 401).
    public = {v.route for v in visits if v.role == crawl.ANONYMOUS and v.status == 200}
    assert "renewal_confirm" in public and "core:healthz" in public
    assert "document_link" in public and "sms_reports" in public
    assert {"webform:contact", "webform:thanks", "webform:follow"} <= public
    assert not {r for r in public if r.startswith(("api:", "customers:", "cashdesk:"))
                and r not in ("api:openapi-json", "api:openapi-view")}, public
    # The audited reads write their row (the allow-list holds nothing stale).
    for route in [*crawl.AUDITED_READS, *crawl.OTHER_GET_WRITES]:
        assert any(v.route == route and v.writes for v in visits), f"{route} writes nothing"


def test_a_route_the_crawl_cannot_fill_fails() -> None:
    """Without an id for ``sale_id`` (as for a new route's new argument) the crawl stops
    before visiting anything and names the routes."""
    from types import SimpleNamespace

    names = {p for r in crawl.routes() for p in r.params} - {"sale_id"}
    seeded = crawl.Seeded(world=SimpleNamespace(admin=SimpleNamespace(pk=1)), users={},
                          ids=dict.fromkeys(names, 1))
    with pytest.raises(crawl.UnfilledRoute) as exc:
        crawl.crawl(seeded, "admin")
    assert "sales:sale_detail" in exc.value.routes and "api:sale_get" in exc.value.routes
    assert "sales:sale_list" not in exc.value.routes


def test_the_crawl_sees_a_write_on_get(world: Any, monkeypatch: Any) -> None:
    """A view that writes on GET is caught (the crawl could fail)."""
    from punkt.core.models import JobProgress
    from punkt.organization import views

    seeded = crawl.Seeded(world=world, users={"admin": world.admin},
                          ids={"branch_id": world.a.pk})
    original = views.branch_detail

    def writing(request: Any, branch_id: int) -> Any:
        JobProgress.objects.create(kind="oops", owner=request.user)
        return original(request, branch_id=branch_id)

    writing.punkt_scope = original.punkt_scope  # type: ignore[attr-defined]
    from django.urls import get_resolver

    pattern: Any = next(p for p in get_resolver().url_patterns
                        if getattr(p, "namespace", None) == "organization")
    target: Any = next(p for p in pattern.url_patterns if p.name == "branch_detail")
    monkeypatch.setattr(target, "callback", writing)
    visits = crawl.crawl(seeded, "admin",
                         only=lambda r: r.name == "organization:branch_detail")
    found = crawl.problems(visits)
    assert found and "core_jobprogress" in found[0]


@pytest.mark.parametrize("sql,write", [
    ('SELECT "x" FROM "y"', False), ("SAVEPOINT s1", False), ("RELEASE SAVEPOINT s1", False),
    ("SET LOCAL x = 1", False), ("SHOW TIME ZONE", False), ('DECLARE "c" CURSOR FOR', False),
    ('FETCH 100 FROM "c"', False), ('CLOSE "c"', False),
    ('INSERT INTO "a" VALUES (1)', True), ('  UPDATE "a" SET b = 1', True),
    ('DELETE FROM "a"', True), ("TRUNCATE a", True), ("/* x */ INSERT INTO a", True),
    ("WITH t AS (SELECT 1) UPDATE a SET b = 1", True), ("WITH t AS (SELECT 1) SELECT 1", False),
    ('(SELECT "a" FROM "b") UNION (SELECT "a" FROM "c")', False), ("(INSERT INTO a)", True),
])
def test_the_write_classifier(sql: str, write: bool) -> None:
    assert crawl.is_write(sql) is write
