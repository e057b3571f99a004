"""Categories (R2.5) and ABC/XYZ classes (R12.3, R12.4) of small worlds computed on paper,
the history's change flags, the A → C task (once, C9) and the refresh that stops midway
(the previous figures stay)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from punkt.analytics import refresh, selectors
from punkt.analytics.models import Cell, ClassDrop, Snapshot, Standing
from punkt.analytics.refresh import Rules
from punkt.analytics.tests.factories import contract, credit_use, customer, payment, sale

D = dt.date
#: window 3 months, ABC/XYZ over 6 months, A < 50 %, B < 80 %, X ≤ 10 %, Y ≤ 25 %
RULES = Rules(window=3, period=6)
AS_OF = D(2026, 6, 15)  # window April–June 2026, period January–June 2026


def classes(snap: Snapshot) -> dict[str, tuple[str, str, str]]:
    rows = Standing.objects.filter(snapshot=snap).select_related("customer")
    return {r.customer.last_name: (r.category, r.abc, r.xyz) for r in rows}


def monthly(world: Any, cust: Any, amounts: list[str], year: int = 2026) -> None:
    for month, amount in enumerate(amounts, start=1):
        if amount:
            sale(world, cust, D(year, month, 10), amount)


@pytest.fixture
def paper(world: Any) -> dict[str, Any]:
    """Ten customers whose classes are worked out below. Turnover in the period (zł):
    Stały 600, Wahający 600, Sezonowy 600, Utracony 400, Płatnik 400, Bekowy 300,
    Nowy 200, Odzyskany 100 — total 3,200."""
    c = {name: customer(world, name) for name in (
        "Potencjalny", "Nowy", "Stały", "Utracony", "Odzyskany", "Wahający", "Sezonowy",
        "Umowny", "Płatnik")}
    c["Bekowy"] = customer(world, "Bekowy", branch=world.b)
    # new: first settlement on 31 May at 23:30 in Warsaw (21:30 UTC, still May), a return
    # of 100 zł in June: 200 zł net
    first = sale(world, c["Nowy"], D(2026, 5, 31), "300.00", hour=23, minute=30)
    sale(world, c["Nowy"], D(2026, 6, 2), "100.00", kind="return", original=first)
    monthly(world, c["Stały"], ["100"] * 6)                      # CV 0 → X
    monthly(world, c["Utracony"], ["200", "200"])               # none since February
    sale(world, c["Odzyskany"], D(2025, 10, 5), "500.00")      # then nothing until June
    sale(world, c["Odzyskany"], D(2026, 6, 1), "100.00")
    monthly(world, c["Wahający"], ["90", "110"] * 3)            # CV exactly 10 % → X
    monthly(world, c["Sezonowy"], ["80", "120"] * 3)            # CV 20 % → Y
    contract(world, c["Umowny"], D(2025, 12, 1), D(2027, 11, 30))  # in force, no money
    # paid in January and April (two empty months between: still regular); a March
    # payment reversed does not count; credit settled against an invoice does
    payment(world, c["Płatnik"], D(2026, 1, 20), "200.00")
    payment(world, c["Płatnik"], D(2026, 3, 3), "1000.00", reversed_on=D(2026, 3, 4))
    credit_use(world, c["Płatnik"], D(2026, 4, 8), "200.00")
    monthly(world, c["Bekowy"], ["50"] * 6)                    # branch B, CV 0 → X
    return c


def test_categories_and_classes_of_a_world_computed_on_paper(paper: Any) -> None:
    """Ranked by turnover: the three 600s tie (one block, cumulative share before it 0 %:
    all A, although the block ends at 56.25 %); the 400s start at 56.25 % (< 80 %: B); the
    300 starts at 81.25 % (C), the 200 and 100 after it (C).

    XYZ (population σ / mean of the months from max(period start, first month)):
    Utracony [200, 200, 0, 0, 0, 0] → 141 % Z; Odzyskany [0, 0, 0, 0, 0, 100] → 224 % Z;
    Płatnik [200, 0, 0, 200, 0, 0] → 141 % Z; Wahający 10 % (the boundary is X)."""
    snap = refresh.refresh(as_of=AS_OF, rules=RULES)
    assert snap is not None and snap.status == "done"
    assert classes(snap) == {
        "Potencjalny": ("potential", "", ""),
        "Nowy": ("new", "C", ""),
        "Stały": ("regular", "A", "X"),
        "Utracony": ("lost", "B", "Z"),
        "Odzyskany": ("restored", "C", "Z"),
        "Wahający": ("regular", "A", "X"),
        "Sezonowy": ("regular", "A", "Y"),
        "Umowny": ("regular", "", ""),
        "Płatnik": ("regular", "B", "Z"),
        "Bekowy": ("regular", "C", "X"),
    }
    rows = {r.customer.last_name: r for r in
            Standing.objects.filter(snapshot=snap).select_related("customer")}
    assert rows["Nowy"].turnover == 20000 and rows["Płatnik"].turnover == 40000
    assert rows["Wahający"].cv == pytest.approx(10.0)
    assert rows["Sezonowy"].cv == pytest.approx(20.0)
    assert rows["Utracony"].cv == pytest.approx(100 * (320000 ** 0.5) / 400)
    assert rows["Nowy"].first_month == 2026 * 12 + 4  # May, in Warsaw's calendar
    assert snap.customers == 10


def test_the_table_counts_and_sums_per_branch(paper: Any, world: Any) -> None:
    snap = refresh.refresh(as_of=AS_OF, rules=RULES)
    m = selectors.matrix(world.admin, snap)
    assert m.customers == 10 and m.turnover == 320000
    assert m.cells["A"]["X"] == (2, 120000) and m.cells["A"]["Y"] == (1, 60000)
    assert m.cells["B"]["Z"] == (2, 80000) and m.cells["C"]["X"] == (1, 30000)
    assert m.abc_only["C"] == (1, 20000)  # the new customer: ABC without XYZ
    assert m.categories == {"potential": 1, "new": 1, "regular": 6, "lost": 1,
                            "restored": 1}
    mine = selectors.matrix(world.manager_a, snap)  # branch A only: Bekowy is B's
    assert mine.customers == 9 and mine.cells["C"]["X"] == (0, 0)
    assert Cell.objects.filter(snapshot=snap, branch=world.b).get().customers == 1


@pytest.mark.parametrize("as_of,expected", [
    (D(2026, 1, 31), "new"),        # first bought in December: within the window
    (D(2026, 3, 31), "regular"),    # window January–March
    (D(2026, 4, 30), "lost"),       # February–April empty
    (D(2026, 7, 31), "lost"),
])
def test_lost_after_a_full_empty_window(world: Any, as_of: D, expected: str) -> None:
    cust = customer(world, "Okresowy")
    sale(world, cust, D(2025, 12, 1), "10.00")
    sale(world, cust, D(2026, 1, 1), "10.00")
    snap = refresh.refresh(as_of=as_of, rules=RULES)
    assert snap is not None
    assert classes(snap)["Okresowy"][0] == expected


def test_restored_lasts_one_window_then_regular(world: Any) -> None:
    """Bought in January 2026, lost from April, back in June: restored in June, July and
    August (the return is in the window), regular in September if they bought again."""
    cust = customer(world, "Wracający")
    for day in (D(2026, 1, 5), D(2026, 6, 5), D(2026, 8, 5), D(2026, 9, 5)):
        sale(world, cust, day, "10.00")
    seen = {}
    for as_of in (D(2026, 5, 31), D(2026, 6, 30), D(2026, 8, 31), D(2026, 9, 30)):
        snap = refresh.refresh(as_of=as_of, rules=RULES)
        assert snap is not None
        seen[as_of.month] = classes(snap)["Wracający"][0]
    assert seen == {5: "lost", 6: "restored", 8: "restored", 9: "regular"}


def test_a_terminated_contract_stops_counting(world: Any) -> None:
    cust = customer(world, "Zerwany")
    contract(world, cust, D(2025, 1, 1), D(2026, 12, 31), status="terminated",
             terminated_on=D(2026, 2, 28))
    snap = refresh.refresh(as_of=AS_OF, rules=RULES)
    assert snap is not None and classes(snap)["Zerwany"] == ("lost", "", "")


@pytest.mark.parametrize("amounts,expected", [
    (["1000", "10"], ["A", "C"]),             # the top customer is A even above 80 %
    (["50", "30", "20"], ["A", "B", "C"]),    # 50 % reached exactly: the next one is B
    (["40", "40", "20"], ["A", "A", "C"]),    # a tie straddling 50 %: both A
    (["25", "25", "25", "25"], ["A"] * 4),     # everyone tied: everyone A
])
def test_abc_edge_cases(world: Any, amounts: list[str], expected: list[str]) -> None:
    names = [f"K{i}" for i in range(len(amounts))]
    for name, amount in zip(names, amounts, strict=True):
        sale(world, customer(world, name), D(2026, 1, 10), amount)
    snap = refresh.refresh(as_of=AS_OF, rules=RULES)
    assert snap is not None
    got = classes(snap)
    assert [got[n][1] for n in names] == expected


def test_history_flags_changes_and_an_a_to_c_drop_is_a_task_once(world: Any) -> None:
    """One-month window and period: in May Duży (1,000 zł) is A and Mały (100 zł) C; in
    June Duży buys for 10 zł: C, and Mały is A — Duży's owner gets one task, however often
    June is refreshed (C9)."""
    from punkt.work.models import Notification, Task

    rules = Rules(window=1, period=1)
    big, small = customer(world, "Duży"), customer(world, "Mały")
    sale(world, big, D(2026, 4, 5), "1.00")  # customers since April: regular in May
    sale(world, small, D(2026, 4, 5), "1.00")
    sale(world, big, D(2026, 5, 5), "1000.00")
    sale(world, small, D(2026, 5, 5), "100.00")
    sale(world, big, D(2026, 6, 5), "10.00")
    sale(world, small, D(2026, 6, 5), "100.00")
    may = refresh.refresh(as_of=D(2026, 5, 31), rules=rules)
    june = refresh.refresh(as_of=D(2026, 6, 30), rules=rules)
    assert may is not None and june is not None
    assert classes(may) == {"Duży": ("regular", "A", "X"), "Mały": ("regular", "C", "X")}
    assert classes(june) == {"Duży": ("regular", "C", "X"), "Mały": ("regular", "A", "X")}
    row = Standing.objects.get(snapshot=june, customer=big)
    assert (row.prev_abc, row.changed) == ("A", True)
    task = Task.objects.get(customer=big)
    assert task.assignee == world.service_a  # registered the customer, works in A
    assert Notification.objects.filter(recipient=world.service_a,
                                       kind="analytics.class_drop").count() == 1
    again = refresh.refresh(as_of=D(2026, 6, 30), rules=rules)
    assert again is not None
    assert Task.objects.filter(customer=big).count() == 1
    assert ClassDrop.objects.count() == 1
    # the history keeps one snapshot per month: May and the last of June
    assert list(Snapshot.objects.order_by("as_of", "id").values_list("pk", flat=True)) == [
        may.pk, again.pk]
    assert [s.snapshot_id for s in selectors.customer_history(world.admin, big)] == [
        again.pk, may.pk]


def test_a_refresh_stopped_midway_leaves_the_previous_figures(
        paper: Any, world: Any, monkeypatch: Any) -> None:
    before = refresh.refresh(as_of=D(2026, 5, 31), rules=RULES)
    assert before is not None
    figures = sorted(Standing.objects.filter(snapshot=before).values_list(
        "customer_id", "category", "abc", "xyz", "turnover"))
    table = selectors.matrix(world.admin, before)
    sale(world, paper["Potencjalny"], D(2026, 6, 1), "5000.00")

    def broken(snap: Snapshot) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(refresh, "insert_cells", broken)  # after the standings are written
    with pytest.raises(RuntimeError):
        refresh.refresh(as_of=AS_OF, rules=RULES)
    failed = Snapshot.objects.get(as_of=AS_OF)
    assert failed.status == "failed" and "went away" in failed.error
    assert Standing.objects.filter(snapshot=failed).exists()  # its partial rows…
    assert selectors.current() == before                       # …are not what anyone reads
    assert sorted(Standing.objects.filter(snapshot=before).values_list(
        "customer_id", "category", "abc", "xyz", "turnover")) == figures
    assert selectors.matrix(world.admin, selectors.current()) == table
    assert selectors.filtered(world.admin, selectors.current(),
                              category="potential").get().customer == paper["Potencjalny"]
    monkeypatch.undo()
    after = refresh.refresh(as_of=AS_OF, rules=RULES)
    assert after is not None and selectors.current() == after
    assert classes(after)["Potencjalny"] == ("new", "A", "")
    assert not Snapshot.objects.filter(status="failed").exists()  # swept
    assert not Standing.objects.filter(snapshot_id=failed.pk).exists()


def test_once_per_slot_and_one_refresh_at_a_time(world: Any) -> None:
    """C9: the slot's refresh runs once; while one runs another does nothing; one left
    running by a killed worker is taken over after two hours."""
    from django.utils import timezone

    assert refresh.refresh(as_of=AS_OF, rules=RULES, slot="2026-06-15T00:00") is not None
    assert refresh.refresh(as_of=AS_OF, rules=RULES, slot="2026-06-15T00:00") is None
    stuck = Snapshot.objects.create(as_of=AS_OF, month=0, window_months=3, period_months=6)
    assert refresh.refresh(as_of=AS_OF, rules=RULES) is None
    Snapshot.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=3))
    assert refresh.refresh(as_of=AS_OF, rules=RULES) is not None
    assert not Snapshot.objects.filter(pk=stuck.pk).exists()  # failed, then swept


def test_the_scheduled_job_refreshes_once_per_slot(world: Any) -> None:
    from punkt.analytics.tasks import refresh_analytics

    first = refresh_analytics.call(slot="2026-12-07T00:00:00+00:00")
    second = refresh_analytics.call(slot="2026-12-07T00:00:00+00:00")
    assert first["snapshot"] and second == {"snapshot": 0, "customers": 0}


def test_rules_refuse_nonsense() -> None:
    for bad in (Rules(window=0), Rules(window=6, period=3), Rules(abc_a=80, abc_b=50),
                Rules(xyz_x=30, xyz_y=20)):
        with pytest.raises(ValueError):
            bad.check()
