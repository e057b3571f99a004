"""Every route declares how it is scoped; the isolation test (C1) walks them all.

* ``public``  — no sign-in needed (login, language switch, health check).
* ``self``    — shows only the signed-in user's own data.
* ``list``    — a list filtered by the user's branches (selector scoping).
* ``branch``  — one object that belongs to a branch; other branches get 404.
* ``global``  — not tied to a branch; guarded by a global action (e.g. audit log).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
KINDS = frozenset({"public", "self", "list", "branch", "global"})


def scoped(kind: str) -> Callable[[F], F]:
    if kind not in KINDS:
        raise ValueError(f"Unknown scope kind {kind!r}")

    def mark(view: F) -> F:
        view.punkt_scope = kind  # type: ignore[attr-defined]
        return view

    return mark
