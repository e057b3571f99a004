"""The sales report sits in the "Reports" drop-down beside the other reports."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

REPORT = reverse("sales:report")


def reports_group(html: str) -> list[str]:
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    group = nav.split('data-testid="menu-reports"', 1)[1].split("</details>", 1)[0]
    return re.findall(r'<a href="([^"]*)"', group)


@pytest.mark.parametrize("role", ["manager_a", "expert", "admin"])
def test_the_sales_report_is_under_reports(world: Any, client_as: Any, role: str) -> None:
    html = client_as(getattr(world, role)).get("/").content.decode()
    links = reports_group(html)
    assert REPORT in links
    assert reverse("contracts:report") in links
    # Only there: not on the bar, not under "Sales and stock".
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert nav.count(f'href="{REPORT}"') == 1


def test_the_report_page_highlights_reports_not_sales(world: Any, client_as: Any) -> None:
    html = client_as(world.manager_a).get(REPORT).content.decode()
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'<summary class="current" data-testid="menu-reports">', nav)
    assert not re.search(r'<summary class="current" data-testid="menu-store">', nav)


def test_roles_without_the_report_do_not_see_it(world: Any, client_as: Any) -> None:
    for user in (world.service_a, world.cashier_a, world.retention_a):
        assert f'href="{REPORT}"' not in client_as(user).get("/").content.decode()
