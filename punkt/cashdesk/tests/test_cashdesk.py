from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import translation

from punkt.cashdesk import selectors, services
from punkt.cashdesk.models import (
    IdempotencyKey,
    Invoice,
    InvoiceStatus,
    Payment,
    TillEntry,
    TillSession,
    TillStatus,
)
from punkt.cashdesk.tests.factories import invoice
from punkt.contracts.tests.factories import customer
from punkt.core.errors import ActionDenied, Conflict, NotFound, ValidationFailed
from punkt.customers.models import TimelineEntry

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def till(world: Any, amount: str = "200.00") -> TillSession:
    return services.till_open(actor=world.cashier_a, branch_id=world.a.pk,
                              opening_float=amount)


def test_invoice_vat_per_rate_and_errors(world: Any) -> None:
    c = customer(world)
    inv = services.invoice_create(
        actor=world.expert, customer_id=c.pk, number="FV/1/2026", issued_on="2026-11-01",
        due_on="2026-11-15", lines=[
            {"name": "Internet", "vat_rate": "23", "net": "40.65"},
            {"name": "Router rent", "vat_rate": "23", "net": "8.13"},
            {"name": "Guide", "vat_rate": "5", "net": "10.00"}])
    # 23% of 48.78 = 11.2194 → 11.22 (per rate, not per line); 5% of 10 = 0.50
    assert (inv.net, inv.vat, inv.gross) == (Decimal("58.78"), Decimal("11.72"),
                                             Decimal("70.50"))
    assert inv.buyer_lookup == "zolkiewska zofia" and inv.buyer_postal_code == "31-042"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"number": "FV/1/2026"}, "number"),
        ({"due_on": "2026-10-01"}, "due_on"),
        ({"issued_on": "1.11.2026"}, "issued_on"),
        ({"lines": [{"name": "X", "vat_rate": "22", "net": "1"}]}, "lines[1].vat_rate"),
        ({"gross": "70.51"}, "gross"),
        ({"verification_url": "http://x"}, "verification_url")]
    for kwargs, field in cases:
        data: dict[str, Any] = {
            "number": "FV/2/2026", "issued_on": "2026-11-01", "due_on": "2026-11-15",
            "lines": [{"name": "Internet", "vat_rate": "23", "net": "40.65"}], **kwargs}
        if kwargs.get("gross"):
            data["lines"] = inv.lines
        with pytest.raises(ValidationFailed) as e:
            services.invoice_create(actor=world.expert, customer_id=c.pk, **data)
        assert e.value.field == field, kwargs
    with pytest.raises(ActionDenied):
        services.invoice_create(actor=world.cashier_a, customer_id=c.pk, number="X",
                                issued_on="2026-11-01", due_on="2026-11-15", lines=inv.lines)


def test_find_by_number_or_by_name_and_address(world: Any) -> None:
    c = customer(world)
    inv = invoice(world, c)
    other = invoice(world, customer(world, first_name="Adam", street="ul. Długa 5",
                                    postal_code="80-001", city="Gdańsk"))
    assert selectors.invoice_by_number(user=world.cashier_a, number=f" {inv.number.lower()} ") \
        == inv
    for address in ("31-042", "31042", "Kraków", "krakow", "Floriańska"):
        found = selectors.invoices_by_buyer(user=world.cashier_a, first_name="zofia",
                                            last_name="ŻÓŁKIEWSKA", address=address)
        assert found == [inv], address
    assert selectors.invoices_by_buyer(user=world.cashier_a, first_name="Zofia",
                                       last_name="Żółkiewska", address="80-001") == []
    with pytest.raises(ValidationFailed) as e:
        selectors.invoices_by_buyer(user=world.cashier_a, first_name="Zofia",
                                    last_name="Żółkiewska", address="")
    assert e.value.field == "address"
    with pytest.raises(ActionDenied):
        selectors.invoice_by_number(user=world.service_a, number=other.number)


