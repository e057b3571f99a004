"""Pages and API of customer analytics: who may see them (C2), each branch its own
customers and HQ all (C1), the cells' links, the CSV export (C25, C26), the profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from punkt.analytics import refresh
from punkt.analytics.refresh import Rules
from punkt.analytics.tests.factories import customer, sale

D = dt.date
RULES = Rules(window=3, period=6)


@pytest.fixture
def two_branches(world: Any) -> dict[str, Any]:
    """Anna (A, 600 zł in six months: A X), Adam (A, 100 zł once in June: new, C),
    Bogdan (B, 300 zł: B X) and a formula-named customer of A without settlements."""
    c = {"anna": customer(world, "Annowska"), "adam": customer(world, "Adamski"),
         "bogdan": customer(world, "Bogdański", branch=world.b),
         "formula": customer(world, "Formułowy", first_name="=HYPERLINK(\"http://x\")")}
    for month in range(1, 7):
        sale(world, c["anna"], D(2026, month, 10), "100.00")
        sale(world, c["bogdan"], D(2026, month, 10), "50.00")
    sale(world, c["adam"], D(2026, 6, 1), "100.00")
    refresh.refresh(as_of=D(2026, 6, 30), rules=RULES)
    return c


def test_the_table_shows_the_branch_and_links_each_cell(two_branches: Any, world: Any,
                                                        client_as: Any) -> None:
    response = client_as(world.manager_a).get(reverse("analytics:matrix"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="refreshed"' in text and 'data-testid="abcxyz-table"' in text
    assert "/analytics/customers/?abc=A&amp;xyz=X" in text
    cell = client_as(world.manager_a).get(reverse("analytics:customers"),
                                          {"abc": "A", "xyz": "X"}).content.decode()
    assert "Annowska" in cell and "Adamski" not in cell and "Bogdański" not in cell
    new = client_as(world.manager_a).get(reverse("analytics:customers"),
                                         {"category": "new"}).content.decode()
    assert "Adamski" in new and "Annowska" not in new


def test_branch_staff_see_their_branch_hq_every_branch(two_branches: Any, world: Any,
                                                       client_as: Any) -> None:
    """C1: A's manager never sees B's customer, in the list, with the branch picker set to
    B, or through the API; HQ sees both."""
    url = reverse("analytics:customers")
    mine = client_as(world.manager_a).get(url).content.decode()
    assert "Annowska" in mine and "Bogdański" not in mine
    forced = client_as(world.manager_a).get(url, {"branch": world.b.pk}).content.decode()
    assert "Bogdański" not in forced
    hq = client_as(world.expert).get(url).content.decode()
    assert "Annowska" in hq and "Bogdański" in hq
    only_b = client_as(world.expert).get(url, {"branch": world.b.pk}).content.decode()
    assert "Bogdański" in only_b and "Annowska" not in only_b
    api = client_as(world.manager_a).get("/api/v1/analytics/customers").json()
    assert any("Annowska" in i["customer_name"] for i in api["items"])
    assert all(i["branch_id"] == world.a.pk for i in api["items"])
    b_id = two_branches["bogdan"].pk
    assert client_as(world.manager_a).get(f"/api/v1/analytics/customers/{b_id}"
                                          ).status_code == 404
    assert client_as(world.expert).get(f"/api/v1/analytics/customers/{b_id}"
                                       ).json()["current"]["abc"] == "B"


def test_a_customer_moved_to_another_branch_is_hidden_until_the_next_refresh(
        two_branches: Any, world: Any, client_as: Any) -> None:
    from punkt.customers.models import Customer

    Customer.objects.filter(pk=two_branches["anna"].pk).update(branch=world.b)
    mine = client_as(world.manager_a).get(reverse("analytics:customers")).content.decode()
    assert "Annowska" not in mine
    theirs = client_as(world.manager_b).get(reverse("analytics:customers")).content.decode()
    assert "Annowska" not in theirs


@pytest.mark.parametrize("role,status", [("manager", 200), ("service", 200),
                                         ("retention", 200), ("hq_expert", 200),
                                         ("admin", 200), ("cashier", 403)])
def test_who_sees_the_table(role: str, status: int, world: Any, client_as: Any) -> None:
    """C2 (the page is also in GUARDED_PAGES); no refresh yet: the page says so."""
    response = client_as(world.by_role()[role]).get(reverse("analytics:matrix"))
    assert response.status_code == status
    if status == 200:
        assert 'data-testid="not-refreshed"' in response.content.decode()


def test_export_is_audited_and_neutralises_formulas(two_branches: Any, world: Any,
                                                    client_as: Any) -> None:
    """C25, C26: the manager's CSV of the branch's customers; a service employee may not."""
    from punkt.core.models import AuditEvent

    response = client_as(world.manager_a).get(reverse("analytics:export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Annowska" in body and "Bogdański" not in body
    assert "'=HYPERLINK" in body and ";=HYPERLINK" not in body
    assert AuditEvent.objects.filter(action="analytics.classes.export").count() == 1
    assert client_as(world.service_a).get(reverse("analytics:export")).status_code == 403


def test_export_asks_for_the_password_again(two_branches: Any, world: Any,
                                            client_as: Any) -> None:
    response = client_as(world.manager_a, reauthenticated=False).get(
        reverse("analytics:export"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]


def test_the_profile_shows_the_category_and_class_history(two_branches: Any, world: Any,
                                                          client_as: Any) -> None:
    anna = two_branches["anna"]
    page = client_as(world.service_a).get(reverse("customers:customer_detail",
                                                  args=[anna.pk])).content.decode()
    assert "Category and ABC/XYZ" in page or "Kategoria i ABC/XYZ" in page
    tab = client_as(world.service_a).get(reverse("customers:customer_tab",
                                                 args=[anna.pk, "analytics"]),
                                         headers={"HX-Request": "true"})
    assert tab.status_code == 200 and 'data-testid="class-history"' in tab.content.decode()
    assert "06.2026" in tab.content.decode()
    cashier = client_as(world.cashier_a).get(reverse("customers:customer_detail",
                                                     args=[anna.pk])).content.decode()
    assert "ABC/XYZ" not in cashier


def test_api_matrix_and_list(two_branches: Any, world: Any, client_as: Any) -> None:
    body = client_as(world.expert).get("/api/v1/analytics/matrix").json()
    assert body["snapshot"]["as_of"] == "2026-06-30"
    assert body["snapshot"]["abc_thresholds"] == [50, 80]
    cells = {(c["category"], c["abc"], c["xyz"]): c["customers"] for c in body["cells"]}
    assert cells[("regular", "A", "X")] == 1 and cells[("new", "C", "")] == 1
    assert cells[("regular", "B", "X")] == 1 and cells[("potential", "", "")] == 1
    assert {b["branch_code"] for b in body["branches"]} == {"AAA-01", "BBB-01"}
    mine = client_as(world.manager_a).get("/api/v1/analytics/matrix").json()
    assert {b["branch_code"] for b in mine["branches"]} == {"AAA-01"}
    listed = client_as(world.expert).get("/api/v1/analytics/customers?abc=A&xyz=X").json()
    assert [i["customer_id"] for i in listed["items"]] == [two_branches["anna"].pk]
    assert listed["items"][0]["turnover"] == "600.00"
    assert client_as(world.cashier_a).get("/api/v1/analytics/matrix").status_code == 403
    assert client_as(world.expert).get("/api/v1/analytics/customers?abc=Q").status_code == 422
