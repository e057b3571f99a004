"""The kept segment rows (``segment_state``) on the world of ``segment_world.build``: the
matrix, its order and state filter, the averages and the cross-sell list read from them
are what the live computation gives (kept + live == all live); a record added after the
build shows in the cells of the rows shown; a changed segment falls back to live; a
refresh builds them and one interrupted leaves the previous ones; the statements stay
fixed; the branch scope (C1) is the live one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from punkt.analytics import refresh as refresh_mod
from punkt.analytics import segment_matrix as sm
from punkt.analytics import segment_state
from punkt.analytics import segments as seg
from punkt.analytics.models import ProductState, SegmentMember, Snapshot
from punkt.analytics.tests import segment_world as sw
from punkt.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> sw.SegWorld:
    return sw.build(world)


def _matrix(user: Any, segment: Any, **kw: Any) -> list[tuple[int, int, list[Any], Any]]:
    segments = seg.ordered()
    targets = sm.targets_of(segment)
    qs = sm.matrix_queryset(user, segment, segments, targets, **kw)
    customers = list(qs)
    rows = sm.rows_for(customers, targets)
    return [(r.customer.pk, getattr(c, "used"),  # noqa: B009 (an annotation)
             [(x.state, x.on, x.record) for x in r.cells], r.maturity)
            for c, r in zip(customers, rows, strict=True)]


def _averages(user: Any, **kw: Any) -> list[tuple[str, int, int, Decimal]]:
    return [(a.segment.name, a.customers, a.used, a.maturity)
            for a in sm.averages(user, seg.ordered(), **kw)]


def _crosssell(user: Any, **kw: Any) -> list[tuple[int, int, str, Decimal, str]]:
    segments = seg.ordered()
    rows = list(sm.suggestions_queryset(user, segments, **kw))
    return [(s.customer.pk, s.product.pk, s.abc, s.value, s.cell.state)
            for s in sm.suggestions_for(rows, segments)]


def _everything(w: sw.SegWorld) -> dict[str, Any]:
    users = {"a": w.world.manager_a, "b": w.world.manager_b, "hq": w.world.expert}
    out: dict[str, Any] = {}
    for name, user in users.items():
        for s in (w.small, w.firms, w.young):
            for sort in sm.SORTS:
                out[f"{name} {s.name} {sort}"] = _matrix(user, s, sort=sort)
            for state in sm.STATES:
                out[f"{name} {s.name} {state}"] = _matrix(user, s, state=state)
        out[f"{name} averages"] = _averages(user)
        out[f"{name} cross-sell"] = _crosssell(user)
        out[f"{name} cross-sell small"] = _crosssell(user, segment_id=w.small.pk)
    out["hq averages B"] = _averages(w.world.expert, branch_id=w.world.b.pk)
    out["hq small B"] = _matrix(w.world.expert, w.small, branch_id=w.world.b.pk)
    out["hq cross-sell B"] = _crosssell(w.world.expert, branch_id=w.world.b.pk)
    return out


def _build() -> Snapshot:
    snap = Snapshot.objects.current()
    assert snap is not None
    segment_state.build(snap)
    snap.refresh_from_db()
    return snap


def test_kept_rows_give_what_the_live_computation_gives(w: sw.SegWorld) -> None:
    assert segment_state.kept(seg.ordered()) is None  # nothing built: live
    live = _everything(w)
    snap = _build()
    assert segment_state.kept(seg.ordered()) == snap
    # on paper (segment_world's docstring): the kept states of every cell
    states = {(p.customer_id, p.product_id): (p.state, p.score)
              for p in ProductState.objects.filter(snapshot=snap)}
    assert states[(w.c1.pk, w.inet.pk)] == ("signed", 100000)
    assert states[(w.c1.pk, w.router.pk)] == ("offered", 30000)
    assert states[(w.c2.pk, w.inet.pk)] == ("refused", 300000)
    assert states[(w.c2.pk, w.tv.pk)] == ("refused", 150000)
    assert states[(w.c3.pk, w.inet.pk)] == ("applied", 200000)
    assert states[(w.c5.pk, w.tv.pk)] == ("none", 40000)  # sold and returned
    assert states[(w.c5.pk, w.inet.pk)] == ("offered", 20000)
    assert len(states) == 3 * 4 + 1 + 2  # c1 c2 c4 c7 × 3, c3 × 1, c5 × 2; c6 none
    used = dict(SegmentMember.objects.filter(snapshot=snap).values_list("customer_id", "used"))
    assert used == {w.c1.pk: 1, w.c2.pk: 1, w.c3.pk: 0, w.c4.pk: 1, w.c5.pk: 0, w.c7.pk: 3}
    kept = _everything(w)
    assert kept == live
    assert [r[0] for r in kept["a Małe firmy -maturity"]] == [w.c7.pk, w.c1.pk, w.c2.pk]
    assert kept["a cross-sell"] == [(w.c2.pk, w.tv.pk, "A", Decimal("1500.00"), "refused"),
                                    (w.c1.pk, w.tv.pk, "", Decimal("500.00"), "none"),
                                    (w.c5.pk, w.tv.pk, "B", Decimal("400.00"), "none")]


def test_records_added_after_the_build_show_in_the_rows_shown(w: sw.SegWorld) -> None:
    _build()
    sw.opportunity(w.world, w.c1, w.tv, "open", 0)
    sw.sale(w.world, w.c2, w.inet, 0)
    rows = {r[0]: r for r in _matrix(w.world.manager_a, w.small)}
    assert [s for s, _on, _rec in rows[w.c1.pk][2]] == ["signed", "offered", "offered"]
    assert [s for s, _on, _rec in rows[w.c2.pk][2]] == ["signed", "signed", "refused"]
    assert rows[w.c2.pk][3] == Decimal("66.7")  # the maturity shown is the live one
    # the order and the list are the refresh's: c1's TV is still listed, its cell live
    found = _crosssell(w.world.manager_a)
    assert (w.c1.pk, w.tv.pk, "", Decimal("500.00"), "offered") in found
    # a new customer joins the kept rows at the next refresh
    new = sw.customer(w.world, "Nowa", kind="company", company_name="Nowa",
                      company_size="micro", nip="", pesel="")
    assert new.pk not in [r[0] for r in _matrix(w.world.manager_a, w.small)]


def test_a_changed_segment_is_computed_live_until_the_next_refresh(w: sw.SegWorld) -> None:
    _build()
    seg.segment_move(actor=w.world.expert, segment_id=w.firms.pk, up=True)
    assert segment_state.kept(seg.ordered()) is None
    assert {r[0] for r in _matrix(w.world.expert, w.firms)} == {
        w.c1.pk, w.c2.pk, w.c3.pk, w.c4.pk, w.c7.pk}
    seg.target_value(actor=w.world.expert, segment_id=w.firms.pk,
                     target_id=sm.targets_of(w.firms)[0].pk, value="10")
    _build()
    assert segment_state.kept(seg.ordered()) is not None
    assert {r[0] for r in _matrix(w.world.expert, w.firms)} == {
        w.c1.pk, w.c2.pk, w.c3.pk, w.c4.pk, w.c7.pk}


def test_the_branch_scope_is_the_live_one(w: sw.SegWorld) -> None:
    """A customer moved to branch B after the build is in neither branch's rows until the
    next refresh (as the classes are); merged ones in nobody's."""
    _build()
    Customer.objects.filter(pk=w.c1.pk).update(branch=w.world.b)
    assert w.c1.pk not in [r[0] for r in _matrix(w.world.manager_a, w.small)]
    assert [r[0] for r in _matrix(w.world.manager_b, w.small)] == [w.c4.pk]
    assert w.c1.pk not in [r[0] for r in _crosssell(w.world.manager_a)]
    assert w.c1.pk not in [r[0] for r in _crosssell(w.world.manager_b)]
    assert w.c1.pk in [r[0] for r in _matrix(w.world.expert, w.small)]  # HQ sees all
    _build()
    assert [r[0] for r in _matrix(w.world.manager_b, w.small)] == [w.c1.pk, w.c4.pk]
    assert w.c1.pk in [r[0] for r in _crosssell(w.world.manager_b)]
    Customer.objects.filter(pk=w.c7.pk).update(status="merged")
    assert w.c7.pk not in [r[0] for r in _matrix(w.world.expert, w.small)]


