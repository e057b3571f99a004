from __future__ import annotations

import re
from typing import Any

import pytest

from punkt.core.navigation import menu


def entry(label: str, group: str = "", active: bool = False) -> dict[str, object]:
    return {"label": label, "url": f"/{label}/", "key": "", "active": active, "group": group}


def test_groups_become_drop_downs_and_a_lone_entry_stays_on_the_bar() -> None:
    bar = menu([entry("dashboard"), entry("stock", "store"), entry("sales", "store", True),
                entry("audit", "organisation"), entry("customers")])
    assert [b["label"] for b in bar[:3]] == ["dashboard", "audit", "customers"]
    store = bar[3]
    assert [e["label"] for e in store["entries"]] == ["stock", "sales"]
    assert store["active"] is True and store["key"] == "store"
    assert len(bar) == 4


@pytest.mark.django_db
def test_the_rendered_menu_has_each_entry_once_with_a_link(world: Any, client_as: Any) -> None:
    html = client_as(world.expert).get("/").content.decode()
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    hrefs = re.findall(r'<a href="([^"]*)"', nav)
    assert hrefs and "" not in hrefs and len(hrefs) == len(set(hrefs)), hrefs
    assert "/cashdesk/invoices/import/" in hrefs and 'data-testid="menu-hq"' in nav
