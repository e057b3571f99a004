"""Reads of the analytics, always of one finished snapshot (the current one unless a
month of the history is asked for) and from ``visible_to``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from punkt.analytics import permissions as perms
from punkt.analytics.models import ABC, XYZ, Category, Cell, Snapshot, Standing
from punkt.core.web import int_param
from punkt.organization.actors import Actor

CHANGE_FILTERS = ("changed", "drop")


def current() -> Snapshot | None:
    return Snapshot.objects.current()


def snapshot_for(value: Any) -> Snapshot | None:
    """A finished snapshot by id (a month of the history), else the current one."""
    pk = int_param(value)
    if pk:
        found = Snapshot.objects.done().filter(pk=pk).first()
        if found is not None:
            return found
    return current()


def history_snapshots(limit: int = 36) -> list[Snapshot]:
    return list(Snapshot.objects.done().order_by("-as_of", "-id")[:limit])


def standings(user: Actor, snap: Snapshot | None, *, branch_id: int | None = None
              ) -> QuerySet[Standing]:
    if snap is None:
        return Standing.objects.none()
    return (Standing.objects.visible_to(user, perms.ANALYTICS_VIEW, branch_id=branch_id)
            .filter(snapshot=snap))


def filtered(user: Actor, snap: Snapshot | None, *, branch_id: int | None = None,
             abc: str = "", xyz: str = "", category: str = "", change: str = ""
             ) -> QuerySet[Standing]:
    """The drill-down: ``abc``/``xyz`` a class or ``-`` for none; ``change``: ``changed``
    (ABC or XYZ differs from the previous month's) or ``drop`` (A → C)."""
    qs = standings(user, snap, branch_id=branch_id)
    if abc in ABC:
        qs = qs.filter(abc=abc)
    elif abc == "-":
        qs = qs.filter(abc="")
    if xyz in XYZ:
        qs = qs.filter(xyz=xyz)
    elif xyz == "-":
        qs = qs.filter(xyz="")
    if category in Category.values:
        qs = qs.filter(category=category)
    if change == "changed":
        qs = qs.exclude(prev_category="").filter(~Q(prev_abc=F("abc")) | ~Q(prev_xyz=F("xyz")))
    elif change == "drop":
        qs = qs.filter(prev_abc="A", abc="C")
    return qs.select_related("customer", "branch").order_by("-turnover", "-id")


@dataclass
class Matrix:
    """The 9-cell table of a snapshot for what the user may see: ``cells[abc][xyz]`` =
    (customers, turnover in grosze); ``rows``/``cols`` the totals; ``categories``
    the counts per category; ``unclassed`` customers with turnover but no XYZ."""

    snapshot: Snapshot | None
    cells: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    abc_only: dict[str, tuple[int, int]] = field(default_factory=dict)
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    cols: dict[str, tuple[int, int]] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    customers: int = 0
    turnover: int = 0
    classified: int = 0


def _add(a: tuple[int, int], n: int, t: int) -> tuple[int, int]:
    return a[0] + n, a[1] + t


def matrix(user: Actor, snap: Snapshot | None, *, branch_id: int | None = None) -> Matrix:
    out = Matrix(snapshot=snap)
    out.cells = {a: {x: (0, 0) for x in XYZ} for a in ABC}
    out.abc_only = {a: (0, 0) for a in ABC}
    out.rows = {a: (0, 0) for a in ABC}
    out.cols = {x: (0, 0) for x in XYZ}
    out.categories = {c: 0 for c in Category.values}
    if snap is None:
        return out
    rows = (Cell.objects.visible_to(user, perms.ANALYTICS_VIEW, branch_id=branch_id)
            .filter(snapshot=snap).values("category", "abc", "xyz")
            .annotate(n=Sum("customers"), t=Sum("turnover")).order_by())
    for r in rows:
        n, t = int(r["n"] or 0), int(r["t"] or 0)
        out.categories[r["category"]] = out.categories.get(r["category"], 0) + n
        out.customers += n
        out.turnover += t
        a, x = r["abc"], r["xyz"]
        if a in ABC:
            out.rows[a] = _add(out.rows[a], n, t)
            out.classified += n
            if x in XYZ:
                out.cells[a][x] = _add(out.cells[a][x], n, t)
                out.cols[x] = _add(out.cols[x], n, t)
            else:
                out.abc_only[a] = _add(out.abc_only[a], n, t)
    return out


def customer_history(user: Actor, customer: Any, limit: int = 24) -> list[Standing]:
    """The customer's category and classes month by month, the newest first (the kept
    snapshot of each month)."""
    return list(Standing.objects.visible_to(user, perms.ANALYTICS_VIEW)
                .filter(customer=customer, snapshot__status="done")
                .select_related("snapshot", "customer").order_by("-snapshot__as_of", "-snapshot_id")
                [:limit])


def running_refresh() -> Snapshot | None:
    """The refresh running now, if any (one at a time)."""
    from punkt.analytics.models import SnapshotStatus

    return Snapshot.objects.filter(status=SnapshotStatus.RUNNING).first()
