"""The kept "next step" of each customer (R11.5, ``next_steps``): after any sequence of
changes — opened, won, lost, reopened, given to another seller, a next contact set,
cleared, done here or its task completed, cancelled or reopened on "My work", customers
merged, unmerged or anonymised — what is kept equals what is computed from scratch; the
rebuild gives the same; the pages and the daily check read it with a fixed number of
queries."""

from __future__ import annotations

import contextlib
import datetime
import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from punkt.core.errors import DomainError
from punkt.pipeline import next_steps, selectors, services
from punkt.pipeline.models import ControlDate, NextStep, Opportunity, OpportunityStatus
from punkt.pipeline.tests.factories import reason, stage

pytestmark = pytest.mark.django_db


def _same() -> None:
    assert next_steps.kept() == next_steps.computed()


def _step(world: Any, rnd: random.Random, people: list[Any]) -> None:
    from punkt.work import services as work

    day = timezone.localdate() + datetime.timedelta(days=rnd.randint(-5, 40))
    sellers = [world.service_a, world.retention_a, world.manager_a]
    opps = list(Opportunity.objects.order_by("id"))
    open_ = [o for o in opps if o.status == OpportunityStatus.OPEN]
    lost = [o for o in opps if o.status == OpportunityStatus.LOST]
    action = rnd.choice(["open", "open", "lose", "win", "reopen", "next", "next", "clear",
                         "done", "task", "task", "reassign"])
    if action == "open" or not opps:
        services.opportunity_create(
            actor=world.manager_a, customer_id=rnd.choice(people).pk, title="Internet",
            owner_id=rnd.choice(sellers).pk,
            stage_id=rnd.choice([stage("presentation").pk, stage("closing").pk]))
    elif action == "lose" and open_:
        services.opportunity_lose(actor=world.manager_a, opportunity_id=rnd.choice(open_).pk,
                                  reason_id=reason(None).pk)
    elif action == "win" and open_:
        o = rnd.choice(open_)
        services.opportunity_move(actor=world.manager_a, opportunity_id=o.pk,
                                  stage_id=stage("closing").pk) \
            if o.stage.code != "closing" else None
        for kind in ("survey", "next_contact"):
            services.control_set(actor=world.manager_a, opportunity_id=o.pk, kind=kind, on=day)
        services.opportunity_win(actor=world.manager_a, opportunity_id=o.pk)
    elif action == "reopen" and lost:
        services.opportunity_reopen(actor=world.manager_a, opportunity_id=rnd.choice(lost).pk)
    elif action in ("next", "clear"):
        services.control_set(actor=world.manager_a, opportunity_id=rnd.choice(opps).pk,
                             kind="next_contact", on=day if action == "next" else "")
    elif action == "done":
        pending = list(ControlDate.objects.filter(kind="next_contact", done_at__isnull=True))
        if pending:
            c = rnd.choice(pending)
            services.control_done(actor=world.manager_a, opportunity_id=c.opportunity_id,
                                  kind="next_contact")
    elif action == "task":
        controls = list(ControlDate.objects.filter(kind="next_contact", task__isnull=False)
                        .select_related("task"))
        if controls:
            task = rnd.choice(controls).task
            assert task is not None
            move = {"open": rnd.choice(["complete", "cancel"]), "done": "reopen",
                    "cancelled": "reopen"}[task.status]
            work.task_move(actor=world.manager_a, task_id=task.pk, action=move)
    elif action == "reassign" and opps:
        o = rnd.choice(opps)
        others = [s for s in sellers if s.pk != o.owner_id]
        services.opportunity_reassign(actor=world.manager_a, opportunity_id=o.pk,
                                      owner_id=rnd.choice(others).pk)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_equals_computed_after_random_changes(world: Any, seed: int) -> None:
    from punkt.contracts.tests.factories import customer

    rnd = random.Random(seed)
    people = [customer(world) for _ in range(3)]
    for _ in range(45):
        with contextlib.suppress(DomainError):  # a step refused (…) changes nothing
            _step(world, rnd, people)
        _same()
    states = {s for s, *_rest in next_steps.kept().values()}
    assert states  # the sequence reached some state
    before = next_steps.kept()
    NextStep.objects.all().delete()
    assert next_steps.rebuild() == len(before)
    assert next_steps.kept() == before


