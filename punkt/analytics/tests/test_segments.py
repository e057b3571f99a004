"""The segment × product matrix, maturity and cross-sell on the world of
``segment_world.build`` (worked out on paper in its docstring); the overlap rule; the
branch scope (C1); the number of statements, whatever the number of rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from punkt.analytics import segment_matrix as sm
from punkt.analytics import segments as seg
from punkt.analytics.tests import segment_world as sw
from punkt.core.errors import ActionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world: Any) -> sw.SegWorld:
    return sw.build(world)


def states(row: sm.Row) -> list[str]:
    return [c.state for c in row.cells]


def matrix(w: sw.SegWorld, user: Any, segment: Any, **kw: Any) -> list[sm.Row]:
    segments = seg.ordered()
    targets = sm.targets_of(segment)
    qs = sm.matrix_queryset(user, segment, segments, targets, **kw)
    rows = sm.rows_for(list(qs), targets)
    for customer, row in zip(qs, rows, strict=True):  # the SQL count agrees with the cells
        assert customer.used == row.used  # type: ignore[attr-defined]
    return rows


def test_the_matrix_of_a_segment_computed_on_paper(w: sw.SegWorld) -> None:
    rows = matrix(w, w.world.manager_a, w.small)
    assert [r.customer for r in rows] == [w.c7, w.c1, w.c2]
    by = {r.customer.pk: r for r in rows}
    assert states(by[w.c7.pk]) == ["signed", "signed", "signed"]
    assert states(by[w.c1.pk]) == ["signed", "offered", "none"]
    assert states(by[w.c2.pk]) == ["refused", "signed", "refused"]
    assert [r.maturity for r in rows] == [Decimal("100.0"), Decimal("33.3"), Decimal("33.3")]
    inet, _router, tv = by[w.c2.pk].cells
    assert inet.reason == "Za drogo" and inet.url.startswith("/pipeline/")
    assert tv.reason == "Nie ogląda" and tv.url.startswith("/contracts/offers/")
    assert by[w.c1.pk].cells[0].url.startswith("/contracts/")
    assert by[w.c1.pk].cells[0].on == sw.ago(30).date()
    assert by[w.c7.pk].cells[1].url.startswith("/sales/")
    assert states(matrix(w, w.world.manager_a, w.firms)[0]) == ["applied"]
    young = matrix(w, w.world.manager_a, w.young)
    assert [r.customer for r in young] == [w.c5]
    assert states(young[0]) == ["none", "offered"]  # the sale was returned


def test_sorting_and_the_state_filter(w: sw.SegWorld) -> None:
    m = w.world.manager_a
    assert [r.customer for r in matrix(w, m, w.small, sort="maturity")] == [w.c1, w.c2, w.c7]
    assert [r.customer for r in matrix(w, m, w.small, state="refused")] == [w.c2]
    assert [r.customer for r in matrix(w, m, w.small, state="offered")] == [w.c1]
    assert [r.customer for r in matrix(w, m, w.small, state="none")] == [w.c1]
    assert [r.customer for r in matrix(w, m, w.small, state="signed")] == [w.c7, w.c1, w.c2]
    assert matrix(w, m, w.small, state="applied") == []


def test_the_first_matching_segment_wins(w: sw.SegWorld) -> None:
    """c2 (a small company) matches "Małe firmy" and "Firmy": it is in the first only;
    moving "Firmy" up takes every company there."""
    assert seg.segment_of(w.c2) == w.small
    assert seg.segment_of(w.c3) == w.firms
    assert seg.segment_of(w.c6) is None
    assert w.c2 not in [r.customer for r in matrix(w, w.world.expert, w.firms)]
    seg.segment_move(actor=w.world.expert, segment_id=w.firms.pk, up=True)
    assert [s.name for s in seg.ordered()] == ["Firmy", "Małe firmy", "Młodzi"]
    assert seg.segment_of(w.c2) == w.firms
    assert matrix(w, w.world.expert, seg.ordered()[1]) == []
    assert {r.customer.pk for r in matrix(w, w.world.expert, w.firms)} == {
        w.c1.pk, w.c2.pk, w.c3.pk, w.c4.pk, w.c7.pk}


def test_branch_averages(w: sw.SegWorld) -> None:
    a = {x.segment.name: x for x in sm.averages(w.world.manager_a, seg.ordered())}
    assert (a["Małe firmy"].customers, a["Małe firmy"].used) == (3, 5)
    assert a["Małe firmy"].maturity == Decimal("55.6")
    assert (a["Firmy"].customers, a["Firmy"].maturity) == (1, Decimal("0.0"))
    assert (a["Młodzi"].customers, a["Młodzi"].maturity) == (1, Decimal("0.0"))
    everywhere = {x.segment.name: x for x in sm.averages(w.world.expert, seg.ordered())}
    assert everywhere["Małe firmy"].maturity == Decimal("50.0")
    only_b = {x.segment.name: x for x in sm.averages(w.world.expert, seg.ordered(),
                                                     branch_id=w.world.b.pk)}
    assert (only_b["Małe firmy"].customers, only_b["Małe firmy"].used) == (1, 1)


def test_the_cross_sell_list_ranked_by_value(w: sw.SegWorld) -> None:
    rows = list(sm.suggestions_queryset(w.world.manager_a, seg.ordered()))
    found = sm.suggestions_for(rows, seg.ordered())
    assert [(s.customer, s.product, s.value) for s in found] == [
        (w.c2, w.tv, Decimal("1500.00")), (w.c1, w.tv, Decimal("500.00")),
        (w.c5, w.tv, Decimal("400.00"))]
    assert found[0].start_url.startswith("/pipeline/new/?customer_id=")


def test_the_profile_maturity_missing_and_what_to_sell(w: sw.SegWorld) -> None:
    p = sm.customer_profile(w.c1)
    assert p.segment == w.small and (p.used, p.targets, p.maturity) == (1, 3, Decimal("33.3"))
    assert [t.product for t, _c in p.missing] == [w.router, w.tv]
    assert [t.product for t, _c in p.to_sell] == [w.tv]
    assert [t.product for t, _c in sm.customer_profile(w.c2).to_sell] == [w.tv]
    assert sm.customer_profile(w.c6).segment is None


def test_branch_isolation(w: sw.SegWorld) -> None:
    """Manager B sees c4 only; manager A never sees c4."""
    assert [r.customer for r in matrix(w, w.world.manager_b, w.small)] == [w.c4]
    assert w.c4 not in [r.customer for r in matrix(w, w.world.manager_a, w.small)]
    assert [r.customer for r in matrix(w, w.world.expert, w.small,
                                       branch_id=w.world.b.pk)] == [w.c4]
    assert matrix(w, w.world.manager_a, w.small, branch_id=w.world.b.pk) == []
    rows = list(sm.suggestions_queryset(w.world.manager_b, seg.ordered()))
    assert {r["customer_id"] for r in rows} == {w.c4.pk}


def test_statements_do_not_grow_with_rows(w: sw.SegWorld) -> None:
    def run() -> int:
        with CaptureQueriesContext(connection) as ctx:
            segments = seg.ordered()
            targets = sm.targets_of(w.small)
            qs = sm.matrix_queryset(w.world.expert, w.small, segments, targets)
            sm.rows_for(list(qs), targets)
        return len(ctx.captured_queries)

    before = run()
    for i in range(6):
        c = sw.customer(w.world, f"Nowa{i}", kind="company", company_name=f"Nowa {i}",
                        company_size="micro", nip="", pesel="")
        sw.sale(w.world, c, w.router, 5)
        sw.opportunity(w.world, c, w.inet, "lost", 5, reason="Nie teraz")
    # segments, targets, the current refresh (no kept rows: live), the rows, three sources
    assert run() == before == 7


def test_rules_are_checked_and_only_hq_defines_segments(w: sw.SegWorld) -> None:
    with pytest.raises(ValidationFailed):
        seg.segment_save(actor=w.world.expert, name="Zły", rules={"kind": ["alien"]})
    with pytest.raises(ValidationFailed):
        seg.segment_save(actor=w.world.expert, name="Pusty", rules={"kind": []})
    with pytest.raises(ValidationFailed):
        seg.segment_save(actor=w.world.expert, name="małe FIRMY", rules={"kind": ["person"]})
    with pytest.raises(ActionDenied):
        seg.segment_save(actor=w.world.manager_a, name="Nowy", rules={"kind": ["person"]})
    s = seg.segment_save(actor=w.world.expert, name="Branża",
                         rules={"industry": [" Budownictwo ", "budownictwo", "IT"]})
    assert s.rules == {"industry": ["Budownictwo", "IT"]}
    with pytest.raises(ValidationFailed):
        seg.target_add(actor=w.world.expert, segment_id=w.small.pk, product_id=w.tv.pk)