def test_partial_full_and_overpayment(world: Any) -> None:
    inv = invoice(world)  # 123.00
    till(world)
    p1 = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="23,00",
                                   method="cash")
    inv.refresh_from_db()
    assert (inv.paid, inv.status) == (Decimal("23.00"), InvoiceStatus.PARTIAL)
    assert selectors.balance(inv.customer_id).due == Decimal("100.00")
    p2 = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="150",
                                   method="card")
    inv.refresh_from_db()
    assert (inv.paid, inv.status) == (Decimal("123.00"), InvoiceStatus.PAID)
    assert (p2.allocated, p2.to_credit) == (Decimal("100.00"), Decimal("50.00"))
    b = selectors.balance(inv.customer_id)
    assert (b.due, b.credit) == (Decimal("0"), Decimal("50.00"))
    with pytest.raises(Conflict):
        services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="1",
                                  method="cash")
    entries = TillEntry.objects.filter(session__cashier=world.cashier_a).order_by("pk")
    assert [(e.kind, e.cash) for e in entries] == [
        ("float", Decimal("200.00")), ("payment", Decimal("23.00")), ("payment", Decimal(0))]
    subjects = list(TimelineEntry.objects.filter(customer_id=inv.customer_id, kind="payment")
                    .values_list("subject", flat=True))
    assert len(subjects) == 2 and any("kept as credit" in s for s in subjects)
    assert p1.number.startswith("KP/") and p2.number.startswith("P/")


def test_payment_rules(world: Any) -> None:
    inv = invoice(world)
    with pytest.raises(Conflict) as e:
        services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="10",
                                  method="cash")
    assert e.value.code == "till_closed"
    with pytest.raises(ActionDenied):  # a service employee has no till
        services.till_open(actor=world.service_a, branch_id=world.a.pk, opening_float="0")
    till(world)
    for amount, method, field in [("0", "cash", "amount"), ("-5", "cash", "amount"),
                                  ("12.345", "cash", "amount"), ("10", "cheque", "method")]:
        with pytest.raises(ValidationFailed) as ve:
            services.payment_register(actor=world.cashier_a, invoice_id=inv.pk,
                                      amount=amount, method=method)
        assert ve.value.field == field
    with pytest.raises(NotFound):
        services.payment_register(actor=world.cashier_a, invoice_id=10**9, amount="1",
                                  method="cash")
    assert not Payment.objects.exists()


def test_business_cash_above_15000_is_refused(world: Any) -> None:
    firm = customer(world, kind="company", company_name="Hurtownia Sp. z o.o.",
                    nip="5260250995", pesel="", first_name="", last_name="")
    big = invoice(world, firm, net="12200.00")  # 15,006.00 gross
    small = invoice(world, firm, net="1000.00")
    till(world)
    with pytest.raises(ValidationFailed) as e:
        services.payment_register(actor=world.cashier_a, invoice_id=big.pk, amount="100",
                                  method="cash")
    assert e.value.field == "method" and "art. 19" in e.value.message
    services.payment_register(actor=world.cashier_a, invoice_id=big.pk, amount="100",
                              method="card")
    services.payment_register(actor=world.cashier_a, invoice_id=small.pk, amount="100",
                              method="cash")
    person = invoice(world, net="13000.00")
    services.payment_register(actor=world.cashier_a, invoice_id=person.pk, amount="16000",
                              method="cash")  # a consumer may pay cash


def test_idempotency_key(world: Any) -> None:
    inv = invoice(world)
    till(world)
    first = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="50",
                                       method="cash", key="k-1")
    again = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk,
                                       amount="50.00", method="cash", key="k-1")
    assert again.pk == first.pk and getattr(again, "replayed", False)
    with pytest.raises(ValidationFailed) as e:
        services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="60",
                                  method="cash", key="k-1")
    assert e.value.status == 422
    # A request that failed releases its key: the corrected retry goes through.
    with pytest.raises(ValidationFailed):
        services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="0",
                                  method="cash", key="k-2")
    assert not IdempotencyKey.objects.filter(key="k-2").exists()
    assert Payment.objects.count() == 1
    # Another cashier's key, even for the same payment, is not his to replay.
    from punkt.core.roles import Role
    from tests.world import make_user

    other = make_user("kasjer2.a@test.pl", Role.CASHIER, world.a)
    services.till_open(actor=other, branch_id=world.a.pk, opening_float="0")
    with pytest.raises(ValidationFailed) as e:
        services.payment_register(actor=other, invoice_id=inv.pk, amount="50",
                                  method="cash", key="k-1")
    assert e.value.code == "key_reused"


