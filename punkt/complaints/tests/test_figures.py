"""The statistics' kept figures (``figures.py``): the page gives exactly what counting
every complaint live gives — before a refresh, after it, and after complaints were
received, decided, deemed accepted, refunded, appealed or erased since — for every
grouping and for periods of whole months, cut months and today; a refresh that fails
half way leaves the previous figures; the page reads as many statements for one complaint
as for many; the job runs once per slot (C9)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from punkt.complaints import figures, services, statistics
from punkt.complaints.clock import WARSAW
from punkt.complaints.models import Complaint, ComplaintFigure, CountedComplaint, FiguresState
from punkt.complaints.tests.factories import complaint
from punkt.complaints.tests.test_remedies import decided, open_till
from punkt.complaints.tests.test_statistics import rejected

pytestmark = pytest.mark.django_db


def _today() -> datetime.date:
    return timezone.localdate()


def _periods() -> list[tuple[datetime.date, datetime.date]]:
    today = _today()
    first = today.replace(day=1)
    before = (first - datetime.timedelta(days=1)).replace(day=1)
    return [(today, today), (first, today), (today - datetime.timedelta(days=365), today),
            (before, first - datetime.timedelta(days=1)),  # last month, whole
            (before.replace(day=10), first + datetime.timedelta(days=1)),  # cut at both ends
            (today - datetime.timedelta(days=200), today - datetime.timedelta(days=40))]


def _shape(s: statistics.Statistics) -> Any:
    def row(r: statistics.Row) -> tuple[Any, ...]:
        return (str(r.label), r.key, r.received, r.decided, r.upheld, r.partly, r.rejected,
                r.in_time, r.deemed, r.refunds, r.days)

    return ([row(r) for r in s.rows], row(s.total), s.customers_complaining,
            s.customers_served, s.more)


def _same_as_live(world: Any) -> None:
    """Every grouping, every period, HQ and a branch: kept + live == live."""
    for user in (world.expert, world.manager_a):
        for start, end in _periods():
            for by in statistics.BY:
                kept = statistics.complaint_statistics(user=user, start=start, end=end, by=by)
                live = statistics.complaint_statistics(user=user, start=start, end=end, by=by,
                                                       live=True)
                assert _shape(kept) == _shape(live), (user, start, end, by)
        months = statistics.trend(user=user, last=_today())
        assert months == statistics.trend(user=user, last=_today(), live=True)


def _received(c: Complaint, days_ago: int) -> None:
    """Received ``days_ago`` days ago (and last changed then)."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    Complaint.objects.filter(pk=c.pk).update(received_at=at, clock_started_at=at,
                                             updated_at=at)


def _refreshed() -> None:
    """A refresh that counts everything made so far, its watermark then set to now: what
    happens next comes after it."""
    figures.refresh(now=timezone.now() + figures.SETTLE + datetime.timedelta(minutes=1))
    FiguresState.objects.filter(pk=1).update(upto=timezone.now())


def _a_history(world: Any) -> dict[str, Complaint]:
    from punkt.contracts.tests.factories import customer

    made = {"upheld": decided(world), "rejected": rejected(world),
            "open": complaint(world, product_text="Dekoder", channel="phone"),
            "deemed": complaint(world),
            "telecom": decided(world, kind="telecom", demand="correction")}
    Complaint.objects.filter(pk=made["deemed"].pk).update(deemed_accepted=True)
    other = customer(world, branch=world.b, actor=world.service_b)
    made["b"] = complaint(world, actor=world.service_b, cust=other, product_text="Internet")
    # older ones: a 12 months' period reads them from the kept quarters
    made["spring"] = complaint(world, product_text="Router")
    made["summer"] = decided(world)
    for name, days in (("upheld", 35), ("rejected", 70), ("telecom", 400), ("b", 45),
                       ("spring", 250), ("summer", 160)):
        _received(made[name], days)
    return made


