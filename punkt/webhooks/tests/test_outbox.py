"""The outbox: every published ticket event writes one delivery per matching subscription
in the change's transaction — and nothing when the change rolls back (C12)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from punkt.core import batch, events
from punkt.servicedesk import services as desk
from punkt.servicedesk import sla
from punkt.servicedesk.tests.factories import desk as make_desk
from punkt.servicedesk.tests.factories import ticket
from punkt.webhooks.models import Delivery
from punkt.webhooks.tests.helpers import subscribe

pytestmark = pytest.mark.django_db


def _events(sub: Any) -> list[str]:
    return list(Delivery.objects.filter(subscription=sub).order_by("pk")
                .values_list("event", flat=True))


def test_ticket_events_reach_the_subscriptions_that_want_them(world: Any) -> None:
    d = make_desk(world)
    everything, _s = subscribe(world, "http://127.0.0.1:9/all")
    only_b, _s = subscribe(world, "http://127.0.0.1:9/b", branch=world.b, name="B")
    created_only, _s = subscribe(world, "http://127.0.0.1:9/c", events=["ticket.created"],
                                 name="C")
    off, _s = subscribe(world, "http://127.0.0.1:9/off", name="off")
    off.is_active = False
    off.save()

    t = ticket(world, d, actor=world.manager_a)  # a member at the counter keeps it
    desk.reply(actor=world.service_a, ticket_id=t.pk, body="Dzień dobry, sprawdzamy.")
    desk.note(actor=world.service_a, ticket_id=t.pk, body="Notatka wewnętrzna — tajna")
    desk.ticket_move(actor=world.service_a, ticket_id=t.pk, action="wait_customer")
    desk.customer_message(actor=world.service_a, ticket_id=t.pk, body="Nadal nie mam",
                          author_label="Klient")
    desk.assign(actor=world.manager_a, ticket_id=t.pk, assignee_id=world.service_a.pk)
    desk.transfer(actor=world.manager_a, ticket_id=t.pk, team_id=d.team_b.pk,
                  reason="Sprawa oddziału B")

    assert _events(everything) == [
        "ticket.created",
        "ticket.status_changed", "ticket.message_added",   # the reply opened it
        "ticket.status_changed",                            # waiting on the customer
        "ticket.status_changed", "ticket.message_added",   # the customer wrote back
        "ticket.assigned",
        "ticket.assigned", "ticket.transferred"]           # routed within team B
    assert _events(created_only) == ["ticket.created"]
    assert _events(only_b) == ["ticket.assigned", "ticket.transferred"]  # now B's ticket
    assert _events(off) == []
    bodies = [json.loads(b) for b in Delivery.objects.filter(subscription=everything)
              .order_by("pk").values_list("body", flat=True)]
    assert not any("tajna" in json.dumps(b) for b in bodies)  # internal notes never go out
    created = bodies[0]
    assert created["event"] == "ticket.created" and created["branch_id"] == world.a.pk
    assert created["data"]["ticket"]["number"] == t.number
    assert created["data"]["message"]["body"] == "Klient pyta o fakturę."
    moved = bodies[3]["data"]
    assert (moved["from"], moved["to"]) == ("open", "waiting_customer")
    reply = bodies[2]["data"]["message"]
    assert reply["from"] == "staff" and reply["body"] == "Dzień dobry, sprawdzamy."
    transferred = bodies[-1]["data"]
    assert transferred["from_team"]["id"] == d.team_a.pk
    assert transferred["to_team"]["id"] == d.team_b.pk
    assert transferred["reason"] == "Sprawa oddziału B"
    # every delivery has its id in the body and its sending queued with it
    assert all(b["id"] == str(u) for b, u in zip(
        bodies, Delivery.objects.filter(subscription=everything).order_by("pk")
        .values_list("uuid", flat=True), strict=True))
    assert DBTaskResult.objects.filter(
        task_path="punkt.webhooks.tasks.deliver_task").count() == Delivery.objects.count()


def test_a_breach_of_the_sla_is_published_once(world: Any) -> None:
    d = make_desk(world)
    sub, _s = subscribe(world, "http://127.0.0.1:9/x", events=["ticket.sla_breached"])
    t = ticket(world, d)
    later = t.resolve_due + datetime.timedelta(days=3)
    assert sla.refresh(t, now=later) == "breached"
    assert sla.refresh(t, now=later + datetime.timedelta(hours=1)) is None
    row = Delivery.objects.get(subscription=sub)
    assert json.loads(row.body)["data"]["ticket"]["sla_state"] == "breached"


def test_nothing_goes_out_when_the_change_rolls_back(world: Any) -> None:
    """C12: the outbox row and its task are written in the change's transaction."""
    d = make_desk(world)
    subscribe(world, "http://127.0.0.1:9/x")
    tasks_before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        ticket(world, d)
        assert Delivery.objects.count() == 1
        raise RuntimeError("boom after the ticket was opened")
    assert Delivery.objects.count() == 0
    assert DBTaskResult.objects.count() == tasks_before


def test_publish_refuses_unknown_events_and_runs_only_in_a_transaction(world: Any) -> None:
    with pytest.raises(ValueError):
        events.publish("ticket.exploded", {}, branch_id=None)
    with transaction.atomic():
        events.publish("ticket.created", {"ticket": {}}, branch_id=None)  # no subscription


def _reads(ctx: CaptureQueriesContext) -> int:
    return sum('FROM "webhooks_subscription"' in q["sql"] for q in ctx.captured_queries)


def test_a_batch_in_one_transaction_reads_the_subscriptions_once(world: Any) -> None:
    """``batch.one_transaction`` (a mailbox poll's chunk): the sink reads the active
    subscriptions at the first event and keeps them for the block; outside, every event
    reads them again."""
    subscribe(world, "http://127.0.0.1:9/x")
    payload = {"ticket": {"id": 1}}
    with CaptureQueriesContext(connection) as ctx, batch.one_transaction():
        for _ in range(3):
            events.publish("ticket.created", payload, branch_id=None)
        assert batch.memo() is not None
    assert batch.memo() is None and _reads(ctx) == 1
    assert Delivery.objects.count() == 3
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        events.publish("ticket.created", payload, branch_id=None)
        subscribe(world, "http://127.0.0.1:9/y", name="ERP")
        events.publish("ticket.created", payload, branch_id=None)  # reads the new one
    assert Delivery.objects.count() == 3 + 1 + 2 and _reads(ctx) == 2
