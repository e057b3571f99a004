"""The customer profile as a 360° view (issue 15): the summary header, the record tabs the
areas register, the timeline grouped by day, filtered by kind and linked to its sources,
and its query count, which does not grow with the customer's records."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from punkt.cashdesk import services as cash
from punkt.cashdesk.tests.factories import invoice
from punkt.contracts.tests.factories import customer, prepared
from punkt.customers import timeline
from punkt.customers.models import TimelineEntry

HTMX = {"HTTP_HX_REQUEST": "true"}


def _profile(client: Any, cust: Any, **params: Any) -> str:
    response = client.get(reverse("customers:customer_detail", args=[cust.pk]), params)
    assert response.status_code == 200
    return str(response.content.decode())


def _tab(client: Any, cust: Any, tab: str) -> Any:
    return client.get(reverse("customers:customer_tab", args=[cust.pk, tab]), **HTMX)


def _pay(world: Any, inv: Any, amount: str) -> None:
    cash.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100")
    cash.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount=amount,
                          method="cash")


def test_summary_shows_identity_consents_balance_and_open_matters(world: Any,
                                                                   client_as: Any) -> None:
    contract = prepared(world)
    cust = contract.customer
    inv = invoice(world, cust)
    _pay(world, inv, "23.00")
    page = _profile(client_as(world.service_a), cust)
    summary = page.split('data-testid="profile-summary"')[1].split("</section>")[0]
    assert cust.number in summary and "850101*****" in summary
    assert "✓" in summary  # the data-processing basis, given
    balance = summary.split('data-testid="summary-balance"')[1]
    assert "do zapłaty 100,00\xa0zł" in balance
    matters = summary.split('data-testid="summary-matters"')[1]
    assert "Umowy" in matters and "1 w toku" in matters
    assert "1 nieopłacona" in matters
    # Tabs for what the role sees: service sees contracts, offers, purchases, sales
    # opportunities, loyalty cards, tickets, complaints and the customer's classes, not
    # invoices.
    tabs = re.findall(r'data-tab="([a-z]+)"', page)
    assert tabs == ["contracts", "offers", "sales", "loyalty", "opportunities", "recommended",
                    "tickets", "complaints", "analytics", "segment", "surveys"]
    cashier_tabs = re.findall(r'data-tab="([a-z]+)"', _profile(client_as(world.cashier_a), cust))
    assert "invoices" in cashier_tabs


def test_tabs_list_the_records_each_linked(world: Any, client_as: Any) -> None:
    contract = prepared(world)
    cust = contract.customer
    inv = invoice(world, cust)
    _pay(world, inv, "50.00")
    service = client_as(world.service_a)
    contracts = _tab(service, cust, "contracts").content.decode()
    assert reverse("contracts:contract_detail", args=[contract.pk]) in contracts
    assert contract.number in contracts and 'aria-selected="true"' in contracts
    offers = _tab(service, cust, "offers").content.decode()
    assert reverse("contracts:offer_detail", args=[contract.offer_id]) in offers
    cashier = client_as(world.cashier_a)
    invoices = _tab(cashier, cust, "invoices").content.decode()
    assert invoices.count(reverse("cashdesk:invoice", args=[inv.pk])) == 2  # invoice, payment
    assert "50,00\xa0zł" in invoices
    # A role that does not see invoices is refused; an unknown tab is not found.
    assert _tab(service, cust, "invoices").status_code == 403
    assert _tab(service, cust, "nonsense").status_code == 404
    # Without htmx the tab opens the profile on it (and renders it there).
    plain = service.get(reverse("customers:customer_tab", args=[cust.pk, "contracts"]))
    assert plain.status_code == 302 and plain["Location"].endswith("?tab=contracts#tabs")
    page = _profile(service, cust, tab="contracts")
    assert 'data-testid="tab-contracts"' in page and contract.number in page


def test_another_branch_cannot_open_a_tab(world: Any, client_as: Any) -> None:
    cust = customer(world)
    assert _tab(client_as(world.service_b), cust, "contracts").status_code == 404


def test_timeline_grouped_by_day_with_polish_headings(world: Any, client_as: Any) -> None:
    cust = customer(world)
    now = timezone.localtime()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    for days, subject in ((0, "dzisiejszy"), (1, "wczorajszy"), (3, "dawny")):
        timeline.contact_log(actor=world.service_a, customer_id=cust.pk, kind="call",
                             subject=f"Telefon {subject}",
                             occurred_at=min(noon - datetime.timedelta(days=days), now))
    page = _profile(client_as(world.service_a), cust)
    headings = re.findall(r'data-testid="timeline-day">([^<]+)<', page)
    old = timezone.localdate() - datetime.timedelta(days=3)
    assert headings[:2] == ["dziś", "wczoraj"]
    months = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
              "sierpnia", "września", "października", "listopada", "grudnia"]
    assert f"{old.day} {months[old.month - 1]} {old.year}" in headings[2]
    assert "<ol" not in page.split('id="timeline"')[1].split("</section>")[0]
    # The timeline comes before the record tabs and the details.
    assert page.index('id="timeline"') < page.index('id="tabs"') < page.index(">Szczegóły<")


def test_timeline_filters_by_kind_and_links_its_sources(world: Any, client_as: Any) -> None:
    contract = prepared(world)
    cust = contract.customer
    timeline.note_add(actor=world.service_a, customer_id=cust.pk, body="Notatka testowa")
    timeline.contact_log(actor=world.service_a, customer_id=cust.pk, kind="visit",
                         subject="Wizyta w salonie")
    client = client_as(world.service_a)
    url = reverse("customers:customer_detail", args=[cust.pk])
    only = client.get(url, {"fragment": "timeline", "kind": "contract"}, **HTMX).content.decode()
    assert 'data-kind="contract"' in only and 'data-kind="note"' not in only
    assert f'href="{reverse("contracts:contract_detail", args=[contract.pk])}"' in only
    contacts = client.get(url, {"fragment": "timeline", "kind": "contacts"},
                          **HTMX).content.decode()
    assert "Wizyta w salonie" in contacts and 'data-kind="offer"' not in contacts
    everything = client.get(url, {"fragment": "timeline", "kind": "bogus"},
                            **HTMX).content.decode()
    assert 'data-kind="note"' in everything and 'data-kind="offer"' in everything
    assert f'href="{reverse("contracts:offer_detail", args=[contract.offer_id])}"' in everything


def test_older_entries_continue_the_day_below(world: Any, client_as: Any) -> None:
    cust = customer(world)
    for i in range(35):
        timeline.note_add(actor=world.service_a, customer_id=cust.pk, body=f"Notatka {i}")
    client = client_as(world.service_a)
    page = _profile(client, cust)
    link = re.search(r'hx-get="([^"]*fragment=older[^"]*)"', page)
    assert link and page.count("<time") == 30
    more = client.get(link.group(1).replace("&amp;", "&"), **HTMX).content.decode()
    assert more.count("<time") == TimelineEntry.objects.filter(customer=cust).count() - 30
    assert 'data-testid="timeline-day"' not in more  # the same day goes on, no new heading
    assert "Older entries" not in more and "Starsze wpisy" not in more


def _queries(client: Any, cust: Any) -> int:
    client.get(reverse("customers:customer_detail", args=[cust.pk]))  # warm caches
    with CaptureQueriesContext(connection) as ctx:
        _profile(client, cust)
    return len(ctx.captured_queries)


def test_profile_query_count_is_low_and_does_not_grow(world: Any, client_as: Any) -> None:
    """The summary and the timeline read a fixed number of queries, however many
    contracts, invoices, payments and entries the customer has."""
    first = prepared(world)
    cust = first.customer
    inv = invoice(world, cust)
    _pay(world, inv, "10.00")
    client = client_as(world.manager_a)
    small = _queries(client, cust)
    for _ in range(3):
        prepared(world, cust=cust)
        more = invoice(world, cust)
        cash.payment_register(actor=world.cashier_a, invoice_id=more.pk, amount="5.00",
                              method="cash")
    assert _queries(client, cust) == small
    # 21 since the segment line (the ordered segments: one statement, issue 19)
    assert small <= 21, small


@pytest.mark.parametrize("kind, counted", [("call", True), ("help", True), ("system", False),
                                           ("contract", False), ("payment", False)])
def test_my_recent_contacts_count_only_contacts(world: Any, client_as: Any, kind: str,
                                                counted: bool) -> None:
    cust = customer(world)
    TimelineEntry.objects.filter(customer=cust).delete()
    timeline.timeline_add(customer_id=cust.pk, kind=kind, actor=world.service_a,
                          branch_id=world.a.pk, subject="Wpis próbny")
    page = client_as(world.service_a).get("/").content.decode()
    assert ('data-testid="recent-contacts"' in page) is counted
    if counted:
        assert "1 kontakt z klientami w ostatnich 7 dniach" in page


def test_contract_list_searches_by_the_customers_name(world: Any, client_as: Any) -> None:
    """The contract list's box takes a contract number or the customer's name, read by the
    customer search (typos and missing Polish letters forgiven), in the user's scope."""
    mine = prepared(world, cust=customer(world, first_name="Grzegorz",
                                         last_name="Brzęczyszczykiewicz"))
    other = prepared(world)
    client = client_as(world.service_a)
    url = reverse("contracts:contract_list")
    for q in ("Brzęczyszczykiewicz", "brzeczyszczykiewic grzegorz", mine.number):
        page = client.get(url, {"q": q}).content.decode()
        assert mine.number in page and other.number not in page, q
    assert other.number in client.get(url, {"q": "Żółkiewska"}).content.decode()
    assert mine.number not in client.get(url, {"q": "Nieistniejący"}).content.decode()
    api = client.get("/api/v1/contracts", {"q": "Brzęczyszczykiewicz"}).json()
    assert [c["id"] for c in api["items"]] == [mine.pk]
    # Branch B's employee does not find branch A's customer's contracts by name.
    page = client_as(world.service_b).get(url, {"q": "Brzęczyszczykiewicz"}).content.decode()
    assert mine.number not in page


