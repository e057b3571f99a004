"""Keyset paging: the "next" and "previous" links read the page by key, giving the same
rows as offset paging, without an OFFSET, and an edited cursor falls back to the offset."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from punkt.customers.models import Customer
from punkt.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = reverse("customers:customer_list")
NAMES = ["Nowak", "Kowalski", "Wójcik", "Nowak", "Zieliński", "Ąbel", "Nowak", "Kowalski"]


def _ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/customers/(\d+)/"', html)]


def _link(html: str, rel: str) -> str | None:
    m = re.search(rf'<a href="([^"]+)"[^>]*rel="{rel}"', html)
    return unescape(m.group(1)) if m else None


@pytest.fixture
def customers(world: Any) -> list[Customer]:
    # Equal names (sort keys) across page boundaries: the id breaks the tie.
    return [CustomerFactory.create(branch=world.a, last_name=NAMES[i % len(NAMES)],
                                   first_name=f"Anna{i // len(NAMES)}") for i in range(23)]


@pytest.mark.parametrize("sort", ["name", "-name", "created", "-created"])
def test_next_and_previous_links_walk_the_same_rows_as_offsets(
        world: Any, client_as: Any, customers: list[Customer], sort: str) -> None:
    c = client_as(world.manager_a)
    by_offset = []
    for page in (1, 2, 3, 4, 5):
        by_offset += _ids(c.get(LIST, {"sort": sort, "per_page": 5, "page": page}).text)
    assert sorted(by_offset) == sorted(x.pk for x in customers)

    walked: list[int] = []
    pages: list[str] = []
    url: str | None = f"{LIST}?sort={sort}&per_page=5"
    while url:
        html = c.get(url if url.startswith("/") else LIST + url).text
        walked += _ids(html)
        pages.append(html)
        url = _link(html, "next")
        if url:
            assert "after=" in url
    assert walked == by_offset
    back: list[int] = []
    for html in reversed(pages):
        back = _ids(html) + back
    url = _link(pages[-1], "prev")
    seen: list[int] = []
    while url:
        html = c.get(LIST + url).text
        seen = _ids(html) + seen
        url = _link(html, "prev")
    assert seen == by_offset[:len(seen)] and len(seen) == 20


def test_a_page_by_key_has_no_offset_and_stays_put_when_rows_are_added(
        world: Any, client_as: Any, customers: list[Customer]) -> None:
    c = client_as(world.manager_a)
    first = c.get(LIST, {"per_page": 5}).text
    nxt = _link(first, "next")
    assert nxt is not None
    expected = _ids(c.get(LIST + nxt).text)
    # A customer sorting before everything arrives: page 2 by offset would shift by one.
    CustomerFactory.create(branch=world.a, last_name="Aaronowicz", first_name="Adam")
    with CaptureQueriesContext(connection) as ctx:
        again = _ids(c.get(LIST + nxt).text)
    assert again == expected
    page_sql = [q["sql"] for q in ctx.captured_queries
                if 'FROM "customers_customer"' in q["sql"] and "COUNT(" not in q["sql"]]
    assert page_sql and all("OFFSET" not in sql for sql in page_sql)


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJ4Il0", "WyIxIiwiMiIsIjMiXQ"])
def test_an_edited_cursor_falls_back_to_the_page_number(
        world: Any, client_as: Any, customers: list[Customer], cursor: str) -> None:
    c = client_as(world.manager_a)
    expected = _ids(c.get(LIST, {"per_page": 5, "page": 2}).text)
    resp = c.get(LIST, {"per_page": 5, "page": 2, "after": cursor})
    assert resp.status_code == 200 and _ids(resp.text) == expected


def test_a_list_longer_than_its_cap_is_counted_again_only_after_a_while(
        customers: list[Customer]) -> None:
    """Over the cap the page says "more than …" without counting for five minutes; a list
    under the cap is counted every time (exact), and each statement has its own key."""
    from django.core.cache import cache

    from punkt.core.paging import CappedPaginator

    cache.clear()
    qs = Customer.objects.order_by("pk")

    def counted(rows: Any, cap: int) -> tuple[int, bool, int]:
        paginator = CappedPaginator(rows, 5, cap=cap)
        with CaptureQueriesContext(connection) as seen:
            n = paginator.count
        return n, paginator.capped, sum("COUNT" in q["sql"] for q in seen.captured_queries)

    assert counted(qs, 10) == (10, True, 1)
    assert counted(qs, 10) == (10, True, 0)  # remembered
    assert counted(qs, 30) == (23, False, 1)
    assert counted(qs, 30) == (23, False, 1)  # exact: counted each time
    assert counted(qs.filter(last_name="Nowak"), 5) == (5, True, 1)  # another statement
    assert counted(qs.filter(last_name="Kowalski"), 10) == (5, False, 1)
    cache.clear()