def test_statements_do_not_grow_with_rows(w: sw.SegWorld) -> None:
    _build()

    def run() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            segments = seg.ordered()
            targets = sm.targets_of(w.small)
            qs = sm.matrix_queryset(w.world.expert, w.small, segments, targets)
            sm.rows_for(list(qs), targets)
            sm.averages(w.world.expert, segments)
        matrix = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            segments = seg.ordered()
            sm.suggestions_for(list(sm.suggestions_queryset(w.world.expert, segments)),
                               segments)
        return matrix, len(ctx.captured_queries)

    before = run()
    for i in range(6):
        c = sw.customer(w.world, f"Nowa{i}", kind="company", company_name=f"Nowa {i}",
                        company_size="micro", nip="", pesel="")
        sw.sale(w.world, c, w.router, 5)
        sw.opportunity(w.world, c, w.inet, "lost", 5, reason="Nie teraz")
    _build()
    assert len(_matrix(w.world.expert, w.small)) == 10
    # matrix: segments, targets, the current refresh, its key, the rows, three sources,
    # then the sets and the kept averages; cross-sell: segments, the current refresh, its
    # key, the rows, customers, products, three sources
    assert run() == before == (10, 9)


def test_a_refresh_builds_them_and_an_interrupted_one_leaves_them(
        w: sw.SegWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    first = refresh_mod.refresh(slot="t1")
    assert first is not None and first.segments_key
    assert segment_state.kept(seg.ordered()) == first
    kept = _everything(w)
    assert kept["a Małe firmy -maturity"][0][0] == w.c7.pk

    def broken(snap: Snapshot) -> None:
        raise RuntimeError("stopped")

    monkeypatch.setattr(segment_state, "build", broken)
    with pytest.raises(RuntimeError):
        refresh_mod.refresh(slot="t2")
    assert Snapshot.objects.current() == first
    assert segment_state.kept(seg.ordered()) == first
    assert _everything(w) == kept
    # the rows of older snapshots were swept
    assert set(ProductState.objects.values_list("snapshot_id", flat=True)) == {first.pk}
