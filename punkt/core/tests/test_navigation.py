from __future__ import annotations

from punkt.core.navigation import menu


def entry(label: str, group: str = "", active: bool = False) -> dict[str, object]:
    return {"label": label, "url": f"/{label}/", "key": "", "active": active, "group": group}


def test_groups_become_drop_downs_and_a_lone_entry_stays_on_the_bar() -> None:
    bar = menu([entry("dashboard"), entry("stock", "store"), entry("sales", "store", True),
                entry("audit", "organisation"), entry("customers")])
    assert [b["label"] for b in bar[:3]] == ["dashboard", "audit", "customers"]
    store = bar[3]
    assert [e["label"] for e in store["items"]] == ["stock", "sales"]
    assert store["active"] is True and store["key"] == "store"
    assert len(bar) == 4
