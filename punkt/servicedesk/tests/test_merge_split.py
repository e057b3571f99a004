"""Merge a duplicate into another ticket (its conversation shown on the target, closed as
merged, the target's SLA kept, the customer's later messages redirected; refusals: itself,
chains, another customer's, not seen, closed) and split a message into a new ticket; the
pages and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.models import AuditEvent
from punkt.customers.models import TimelineEntry
from punkt.organization.actors import SystemActor
from punkt.servicedesk import merging, selectors, services
from punkt.servicedesk.models import Ticket, TicketMessage, TicketStatus
from punkt.servicedesk.tests.factories import desk, ticket

pytestmark = pytest.mark.django_db


def _pair(world: Any) -> tuple[Any, Ticket, Ticket]:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    who = customer(world)
    first = ticket(world, d, customer_id=who.pk, body="Nie doszła faktura za listopad.")
    dup = ticket(world, d, customer_id=who.pk, body="Gdzie jest faktura?")
    return d, first, dup


def test_a_duplicate_is_merged_and_its_conversation_shows_on_the_target(world: Any) -> None:
    d, first, dup = _pair(world)
    due = (first.first_response_due, first.resolve_due, first.sla_state)
    into = merging.merge(actor=world.service_a, ticket_id=dup.pk, target=first.number)
    assert into.pk == first.pk
    dup.refresh_from_db()
    assert dup.status == TicketStatus.CLOSED and dup.merged_into_id == first.pk
    assert dup.closed_at is not None and dup.paused_since is not None
    first.refresh_from_db()
    assert (first.first_response_due, first.resolve_due, first.sla_state) == due
    assert first.status == TicketStatus.NEW
    bodies = [m.body for m in selectors.conversation(first)]
    assert "Gdzie jest faktura?" in bodies and "Nie doszła faktura za listopad." in bodies
    assert TicketMessage.objects.filter(ticket=dup).count() == 1  # nothing moved
    assert AuditEvent.objects.filter(action="servicedesk.ticket.merge",
                                     object_id=str(dup.pk)).exists()
    assert AuditEvent.objects.filter(action="servicedesk.ticket.merged_in",
                                     object_id=str(first.pk)).exists()
    assert TimelineEntry.objects.filter(customer_id=dup.customer_id or 0,
                                        subject__contains=first.number).exists()
    # never reopened; the customer's new message goes to the target
    with pytest.raises(Conflict):
        services.ticket_move(actor=world.service_a, ticket_id=dup.pk, action="reopen")
    message = services.customer_message(actor=SystemActor("test"), ticket_id=dup.pk, body="Halo?",
                                        author_label="Klient")
    assert message.ticket_id == first.pk
    assert Ticket.objects.get(pk=dup.pk).status == TicketStatus.CLOSED


def test_merge_refusals_name_the_target(world: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d, first, dup = _pair(world)

    def refused(ticket_id: int, target: Any, actor: Any = None) -> str:
        with pytest.raises(ValidationFailed) as caught:
            merging.merge(actor=actor or world.service_a, ticket_id=ticket_id, target=target)
        assert caught.value.field == "target"
        return caught.value.code

    assert refused(dup.pk, dup.pk) == "self"
    assert refused(dup.pk, "") == "required"
    assert refused(dup.pk, "ZG/1999/000001") == "not_found"
    other = ticket(world, d, customer_id=customer(world).pk)
    assert refused(dup.pk, other.pk) == "customer"
    theirs = ticket(world, d, actor=world.service_b, team=d.team_b)
    assert refused(dup.pk, theirs.pk) == "not_found"  # another branch's: not seen
    closed = ticket(world, d, customer_id=first.customer_id)
    services.ticket_move(actor=world.service_a, ticket_id=closed.pk, action="resolve")
    services.ticket_move(actor=world.service_a, ticket_id=closed.pk, action="close")
    assert refused(dup.pk, closed.pk) == "closed"
    # chains: into a merged one, or a ticket others were merged into
    merging.merge(actor=world.service_a, ticket_id=dup.pk, target=first.pk)
    third = ticket(world, d, customer_id=first.customer_id)
    assert refused(third.pk, dup.pk) in ("chain", "closed")
    assert refused(first.pk, third.pk) == "chain"
    with pytest.raises(Conflict):
        merging.merge(actor=world.service_a, ticket_id=dup.pk, target=third.pk)
    # a ticket without a customer joins any
    bare = ticket(world, d)
    assert merging.merge(actor=world.service_a, ticket_id=bare.pk, target=first.pk) == first
    with pytest.raises(NotFound):
        merging.merge(actor=world.service_b, ticket_id=third.pk, target=first.pk)


def test_a_message_is_split_into_a_new_ticket(world: Any) -> None:
    d, first, _ = _pair(world)
    message = TicketMessage.objects.get(ticket=first)
    with pytest.raises(ValidationFailed) as caught:
        merging.split(actor=world.service_a, ticket_id=first.pk, message_id=message.pk,
                      subject=" ")
    assert caught.value.field == "subject"
    other = TicketMessage.objects.exclude(ticket=first).get()
    with pytest.raises(ValidationFailed) as caught:
        merging.split(actor=world.service_a, ticket_id=first.pk, message_id=other.pk,
                      subject="Osobna sprawa")
    assert caught.value.field == "message"
    new = merging.split(actor=world.service_a, ticket_id=first.pk, message_id=message.pk,
                        subject="Faktura za listopad")
    assert (new.customer_id, new.team_id, new.type_id, new.split_from_id,
            new.split_message_id) == (first.customer_id, first.team_id, first.type_id,
                                      first.pk, message.pk)
    assert new.assignee_id == world.service_a.pk and new.status == TicketStatus.NEW
    copied = TicketMessage.objects.get(ticket=new)
    assert copied.body == message.body and copied.pk != message.pk
    assert TicketMessage.objects.filter(ticket=first, internal=True,
                                        body__contains=new.number).exists()
    assert AuditEvent.objects.filter(action="servicedesk.ticket.split",
                                     object_id=str(new.pk)).exists()
    with pytest.raises(NotFound):
        merging.split(actor=world.service_b, ticket_id=first.pk, message_id=message.pk,
                      subject="x")


def test_the_pages_merge_and_split(world: Any, client_as: Any) -> None:
    d, first, dup = _pair(world)
    agent = client_as(world.service_a)
    detail = agent.get(reverse("servicedesk:ticket_detail", args=[dup.pk])).content.decode()
    assert 'data-testid="ticket-merge"' in detail and 'data-testid="split-' in detail
    form = agent.get(reverse("servicedesk:ticket_merge", args=[dup.pk])).content.decode()
    assert first.number in form
    bad = agent.post(reverse("servicedesk:ticket_merge", args=[dup.pk]), {"target": dup.pk})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.content.decode()
    done = agent.post(reverse("servicedesk:ticket_merge", args=[dup.pk]),
                      {"number": first.number})
    assert done.status_code == 302 and done["Location"].endswith(f"/{first.pk}/")
    target = agent.get(reverse("servicedesk:ticket_detail", args=[first.pk])).content.decode()
    assert "Gdzie jest faktura?" in target and 'data-testid="merged-here"' in target
    message = TicketMessage.objects.get(ticket=first, internal=False)
    page = agent.get(reverse("servicedesk:ticket_split", args=[first.pk]),
                     {"message": message.pk}).content.decode()
    assert "checked" in page
    made = agent.post(reverse("servicedesk:ticket_split", args=[first.pk]),
                      {"message_id": message.pk, "subject": "Osobna sprawa"})
    new = Ticket.objects.get(split_from=first)
    assert made.status_code == 302 and made["Location"].endswith(f"/{new.pk}/")
    assert client_as(world.service_b).get(
        reverse("servicedesk:ticket_merge", args=[first.pk])).status_code == 404


def test_the_api_merges_and_splits(world: Any, client_as: Any) -> None:
    d, first, dup = _pair(world)
    agent = client_as(world.service_a)

    def post(url: str, data: dict[str, Any], who: Any = agent) -> Any:
        return who.post(url, json.dumps(data), content_type="application/json")

    self_merge = post(f"/api/v1/servicedesk/tickets/{dup.pk}/merge", {"target": str(dup.pk)})
    assert self_merge.status_code == 422 and "target" in self_merge.content.decode()
    hidden = post(f"/api/v1/servicedesk/tickets/{dup.pk}/merge", {"target": str(first.pk)},
                  client_as(world.service_b))
    assert hidden.status_code == 404
    cashier = post(f"/api/v1/servicedesk/tickets/{dup.pk}/merge", {"target": str(first.pk)},
                   client_as(world.cashier_a))
    assert cashier.status_code in (403, 404)
    merged = post(f"/api/v1/servicedesk/tickets/{dup.pk}/merge", {"target": first.number})
    assert merged.status_code == 200 and merged.json()["id"] == first.pk
    assert agent.get(f"/api/v1/servicedesk/tickets/{dup.pk}").json()["merged_into_id"] == \
        first.pk
    messages = agent.get(f"/api/v1/servicedesk/tickets/{first.pk}/messages").json()
    assert {m["ticket_id"] for m in messages} == {first.pk, dup.pk}
    again = post(f"/api/v1/servicedesk/tickets/{dup.pk}/merge", {"target": first.number})
    assert again.status_code == 409
    message = TicketMessage.objects.get(ticket=first, internal=False)
    split = post(f"/api/v1/servicedesk/tickets/{first.pk}/split",
                 {"message_id": message.pk, "subject": "Osobna sprawa"})
    assert split.status_code == 201 and split.json()["split_from_id"] == first.pk
    missing = post(f"/api/v1/servicedesk/tickets/{first.pk}/split",
                   {"message_id": 2**40, "subject": "Osobna sprawa"})
    assert missing.status_code == 422 and "message" in missing.content.decode()