def test_close_count_acknowledge(world: Any) -> None:
    inv = invoice(world)
    session = till(world, "100")
    services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="50",
                              method="cash")
    services.cash_move(actor=world.cashier_a, kind="cash_in", amount="20", reason="change")
    with pytest.raises(ValidationFailed) as e:
        services.cash_move(actor=world.cashier_a, kind="cash_out", amount="20", reason="")
    assert e.value.field == "reason"
    with pytest.raises(Conflict):
        services.cash_move(actor=world.cashier_a, kind="cash_out", amount="1000",
                           reason="to the bank")
    services.cash_move(actor=world.cashier_a, kind="cash_out", amount="70", reason="safe")
    assert services.expected_cash(session) == Decimal("100.00")
    with pytest.raises(ValidationFailed) as e:  # 99.50 counted, no explanation
        services.till_close(actor=world.cashier_a, session_id=session.pk,
                            counted={"50": "1", "20": "2", "5": "1", "2": "2", "0.50": "1"})
    assert e.value.field == "note"
    with pytest.raises(ValidationFailed) as e:
        services.till_close(actor=world.cashier_a, session_id=session.pk, counted={"50": "x"})
    assert e.value.field == "count-50"
    closed = services.till_close(actor=world.cashier_a, session_id=session.pk,
                                 counted={"50": "1", "20": "2", "5": "1", "2": "2",
                                          "0.50": "1"}, note="brakuje 50 gr")
    assert (closed.status, closed.expected_cash, closed.counted_total, closed.difference) == (
        TillStatus.CLOSED, Decimal("100.00"), Decimal("99.50"), Decimal("-0.50"))
    with pytest.raises(Conflict) as twice:  # closing twice changes nothing, and says so
        services.till_close(actor=world.cashier_a, session_id=session.pk,
                            counted={"500": "9"})
    assert twice.value.code == "invalid_state" and "already closed" in twice.value.message
    session.refresh_from_db()
    assert (session.status, session.counted_total) == (TillStatus.CLOSED, Decimal("99.50"))
    with pytest.raises(Conflict):  # nothing goes into a closed till
        services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="1",
                                  method="cash")
    with pytest.raises(ActionDenied):
        services.till_acknowledge(actor=world.manager_b, session_id=session.pk, note="ok")
    with pytest.raises(ValidationFailed):
        services.till_acknowledge(actor=world.manager_a, session_id=session.pk)
    done = services.till_acknowledge(actor=world.manager_a, session_id=session.pk,
                                     note="potrącenie z premii")
    assert done.status == TillStatus.ACKNOWLEDGED and done.acknowledged_by == world.manager_a
    with pytest.raises(Conflict):
        services.till_acknowledge(actor=world.manager_a, session_id=session.pk, note="x")


def _utc(year: int, month: int, day: int, hour: int, minute: int,
         second: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.UTC)


