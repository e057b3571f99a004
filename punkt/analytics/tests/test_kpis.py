"""Seed 003's KPIs per employee and branch on a world built by hand, each figure computed
on paper in the comments; the period's rules; the branch scope (C1); pages and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from punkt.analytics import kpis
from punkt.analytics.models import Snapshot, Standing, month_index
from punkt.analytics.tests.factories import at, sale
from punkt.analytics.tests.test_goals import registered
from punkt.contracts.models import Contract
from punkt.contracts.tests.factories import prepared
from punkt.core.errors import ValidationFailed
from punkt.customers.models import Customer
from punkt.pipeline.models import SalesPlan
from punkt.sales.models import Sale

D = dt.date
Q2 = kpis.Period(D(2026, 4, 1), D(2026, 6, 1))


def by(cust: Any, employee: Any) -> Any:
    Customer.objects.filter(pk=cust.pk).update(created_by=employee)
    return cust


def sold(world: Any, cust: Any, day: D, amount: str, seller: Any) -> Any:
    s = sale(world, cust, day, amount)
    Sale.objects.filter(pk=s.pk).update(seller=seller)
    return s


def signed(world: Any, cust: Any, day: D, employee: Any) -> Contract:
    c = prepared(world, actor=employee, cust=cust, render=False)
    Contract.objects.filter(pk=c.pk).update(signed_at=at(day), status="active")
    return c


def snapshot(month: D, rows: list[tuple[Any, str, str, str, str]]) -> None:
    """A kept month of the history: (customer, category, previous, abc, previous abc)."""
    snap = Snapshot.objects.create(as_of=month.replace(day=28), month=month_index(month),
                                   window_months=3, period_months=12, status="done")
    for cust, category, prev, abc, prev_abc in rows:
        Standing.objects.create(snapshot=snap, customer=cust, branch_id=cust.branch_id,
                                category=category, prev_category=prev, abc=abc,
                                prev_abc=prev_abc)


@pytest.fixture
def q2(world: Any, settings: Any, tmp_path: Any) -> Any:
    """April–June 2026.

    A, registered by service A: c1, c2, c3 (May), c4 (June). c1 buys 100 zł in May from
    service A (primary) and 50 zł in June from the manager (repeat; its return in June
    counts nowhere); c2 signs a contract in June prepared by the manager (primary); c3
    never buys; c4 buys only in July (not converted in the period).
    c0, registered in 2025 by the manager, bought 30 zł in January: 200 zł in May from
    service A and a contract in June prepared by service A — both repeat.
    B: c5 registered in April by service B, buys 70 zł in April from service B (primary).
    History: May — c0 lost (was regular), ABC B → C; June — c0 restored (was lost), C → C;
    March (outside) — c1 lost. Plans: A 2 new customers and 1 contract in each of May and
    June; service A 3 new customers in June.
    """
    settings.VAR_DIR = tmp_path
    sa, m = world.service_a, world.manager_a
    c = {n: by(registered(world, world.a, at(D(2026, 5, 5 + i))), sa)
         for i, n in enumerate(("c1", "c2", "c3"))}
    c["c4"] = by(registered(world, world.a, at(D(2026, 6, 20))), sa)
    c["c0"] = by(registered(world, world.a, at(D(2025, 3, 1))), m)
    c["c5"] = by(registered(world, world.b, at(D(2026, 4, 2))), world.service_b)
    first = sold(world, c["c1"], D(2026, 5, 10), "100.00", sa)
    sold(world, c["c1"], D(2026, 6, 10), "50.00", m)
    back = sale(world, c["c1"], D(2026, 6, 11), "100.00", kind="return", original=first)
    Sale.objects.filter(pk=back.pk).update(seller=sa)
    sold(world, c["c4"], D(2026, 7, 2), "10.00", sa)
    sold(world, c["c0"], D(2026, 1, 15), "30.00", m)
    sold(world, c["c0"], D(2026, 5, 15), "200.00", sa)
    sold(world, c["c5"], D(2026, 4, 20), "70.00", world.service_b)
    signed(world, c["c2"], D(2026, 6, 3), m)
    signed(world, c["c0"], D(2026, 6, 4), sa)
    snapshot(D(2026, 3, 1), [(c["c1"], "lost", "regular", "", "")])
    snapshot(D(2026, 5, 1), [(c["c0"], "lost", "regular", "C", "B")])
    snapshot(D(2026, 6, 1), [(c["c0"], "restored", "lost", "C", "C")])
    for month in (D(2026, 5, 1), D(2026, 6, 1)):
        SalesPlan.objects.create(branch=world.a, month=month, new_customers=2, contracts=1)
    SalesPlan.objects.create(branch=world.a, month=D(2026, 6, 1), employee=sa,
                             new_customers=3)
    return c


def test_each_employee_of_a_branch_on_paper(q2: Any, world: Any) -> None:
    r = kpis.report(world.expert, Q2, branch_id=world.a.pk)
    rows = {k.employee_id: k for k in r.rows}
    sa, m = rows[world.service_a.pk], rows[world.manager_a.pk]
    # service A: registered c1–c4 = 4, converted c1 (sale) and c2 (contract) = 2 → 50.0 %
    assert (sa.registered, sa.converted, sa.potential, sa.conversion) == (
        4, 2, 2, Decimal("50.0"))
    # primary: c1's 100 zł; repeat: c0's 200 zł and c0's contract
    assert (sa.primary, sa.primary_amount, sa.repeat, sa.repeat_amount) == (
        1, Decimal("100.00"), 2, Decimal("200.00"))
    # the manager: c2's contract (primary, no amount), c1's 50 zł (repeat); c0 (his
    # registration) lost in May with B → C, restored in June
    assert (m.primary, m.primary_amount, m.repeat, m.repeat_amount) == (
        1, Decimal("0.00"), 1, Decimal("50.00"))
    assert (m.registered, m.conversion) == (0, None)
    assert (m.lost, m.restored, m.class_changes) == (1, 1, 1)
    assert (sa.lost, sa.restored, sa.class_changes) == (0, 0, 0)
    # against plan: service A registered 4 of 3 planned → 133 %; contracts 1, no plan
    plan = {p["code"]: p for p in sa.against_plan()}
    assert (plan["new_customers"]["actual"], plan["new_customers"]["plan"],
            plan["new_customers"]["percent"]) == (4, 3, 133)
    assert (plan["contracts"]["actual"], plan["contracts"]["percent"]) == (1, None)
    assert m.plan is None
    # the branch: 4 registered of 2 + 2 planned (100 %), contracts 2 of 1 + 1 (100 %)
    t = r.total
    assert (t.registered, t.converted, t.primary, t.primary_amount, t.repeat,
            t.repeat_amount) == (4, 2, 2, Decimal("100.00"), 3, Decimal("250.00"))
    total_plan = {p["code"]: p for p in t.against_plan()}
    assert (total_plan["new_customers"]["percent"], total_plan["contracts"]["percent"]) == (
        100, 100)


def test_hq_sees_a_row_per_branch_on_paper(q2: Any, world: Any) -> None:
    r = kpis.report(world.expert, Q2)
    rows = {k.branch_id: k for k in r.rows}
    b = rows[world.b.pk]
    assert (b.registered, b.converted, b.primary, b.primary_amount, b.repeat) == (
        1, 1, 1, Decimal("70.00"), 0)
    # everyone: registered 5, converted 3 → 60.0 %; primary 3 (170 zł), repeat 3 (250 zł)
    t = r.total
    assert (t.registered, t.converted, t.conversion) == (5, 3, Decimal("60.0"))
    assert (t.primary, t.primary_amount, t.repeat, t.repeat_amount) == (
        3, Decimal("170.00"), 3, Decimal("250.00"))
    assert (t.lost, t.restored, t.class_changes) == (1, 1, 1)


def test_the_manager_sees_his_branch_only(q2: Any, world: Any) -> None:
    r = kpis.report(world.manager_a, Q2)
    assert r.branch is not None and r.branch.pk == world.a.pk
    assert world.service_b.pk not in {k.employee_id for k in r.rows}
    forced = kpis.report(world.manager_a, Q2, branch_id=world.b.pk)
    assert forced.rows == [] and forced.total.registered == 0


@pytest.mark.parametrize(("first", "last", "field"), [
    ("2026-06", "2026-04", "from"), ("2025-01", "2026-06", "from"),
    ("2026-13", "2026-06", "from"), ("2026-01", "2099-01", "to")])
def test_a_bad_period_is_refused_naming_the_field(first: str, last: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        kpis.period(first, last, today=D(2026, 12, 7))
    assert err.value.field == field


def test_the_default_period_is_the_last_three_full_months() -> None:
    p = kpis.period(today=D(2026, 12, 7))
    assert (p.first, p.last, len(p.months)) == (D(2026, 9, 1), D(2026, 11, 1), 3)


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("hq_expert", 200),
                                              ("manager", 200), ("service", 403),
                                              ("cashier", 403)])
def test_who_sees_the_kpis(world: Any, client_as: Any, role: str, status: int) -> None:
    user = world.by_role()[role]
    assert client_as(user).get(reverse("analytics:kpis")).status_code == status
    assert client_as(user).get("/api/v1/analytics/kpis").status_code == status


def test_page_csv_and_api(q2: Any, world: Any, client_as: Any) -> None:
    from punkt.core.models import AuditEvent

    params = {"from": "2026-04", "to": "2026-06"}
    page = client_as(world.expert).get(reverse("analytics:kpis"), params).content.decode()
    assert f'data-testid="kpi-branch-{world.b.pk}"' in page
    mine = client_as(world.manager_a).get(reverse("analytics:kpis"), params).content.decode()
    assert f'data-testid="kpi-employee-{world.service_a.pk}"' in mine
    assert world.b.name not in mine
    csv = client_as(world.expert).get(reverse("analytics:kpis_export"),
                                      {**params, "branch": world.a.pk})
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Obsluga" in body or "Obsługa" in body or world.service_a.last_name in body
    assert AuditEvent.objects.filter(action="analytics.kpis.export").count() == 1
    api = client_as(world.expert).get("/api/v1/analytics/kpis", params).json()
    b = next(r for r in api["rows"] if r["branch_id"] == world.b.pk)
    assert (b["registered"], b["primary_sales"], b["primary_amount"]) == (1, 1, "70.00")
    bad = client_as(world.expert).get("/api/v1/analytics/kpis", {"from": "2026-07",
                                                                 "to": "2026-06"})
    assert bad.status_code == 422 and bad.json()["field"] == "from"


def test_a_fixed_number_of_queries(q2: Any, world: Any, django_assert_max_num_queries: Any) -> None:
    """Nine grouped reads, the employees' names and the plans' actuals (five a month):
    24 for three months, whatever the number of branches, employees and customers."""
    kpis.report(world.expert, Q2, branch_id=world.a.pk)
    with django_assert_max_num_queries(24):
        kpis.report(world.expert, Q2, branch_id=world.a.pk)
    with django_assert_max_num_queries(24):
        kpis.report(world.expert, Q2)
