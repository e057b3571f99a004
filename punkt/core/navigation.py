"""Menu entries and dashboard panels, registered by each app and filtered by permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    action: str | None  # None: every signed-in user
    order: int = 100
    key: str = ""  # access key (Alt+key) for keyboard users
    #: Regex of paths that highlight this entry; default: paths under its URL.
    active_pattern: str = ""
    #: A key of GROUPS: the entry sits in that drop-down; "" = on the bar itself (the day's
    #: work). A group a user has only one entry of shows that entry on the bar.
    group: str = ""


@dataclass(frozen=True)
class Panel:
    """A dashboard panel. ``build(request)`` returns its context or None to hide it."""

    title: Any
    template: str
    action: str | None
    build: Callable[[Any], dict[str, Any] | None]
    order: int = 100
    roles: frozenset[str] = field(default_factory=frozenset)


#: The menu's drop-downs, in their order after the bar's own entries.
GROUPS: dict[str, Any] = {
    "service": pgettext_lazy("menu", "Service"),
    "store": _("Sales and stock"),
    "reports": _("Reports"),
    "hq": _("HQ"),
    "organisation": _("Organisation"),
}

NAV: list[NavItem] = []
PANELS: list[Panel] = []


def nav(item: NavItem) -> None:
    NAV.append(item)
    NAV.sort(key=lambda i: i.order)


def panel(item: Panel) -> None:
    PANELS.append(item)
    PANELS.sort(key=lambda p: p.order)


def menu(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bar: its own entries, then a drop-down per group (a lone entry stays on the bar).
    Each entry is a dict with ``group``; a drop-down is ``{"label", "entries", "active"}``
    (not "items": a template's ``item.items`` on a plain entry would call ``dict.items``)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item["group"]:
            grouped.setdefault(item["group"], []).append(item)
    bar = [i for i in items if not i["group"] or len(grouped[i["group"]]) == 1]
    for key, label in GROUPS.items():
        entries = grouped.get(key, [])
        if len(entries) > 1:
            bar.append({"label": label, "entries": entries, "key": key,
                        "active": any(e["active"] for e in entries)})
    return bar
