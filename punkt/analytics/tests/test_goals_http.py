"""The goals' page, CSV and API: who may see them (C2), the manager his branch only (C1),
the figures of a month, the sort links, the CSV audited with formulas neutralised (C25,
C26), a bad month named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.analytics import goals
from punkt.analytics.tests.test_goals import registered
from punkt.contracts.models import MonthlyFigures


@pytest.fixture
def last_month(world: Any) -> dt.date:
    """Last month: A 2 new customers and 1 lost, B 1 new customer and 3 lost; B's name
    starts like a formula."""
    month = goals.default_month()
    when = timezone.make_aware(dt.datetime.combine(month.replace(day=10), dt.time(12)))
    registered(world, world.a, when)
    registered(world, world.a, when)
    registered(world, world.b, when)
    MonthlyFigures.objects.create(branch=world.a, month=month, left=1)
    MonthlyFigures.objects.create(branch=world.b, month=month, left=3)
    world.b.name = "=HYPERLINK(\"http://x\")"
    world.b.save(update_fields=["name"])
    return month


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("hq_expert", 200),
                                              ("manager", 200), ("service", 403),
                                              ("retention", 403), ("cashier", 403)])
def test_who_sees_the_goals(world: Any, client_as: Any, role: str, status: int) -> None:
    user = world.by_role()[role]
    assert client_as(user).get(reverse("analytics:goals")).status_code == status
    assert client_as(user).get("/api/v1/analytics/goals").status_code == status


def test_hq_sees_every_branch_with_charts_and_links(last_month: Any, world: Any,
                                                    client_as: Any) -> None:
    text = client_as(world.expert).get(reverse("analytics:goals")).content.decode()
    for chart in ("chart-new", "chart-materials", "chart-lost"):
        assert f'data-testid="{chart}"' in text
    assert f'data-testid="goals-branch-{world.a.pk}"' in text
    assert f'data-testid="goals-branch-{world.b.pk}"' in text
    assert f"?branch={world.a.pk}&amp;month={last_month:%Y-%m}" in text
    one = client_as(world.expert).get(reverse("analytics:goals"),
                                      {"branch": world.a.pk}).content.decode()
    assert f'data-testid="goals-branch-{world.b.pk}"' not in one


def test_the_manager_sees_only_his_branch(last_month: Any, world: Any,
                                          client_as: Any) -> None:
    """C1: no B row, no B figures in the trend, also when he asks for B."""
    for params in ({}, {"branch": world.b.pk}):
        text = client_as(world.manager_a).get(reverse("analytics:goals"),
                                              params).content.decode()
        assert "HYPERLINK" not in text
    body = client_as(world.manager_a).get("/api/v1/analytics/goals").json()
    this = next(f for f in body["trend"] if f["month"] == last_month.isoformat())
    assert (this["new_customers"], this["customers_lost"]) == (2, 1)
    assert [b["branch_id"] for b in body["branches"]] == [world.a.pk]


def test_the_api_gives_the_month_sorted_and_paged(last_month: Any, world: Any,
                                                  client_as: Any) -> None:
    body = client_as(world.expert).get("/api/v1/analytics/goals",
                                       {"sort": "-lost", "per_page": 1}).json()
    assert body["month"] == last_month.isoformat()
    assert body["page"] == {"count": 2, "page": 1, "per_page": 1, "pages": 2, "capped": False}
    (first,) = body["branches"]
    assert (first["branch_id"], first["customers_lost"], first["new_customers"]) == (
        world.b.pk, 3, 1)
    this = next(f for f in body["trend"] if f["month"] == last_month.isoformat())
    assert (this["new_customers"], this["customers_lost"], this["branch_id"]) == (3, 4, None)
    assert len(body["trend"]) == 12 and body["trend"][-1]["in_progress"] is True


@pytest.mark.parametrize("month", ["2020-01", "2026-13", "abc"])
def test_a_month_not_offered_is_refused_naming_it(world: Any, client_as: Any,
                                                  month: str) -> None:
    response = client_as(world.expert).get("/api/v1/analytics/goals", {"month": month})
    assert response.status_code in (400, 422)
    assert response.json()["field"] == "month"


def test_the_page_sorts_by_each_goal(last_month: Any, world: Any, client_as: Any) -> None:
    text = client_as(world.expert).get(reverse("analytics:goals"),
                                       {"sort": "-lost"}).content.decode()
    assert text.index(f"goals-branch-{world.b.pk}") < text.index(f"goals-branch-{world.a.pk}")
    assert 'href="?sort=lost" aria-sort="descending"' in text
    text = client_as(world.expert).get(reverse("analytics:goals"),
                                       {"sort": "-new"}).content.decode()
    assert text.index(f"goals-branch-{world.a.pk}") < text.index(f"goals-branch-{world.b.pk}")


def test_the_export_is_audited_and_neutralises_formulas(last_month: Any, world: Any,
                                                        client_as: Any) -> None:
    from punkt.core.models import AuditEvent

    response = client_as(world.expert).get(reverse("analytics:goals_export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ";=HYPERLINK" not in body
    assert f'{last_month:%m.%Y};"\'=HYPERLINK(""http://x"")";1;0;0;;tak;0;0;;;;3;;;' in body
    assert AuditEvent.objects.filter(action="analytics.goals.export").count() == 1
    mine = b"".join(client_as(world.manager_a).get(
        reverse("analytics:goals_export")).streaming_content).decode("utf-8-sig")
    assert "HYPERLINK" not in mine
    again = client_as(world.expert, reauthenticated=False).get(
        reverse("analytics:goals_export"))
    assert again.status_code == 302 and "reauthenticate" in again["Location"]
