"""Sales plans (R11.6) and the monthly pack (seed 000 step 1): months in Warsaw, the plan
arithmetic, who sets what, locked months, the split's sum check, the actuals read from
sales, the till, contracts, customers and the pipeline, and the pack stored once by the
scheduled job (C9)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from punkt.core.audit import AuditEvent
from punkt.core.errors import ActionDenied, ValidationFailed
from punkt.pipeline import packs
from punkt.pipeline import plans as P
from punkt.pipeline.models import MonthlyPack, SalesPlan

pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)
#: a day of November 2026: its plans are open, October's locked
TODAY = datetime.date(2026, 11, 20)
VALUES = {"sales_net": "10 000,00", "collected": "5000", "contracts": "4",
          "new_customers": "10", "won": "3"}


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=P.WARSAW)


# --- months and arithmetic (no database) -------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("2026-11", NOV), (datetime.date(2026, 11, 17), NOV), (" 2027-01 ", datetime.date(2027, 1, 1))])
def test_months_are_read_as_their_first_day(value: Any, expected: datetime.date) -> None:
    assert P.parse_month(value) == expected


@pytest.mark.parametrize("value", ["2026-13", "11.2026", "", None, "2026-1", "１２３４-01"])
def test_a_bad_month_is_refused_naming_the_field(value: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        P.parse_month(value, field="month")
    assert e.value.field == "month"


def test_month_bounds_are_midnights_in_warsaw_across_dst() -> None:
    start, end = P.month_bounds(datetime.date(2026, 10, 1))
    assert start == datetime.datetime(2026, 9, 30, 22, 0, tzinfo=datetime.UTC)  # CEST
    assert end == datetime.datetime(2026, 10, 31, 23, 0, tzinfo=datetime.UTC)  # CET
    start, end = P.month_bounds(datetime.date(2026, 3, 1))
    assert (start.astimezone(datetime.UTC).hour, end.astimezone(datetime.UTC).hour) == (23, 22)
    assert P.next_month(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 1)
    assert P.previous_month(datetime.date(2027, 1, 1)) == datetime.date(2026, 12, 1)


def test_the_packs_are_prepared_the_working_day_before_the_last_friday() -> None:
    assert P.last_friday(NOV) == datetime.date(2026, 11, 27)
    assert P.preparation_day(NOV) == datetime.date(2026, 11, 26)
    # 25 December 2026 is the last Friday and 24 December a holiday: Wednesday the 23rd
    assert P.last_friday(datetime.date(2026, 12, 1)) == datetime.date(2026, 12, 25)
    assert P.preparation_day(datetime.date(2026, 12, 1)) == datetime.date(2026, 12, 23)
    assert packs.due_month(datetime.date(2026, 11, 26)) == datetime.date(2026, 10, 1)
    assert packs.due_month(datetime.date(2026, 11, 27)) is None
    assert packs.due_month(datetime.date(2026, 12, 24)) is None


def test_percent_of_plan_and_the_goal_line() -> None:
    assert P.percent(Decimal("5000.00"), Decimal("10000.00")) == 50
    assert P.percent(2, 3) == 67 and P.percent(5, 0) is None
    assert P.goal(12, 10) == {"this": 12, "last": 10, "target": 12, "growth": 20, "met": True}
    assert P.goal(13, 11)["target"] == 14 and not P.goal(13, 11)["met"]  # 13.2 → 14
    assert P.goal(1, 0)["met"] and not P.goal(0, 0)["met"]


def test_values_are_parsed_and_a_bad_one_names_its_field() -> None:
    v = P.parse_values({**VALUES, "won": ""})
    assert v["sales_net"] == Decimal("10000.00") and v["won"] == 0 and v["contracts"] == 4
    for field, bad in [("sales_net", "12,345"), ("contracts", "-1"), ("won", "2.5"),
                       ("new_customers", "10000001"), ("collected", "99999999999")]:
        with pytest.raises(ValidationFailed) as e:
            P.parse_values({field: bad})
        assert e.value.field == field


# --- setting plans -------------------------------------------------------------------

def test_hq_sets_the_branch_plan_the_manager_splits_it(world: Any) -> None:
    plan = P.plan_set(actor=world.expert, branch_id=world.a.pk, month="2026-12",
                      values=VALUES, today=TODAY)
    assert plan.employee_id is None and plan.sales_net == Decimal("10000.00")
    with pytest.raises(ActionDenied):
        P.plan_set(actor=world.manager_a, branch_id=world.a.pk, month="2026-12",
                   values=VALUES, today=TODAY)
    with pytest.raises(ActionDenied):  # another branch's manager
        P.plan_set(actor=world.manager_b, branch_id=world.a.pk, month="2026-12",
                   employee_id=world.service_a.pk, values=VALUES, today=TODAY)
    share = P.plan_set(actor=world.manager_a, branch_id=world.a.pk, month="2026-12",
                       employee_id=world.service_a.pk, values={"sales_net": "6000"},
                       today=TODAY)
    assert share.employee_id == world.service_a.pk and share.won == 0
    with pytest.raises(ValidationFailed) as e:
        P.plan_set(actor=world.manager_a, branch_id=world.a.pk, month="2026-12",
                   employee_id=world.service_b.pk, values=VALUES, today=TODAY)
    assert e.value.field == "employee_id"
    # setting it again changes the one row, audited with what changed
    P.plan_set(actor=world.expert, branch_id=world.a.pk, month="2026-12",
               values={**VALUES, "won": "5"}, today=TODAY)
    assert SalesPlan.objects.filter(employee__isnull=True).count() == 1
    last = AuditEvent.objects.filter(action="pipeline.plan.set").order_by("-id").first()
    assert last is not None and last.changes["won"] == ["3", "5"]
    assert last.branch_id == world.a.pk


def test_a_past_month_is_locked(world: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        P.plan_set(actor=world.expert, branch_id=world.a.pk, month="2026-10", values=VALUES,
                   today=TODAY)
    assert e.value.field == "month" and not SalesPlan.objects.exists()
    with pytest.raises(ValidationFailed) as e:
        P.plan_set(actor=world.expert, branch_id=world.hq.pk, month="2026-12", values=VALUES,
                   today=TODAY)
    assert e.value.field == "branch_id"


def test_a_year_is_filled_for_its_open_months_only(world: Any) -> None:
    n = P.plan_fill_year(actor=world.expert, branch_id=world.a.pk, year="2026",
                         values=VALUES, today=TODAY)
    assert n == 2
    assert sorted(SalesPlan.objects.values_list("month", flat=True)) == [
        NOV, datetime.date(2026, 12, 1)]
    with pytest.raises(ValidationFailed) as e:
        P.plan_fill_year(actor=world.expert, branch_id=world.a.pk, year="2025",
                         values=VALUES, today=TODAY)
    assert e.value.field == "year"


def test_many_plans_are_saved_all_or_none(world: Any) -> None:
    rows = [(NOV, None, VALUES), (datetime.date(2026, 12, 1), None, {"won": "x"})]
    with pytest.raises(ValidationFailed) as e:
        P.plan_set_many(actor=world.expert, branch_id=world.a.pk, rows=rows, today=TODAY)
    assert e.value.field == "won-2026-12" and "12.2026" in e.value.message
    assert not SalesPlan.objects.exists()
    rows[1] = (datetime.date(2026, 12, 1), None, {})  # empty: no row made
    assert P.plan_set_many(actor=world.expert, branch_id=world.a.pk, rows=rows,
                           today=TODAY) == 1
    assert P.plan_set_many(actor=world.expert, branch_id=world.a.pk, rows=rows,
                           today=TODAY) == 0  # unchanged
    assert SalesPlan.objects.count() == 1


def test_the_split_warns_when_the_shares_do_not_add_up(world: Any) -> None:
    P.plan_set(actor=world.expert, branch_id=world.a.pk, month=NOV, values=VALUES,
               today=TODAY)
    for who, amount in ((world.service_a, "6000"), (world.retention_a, "3000,50")):
        P.plan_set(actor=world.manager_a, branch_id=world.a.pk, month=NOV,
                   employee_id=who.pk, values={**VALUES, "sales_net": amount,
                                               "won": "1"}, today=TODAY)
    split = P.month_split(branch=world.a, month=NOV, today=TODAY)
    names = {r.employee.pk for r in split.rows}
    assert {world.service_a.pk, world.retention_a.pk, world.manager_a.pk,
            world.cashier_a.pk} <= names and world.service_b.pk not in names
    assert split.sums["sales_net"] == Decimal("9000.50")
    assert split.differences["sales_net"] == (Decimal("9000.50"), Decimal("10000.00"))
    assert split.differences["won"] == (2, 3)
    assert split.differences["contracts"] == (8, 4)  # above the branch's plan: also said
    assert "collected" in split.differences and not split.locked


# --- what was done ---------------------------------------------------------------------

def _records(world: Any) -> dict[str, Any]:
    """A sale, a payment, a signed contract, a customer and a won sale of branch A's
    staff, made through the services."""
    from punkt.cashdesk import services as cash
    from punkt.cashdesk.tests.factories import invoice
    from punkt.contracts import services as contracts
    from punkt.contracts.tests.factories import customer, prepared
    from punkt.inventory.tests.factories import shop
    from punkt.pipeline import services as pipeline
    from punkt.pipeline.tests.factories import fill, opportunity
    from punkt.sales import services as sales

    s = shop(world, stock_a=3)
    sale = sales.sale_create(actor=world.service_a, branch_id=world.a.pk,
                             payment_method="card",
                             lines=[{"product_id": s.router.pk, "quantity": 1}])
    cust = customer(world, actor=world.retention_a)
    inv = invoice(world, cust)
    cash.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100.00")
    cash.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="50.00",
                          method="cash")
    contract = prepared(world, actor=world.service_a)
    contracts.contract_sign(actor=world.service_a, contract_id=contract.pk)
    o = opportunity(world, actor=world.service_a)
    from punkt.pipeline.models import Opportunity, Stage

    last = Stage.objects.filter(active=True).order_by("-position").first()
    Opportunity.objects.filter(pk=o.pk).update(stage=last)
    fill(world, o, "survey", "next_contact")
    pipeline.opportunity_win(actor=world.service_a, opportunity_id=o.pk)
    return {"sale": sale, "customer": cust}


def test_actuals_per_branch_and_employee(world: Any) -> None:
    from punkt.contracts.figures import rebuild
    from punkt.contracts.models import MonthlyFigures
    from punkt.customers.models import Customer

    made = _records(world)
    month = P.current_month()
    found = P.actuals(month)
    a, sa, ca = world.a.pk, world.service_a.pk, world.cashier_a.pk
    gross = made["sale"].total_gross
    assert found[(a, sa)]["sales_net"] == P.cents(gross * 100 / 123)
    assert found[(a, ca)]["collected"] == Decimal("50.00")
    assert found[(a, sa)]["contracts"] == 1 and found[(a, sa)]["won"] == 1
    registered = Customer.objects.filter(branch=world.a).count()
    totals = P.branch_totals(found)[a]
    assert totals["new_customers"] == registered >= 2
    rebuild()
    kept = MonthlyFigures.objects.get(branch=world.a, month=month)
    assert totals["contracts"] == kept.signed  # the contracts' own figure
    assert P.actuals(month, world.b.pk) == {}


def test_a_month_is_warsaws_calendar_month(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.customers.models import Customer

    c = customer(world)
    # 23:30 UTC on 31 October is 00:30 on 1 November in Warsaw
    Customer.objects.filter(pk=c.pk).update(
        created_at=datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC))
    assert P.new_customers(NOV) == {world.a.pk: 1}
    assert P.new_customers(datetime.date(2026, 10, 1)) == {}


def test_the_pack_reads_a_fixed_number_of_queries(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.organization.tests.factories import BranchFactory

    customer(world)
    month = P.current_month()
    with CaptureQueriesContext(connection) as one:
        packs.compute(month, world.a.pk)
    for n in range(3):
        BranchFactory.create(code=f"XX-{n}", name=f"Oddział {n}")
    with CaptureQueriesContext(connection) as every:
        packs.compute(month)
    assert len(every) == len(one) <= 12


def test_the_pack_against_the_plan_and_the_goal(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.customers.models import Customer

    month = P.current_month()
    SalesPlan.objects.create(branch=world.a, month=month, new_customers=2, won=4)
    SalesPlan.objects.create(branch=world.a, month=month, employee=world.service_a,
                             new_customers=2)
    customer(world)
    customer(world)
    old = customer(world)
    Customer.objects.filter(pk=old.pk).update(created_at=at(P.previous_month(month), 10))
    figures = packs.compute(month, world.a.pk)[world.a.pk]
    assert figures["planned"] and figures["measures"]["new_customers"] == {
        "plan": 2, "actual": 2, "percent": 100}
    assert figures["measures"]["won"]["percent"] == 0
    assert figures["goal"] == {"this": 2, "last": 1, "target": 2, "growth": 100, "met": True}
    (row,) = [e for e in figures["employees"] if e["id"] == world.service_a.pk]
    assert row["values"]["new_customers"] == {"plan": 2, "actual": 2, "percent": 100}
    assert figures["funnel"]["opened"] == 0


def test_the_job_stores_each_pack_once_and_tells_the_managers_once(world: Any) -> None:
    from punkt.work.models import Notification

    month = P.previous_month(P.current_month())
    first = packs.prepare_all(month)
    again = packs.prepare_all(month)
    assert first["stored"] == 2 and again["stored"] == 0  # branches A and B
    assert MonthlyPack.objects.filter(month=month).count() == 2
    told = Notification.objects.filter(kind="pipeline.pack")
    assert {n.recipient_id for n in told} == {world.manager_a.pk, world.manager_b.pk}
    assert told.count() == 2
    n = told.get(recipient=world.manager_a)
    assert n.url == packs.pack_url(world.a.pk, month) and "Oddział A" in n.title


def test_the_daily_job_is_claimed_once_per_slot_and_acts_on_its_day(world: Any) -> None:
    """(C9)"""
    from punkt.core.jobs import PERIODIC, run_due_jobs
    from punkt.core.models import ScheduledRun
    from punkt.pipeline.tasks import prepare_monthly_packs

    assert "pipeline.monthly_packs" in PERIODIC
    now = datetime.datetime(2026, 11, 26, 6, 0, tzinfo=datetime.UTC)
    run_due_jobs(now)
    run_due_jobs(now + datetime.timedelta(hours=1))
    assert ScheduledRun.objects.filter(job="pipeline.monthly_packs").count() == 1
    assert prepare_monthly_packs.call("2026-11-25T00:00:00+00:00")["stored"] == 0
    done = prepare_monthly_packs.call("2026-11-26T00:00:00+00:00")
    again = prepare_monthly_packs.call("2026-11-26T00:00:00+00:00")
    assert done["stored"] == 2 and again["stored"] == 0
    assert set(MonthlyPack.objects.values_list("month", flat=True)) == {
        datetime.date(2026, 10, 1)}


def test_prepare_again_replaces_the_stored_pack(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    month = P.current_month()
    packs.prepare_all(month)
    kept = MonthlyPack.objects.get(branch=world.a, month=month)
    assert kept.new_customers == 0 and kept.prepared_by is None
    customer(world)
    assert packs.stored(world.a.pk, month).new_customers == 0  # type: ignore[union-attr]
    row = packs.recompute(actor=world.manager_a, branch_id=world.a.pk,
                          month=f"{month:%Y-%m}")
    assert row.new_customers == 1 and row.prepared_by_id == world.manager_a.pk
    assert MonthlyPack.objects.filter(branch=world.a, month=month).count() == 1
    assert AuditEvent.objects.filter(action="pipeline.pack.recompute").count() == 1
    from punkt.core.errors import NotFound

    with pytest.raises(NotFound):
        packs.recompute(actor=world.manager_b, branch_id=world.a.pk, month=f"{month:%Y-%m}")
    with pytest.raises(ValidationFailed) as e:
        packs.recompute(actor=world.manager_a, branch_id=world.a.pk,
                        month=f"{P.next_month(month):%Y-%m}")
    assert e.value.field == "month"


def test_my_plan_for_this_month(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    assert P.own_month(world.service_a) is None
    month = P.current_month()
    SalesPlan.objects.create(branch=world.a, month=month, employee=world.service_a,
                             new_customers=4, sales_net=Decimal("1000.00"))
    customer(world, actor=world.service_a)
    mine = P.own_month(world.service_a)
    assert mine is not None and mine["month"] == month
    rows = {r["measure"].code: r for r in mine["rows"]}
    assert rows["new_customers"]["actual"] == 1 and rows["new_customers"]["percent"] == 25
    assert rows["sales_net"]["actual"] == Decimal("0") and "won" not in rows
    assert timezone.localdate().replace(day=1) == month
