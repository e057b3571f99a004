"""The funnel and refusals report (R12.6) on a small known history: conversion by stage,
refusals and losses by stage and reason, time in stage (average, median), win rates per
employee and branch; an empty period; who sees what (a manager never another branch's
figures, a seller his own); a fixed number of queries; the page, its CSV and the API."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from punkt.pipeline import funnel, services
from punkt.pipeline.models import LossReason, Opportunity, OpportunityEvent, Stage
from punkt.pipeline.tests.factories import opportunity, reason

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOVEMBER = funnel.Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
_numbers = itertools.count(1)


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 10, tzinfo=UTC)


def _stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


def deal(world: Any, cust: Any, owner: Any, branch: Any, steps: list[tuple[Any, ...]]) -> Any:
    """An opportunity with its history written as it happened: ``steps`` are
    (action, moment, stage code[, reason label])."""
    first_action, first_at, first_code = steps[0][:3]
    assert first_action == "open"
    status, closed, lost_reason = "open", None, None
    stage = _stage(first_code)
    for step in steps[1:]:
        action, moment, code = step[:3]
        stage = _stage(code)
        if action in ("won", "lost"):
            status, closed = action, moment
            if len(step) > 3:
                lost_reason = LossReason.objects.get(label=step[3])
    o = Opportunity.objects.create(
        number=f"SZ/2026/{900000 + next(_numbers)}", branch=branch, customer=cust, owner=owner,
        title="Internet", stage=stage, status=status, created_at=first_at,
        stage_since=first_at, closed_at=closed, loss_reason=lost_reason)
    previous = None
    for step in steps:
        action, moment, code = step[:3]
        label = step[3] if len(step) > 3 else None
        OpportunityEvent.objects.create(
            opportunity=o, action=action, at=moment, to_stage=_stage(code),
            from_stage=previous, status="open" if action not in ("won", "lost") else action,
            reason=LossReason.objects.get(label=label) if label else None)
        previous = _stage(code)
    return o


@pytest.fixture
def history(world: Any) -> dict[str, Any]:
    from punkt.contracts.tests.factories import customer

    ca = customer(world)
    cb = customer(world, branch=world.b, actor=world.service_b)
    return {
        "o1": deal(world, ca, world.service_a, world.a, [
            ("open", at(11, 2), "presentation"), ("move", at(11, 4), "offer"),
            ("move", at(11, 10), "agreement")]),
        "o2": deal(world, ca, world.retention_a, world.a, [
            ("open", at(11, 3), "presentation"), ("move", at(11, 7), "offer"),
            ("lost", at(11, 8), "offer", "Cena za wysoka")]),
        "o3": deal(world, ca, world.service_a, world.a, [
            ("open", at(11, 5), "presentation"),
            ("refuse", at(11, 6), "presentation", "Klient odmówił prezentacji"),
            ("move", at(11, 9), "closing"), ("won", at(11, 12), "closing")]),
        "o4": deal(world, ca, world.service_a, world.a, [("open", at(11, 6), "presentation")]),
        "o5": deal(world, cb, world.service_b, world.b, [
            ("open", at(11, 2), "presentation"),
            ("lost", at(11, 3), "presentation", "Inny powód")]),
        "o6": deal(world, ca, world.service_a, world.a, [
            ("open", at(10, 1), "presentation"), ("move", at(10, 2), "offer"),
            ("lost", at(11, 20), "offer", "Cena za wysoka")]),
    }


def _by_code(found: funnel.Report) -> dict[str, funnel.StageRow]:
    codes = dict(Stage.objects.values_list("pk", "code"))
    return {codes[s.stage_id]: s for s in found.stages}


def test_conversion_refusals_losses_times_and_win_rates_for_hq(world: Any, history: Any
                                                               ) -> None:
    found = funnel.report(world.expert, NOVEMBER)
    stages = _by_code(found)
    assert found.opened == 5 and found.won_of_opened == 1
    assert found.won_percent == Decimal("20.0")
    assert [stages[c].reached for c in ("presentation", "offer", "agreement", "payment",
                                        "event", "closing")] == [5, 3, 2, 1, 1, 1]
    assert stages["offer"].of_first == Decimal("60.0")
    assert stages["agreement"].of_previous == Decimal("66.7")
    assert stages["payment"].of_previous == Decimal("50.0")
    assert stages["presentation"].of_previous is None
    # refusals and losses by stage and reason
    assert [(r.stage, r.reason, r.count) for r in found.refusals] == [
        ("Prezentacja", "Klient odmówił prezentacji", 1)]
    assert [(r.stage, r.reason, r.count) for r in found.losses] == [
        ("Prezentacja", "Inny powód", 1), ("Oferta", "Cena za wysoka", 2)]
    assert stages["presentation"].refused == 1 and stages["offer"].lost == 2
    # time in stage: the stays that ended in November
    assert (stages["presentation"].stays, stages["presentation"].average_days,
            stages["presentation"].median_days) == (4, Decimal("2.8"), Decimal("3.0"))
    assert (stages["offer"].stays, stages["offer"].average_days,
            stages["offer"].median_days) == (3, Decimal("18.7"), Decimal("6.0"))
    assert (stages["closing"].average_days, stages["closing"].median_days) == (
        Decimal("3.0"), Decimal("3.0"))
    assert stages["agreement"].stays == 0 and stages["agreement"].median_days is None
    # win rate: won / (won + lost) closed in the period
    people = {r.employee_id: (r.won, r.lost, r.win_rate) for r in found.employees}
    assert people == {world.service_a.pk: (1, 1, Decimal("50.0")),
                      world.retention_a.pk: (0, 1, Decimal("0.0")),
                      world.service_b.pk: (0, 1, Decimal("0.0"))}
    branches = {r.branch_id: (r.won, r.lost, r.win_rate) for r in found.branches}
    assert branches == {world.a.pk: (1, 2, Decimal("33.3")),
                        world.b.pk: (0, 1, Decimal("0.0"))}
    assert found.total.win_rate == Decimal("25.0")
    link = next(r.url for r in found.employees if r.employee_id == world.service_a.pk)
    assert f"owner={world.service_a.pk}" in link and "closed_from=2026-11-01" in link


def test_a_manager_sees_his_branch_only_and_a_seller_his_own(world: Any, history: Any
                                                             ) -> None:
    mine = funnel.report(world.manager_a, NOVEMBER)
    assert mine.opened == 4
    assert {r.branch_id for r in mine.branches} == {world.a.pk}
    assert world.service_b.pk not in {r.employee_id for r in mine.employees}
    assert all(r.reason != "Inny powód" for r in mine.losses)
    # asking for branch B gives nothing, not B's figures
    other = funnel.report(world.manager_a, NOVEMBER, branch_id=world.b.pk)
    assert other.is_empty and other.branch is None
    # HQ narrowed to B
    only_b = funnel.report(world.expert, NOVEMBER, branch_id=world.b.pk)
    assert only_b.opened == 1 and only_b.branch == world.b
    # a seller: his own, whatever owner he asks for
    own = funnel.report(world.service_a, NOVEMBER, owner_id=world.retention_a.pk)
    assert own.own_only and own.opened == 3
    assert {r.employee_id for r in own.employees} == {world.service_a.pk}
    # the manager narrowed to one employee
    one = funnel.report(world.manager_a, NOVEMBER, owner_id=world.retention_a.pk)
    assert one.opened == 1 and [(r.won, r.lost) for r in one.employees] == [(0, 1)]


def test_an_empty_period_has_no_figures(world: Any, history: Any) -> None:
    empty = funnel.report(world.expert, funnel.Period(datetime.date(2026, 1, 1),
                                                      datetime.date(2026, 1, 31)))
    assert empty.is_empty and empty.opened == 0 and empty.won_percent is None
    assert all(s.reached == 0 and s.of_first is None for s in empty.stages)
    assert not empty.refusals and not empty.losses and not empty.branches


def test_the_period_is_read_as_given_and_refused_naming_the_field() -> None:
    today = datetime.date(2026, 12, 7)
    assert funnel.period(today=today) == funnel.Period(datetime.date(2026, 10, 1), today)
    assert funnel.period("2026-02", "2026-02") == funnel.Period(
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    from punkt.core.errors import ValidationFailed

    for first, last, field in (("2026-13", None, "from"), ("x", None, "from"),
                               (None, "2026-02-30", "to"), ("2026-05-01", "2026-04-01", "from"),
                               ("2020-01-01", "2026-01-01", "from")):
        with pytest.raises(ValidationFailed) as refused:
            funnel.period(first, last, today=today)
        assert refused.value.field == field


def test_the_warsaw_day_bounds_the_period(world: Any) -> None:
    """A sale opened at 23:30 UTC on 31 October is opened on 1 November in Warsaw."""
    from punkt.contracts.tests.factories import customer

    late = datetime.datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    deal(world, customer(world), world.service_a, world.a, [("open", late, "presentation")])
    assert funnel.report(world.expert, NOVEMBER).opened == 1
    october = funnel.Period(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert funnel.report(world.expert, october).opened == 0


def test_the_report_reads_a_fixed_number_of_queries(world: Any, history: Any) -> None:
    from punkt.contracts.tests.factories import customer

    funnel.report(world.expert, NOVEMBER)  # the user's access read once (cached)
    with CaptureQueriesContext(connection) as few:
        funnel.report(world.expert, NOVEMBER)
    cust = customer(world, branch=world.b, actor=world.service_b)
    for day in range(2, 20):
        deal(world, cust, world.service_b, world.b, [
            ("open", at(11, day), "presentation"), ("move", at(11, day + 1), "offer"),
            ("lost", at(11, day + 2), "offer", "Cena za wysoka")])
    with CaptureQueriesContext(connection) as many:
        funnel.report(world.expert, NOVEMBER)
    assert len(many) == len(few) <= 12


def test_refusals_and_losses_keep_their_reason_in_the_history(world: Any) -> None:
    """The services record the reason on the step (the report groups by it)."""
    import datetime as dt

    from django.utils import timezone

    o = opportunity(world)
    why = reason("presentation")
    services.opportunity_refuse(actor=world.service_a, opportunity_id=o.pk, reason_id=why.pk,
                                retry_on=timezone.localdate() + dt.timedelta(days=3))
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk, reason_id=why.pk)
    steps = dict(OpportunityEvent.objects.filter(opportunity=o, action__in=["refuse", "lost"])
                 .values_list("action", "reason_id"))
    assert steps == {"refuse": why.pk, "lost": why.pk}
    today = timezone.localdate()
    found = funnel.report(world.manager_a, funnel.Period(today, today))
    assert [(r.reason, r.count) for r in found.refusals] == [(why.label, 1)]
    assert [(r.reason, r.count) for r in found.losses] == [(why.label, 1)]


# --- the page, the CSV, the API -------------------------------------------------------

def test_who_may_open_the_page(world: Any, client_as: Any, history: Any) -> None:
    url = reverse("pipeline:funnel") + "?from=2026-11-01&to=2026-11-30"
    assert client_as(world.cashier_a).get(url).status_code == 403
    page = client_as(world.manager_a).get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="chart-conversion"' in body
    assert "Oddział B" not in body and "Cena za wysoka" in body
    assert f'data-testid="rate-employee-{world.retention_a.pk}"' in body
    hq = client_as(world.expert).get(url).content.decode()
    assert "Oddział B" in hq and 'data-testid="rate-branch-' in hq
    seller = client_as(world.service_a).get(url).content.decode()
    assert f'data-testid="rate-employee-{world.retention_a.pk}"' not in seller
    assert 'data-testid="funnel-export"' not in seller
    empty = client_as(world.manager_a).get(reverse("pipeline:funnel") + "?from=2026-01-01&to="
                                           "2026-01-31").content.decode()
    assert 'data-testid="funnel-empty"' in empty
    bad = client_as(world.manager_a).get(reverse("pipeline:funnel") + "?from=nope")
    assert bad.status_code == 200 and 'data-testid="period-error"' in bad.content.decode()


def test_the_list_link_filters_by_closing_day(world: Any, client_as: Any, history: Any
                                              ) -> None:
    found = funnel.report(world.manager_a, NOVEMBER)
    link = next(r.url for r in found.employees if r.employee_id == world.service_a.pk)
    body = client_as(world.manager_a).get(link).content.decode()
    assert history["o3"].number in body and history["o6"].number in body
    assert history["o1"].number not in body and history["o2"].number not in body
    assert 'data-testid="closed-between"' in body


def test_the_csv_export_is_audited_and_needs_a_fresh_sign_in(world: Any, client_as: Any,
                                                             history: Any) -> None:
    from punkt.core.models import AuditEvent

    url = reverse("pipeline:funnel_export") + "?from=2026-11-01&to=2026-11-30"
    assert client_as(world.service_a).get(url).status_code == 403
    stale = client_as(world.manager_a, reauthenticated=False).get(url)
    assert stale.status_code == 302 and "reauthenticate" in stale["Location"]
    response = client_as(world.manager_a).get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Sekcja"
    assert ["Konwersja", "Oferta", "", "3", "75,0", "75,0", "", "", "", "", ""] in rows
    assert any(r[0] == "Czas w etapie" and r[1] == "Oferta" and r[7] == "6,0" for r in rows)
    assert any(r[0] == "Utracone" and r[2] == "Cena za wysoka" and r[3] == "2" for r in rows)
    assert not any("Oddział B" in cell for r in rows for cell in r)
    assert AuditEvent.objects.filter(action="pipeline.funnel.export",
                                     actor=world.manager_a, outcome="ok").count() == 1


def test_the_api_gives_the_same_figures(world: Any, client_as: Any, history: Any) -> None:
    url = "/api/v1/pipeline/funnel?from=2026-11-01&to=2026-11-30"
    data = client_as(world.expert).get(url).json()
    assert data["opened"] == 5 and data["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert [s["reached"] for s in data["stages"]] == [5, 3, 2, 1, 1, 1]
    assert data["total"]["win_rate"] == "25.0"
    mine = client_as(world.manager_a).get(url + f"&branch_id={world.b.pk}").json()
    assert mine["opened"] == 0 and mine["branches"] == []
    assert client_as(world.cashier_a).get(url).status_code == 403
    assert client_as(world.expert).get("/api/v1/pipeline/funnel?from=2026-13").status_code \
        in (400, 422)
