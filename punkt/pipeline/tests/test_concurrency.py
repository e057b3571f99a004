"""Races on PostgreSQL (C10): two sellers closing one sale at once close it once;
opportunities opened at once get distinct numbers without gaps."""

from __future__ import annotations

import pytest
from django.db import connection

from punkt.core.errors import DomainError
from punkt.core.models import AuditEvent
from punkt.organization.tests.test_concurrency import _race
from punkt.pipeline import services
from punkt.pipeline.models import Opportunity
from punkt.pipeline.tests.factories import opportunity, reason
from tests.world import make_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises writers; row locks need PostgreSQL"),
]


def test_two_people_losing_one_sale_at_once_lose_it_once() -> None:
    """(C10)"""
    w = make_world()
    o = opportunity(w)
    actors = iter([w.service_a, w.manager_a])
    results = _race(2, lambda: services.opportunity_lose(
        actor=next(actors), opportunity_id=o.pk, reason_id=reason(None).pk))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    assert Opportunity.objects.get(pk=o.pk).status == "lost"
    assert AuditEvent.objects.filter(action="pipeline.opportunity.lose").count() == 1
    assert o.events.filter(action="lost").count() == 1


def test_opportunities_opened_at_once_are_numbered_without_repeats_or_gaps() -> None:
    w = make_world()
    actors = iter([w.service_a, w.manager_a, w.retention_a, w.service_a])
    results = _race(4, lambda: opportunity(w, actor=next(actors)))
    assert not [r for r in results if isinstance(r, DomainError)]
    numbers = sorted(Opportunity.objects.values_list("number", flat=True))
    assert [int(n.rsplit("/", 1)[1]) for n in numbers] == [1, 2, 3, 4]


def test_two_experts_setting_one_months_plan_at_once_make_one_plan() -> None:
    """The second waits on the first's row and changes it: one plan, two audit rows."""
    from punkt.pipeline import plans
    from punkt.pipeline.models import SalesPlan

    w = make_world()
    month = plans.next_month(plans.current_month())
    who = iter([(w.expert, "3"), (w.admin, "5")])

    def set_plan() -> object:
        actor, won = next(who)
        return plans.plan_set(actor=actor, branch_id=w.a.pk, month=month,
                              values={"won": won})

    results = _race(2, set_plan)
    assert len(results) == 2 and not [r for r in results if isinstance(r, DomainError)]
    (plan,) = SalesPlan.objects.filter(branch=w.a, month=month)
    assert plan.won in (3, 5)
    assert AuditEvent.objects.filter(action="pipeline.plan.set").count() == 2


def test_two_jobs_preparing_the_packs_at_once_store_each_once() -> None:
    """(C9)"""
    from punkt.pipeline import packs, plans
    from punkt.pipeline.models import MonthlyPack
    from punkt.work.models import Notification

    w = make_world()
    month = plans.previous_month(plans.current_month())
    results = _race(2, lambda: packs.prepare_all(month))
    assert len(results) == 2 and not [r for r in results if isinstance(r, DomainError)]
    assert sorted(r["stored"] for r in results) in ([0, 2], [1, 1], [2, 2])
    assert MonthlyPack.objects.filter(month=month).count() == 2
    assert sorted(Notification.objects.filter(kind="pipeline.pack")
                  .values_list("recipient_id", flat=True)) == sorted(
        [w.manager_a.pk, w.manager_b.pk])


def test_two_people_approving_one_discount_at_once_approve_it_once() -> None:
    """(C11) the manager and HQ press "approve" together: one approves, the other is told
    it is done; one audit row, one history row."""
    from django.utils import timezone

    from punkt.contracts.models import Offer
    from punkt.pipeline import sales_documents as docs
    from punkt.pipeline.tests.factories import offer_lines, prices

    w = make_world()
    o = opportunity(w)
    d = docs.offer_version_create(actor=w.service_a, opportunity_id=o.pk,
                                  lines=offer_lines(prices(w), "30"),
                                  valid_until=timezone.localdate().isoformat())
    actors = iter([w.manager_a, w.expert])
    results = _race(2, lambda: docs.document_approve(actor=next(actors), document_id=d.pk))
    assert len([r for r in results if isinstance(r, DomainError)]) == 1
    assert Offer.objects.get(sales_document=d).status == "presented"
    assert AuditEvent.objects.filter(action="contracts.offer.approve").count() == 1
    assert o.events.filter(action="document_approved").count() == 1


def test_two_sales_of_one_customer_lost_at_once_leave_no_next_step() -> None:
    """Each loss recomputes the customer's kept next step; the advisory lock makes the
    second see the first's committed loss (without it both would keep "in a sale")."""
    from punkt.pipeline import next_steps
    from punkt.pipeline.models import NextStep

    w = make_world()
    first = opportunity(w)
    second = opportunity(w, actor=w.retention_a, cust=first.customer)
    who = iter([(w.service_a, first), (w.retention_a, second)])

    def lose() -> object:
        actor, o = next(who)
        return services.opportunity_lose(actor=actor, opportunity_id=o.pk,
                                         reason_id=reason(None).pk)

    results = _race(2, lose)
    assert not [r for r in results if isinstance(r, DomainError)]
    assert NextStep.objects.get(customer_id=first.customer_id).state == "none"
    assert next_steps.kept() == next_steps.computed()
