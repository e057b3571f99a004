"""Pages and API of complaints: roles refused with 403, another branch's complaint a 404,
the intake form keeping the input and naming the field, the clock's rule named on the
page, the receipt PDF, the ticket's button, the profile's tab, the API's create → moves."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from punkt.complaints.models import Complaint
from punkt.complaints.tests.factories import complaint, purchase

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_intake_page_detail_and_steps(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    cust = customer(world)
    line = purchase(world, cust)
    c = client_as(world.service_a)
    form = c.get(reverse("complaints:complaint_new") + f"?customer_id={cust.pk}")
    page = form.content.decode()
    assert "Router Wi-Fi 6" in page and "art. 7a" in page
    refused = c.post(reverse("complaints:complaint_new"), {
        "customer_id": cust.pk, "kind": "consumer_goods", "demand": "repair",
        "sale_line_id": line.pk, "customer_account": "Nie działa Wi-Fi",
        "terms_version": "Regulamin 2026"})
    body = refused.content.decode()
    assert refused.status_code == 200 and "Nie działa Wi-Fi" in body
    assert 'aria-invalid="true" autofocus data-testid="terms-shown"' in body
    done = c.post(reverse("complaints:complaint_new"), {
        "customer_id": cust.pk, "kind": "consumer_goods", "demand": "repair",
        "sale_line_id": line.pk, "customer_account": "Nie działa Wi-Fi",
        "terms_version": "Regulamin 2026", "terms_shown": "1",
        "file_warranty": SimpleUploadedFile("karta gwarancyjna.jpg", JPEG)})
    made = Complaint.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "complaints:complaint_detail", args=[made.pk])
    detail = c.get(done["Location"]).content.decode()
    assert made.number in detail and "art. 7a" in detail and cust.display_name in detail
    assert 'data-testid="complaint-acknowledge"' in detail
    assert 'data-testid="complaint-decide_in_branch"' not in detail  # the manager's
    assert made.attachments.get().name == "karta gwarancyjna.jpg"
    file = c.get(reverse("complaints:complaint_file",
                         args=[made.pk, made.attachments.get().pk]))
    assert file.status_code == 200 and file["Content-Type"] == "image/jpeg"
    c.post(reverse("complaints:complaint_act", args=[made.pk, "acknowledge"]))
    manager = client_as(world.manager_a)
    assert 'data-testid="complaint-decide_in_branch"' in manager.get(
        done["Location"]).content.decode()
    manager.post(reverse("complaints:complaint_act", args=[made.pk, "decide_in_branch"]),
                 {"outcome": "rejected", "decision_reason": "Zalanie", "legal_basis": ""})
    made.refresh_from_db()
    assert made.status == "acknowledged"  # refused: no legal basis
    manager.post(reverse("complaints:complaint_act", args=[made.pk, "decide_in_branch"]),
                 {"outcome": "upheld"})
    made.refresh_from_db()
    assert made.status == "decided"
    receipt = c.get(reverse("complaints:complaint_receipt", args=[made.pk]))
    assert receipt.status_code == 200 and receipt.content[:5] == b"%PDF-"
    listing = c.get(reverse("complaints:complaint_list") + "?status=all").content.decode()
    assert made.number in listing


def test_roles_and_branches(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    made = complaint(world)
    cashier = client_as(world.cashier_a)
    assert cashier.get(reverse("complaints:complaint_list")).status_code == 403
    assert cashier.get(reverse("complaints:complaint_new")).status_code == 403
    other = client_as(world.manager_b)
    assert other.get(reverse("complaints:complaint_detail",
                             args=[made.pk])).status_code == 404
    assert made.number not in other.get(reverse("complaints:complaint_list")).content.decode()
    hq = client_as(world.expert)
    assert made.number in hq.get(reverse("complaints:complaint_list")).content.decode()
    cust_b = customer(world, branch=world.b, actor=world.manager_b)
    refused = client_as(world.service_a).post(reverse("complaints:complaint_new"), {
        "customer_id": cust_b.pk, "kind": "consumer_goods", "demand": "repair",
        "product_text": "x", "customer_account": "x", "terms_version": "x",
        "terms_shown": "1"})
    assert refused.status_code == 200 and not Complaint.objects.filter(customer=cust_b)


def test_the_ticket_page_turns_a_ticket_into_a_complaint(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer
    from punkt.servicedesk.tests.factories import desk, ticket

    cust = customer(world)
    t = ticket(world, desk(world), customer_id=cust.pk)
    c = client_as(world.service_a)
    page = c.get(reverse("servicedesk:ticket_detail", args=[t.pk])).content.decode()
    assert 'data-testid="ticket-to-complaint"' in page
    form = c.get(reverse("complaints:complaint_new") + f"?ticket_id={t.pk}").content.decode()
    assert cust.display_name in form and "Klient pyta o fakturę." in form
    assert t.number in form
    c.post(reverse("complaints:complaint_new"), {
        "customer_id": cust.pk, "ticket_id": t.pk, "kind": "telecom", "demand": "correction",
        "product_text": "Internet 300", "customer_account": "Faktura zawyżona",
        "terms_version": "Regulamin", "terms_shown": "1", "channel": "ticket"})
    made = Complaint.objects.get()
    assert made.ticket_id == t.pk and made.channel == "ticket" and made.days == 30
    page = c.get(reverse("servicedesk:ticket_detail", args=[t.pk])).content.decode()
    assert made.number in page and 'data-testid="ticket-complaint"' in page
    detail = c.get(reverse("complaints:complaint_detail", args=[made.pk])).content.decode()
    assert reverse("servicedesk:ticket_detail", args=[t.pk]) in detail


def test_the_profile_tab_and_matter(world: Any, client_as: Any) -> None:
    made = complaint(world)
    c = client_as(world.service_a)
    profile = c.get(reverse("customers:customer_detail",
                            args=[made.customer_id])).content.decode()
    assert reverse("complaints:complaint_new") + f"?customer_id={made.customer_id}" in profile
    assert made.number in profile  # the open matter
    tab = c.get(reverse("customers:customer_tab", args=[made.customer_id, "complaints"]),
                HTTP_HX_REQUEST="true")
    assert made.number in tab.content.decode()


def test_the_api(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    cust = customer(world)
    line = purchase(world, cust)
    c = client_as(world.service_a)

    def post(path: str, body: Any) -> Any:
        return c.post(path, json.dumps(body), content_type="application/json")

    made = post("/api/v1/complaints", {
        "customer_id": cust.pk, "kind": "consumer_goods", "demand": "replacement",
        "sale_line_id": line.pk, "customer_account": "Pęknięta obudowa",
        "terms_version": "Regulamin 2026", "terms_shown": True, "amount": "399.00"})
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["number"].startswith("RK/") and "7a" in data["rule"]
    assert data["actions"] == ["acknowledge", "send_to_hq"] or "acknowledge" in data["actions"]
    moved = post(f"/api/v1/complaints/{data['id']}/moves", {"action": "acknowledge"})
    assert moved.status_code == 200 and moved.json()["status"] == "acknowledged"
    wrong = post(f"/api/v1/complaints/{data['id']}/moves", {"action": "close"})
    assert wrong.status_code == 409
    refused = post(f"/api/v1/complaints/{data['id']}/moves",
                   {"action": "decide_in_branch", "outcome": "upheld"})
    assert refused.status_code == 403
    got = c.get(f"/api/v1/complaints/{data['id']}").json()
    assert got["id"] == data["id"]
    listed = c.get("/api/v1/complaints").json()
    assert [i["id"] for i in listed["items"]] == [data["id"]]
    assert client_as(world.manager_b).get(f"/api/v1/complaints/{data['id']}").status_code \
        == 404
    assert client_as(world.cashier_a).get("/api/v1/complaints").status_code == 403


def test_my_work_and_the_dashboard_list_undecided_complaints(world: Any,
                                                            client_as: Any) -> None:
    made = complaint(world)
    mine = client_as(world.service_a).get(reverse("work:my_work")).content.decode()
    assert 'data-testid="my-complaints"' in mine and made.number in mine
    board = client_as(world.manager_a).get("/").content.decode()
    assert 'data-testid="panel-complaints"' in board and made.number in board


def test_the_customer_search_box_finds_a_complaint_number(world: Any, client_as: Any) -> None:
    made = complaint(world)
    found = client_as(world.service_a).get(reverse("customers:customer_list"),
                                           {"q": made.number})
    assert reverse("complaints:complaint_detail", args=[made.pk]) in (
        found.content.decode() + found.get("Location", ""))


def test_api_refuses_python_digit_grouping_in_amounts(world: Any, client_as: Any) -> None:
    """``"1_000"`` is not an amount (Python's digit grouping): 422 naming the field."""
    from punkt.contracts.tests.factories import customer

    cust = customer(world)
    response = client_as(world.service_a).post("/api/v1/complaints", json.dumps({
        "customer_id": cust.pk, "kind": "consumer_goods", "demand": "repair",
        "customer_account": "Nie działa", "terms_version": "R", "terms_shown": True,
        "product_text": "Router", "amount": "1_000"}), content_type="application/json")
    assert response.status_code == 422 and "amount" in response.content.decode()
    assert not Complaint.objects.exists()


def test_the_list_is_searched_by_number_and_by_customer(world: Any, client_as: Any) -> None:
    from punkt.contracts.tests.factories import customer

    mine = complaint(world, cust=customer(world, first_name="Zofia", last_name="Grzybowska"))
    other = complaint(world)
    page = client_as(world.manager_a)
    url = reverse("complaints:complaint_list")
    by_number = page.get(url, {"q": mine.number.lower(), "status": "all"}).content.decode()
    assert mine.number in by_number and other.number not in by_number
    start = page.get(url, {"q": mine.number[:8]}).content.decode()  # "RK/2026/": both
    assert mine.number in start and other.number in start
    by_name = page.get(url, {"q": "grzybowska"}).content.decode()
    assert mine.number in by_name and other.number not in by_name
    assert 'data-testid="complaint-search"' in by_name
    # another branch finds nothing of branch A, by number or name
    hidden = client_as(world.manager_b).get(url, {"q": mine.number}).content.decode()
    assert reverse("complaints:complaint_detail", args=[mine.pk]) not in hidden
    api = page.get("/api/v1/complaints", {"q": "Grzybowska"}).json()
    assert [c["number"] for c in api["items"]] == [mine.number]


def test_the_list_and_the_page_read_a_fixed_number_of_statements(world: Any,
                                                                  client_as: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from punkt.complaints import services

    first = complaint(world)
    page = client_as(world.manager_a)
    url = reverse("complaints:complaint_list")

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert page.get(path).status_code == 200
        return len(ctx.captured_queries)

    page.get(url)  # the first request fills the per-process caches (role policy …)
    list_one, detail_one = count(url), count(reverse("complaints:complaint_detail",
                                                     args=[first.pk]))
    more = [complaint(world) for _i in range(4)]
    for c in more:
        services.complaint_move(actor=world.service_a, complaint_id=c.pk, action="acknowledge")
    assert count(url) == list_one
    assert count(reverse("complaints:complaint_detail", args=[more[0].pk])) == detail_one