# Warsaw: clocks go forward at 01:00 UTC on 29.03.2026 (a 23-hour day) and back at
# 01:00 UTC on 25.10.2026 (a 25-hour day). Each instant with the business day it falls in.
DST_INSTANTS = [
    (_utc(2026, 3, 28, 22, 59, 59), datetime.date(2026, 3, 28)),   # 23:59:59 CET
    (_utc(2026, 3, 28, 23, 0, 0), datetime.date(2026, 3, 29)),     # 00:00 CET
    (_utc(2026, 3, 29, 0, 59, 59), datetime.date(2026, 3, 29)),    # 01:59:59 CET
    (_utc(2026, 3, 29, 1, 0, 0), datetime.date(2026, 3, 29)),      # 03:00 CEST
    (_utc(2026, 3, 29, 21, 59, 59), datetime.date(2026, 3, 29)),   # 23:59:59 CEST
    (_utc(2026, 3, 29, 22, 0, 0), datetime.date(2026, 3, 30)),     # 00:00 CEST
    (_utc(2026, 10, 24, 21, 59, 59), datetime.date(2026, 10, 24)),  # 23:59:59 CEST
    (_utc(2026, 10, 24, 22, 0, 0), datetime.date(2026, 10, 25)),   # 00:00 CEST
    (_utc(2026, 10, 25, 0, 30, 0), datetime.date(2026, 10, 25)),   # 02:30 CEST
    (_utc(2026, 10, 25, 1, 30, 0), datetime.date(2026, 10, 25)),   # 02:30 CET
    (_utc(2026, 10, 25, 22, 59, 59), datetime.date(2026, 10, 25)),  # 23:59:59 CET
    (_utc(2026, 10, 25, 23, 0, 0), datetime.date(2026, 10, 26)),   # 00:00 CET
]


@pytest.mark.parametrize(("instant", "day"), DST_INSTANTS,
                         ids=[i.isoformat() for i, _ in DST_INSTANTS])
def test_the_business_day_follows_the_warsaw_clock_across_dst(instant: datetime.datetime,
                                                              day: datetime.date) -> None:
    with time_machine.travel(instant, tick=False):
        assert services.till.today() == day


@pytest.mark.parametrize(("first", "last", "next_day"), [
    # 29.03.2026 lasts 23 hours: 23:00 UTC on the 28th to 22:00 UTC on the 29th
    (_utc(2026, 3, 28, 23, 0, 0), _utc(2026, 3, 29, 21, 59, 59), _utc(2026, 3, 29, 22, 0, 0)),
    # 25.10.2026 lasts 25 hours: 22:00 UTC on the 24th to 23:00 UTC on the 25th
    (_utc(2026, 10, 24, 22, 0, 0), _utc(2026, 10, 25, 22, 59, 59),
     _utc(2026, 10, 25, 23, 0, 0)),
], ids=["spring-forward", "fall-back"])
def test_a_till_lasts_exactly_the_local_day_across_dst(world: Any, first: datetime.datetime,
                                                       last: datetime.datetime,
                                                       next_day: datetime.datetime) -> None:
    with time_machine.travel(first, tick=False):
        inv = invoice(world)
        session = till(world, "0")
        assert session.business_day == first.astimezone(WARSAW).date()
    with time_machine.travel(last, tick=False):  # the day's last second: still open
        paid = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk,
                                         amount="1", method="cash")
        assert paid.session_id == session.pk
    with time_machine.travel(next_day, tick=False):  # the next local midnight: stale
        with pytest.raises(Conflict) as e:
            services.payment_register(actor=world.cashier_a, invoice_id=inv.pk,
                                      amount="1", method="cash")
        assert e.value.code == "till_stale"


