"""C7: the till's day under random sequences of open, pay, reverse, cash in, cash out,
overpay and pay the credit out in cash (KW), close, close again, acknowledge and posting
after the close (a hypothesis state machine against the real services and database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from punkt.cashdesk import services
from punkt.cashdesk.models import Payment, PaymentMethod, TillEntry, TillSession, TillStatus
from punkt.cashdesk.services.till import DENOMINATIONS
from punkt.core.errors import ActionDenied, Conflict, DomainError

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300.00"), places=2)


def count_of(total: Decimal) -> dict[str, str]:
    """``total`` in notes and coins, largest first."""
    counted: dict[str, str] = {}
    for d in DENOMINATIONS:
        n = int(total // Decimal(d))
        if n:
            counted[d] = str(n)
            total -= Decimal(d) * n
    assert total == 0
    return counted


def snapshot(session_id: int) -> tuple[Any, ...]:
    """What a closed till holds: its closing fields and its entries."""
    s = TillSession.objects.get(pk=session_id)
    entries = tuple(TillEntry.objects.filter(session_id=session_id).order_by("pk")
                    .values_list("pk", "kind", "amount", "cash"))
    return (s.expected_cash, s.counted_total, s.difference, s.counted, s.closed_at,
            s.close_note, entries)


class TillDay(RuleBasedStateMachine):
    world: Any = None

    @initialize()
    def setup(self) -> None:
        from punkt.cashdesk.tests.factories import invoice

        w = self.world
        # Examples share the database: start each one with the cashier's till closed.
        left = services.till_current(w.cashier_a)
        if left is not None:
            services.till_close(actor=w.cashier_a, session_id=left.pk, counted={},
                                note="end of the previous example")
        from punkt.contracts.tests.factories import customer

        self.invoices = [invoice(w, net="5000.00") for _ in range(2)]
        self.creditor = customer(w)  # overpays small invoices, has the credit paid out
        self.credit = Decimal(0)
        self.session: int | None = None  # the open till
        self.expected = Decimal(0)  # float + cash in − cash out + cash paid − cash reversed
        self.closed: dict[int, tuple[Any, ...]] = {}  # closed till → what it held at close
        self.acknowledged: set[int] = set()
        self.live: list[int] = []  # payments not reversed

    def _refused_into_closed(self, exc: DomainError) -> None:
        assert self.session is None
        assert isinstance(exc, Conflict) and exc.code == "till_closed", exc.message

    @rule(amount=st.decimals(min_value=Decimal(0), max_value=Decimal("500"), places=2))
    def open(self, amount: Decimal) -> None:
        w = self.world
        try:
            s = services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float=amount)
        except Conflict as exc:
            assert self.session is not None and exc.code == "till_open", exc.message
            return
        assert self.session is None
        self.session, self.expected = s.pk, amount

    @rule(which=st.integers(0, 1), amount=amounts, cash=st.booleans())
    def pay(self, which: int, amount: Decimal, cash: bool) -> None:
        try:
            p = services.payment_register(actor=self.world.cashier_a,
                                          invoice_id=self.invoices[which].pk, amount=amount,
                                          method="cash" if cash else "card")
        except DomainError as exc:
            self._refused_into_closed(exc)
            return
        assert p.session_id == self.session
        self.live.append(p.pk)
        if cash:
            self.expected += amount

    @rule(index=st.integers(0, 50))
    def reverse(self, index: int) -> None:
        if not self.live:
            return
        p = Payment.objects.get(pk=self.live[index % len(self.live)])
        cash = p.amount if p.method == PaymentMethod.CASH else Decimal(0)
        try:
            rev = services.payment_reverse(actor=self.world.cashier_a, payment_id=p.pk,
                                           reason="mistake")
        except DomainError as exc:
            if self.session is None:
                self._refused_into_closed(exc)
            elif exc.code == "credit_used":  # its overpayment was paid out or spent since
                assert self.credit < p.to_credit, exc.message
            else:
                assert exc.code == "not_enough_cash" and self.expected < cash, exc.message
            return
        # a payment of an earlier (closed) till is reversed in today's open one
        assert rev.session_id == self.session
        self.live.remove(p.pk)
        self.expected -= cash
        self.credit -= p.to_credit

    @rule(amount=amounts, into=st.booleans())
    def cash_move(self, amount: Decimal, into: bool) -> None:
        try:
            services.cash_move(actor=self.world.cashier_a, kind="cash_in" if into else "cash_out",
                               amount=amount, reason="safe")
        except DomainError as exc:
            if self.session is None:
                self._refused_into_closed(exc)
            else:
                assert not into and exc.code == "not_enough_cash", exc.message
                assert self.expected < amount
            return
        self.expected += amount if into else -amount

    @rule(amount=amounts, cash=st.booleans())
    def overpay(self, amount: Decimal, cash: bool) -> None:
        from punkt.cashdesk.tests.factories import invoice

        small = invoice(self.world, self.creditor, net="0.01")  # 0.01 gross
        try:
            p = services.payment_register(actor=self.world.cashier_a, invoice_id=small.pk,
                                          amount=amount, method="cash" if cash else "card")
        except DomainError as exc:
            self._refused_into_closed(exc)
            return
        assert p.to_credit == amount - Decimal("0.01")
        self.credit += p.to_credit
        self.live.append(p.pk)
        if cash:
            self.expected += amount

    @rule(amount=amounts)
    def refund(self, amount: Decimal) -> None:
        from punkt.core.errors import ValidationFailed

        try:
            kw = services.credit_refund(actor=self.world.cashier_a,
                                        customer_id=self.creditor.pk, amount=amount)
        except DomainError as exc:
            if self.session is None:
                self._refused_into_closed(exc)
            elif self.credit <= 0:
                assert exc.code == "no_credit", exc.message
            elif amount > self.credit:
                assert isinstance(exc, ValidationFailed) and exc.field == "amount", exc.message
            else:
                assert exc.code == "not_enough_cash" and self.expected < amount, exc.message
            return
        assert kw.session_id == self.session and kw.number.startswith("KW/Z/AAA-01/")
        self.credit -= amount
        self.expected -= amount

    @rule(exact=st.booleans())
    def close(self, exact: bool) -> None:
        if self.session is None:
            return
        counted = count_of(self.expected) if exact else {"1": "1"}
        s = services.till_close(actor=self.world.cashier_a, session_id=self.session,
                                counted=counted, note="" if exact else "counted badly")
        total = self.expected if exact else Decimal(1)
        assert (s.status, s.expected_cash, s.counted_total, s.difference) == (
            TillStatus.CLOSED, self.expected, total, total - self.expected)
        self.closed[s.pk] = snapshot(s.pk)
        self.session, self.expected = None, Decimal(0)

    @rule(index=st.integers(0, 50))
    def close_again(self, index: int) -> None:
        if not self.closed:
            return
        pk = list(self.closed)[index % len(self.closed)]
        with pytest.raises(Conflict) as e:
            services.till_close(actor=self.world.cashier_a, session_id=pk,
                                counted={"500": "9"}, note="again")
        assert e.value.code == "invalid_state"

    @rule(index=st.integers(0, 50), who=st.sampled_from(["manager_a", "manager_b",
                                                           "cashier_a"]))
    def acknowledge(self, index: int, who: str) -> None:
        choices = list(self.closed) + ([self.session] if self.session else [])
        if not choices:
            return
        pk = choices[index % len(choices)]
        try:
            s = services.till_acknowledge(actor=getattr(self.world, who), session_id=pk,
                                          note="checked")
        except ActionDenied:
            assert who != "manager_a"
            return
        except Conflict as exc:  # the state refuses first, whoever asks
            assert pk == self.session or pk in self.acknowledged, exc.message
            return
        assert who == "manager_a" and pk in self.closed and pk not in self.acknowledged
        assert s.status == TillStatus.ACKNOWLEDGED and s.acknowledged_by == self.world.manager_a
        self.acknowledged.add(pk)

    @rule(which=st.integers(0, 1), amount=amounts)
    def post_after_close(self, which: int, amount: Decimal) -> None:
        if self.session is not None:
            return
        w = self.world
        for attempt in (
            lambda: services.payment_register(actor=w.cashier_a, amount=amount, method="cash",
                                              invoice_id=self.invoices[which].pk),
            lambda: services.cash_move(actor=w.cashier_a, kind="cash_in", amount=amount,
                                       reason="late"),
            lambda: services.credit_refund(actor=w.cashier_a, customer_id=self.creditor.pk,
                                           amount=amount),
        ):
            with pytest.raises(Conflict) as e:
                attempt()
            assert e.value.code == "till_closed"

    @invariant()
    def till_holds(self) -> None:
        if not hasattr(self, "closed"):
            return
        open_ = services.till_current(self.world.cashier_a)
        assert (open_.pk if open_ else None) == self.session
        if open_ is not None:
            assert services.expected_cash(open_) == self.expected >= 0
        from punkt.cashdesk import selectors

        assert selectors.credit_left(self.creditor.pk) == self.credit >= 0
        for pk, held in self.closed.items():  # nothing changes in a closed till
            assert snapshot(pk) == held
            s = TillSession.objects.get(pk=pk)
            if pk in self.acknowledged:
                assert s.status == TillStatus.ACKNOWLEDGED
                assert s.acknowledged_by_id == self.world.manager_a.pk
            else:
                assert s.status == TillStatus.CLOSED and s.acknowledged_by_id is None


def test_till_day_state_machine(world: Any) -> None:
    TillDay.world = world
    TillDay.TestCase.settings = settings(max_examples=40, stateful_step_count=25,
                                         deadline=None, suppress_health_check=list(HealthCheck))
    TillDay.TestCase().runTest()
