"""Complaint statistics (R7.4): counted per cause, branch, employee, kind, channel or
product for the complaints received in a period, the share of customers who complained
against seed 003's 10 %, only the branches the reader may see, and the CSV."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from punkt.complaints import services, statistics
from punkt.complaints.models import Complaint
from punkt.complaints.tests.factories import complaint
from punkt.complaints.tests.test_remedies import decided

pytestmark = pytest.mark.django_db


def rejected(world: Any) -> Any:
    c = complaint(world)
    services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    return services.complaint_move(actor=world.manager_a, complaint_id=c.pk,
                                   action="decide_in_branch", outcome="rejected",
                                   cause="customer_misuse", decision_reason="Zalanie.",
                                   legal_basis="art. 43d")


def today() -> datetime.date:
    return timezone.localdate()


def test_counts_per_cause_with_the_upheld_share_and_time(world: Any) -> None:
    decided(world, kind="consumer_goods")  # upheld, cause not set
    rejected(world)
    late = complaint(world)
    Complaint.objects.filter(pk=late.pk).update(deemed_accepted=True)
    stats = statistics.complaint_statistics(user=world.manager_a, start=today(), end=today())
    by = {r.key: r for r in stats.rows}
    assert by["customer_misuse"].received == 1 and by["customer_misuse"].rejected == 1
    assert by[""].received == 2 and by[""].upheld == 1 and by[""].deemed == 1
    total = stats.total
    assert (total.received, total.decided, total.upheld, total.rejected) == (3, 2, 1, 1)
    assert total.upheld_pct == 50 and total.in_time_pct == 100 and total.days == 0.0


def test_the_share_of_customers_who_complained(world: Any) -> None:
    """Every complaint's customer bought at the counter (the factory's sale): 3 of 3."""
    for _ in range(3):
        complaint(world)
    stats = statistics.complaint_statistics(user=world.manager_a, start=today(), end=today())
    assert (stats.customers_complaining, stats.customers_served) == (3, 3)
    assert stats.share_pct == 100.0 and stats.above_benchmark


def test_a_branch_sees_its_own_and_hq_every_branch(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    complaint(world)
    other = customer(world, branch=world.b, actor=world.service_b)
    complaint(world, actor=world.service_b, cust=other, product_text="Dekoder")
    mine = statistics.complaint_statistics(user=world.manager_a, start=today(), end=today(),
                                           by="branch")
    assert [r.label for r in mine.rows] == [world.a.name] and mine.total.received == 1
    every = statistics.complaint_statistics(user=world.expert, start=today(), end=today(),
                                            by="branch")
    assert every.total.received == 2 and len(every.rows) == 2
    # a branch the manager may not see gives nothing
    other_branch = statistics.complaint_statistics(user=world.manager_a, start=today(),
                                                   end=today(), branch_id=world.b.pk)
    assert other_branch.total.received == 0


def test_outside_the_period_is_not_counted(world: Any) -> None:
    c = complaint(world)
    Complaint.objects.filter(pk=c.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=40))
    stats = statistics.complaint_statistics(user=world.manager_a, start=today(), end=today())
    assert stats.total.received == 0 and stats.rows == []


def test_per_product_and_employee(world: Any) -> None:
    complaint(world)
    complaint(world, product_text="Dekoder")
    products = statistics.complaint_statistics(user=world.manager_a, start=today(),
                                               end=today(), by="product")
    assert sorted(r.label for r in products.rows) == ["Dekoder", "Router Wi-Fi 6"]
    people = statistics.complaint_statistics(user=world.manager_a, start=today(), end=today(),
                                             by="handler")
    assert [(r.label, r.received) for r in people.rows] == [
        (world.service_a.full_name, 2)]


def test_the_page_and_csv_for_managers_not_staff(world: Any, client_as: Any) -> None:
    rejected(world)
    url = reverse("complaints:complaint_statistics")
    assert client_as(world.service_a).get(url).status_code == 403
    page = client_as(world.manager_a).get(url + "?by=cause")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="complaint-statistics"' in html
    csv = client_as(world.manager_a).get(url + "?by=cause&format=csv")
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0].startswith("Przyczyna;") and len(lines) == 3  # header, a cause, total


def test_one_row_per_service_and_the_share_never_passes_100(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    for _ in range(2):
        cust = customer(world)
        complaint(world, cust=cust, product_text="Internet")
    products = statistics.complaint_statistics(user=world.manager_a, start=today(),
                                               end=today(), by="product")
    assert [(r.label, r.received) for r in products.rows] == [("Internet", 2)]
    assert products.customers_served >= products.customers_complaining == 2


def test_the_trend_counts_each_warsaw_month_and_keeps_empty_ones(world: Any) -> None:
    # 30 Nov 2026 23:30 in Warsaw is 22:30 UTC: November's, not December's
    november_night = datetime.datetime(2026, 11, 30, 22, 30, tzinfo=datetime.UTC)
    first = decided(world)
    Complaint.objects.filter(pk=first.pk).update(received_at=november_night)
    second = complaint(world)
    Complaint.objects.filter(pk=second.pk).update(
        received_at=datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC))
    months = statistics.trend(user=world.manager_a, last=datetime.date(2026, 12, 15),
                              months=3)
    assert [m.first_day for m in months] == [datetime.date(2026, 10, 1),
                                             datetime.date(2026, 11, 1),
                                             datetime.date(2026, 12, 1)]
    assert [m.received for m in months] == [0, 1, 1]
    assert months[1].decided == 1 and months[1].upheld_pct == 100.0
    assert months[2].decided == 0 and months[2].upheld_pct is None
    # another branch's manager sees none of them
    assert sum(m.received for m in statistics.trend(
        user=world.manager_b, last=datetime.date(2026, 12, 15), months=3)) == 0


def test_the_actions_not_finished_and_the_list_of_their_complaints(world: Any,
                                                                   client_as: Any) -> None:
    from punkt.complaints.models import ComplaintAction

    c = decided(world)
    other = decided(world)
    day = today()
    ComplaintAction.objects.create(complaint=c, kind="corrective", description="Szkolenie",
                                   owner=world.service_a,
                                   due_on=day - datetime.timedelta(days=3))
    ComplaintAction.objects.create(complaint=c, kind="preventive", description="Procedura",
                                   owner=world.service_a, procedure="Przyjęcie towaru",
                                   due_on=day + datetime.timedelta(days=3))
    ComplaintAction.objects.create(complaint=other, kind="corrective", description="Naprawa",
                                   owner=world.service_a, due_on=day, status="done")
    summary = statistics.actions_summary(user=world.manager_a)
    assert (summary.corrective_open, summary.preventive_open, summary.overdue,
            summary.to_verify) == (1, 1, 1, 1)
    assert summary.oldest_overdue == day - datetime.timedelta(days=3)
    assert statistics.actions_summary(user=world.manager_b).overdue == 0
    page = client_as(world.manager_a).get(reverse("complaints:complaint_statistics"))
    html = page.content.decode()
    assert 'data-testid="trend-received"' in html and 'data-testid="actions-overdue"' in html
    listed = client_as(world.manager_a).get(
        reverse("complaints:complaint_list") + "?status=all&actions=overdue")
    assert c.number in listed.content.decode()
    assert other.number not in listed.content.decode()
    to_verify = client_as(world.manager_a).get(
        reverse("complaints:complaint_list") + "?status=all&actions=to_verify")
    assert other.number in to_verify.content.decode()
    assert c.number not in to_verify.content.decode()