def test_yesterday_is_closed_and_corrections_go_into_today(world: Any, time_machine: Any
                                                           ) -> None:
    # the Saturday before the clocks go back, a minute before midnight in Warsaw
    time_machine.move_to(_utc(2026, 10, 24, 21, 59, 0), tick=False)
    inv = invoice(world)
    session = till(world, "0")
    assert session.business_day == datetime.date(2026, 10, 24)
    paid = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="100",
                                     method="cash")
    time_machine.move_to(_utc(2026, 10, 24, 22, 1, 0), tick=False)  # 00:01 on 25.10
    with pytest.raises(Conflict) as e:  # a till left open overnight takes no more
        services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="1",
                                  method="cash")
    assert e.value.code == "till_stale" and "24.10.2026" in e.value.message
    services.till_close(actor=world.cashier_a, session_id=session.pk, counted={"100": "1"})
    today_session = till(world, "0")
    assert today_session.business_day == datetime.date(2026, 10, 25)
    with pytest.raises(Conflict) as e:  # no cash in today's drawer to give back
        services.payment_reverse(actor=world.cashier_a, payment_id=paid.pk, reason="x")
    assert e.value.code == "not_enough_cash"
    services.cash_move(actor=world.cashier_a, kind="cash_in", amount="100", reason="safe")
    with pytest.raises(ValidationFailed):
        services.payment_reverse(actor=world.cashier_a, payment_id=paid.pk, reason="")
    reversal = services.payment_reverse(actor=world.cashier_a, payment_id=paid.pk,
                                        reason="wrong invoice")
    assert reversal.session_id == today_session.pk and reversal.amount == Decimal("-100.00")
    with pytest.raises(Conflict):
        services.payment_reverse(actor=world.cashier_a, payment_id=paid.pk, reason="again")
    inv.refresh_from_db()
    assert (inv.paid, inv.status) == (Decimal("0.00"), InvoiceStatus.OPEN)
    session.refresh_from_db()
    assert session.expected_cash == Decimal("100.00")  # the closed day did not change
    assert services.expected_cash(today_session) == Decimal("0.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")
def test_closed_till_and_ledgers_refuse_changes(world: Any) -> None:
    inv = invoice(world)
    session = till(world)
    services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="10",
                              method="cash")
    services.till_close(actor=world.cashier_a, session_id=session.pk,
                        counted={"200": "1", "10": "1"})
    with pytest.raises(DatabaseError), transaction.atomic():
        TillEntry.objects.create(session=session, kind="cash_in", amount=1, cash=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        TillEntry.objects.all().delete()


def test_count_keys_and_invoice_numbers(world: Any) -> None:
    session = till(world, "0")
    with pytest.raises(ValidationFailed) as e:
        services.till_close(actor=world.cashier_a, session_id=session.pk,
                            counted={"0.5": "2"})
    assert e.value.field == "count-0.5"
    inv = invoice(world)
    lower = services.invoice_create(actor=world.expert, customer_id=inv.customer_id,
                                    number="fv/abc/1", issued_on="2026-11-01",
                                    due_on="2026-11-15", lines=inv.lines)
    assert lower.number == "FV/ABC/1"
    assert selectors.invoice_by_number(user=world.cashier_a, number="fv/abc/1") == lower


def test_a_stale_claim_is_taken_over_once(world: Any) -> None:
    """A key committed without its payment (left by a request of the earlier two-step
    claim that died) is taken over by the next request with it, once."""
    inv = invoice(world)
    till(world)
    IdempotencyKey.objects.create(
        key="k-old", actor=world.cashier_a, claim="dead-request",
        fingerprint=services._fingerprint(inv.pk, Decimal("5.00"), "cash"))
    p = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="5",
                                  method="cash", key="k-old")
    again = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="5",
                                      method="cash", key="k-old")
    assert again.pk == p.pk and Payment.objects.count() == 1
    assert p.number.startswith("KP/")
    rev = services.payment_reverse(actor=world.cashier_a, payment_id=p.pk, reason="x")
    assert rev.number.startswith("KW/")