def test_kept_and_live_are_the_same_before_and_after_a_refresh(world: Any) -> None:
    _a_history(world)
    _same_as_live(world)  # no refresh yet: everything live
    _refreshed()
    assert CountedComplaint.objects.count() == 8
    assert ComplaintFigure.objects.filter(span=1).exists()
    assert ComplaintFigure.objects.filter(span=figures.QUARTER).exists()
    assert ComplaintFigure.objects.filter(span=figures.YEAR).exists()
    _same_as_live(world)
    figures.refresh(now=timezone.now() + figures.SETTLE + datetime.timedelta(minutes=1))
    _same_as_live(world)  # a second refresh replaces the rows, it does not add to them


def test_complaints_received_or_changed_after_the_refresh_are_counted_as_they_are_now(
        world: Any) -> None:
    from punkt.customers.gdpr import customer_anonymise

    made = _a_history(world)
    _refreshed()
    # decided, deemed accepted, appealed, refunded, new — all after the watermark
    services.complaint_move(actor=world.service_a, complaint_id=made["open"].pk,
                            action="acknowledge")
    services.complaint_move(actor=world.manager_a, complaint_id=made["open"].pk,
                            action="decide_in_branch", outcome="partly_upheld",
                            cause="product_defect", decision_reason="Częściowo.")
    services.mark_overdue(now=timezone.now() + datetime.timedelta(days=60))
    services.complaint_move(actor=world.service_a, complaint_id=made["upheld"].pk,
                            action="appeal", note="Klient się nie zgadza.")
    refund = decided(world, demand="withdrawal", amount="120,00")
    services.complaint_move(actor=world.service_a, complaint_id=refund.pk,
                            action="order_refund", refund_amount="120,00",
                            remedy_note="Zwrot")
    open_till(world)
    services.refund_pay(actor=world.cashier_a, complaint_id=refund.pk)
    complaint(world, product_text="Telewizor")
    kept = statistics.complaint_statistics(user=world.expert, start=_today(), end=_today())
    assert kept.total.refunds == 120 and kept.total.partly == 1
    _same_as_live(world)
    # erased: the description leaves the counted row, the product figures move with it
    customer_anonymise(actor=world.admin, customer_id=made["b"].customer_id,
                       reason="wniosek art. 17")
    assert not CountedComplaint.objects.filter(product_text="Internet").exists()
    _same_as_live(world)
    _refreshed()
    _same_as_live(world)


def test_a_refresh_failing_half_way_leaves_the_previous_figures(world: Any,
                                                                monkeypatch: Any) -> None:
    _a_history(world)
    _refreshed()
    before = (list(ComplaintFigure.objects.order_by("pk").values_list()),
              list(CountedComplaint.objects.order_by("pk").values_list()),
              FiguresState.objects.get(pk=1).upto)
    complaint(world, product_text="Telewizor")
    real = figures._insert_dim

    def broken(cur: Any, dim: str, span: int, start: int | None = None) -> None:
        if dim == "channel" and span == figures.QUARTER:
            raise RuntimeError("the database went away")
        real(cur, dim, span, start)

    monkeypatch.setattr(figures, "_insert_dim", broken)
    with pytest.raises(RuntimeError):
        figures.refresh(now=timezone.now() + datetime.timedelta(hours=1))
    assert (list(ComplaintFigure.objects.order_by("pk").values_list()),
            list(CountedComplaint.objects.order_by("pk").values_list()),
            FiguresState.objects.get(pk=1).upto) == before
    _same_as_live(world)  # the new complaint counted live on top of the old figures


def test_a_month_of_warsaw_is_kept_as_the_live_count_reads_it(world: Any) -> None:
    """30 Nov 23:30 in Warsaw is 22:30 UTC: November's in the kept rows too."""
    c = decided(world)
    at = datetime.datetime(2025, 11, 30, 22, 30, tzinfo=datetime.UTC)
    Complaint.objects.filter(pk=c.pk).update(received_at=at, updated_at=at)
    _refreshed()
    assert CountedComplaint.objects.get().month == figures.month_index(datetime.date(2025, 11, 1))
    november = statistics.complaint_statistics(
        user=world.manager_a, start=datetime.date(2025, 11, 1),
        end=datetime.date(2025, 11, 30))
    assert november.total.received == 1
    assert statistics.complaint_statistics(
        user=world.manager_a, start=datetime.date(2025, 12, 1),
        end=datetime.date(2025, 12, 31)).total.received == 0
    assert at.astimezone(WARSAW).month == 11