def test_customer_search_box_jumps_to_invoice_and_contract_numbers(world: Any,
                                                                   client_as: Any) -> None:
    contract = prepared(world)
    inv = invoice(world, contract.customer)
    url = reverse("customers:customer_list")
    cashier, service = client_as(world.cashier_a), client_as(world.service_a)
    # Exact number, any case: the record for who may open it, else the customer's profile.
    jump = cashier.get(url, {"q": inv.number.lower()})
    assert jump.status_code == 302 and jump["Location"] == reverse("cashdesk:invoice",
                                                                   args=[inv.pk])
    jump = service.get(url, {"q": inv.number})
    assert jump["Location"] == reverse("customers:customer_detail", args=[inv.customer_id])
    jump = service.get(url, {"q": contract.number.lower()})
    assert jump["Location"] == reverse("contracts:contract_detail", args=[contract.pk])
    # While typing (htmx) the results offer the jump instead of moving away.
    typing = service.get(url, {"q": contract.number}, **HTMX)
    assert typing.status_code == 200 and 'data-testid="found-number"' in typing.content.decode()
    # Another branch finds nothing; a part of a number is no number.
    assert client_as(world.service_b).get(url, {"q": contract.number}).status_code == 200
    assert service.get(url, {"q": inv.number[:-1]}).status_code == 200