def _pdf_text(data: bytes, tmp_path: Any) -> str:
    import subprocess

    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_invoice_duplicate_prints_the_full_seller_block(world: Any, tmp_path: Any,
                                                       settings: Any) -> None:
    """VAT Act art. 106e: the duplicate names the seller with address and NIP (issue 15,
    bug 6): the legal name and NIP from the settings, the address from the HQ branch."""
    from punkt.cashdesk import documents

    settings.PUNKT_SELLER_NAME = "Punkt Telekom Sp. z o.o."
    settings.PUNKT_SELLER_NIP = "1234563218"
    world.hq.street, world.hq.postal_code, world.hq.city = "ul. Prosta 7", "00-838", "Warszawa"
    world.hq.save()
    inv = invoice(world)
    text = _pdf_text(documents.invoice_pdf(inv, reissued_on=inv.issued_on), tmp_path)
    seller = text[text.index("Sprzedawca"):]
    for part in ("Punkt Telekom Sp. z o.o.", "NIP 1234563218", "ul. Prosta 7",
                 "00-838 Warszawa"):
        assert part in seller, part
    # the company renames and moves: the earlier invoice's duplicate keeps the seller it
    # was issued by, a new one names the company as it is now
    settings.PUNKT_SELLER_NAME = ""
    world.hq.street = "ul. Nowa 1"
    world.hq.save()
    text = _pdf_text(documents.invoice_pdf(inv, reissued_on=inv.issued_on), tmp_path)
    seller = text[text.index("Sprzedawca"):]
    assert "Punkt Telekom Sp. z o.o." in seller and "ul. Prosta 7" in seller
    later = invoice(world)
    text = _pdf_text(documents.invoice_pdf(later, reissued_on=later.issued_on), tmp_path)
    seller = text[text.index("Sprzedawca"):]
    assert "Centrala" in seller and "ul. Nowa 1" in seller
    assert later.seller_id != inv.seller_id
    assert invoice(world).seller_id == later.seller_id  # one record per distinct seller


def test_hostile_buyer_names_print_as_typed(world: Any, tmp_path: Any) -> None:
    from punkt.cashdesk import documents

    hostile = customer(world, first_name="<b>Zofia</b>", last_name="=HYPERLINK(\"x\")",
                       street="ul. <script>alert(1)</script> 1")
    inv = invoice(world, hostile)
    till(world)
    p = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="10",
                                  method="cash")
    for data in (documents.kp_pdf(p), documents.invoice_pdf(inv, reissued_on=inv.issued_on)):
        text = _pdf_text(data, tmp_path)
        assert "<b>Zofia</b>" in text and "<script>alert(1)</script>" in text
    assert "DUPLIKAT" in _pdf_text(documents.invoice_pdf(inv, reissued_on=inv.issued_on),
                                   tmp_path)
    words = _pdf_text(documents.kp_pdf(p), tmp_path)
    assert "dziesięć złotych 00/100" in words


def _audit_since(last: int) -> list[tuple[Any, ...]]:
    from punkt.core.models import AuditEvent

    return [(r.action, r.actor_id, r.branch_id, r.object_type, r.object_id)
            for r in AuditEvent.objects.filter(pk__gt=last).order_by("pk")]


def _last_audit() -> int:
    from punkt.core.models import AuditEvent

    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_payment_and_reversal_each_write_one_audit_row(world: Any) -> None:
    """C26: a payment and its reversal: one append-only audit row each, naming the
    actor, the branch and the payment."""
    inv = invoice(world)
    till(world)
    last = _last_audit()
    p = services.payment_register(actor=world.cashier_a, invoice_id=inv.pk, amount="50",
                                  method="cash")
    assert _audit_since(last) == [("cashdesk.payment.register", world.cashier_a.pk,
                                   world.a.pk, "cashdesk.payment", str(p.pk))]
    last = _last_audit()
    rev = services.payment_reverse(actor=world.cashier_a, payment_id=p.pk, reason="mistake")
    assert _audit_since(last) == [("cashdesk.payment.reverse", world.cashier_a.pk,
                                   world.a.pk, "cashdesk.payment", str(rev.pk))]


def test_invoices_recorded_before_sellers_were_kept_get_the_seller_of_now(world: Any,
                                                                          settings: Any) -> None:
    import importlib

    from django.apps import apps

    fill = importlib.import_module(
        "punkt.cashdesk.migrations.0010_seller_for_earlier_invoices").fill
    settings.PUNKT_SELLER_NAME = "Punkt Telekom Sp. z o.o."
    earlier, kept = invoice(world), invoice(world)
    Invoice.objects.filter(pk=earlier.pk).update(seller=None)
    fill(apps, None)
    earlier.refresh_from_db()
    assert earlier.seller is not None and earlier.seller.name == "Punkt Telekom Sp. z o.o."
    assert earlier.seller_id == kept.seller_id  # the same seller: one record
