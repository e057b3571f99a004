"""Menu entries and dashboard panels, registered by each app and filtered by permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    action: str | None  # None: every signed-in user
    order: int = 100
    key: str = ""  # access key (Alt+key) for keyboard users
    #: Regex of paths that highlight this entry; default: paths under its URL.
    active_pattern: str = ""


@dataclass(frozen=True)
class Panel:
    """A dashboard panel. ``build(request)`` returns its context or None to hide it."""

    title: Any
    template: str
    action: str | None
    build: Callable[[Any], dict[str, Any] | None]
    order: int = 100
    roles: frozenset[str] = field(default_factory=frozenset)


NAV: list[NavItem] = []
PANELS: list[Panel] = []


def nav(item: NavItem) -> None:
    NAV.append(item)
    NAV.sort(key=lambda i: i.order)


def panel(item: Panel) -> None:
    PANELS.append(item)
    PANELS.sort(key=lambda p: p.order)