def test_the_page_reads_as_many_statements_for_one_complaint_as_for_many(
        world: Any, client_as: Any) -> None:
    url = reverse("complaints:complaint_statistics")
    year = {"from": (_today() - datetime.timedelta(days=365)).isoformat(),
            "to": _today().isoformat()}
    expert = client_as(world.expert)
    complaint(world)
    _refreshed()
    complaint(world)  # one counted live

    def count(by: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert expert.get(url, {**year, "by": by}).status_code == 200
        return len(ctx.captured_queries)

    count("cause")  # the session's first page reads what later pages find cached
    one = {by: count(by) for by in statistics.BY}
    _a_history(world)
    for _ in range(3):
        decided(world, product_text="Dekoder")
    _refreshed()
    complaint(world, product_text="Telewizor")
    assert {by: count(by) for by in statistics.BY} == one


def test_the_refresh_job_runs_once_per_slot(world: Any) -> None:
    """(C9)"""
    from punkt.core.jobs import run_due_jobs
    from punkt.core.models import ScheduledRun

    now = timezone.now()
    assert "complaints.figures" in run_due_jobs(now)
    assert "complaints.figures" not in run_due_jobs(now)
    assert ScheduledRun.objects.filter(job="complaints.figures").count() == 1


def test_the_first_rows_are_the_same_rows_when_there_are_more(world: Any,
                                                               monkeypatch: Any) -> None:
    """The database ranks the kept groups and sends back the first ``ROWS_MAX``: the same
    groups, in the same order of ties (no key first, texts by code point), as ranking
    everything counted live; the total and "more" over all of them."""
    monkeypatch.setattr(statistics, "ROWS_MAX", 2)
    made = _a_history(world)
    for text in ("Żelazko", "zegar", "Zegar", "Ładowarka"):
        complaint(world, product_text=text)
    _received(made["open"], 1)
    _same_as_live(world)
    _refreshed()
    complaint(world, product_text="ekran")
    _same_as_live(world)
    found = statistics.complaint_statistics(user=world.expert, start=_today(), end=_today(),
                                            by="product")
    assert found.more and len(found.rows) == 2 and found.total.received > 2
    every = statistics.complaint_statistics(user=world.expert, start=_today(), end=_today(),
                                            by="product", every_row=True)  # the CSV file
    assert not every.more and len(every.rows) > 2
    assert all(row in every.rows for row in found.rows)
    assert every.total == found.total


def test_whole_quarters_are_read_from_their_kept_rows() -> None:
    from django.db.models import Q

    def m(year: int, month: int) -> int:
        return figures.month_index(datetime.date(year, month, 1))

    # December to November: the quarters from January to September, December, October
    # and November from the months' rows
    assert figures._kept_periods(m(2025, 12), m(2026, 11), "cause") == (
        Q(span=3, month__gte=m(2026, 1), month__lt=m(2026, 10))
        | Q(span=1, month__gte=m(2025, 12), month__lt=m(2026, 1))
        | Q(span=1, month__gte=m(2026, 10), month__lte=m(2026, 11)))
    assert figures._kept_periods(m(2026, 1), m(2026, 3), "handler") == Q(
        span=3, month__gte=m(2026, 1), month__lt=m(2026, 4))
    # inside one quarter, or by month: the months only
    months = Q(span=1, month__gte=m(2026, 2), month__lte=m(2026, 3))
    assert figures._kept_periods(m(2026, 2), m(2026, 3), "cause") == months
    assert figures._kept_periods(m(2026, 1), m(2026, 12), "month") == Q(
        span=1, month__gte=m(2026, 1), month__lte=m(2026, 12))