def test_tabs_and_timeline_pages_write_nothing(world: Any, client_as: Any) -> None:
    """C21: a tab and a timeline page (htmx GETs) write nothing, not even an access-log row
    (the profile itself logs the view once)."""
    contract = prepared(world)
    cust = contract.customer
    client = client_as(world.manager_a)
    client.get("/")  # settle the session's last-seen stamp
    urls = [reverse("customers:customer_tab", args=[cust.pk, tab])
            for tab in ("contracts", "offers", "sales")]
    urls.append(reverse("customers:customer_detail", args=[cust.pk])
                + "?fragment=timeline&kind=contacts")
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **HTMX).status_code == 200, url
        writes = [q["sql"] for q in ctx.captured_queries
                  if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                  and "django_session" not in q["sql"]]
        assert not writes, (url, writes)


def test_open_retention_case_is_an_open_matter_for_retention_staff(world: Any,
                                                                   client_as: Any) -> None:
    from punkt.retention import services as retention
    from punkt.retention.tests.test_retention import active

    contract = active(world, 20)
    day = timezone.localdate() + datetime.timedelta(days=2)
    retention.log_call(actor=world.retention_a, contract_id=contract.pk, outcome="callback",
                       callback_on=day.isoformat(), today=timezone.localdate())
    page = _profile(client_as(world.retention_a), contract.customer)
    matters = page.split('data-testid="summary-matters"')[1].split("</section>")[0]
    assert "Sprawa utrzymania" in matters and day.strftime("%d.%m.%Y") in matters
    assert reverse("retention:case", args=[contract.pk]) in matters
    assert "1 aktywna" in matters
    other = _profile(client_as(world.cashier_a), contract.customer)
    assert "Sprawa utrzymania" not in other.split('data-testid="summary-matters"')[1]


def test_entry_links_follow_the_registry_and_the_readers_role(world: Any) -> None:
    from punkt.customers import profile

    cust = customer(world)
    entries = [TimelineEntry(customer=cust, kind="help", source_type="catalog.product",
                             source_id="7"),
               TimelineEntry(customer=cust, kind="invoice", source_type="cashdesk.invoice",
                             source_id="9"),
               TimelineEntry(customer=cust, kind="note"),
               TimelineEntry(customer=cust, kind="x", source_type="nowhere.thing",
                             source_id="1")]
    profile.link_entries(world.service_a, cust, entries)
    assert [e.link for e in entries] == [  # type: ignore[attr-defined]
        reverse("catalog:product_detail", args=[7]), "", "", ""]
    profile.link_entries(world.cashier_a, cust, entries)
    assert entries[1].link == reverse("cashdesk:invoice", args=[9])  # type: ignore[attr-defined]
