"""Pages and API of the service desk: roles refused with 403, another branch's ticket a
404, forms that keep the input and name the field, the profile's button and tab, "My
work", the API's create → reply → resolve."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from punkt.servicedesk.models import Ticket, TicketStatus
from punkt.servicedesk.tests.factories import desk, ticket

pytestmark = pytest.mark.django_db


def test_the_queue_ticket_page_reply_and_resolve(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    cust = customer(world)
    t = ticket(world, d, customer_id=cust.pk)
    Ticket.objects.filter(pk=t.pk).update(assignee=world.service_a)
    c = client_as(world.service_a)
    page = c.get(reverse("servicedesk:queue")).content.decode()
    assert t.number in page and "SLA" in page
    detail = c.get(reverse("servicedesk:ticket_detail", args=[t.pk])).content.decode()
    assert "Klient pyta o fakturę." in detail and cust.display_name in detail
    assert 'data-testid="ticket-resolve"' in detail
    c.post(reverse("servicedesk:ticket_reply", args=[t.pk]),
           {"body": "Sprawdzę i oddzwonię.", "internal": "0"})
    c.post(reverse("servicedesk:ticket_reply", args=[t.pk]),
           {"body": "Notatka dla zespołu", "internal": "1"})
    c.post(reverse("servicedesk:ticket_act", args=[t.pk, "resolve"]))
    t.refresh_from_db()
    assert t.status == TicketStatus.RESOLVED and t.first_responded_at is not None
    assert list(t.messages.values_list("internal", flat=True)) == [False, False, True]
    mine = c.get(reverse("work:my_work")).content.decode()
    assert 'data-testid="section-servicedesk.tickets"' in mine


def test_the_profile_offers_a_new_ticket_and_lists_them(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    d = desk(world)
    cust = customer(world)
    c = client_as(world.service_a)
    profile = c.get(reverse("customers:customer_detail", args=[cust.pk])).content.decode()
    new_url = reverse("servicedesk:ticket_new") + f"?customer_id={cust.pk}"
    assert new_url in profile
    form = c.get(new_url).content.decode()
    assert cust.display_name in form
    refused = c.post(reverse("servicedesk:ticket_new"), {
        "customer_id": cust.pk, "channel": "counter", "type_id": d.question.pk,
        "subject": "", "body": "Opis zachowany"})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert 'id="f-subject" name="subject"' in body and "Opis zachowany" in body
    assert 'aria-invalid="true"' in body
    made = c.post(reverse("servicedesk:ticket_new"), {
        "customer_id": cust.pk, "channel": "counter", "type_id": d.question.pk,
        "team_id": d.team_a.pk, "subject": "Reklamacja rachunku", "body": "Za wysoki"})
    t = Ticket.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/servicedesk/tickets/{t.pk}/"
    tab = c.get(reverse("customers:customer_tab", args=[cust.pk, "tickets"]),
                headers={"HX-Request": "true"}).content.decode()
    assert t.number in tab and "Reklamacja rachunku" in tab


@pytest.mark.parametrize("role", ["cashier"])
def test_roles_without_the_desk_are_refused(world: Any, client_as: Any, role: str) -> None:
    d = desk(world)
    t = ticket(world, d)
    c = client_as(world.by_role()[role])
    assert c.get(reverse("servicedesk:queue")).status_code == 403
    assert c.get(reverse("servicedesk:ticket_new")).status_code == 403
    assert c.get(reverse("servicedesk:ticket_detail", args=[t.pk])).status_code == 404


def test_the_teams_are_for_managers_and_admins(world: Any, client_as: Any) -> None:
    d = desk(world)
    for role in ("service", "retention", "cashier", "hq_expert"):
        c = client_as(world.by_role()[role])
        assert c.get(reverse("servicedesk:team_list")).status_code == 403, role
    c = client_as(world.manager_a)
    listing = c.get(reverse("servicedesk:team_list")).content.decode()
    assert d.team_a.name in listing and d.team_b.name not in listing
    assert c.get(reverse("servicedesk:team_edit", args=[d.team_b.pk])).status_code == 404
    bad = c.post(reverse("servicedesk:team_edit", args=[d.team_a.pk]), {
        "name": d.team_a.name, "kind": "branch", "branch_id": world.a.pk, "is_active": "1",
        "hours_mon": "8-16", "hours_tue": "po południu"})
    assert bad.status_code == 200 and 'id="f-hours_tue"' in bad.content.decode()
    assert 'value="po południu" aria-invalid="true"' in bad.content.decode()
    stranger = c.post(reverse("servicedesk:team_edit", args=[d.team_a.pk]), {
        "name": d.team_a.name, "kind": "branch", "branch_id": world.a.pk, "is_active": "1",
        "hours_mon": "10-12", "members": ["", world.service_b.pk]})
    assert stranger.status_code == 200
    d.team_a.refresh_from_db()
    assert d.team_a.hours["mon"] == "8:00-16:00"  # hours and members saved together or not
    ok = c.post(reverse("servicedesk:team_edit", args=[d.team_a.pk]), {
        "name": d.team_a.name, "kind": "branch", "branch_id": world.a.pk, "is_active": "1",
        "hours_mon": "8-16", "hours_sat": "9-13", "members": ["", world.service_a.pk],
        "leads": [world.service_a.pk]})
    assert ok.status_code == 302
    d.team_a.refresh_from_db()
    assert d.team_a.hours == {"mon": "8-16", "sat": "9-13"}
    assert list(d.team_a.memberships.values_list("employee_id", "is_lead")) == [
        (world.service_a.pk, True)]


def test_another_branchs_ticket_is_a_404(world: Any, client_as: Any) -> None:
    d = desk(world)
    theirs = ticket(world, d, actor=world.service_b, team=d.team_b)
    c = client_as(world.manager_a)
    assert c.get(reverse("servicedesk:ticket_detail", args=[theirs.pk])).status_code == 404
    assert c.post(reverse("servicedesk:ticket_act", args=[theirs.pk, "resolve"])
                  ).status_code == 404
    assert c.get(f"/api/v1/servicedesk/tickets/{theirs.pk}").status_code == 404


def test_api_create_reply_and_move(world: Any, client_as: Any) -> None:
    d = desk(world)
    c = client_as(world.service_a)

    def send(path: str, body: Any) -> Any:
        return c.post(path, json.dumps(body), content_type="application/json")

    bad = send("/api/v1/servicedesk/tickets", {"subject": "x", "channel": "counter",
                                               "type_id": d.question.pk, "team_id": 99999})
    assert bad.status_code == 422 and "team" in bad.content.decode()
    made = send("/api/v1/servicedesk/tickets", {
        "subject": "Z API", "channel": "phone", "type_id": d.question.pk,
        "team_id": d.team_a.pk, "body": "Dzwoni klient", "caller": "Pan Nowak"})
    assert made.status_code == 201, made.content
    data = made.json()
    tid = data["id"]
    assert data["number"].startswith("ZG/") and data["status"] == "new"
    assert data["sla"] in ("ok", "warning", "breached")  # depends on today's hours
    assert [c["name"] for c in data["clocks"]] == ["first_response", "resolution"]
    posted = send(f"/api/v1/servicedesk/tickets/{tid}/messages", {"body": "Odpowiedź"})
    assert posted.status_code == 201 and posted.json()["internal"] is False
    listed = c.get(f"/api/v1/servicedesk/tickets/{tid}/messages").json()
    assert [m["author_label"] for m in listed] == ["Pan Nowak", ""]
    moved = send(f"/api/v1/servicedesk/tickets/{tid}/resolve", {})
    assert moved.json()["status"] == "resolved"
    assert send(f"/api/v1/servicedesk/tickets/{tid}/resolve", {}).status_code == 409
    assert send(f"/api/v1/servicedesk/tickets/{tid}/explode", {}).status_code in (404, 422)
    queue = c.get("/api/v1/servicedesk/tickets?queue=all&status=resolved").json()
    assert [t["id"] for t in queue["items"]] == [tid]
    assert client_as(world.cashier_a).get("/api/v1/servicedesk/tickets").status_code == 403
