"""C6: invoice balances under random sequences of payments, reversals, credit settled
against invoices and settlements undone by HQ (a hypothesis state machine against the real
services and database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from punkt.cashdesk import selectors, services
from punkt.cashdesk.models import CreditUse, Invoice, InvoiceStatus, Payment
from punkt.core.errors import DomainError

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("300.00"), places=2)


class Balances(RuleBasedStateMachine):
    world: Any = None

    @initialize()
    def setup(self) -> None:
        from punkt.cashdesk.tests.factories import invoice
        from punkt.contracts.tests.factories import customer

        w = self.world
        self.customer = customer(w)
        self.invoices = [invoice(w, self.customer, net=n) for n in ("100.00", "40.65")]
        if services.till_current(w.cashier_a) is None:
            services.till_open(actor=w.cashier_a, branch_id=w.a.pk, opening_float="1000")
        self.model_paid = {i.pk: Decimal(0) for i in self.invoices}
        self.model_credit = Decimal(0)
        self.live: list[int] = []
        self.settlements: list[int] = []

    @rule(which=st.integers(0, 1), amount=amounts, cash=st.booleans())
    def pay(self, which: int, amount: Decimal, cash: bool) -> None:
        inv = self.invoices[which]
        outstanding = inv.gross - self.model_paid[inv.pk]
        try:
            p = services.payment_register(actor=self.world.cashier_a, invoice_id=inv.pk,
                                          amount=amount, method="cash" if cash else "card")
        except DomainError as exc:
            assert outstanding <= 0 and exc.code == "paid", exc.message
            return
        taken = min(amount, outstanding)
        assert (p.allocated, p.to_credit) == (taken, amount - taken)
        self.model_paid[inv.pk] += taken
        self.model_credit += amount - taken
        self.live.append(p.pk)

    @rule(index=st.integers(0, 50))
    def reverse(self, index: int) -> None:
        if not self.live:
            return
        pk = self.live[index % len(self.live)]
        p = Payment.objects.get(pk=pk)
        try:
            services.payment_reverse(actor=self.world.cashier_a, payment_id=pk,
                                     reason="mistake")
        except DomainError as exc:
            # the credit it made was spent on another invoice since
            assert exc.code == "credit_used" and self.model_credit < p.to_credit, exc.message
            return
        self.live.remove(pk)
        self.model_paid[p.invoice_id] -= p.allocated
        self.model_credit -= p.to_credit

    @rule(which=st.integers(0, 1))
    def settle_credit(self, which: int) -> None:
        inv = self.invoices[which]
        outstanding = inv.gross - self.model_paid[inv.pk]
        try:
            use = services.credit_apply(actor=self.world.cashier_a, invoice_id=inv.pk)
        except DomainError as exc:
            assert (exc.code, outstanding <= 0 or self.model_credit <= 0) in {
                ("paid", True), ("no_credit", True)}, exc.message
            assert exc.code != "paid" or outstanding <= 0
            return
        assert use.amount == min(self.model_credit, outstanding) > 0
        self.model_paid[inv.pk] += use.amount
        self.model_credit -= use.amount
        self.settlements.append(use.pk)

    @rule(index=st.integers(0, 50))
    def undo_settlement(self, index: int) -> None:
        if not self.settlements:
            return
        pk = self.settlements.pop(index % len(self.settlements))
        use = CreditUse.objects.get(pk=pk)
        reversal = services.credit_use_reverse(actor=self.world.expert, use_id=pk,
                                               reason="mistake")
        assert reversal.amount == -use.amount
        self.model_paid[use.invoice_id] -= use.amount
        self.model_credit += use.amount

    @invariant()
    def balances_hold(self) -> None:
        if not hasattr(self, "invoices"):
            return
        for inv in Invoice.objects.filter(pk__in=self.model_paid):
            assert Decimal(0) <= inv.paid <= inv.gross
            assert inv.paid == self.model_paid[inv.pk]
            allocated = sum(Payment.objects.filter(invoice=inv).values_list("allocated",
                                                                             flat=True),
                            Decimal(0))
            settled = sum(CreditUse.objects.filter(invoice=inv).values_list("amount",
                                                                           flat=True),
                          Decimal(0))
            assert allocated + settled == inv.paid
            expected = (InvoiceStatus.OPEN if inv.paid == 0 else InvoiceStatus.PAID
                        if inv.paid == inv.gross else InvoiceStatus.PARTIAL)
            assert inv.status == expected
        b = selectors.balance(self.customer.pk)
        assert b.credit == self.model_credit >= 0
        assert b.due == sum((i.gross - self.model_paid[i.pk] for i in self.invoices),
                            Decimal(0))


def test_invoice_balances_state_machine(world: Any) -> None:
    Balances.world = world
    Balances.TestCase.settings = settings(max_examples=10, stateful_step_count=10,
                                          deadline=None, suppress_health_check=list(HealthCheck))
    Balances.TestCase().runTest()


def test_balance_statement_gives_what_the_orm_definition_gives(world: Any) -> None:
    """The hand-written balance against its ORM definition: unpaid, partly paid, paid and
    overdue invoices, credit paid in, settled, undone and refunded."""
    import datetime

    from punkt.cashdesk.tests.factories import invoice

    cash = services

    first = invoice(world)
    cust = first.customer_id
    second = invoice(world, first.customer)
    invoice(world, first.customer)
    cash.till_open(actor=world.cashier_a, branch_id=world.a.pk, opening_float="100.00")
    cash.payment_register(actor=world.cashier_a, invoice_id=first.pk, amount="500.00",
                          method="cash")
    cash.payment_register(actor=world.cashier_a, invoice_id=second.pk, amount="10.00",
                          method="cash")
    cash.credit_refund(actor=world.cashier_a, customer_id=cust, amount="5.00")
    for day in (datetime.date(2020, 1, 1), datetime.date(2026, 12, 6),
                datetime.date(2031, 1, 1)):
        assert selectors.balance(cust, today=day) == selectors.balance_reference(cust, day)
        assert selectors.balance(cust, today=day).credit == selectors.credit_left(cust)
    nobody = selectors.balance(999_999, today=datetime.date(2026, 12, 6))
    assert nobody == selectors.Balance(Decimal(0), Decimal(0), Decimal(0), 0, 0)