def test_each_state_and_who_the_customer_is_listed_under(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.work import services as work

    person = customer(world)
    o = services.opportunity_create(actor=world.service_a, customer_id=person.pk,
                                    title="Internet")
    assert NextStep.objects.get(customer=person).state == "sale"
    services.control_set(actor=world.service_a, opportunity_id=o.pk, kind="next_contact",
                         on=timezone.localdate() + datetime.timedelta(days=3))
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=reason(None).pk)
    kept = NextStep.objects.get(customer=person)
    assert (kept.state, kept.owner_id, kept.branch_id) == ("planned", world.service_a.pk,
                                                           world.a.pk)
    control = ControlDate.objects.get(opportunity=o, kind="next_contact")
    assert control.task is not None
    work.task_move(actor=world.service_a, task_id=control.task.pk, action="complete")
    assert NextStep.objects.get(customer=person).state == "none"
    assert [r["customer_id"] for r in selectors.without_next_step(
        user=world.service_a, owner_id=world.service_a.pk)] == [person.pk]
    assert selectors.without_next_step_counts(user=world.manager_a) == {
        world.service_a.pk: 1}
    work.task_move(actor=world.service_a, task_id=control.task.pk, action="reopen")
    assert NextStep.objects.get(customer=person).state == "planned"
    _same()


def test_merge_unmerge_and_anonymise_keep_it(world: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.customers import gdpr

    survivor, merged = customer(world), customer(world)
    lost = services.opportunity_create(actor=world.service_a, customer_id=survivor.pk,
                                       title="Internet")
    services.opportunity_lose(actor=world.service_a, opportunity_id=lost.pk,
                              reason_id=reason(None).pk)
    services.opportunity_create(actor=world.service_a, customer_id=merged.pk, title="TV")
    assert NextStep.objects.get(customer=survivor).state == "none"
    record = gdpr.customer_merge(actor=world.expert, survivor_id=survivor.pk,
                                 merged_id=merged.pk)
    assert NextStep.objects.get(customer=survivor).state == "sale"  # the duplicate's sale
    assert not NextStep.objects.filter(customer=merged).exists()
    _same()
    gdpr.customer_unmerge(actor=world.expert, record_id=record.pk)
    assert NextStep.objects.get(customer=survivor).state == "none"
    _same()
    gdpr.customer_anonymise(actor=world.admin, customer_id=merged.pk, reason="wniosek RODO")
    _same()  # its open sale was closed: no longer in a sale
    assert NextStep.objects.get(customer=merged).state == "none"
    assert not selectors.without_next_step(user=world.manager_a).filter(
        customer_id=merged.pk).exists()  # an anonymised customer is not listed


def test_the_pages_read_it_with_a_fixed_number_of_queries(world: Any, client_as: Any
                                                         ) -> None:
    from punkt.contracts.tests.factories import customer

    def lose_some(n: int) -> None:
        for _ in range(n):
            o = services.opportunity_create(actor=world.service_a,
                                            customer_id=customer(world).pk, title="Internet")
            services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                                      reason_id=reason(None).pk)

    def count(user: Any, url: str) -> int:
        client = client_as(user)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    pages = [(world.manager_a, reverse("pipeline:between_sales")),
             (world.service_a, reverse("pipeline:between_sales")),
             (world.service_a, reverse("work:my_work")),
             (world.manager_a, reverse("core:dashboard"))]
    lose_some(2)
    first = [count(u, url) for u, url in pages]
    lose_some(4)
    assert [count(u, url) for u, url in pages] == first
    assert selectors.without_next_step_counts(user=world.manager_a) == {
        world.service_a.pk: 6}


def test_the_rebuild_command(world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from punkt.contracts.tests.factories import customer

    o = services.opportunity_create(actor=world.service_a, customer_id=customer(world).pk,
                                    title="Internet")
    services.opportunity_lose(actor=world.service_a, opportunity_id=o.pk,
                              reason_id=reason(None).pk)
    NextStep.objects.all().delete()
    out = StringIO()
    call_command("pipeline_next_steps", stdout=out)
    assert "1 customers, 1 with no next step" in out.getvalue()
    _same()
