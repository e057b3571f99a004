from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from punkt.contracts.tests.factories import customer
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.core.money import vat_from_gross
from punkt.customers.models import TimelineEntry
from punkt.inventory.models import StockLevel, StockMovement
from punkt.inventory.tests.factories import shop
from punkt.sales import services
from punkt.sales.fiscal import FiscalError
from punkt.sales.models import ReceiptStatus, Sale, SaleKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def qty(branch: Any, product: Any) -> int:
    return StockLevel.objects.get(branch=branch, product=product).quantity


def sell(world: Any, *lines: tuple[Any, int], actor: Any = None, **kw: Any) -> Sale:
    extra = kw.pop("extra", {})
    return services.sale_create(
        actor=actor or world.service_a, branch_id=world.a.pk, payment_method=kw.pop(
            "payment_method", "card"),
        lines=[{"product_id": p.pk, "quantity": n, **extra} for p, n in lines], **kw)


def test_vat_is_taken_out_of_the_total_per_rate() -> None:
    rows = vat_from_gross([("23", Decimal("249.00")), ("23", Decimal("19.99")),
                           ("5", Decimal("39.90")), ("zw", Decimal("10.00"))])
    assert [(r.vat_rate, r.gross, r.net, r.vat) for r in rows] == [
        ("23", Decimal("268.99"), Decimal("218.69"), Decimal("50.30")),
        ("5", Decimal("39.90"), Decimal("38.00"), Decimal("1.90")),
        ("zw", Decimal("10.00"), Decimal("10.00"), Decimal("0.00"))]


def test_a_sale_takes_price_stock_and_goes_on_the_timeline(world: Any) -> None:
    s = shop(world, stock_a=3)
    c = customer(world)
    sale = sell(world, (s.router, 1), (s.cable, 2), customer_id=c.pk, payment_method="cash")
    assert sale.kind == SaleKind.SALE and sale.total_gross == Decimal("288.98")
    assert sale.number.startswith("S")
    assert qty(world.a, s.router) == 2 and qty(world.a, s.cable) == 1
    assert StockMovement.objects.filter(source_id=str(sale.pk), kind="sale").count() == 2
    entry = TimelineEntry.objects.get(customer=c, kind="sale")
    assert "Router Wi-Fi 6 × 1" in entry.subject


def test_discount_within_the_limit(world: Any) -> None:
    s = shop(world, stock_a=3)
    sale = sell(world, (s.router, 1), extra={"discount_percent": "10"})
    assert sale.total_gross == Decimal("224.10") and sale.discount_gross == Decimal("24.90")
    with pytest.raises(ActionDenied) as e:
        sell(world, (s.router, 1), extra={"discount_percent": "15"})
    assert "10%" in e.value.message
    sale = sell(world, (s.router, 1), actor=world.manager_a, extra={"discount_percent": "15"})
    assert sale.total_gross == Decimal("211.65")
    with pytest.raises(ValidationFailed) as invalid:
        sell(world, (s.router, 1), extra={"discount_percent": "abc"})
    assert invalid.value.field == "lines[1].discount_percent"


def test_no_oversell_and_nothing_half_written(world: Any) -> None:
    s = shop(world, stock_a=1)
    with pytest.raises(Conflict) as e:
        sell(world, (s.cable, 1), (s.router, 2))
    assert "Router" in e.value.message
    assert qty(world.a, s.cable) == 1 and not Sale.objects.exists()


def test_errors_name_the_field(world: Any) -> None:
    s = shop(world, stock_a=1)
    with pytest.raises(ValidationFailed) as e:
        sell(world, (s.router, 1), payment_method="cheque")
    assert e.value.field == "payment_method"
    with pytest.raises(ValidationFailed) as e:
        sell(world, (s.router, 0))
    assert e.value.field == "lines[1].quantity"
    with pytest.raises(ValidationFailed) as e:
        services.sale_create(actor=world.service_a, branch_id=world.a.pk,
                             payment_method="card", lines=[])
    assert e.value.field == "lines"
    other = customer(world, branch=world.b, actor=world.service_b)
    with pytest.raises(ValidationFailed) as e:
        sell(world, (s.router, 1), customer_id=other.pk)
    assert e.value.field == "customer"
    with pytest.raises(ActionDenied):
        services.sale_create(actor=world.service_b, branch_id=world.a.pk,
                             payment_method="card", lines=[{"product_id": s.router.pk}])
    with pytest.raises(ActionDenied):
        sell(world, (s.router, 1), actor=world.cashier_a)


def test_no_price_no_sale(world: Any) -> None:
    from punkt.catalog import services as catalog

    shop(world, stock_a=0)
    odd = catalog.product_create(actor=world.expert, code="NOPRICE", name="Bez ceny",
                                 vat_rate="23")
    with pytest.raises(ValidationFailed) as e:
        sell(world, (odd, 1))
    assert e.value.code == "no_price" and e.value.field == "lines[1].product_id"


def test_the_same_form_sells_once(world: Any) -> None:
    s = shop(world, stock_a=3)
    first = sell(world, (s.router, 1), key="form-123")
    again = sell(world, (s.router, 1), key="form-123")
    assert again.pk == first.pk and getattr(again, "replayed", False)
    assert qty(world.a, s.router) == 2
    with pytest.raises(Conflict):
        sell(world, (s.router, 1), key="form-123", actor=world.manager_a)
    with pytest.raises(ValidationFailed) as e:  # the same key, another basket: refused
        sell(world, (s.router, 2), key="form-123")
    assert (e.value.code, e.value.field) == ("key_reused", "Idempotency-Key")
    assert qty(world.a, s.router) == 2


def test_returns_are_new_documents(world: Any) -> None:
    s = shop(world, stock_a=3)
    c = customer(world)
    sale = sell(world, (s.router, 2), (s.cable, 1), customer_id=c.pk,
                extra={"discount_percent": "5"})
    router_line = sale.lines.get(product=s.router)
    with pytest.raises(ValidationFailed) as e:
        services.sale_return(actor=world.service_a, sale_id=sale.pk,
                             quantities={router_line.pk: 1}, reason="")
    assert e.value.field == "reason"
    with pytest.raises(ValidationFailed) as e:
        services.sale_return(actor=world.service_a, sale_id=sale.pk,
                             quantities={router_line.pk: 3}, reason="changed mind")
    assert e.value.field == f"line-{router_line.pk}"
    ret = services.sale_return(actor=world.service_a, sale_id=sale.pk,
                               quantities={router_line.pk: 1}, reason="changed mind")
    assert ret.kind == SaleKind.RETURN and ret.original_id == sale.pk
    assert ret.total_gross == Decimal("236.55")  # half of 473.10 paid for two
    assert qty(world.a, s.router) == 2
    assert services.returnable(sale)[router_line.pk] == 1
    sale.refresh_from_db()
    assert sale.total_gross == Decimal("492.09")  # the sale itself never changes
    with pytest.raises(ActionDenied):
        services.sale_return(actor=world.service_b, sale_id=sale.pk,
                             quantities={router_line.pk: 1}, reason="x")


class Register:
    printed: list[dict[str, Any]] = []
    fail = False

    def print_receipt(self, receipt: dict[str, Any]) -> str:
        if Register.fail:
            raise FiscalError("paper out")
        Register.printed.append(receipt)
        return f"R-{len(Register.printed)}"


@override_settings(PUNKT_FISCAL_BACKEND="punkt.sales.tests.test_sales.Register")
def test_receipt_goes_to_the_register_once(world: Any) -> None:
    Register.printed, Register.fail = [], False
    s = shop(world, stock_a=3)
    sale = sell(world, (s.router, 1), (s.book, 1))
    assert services.receipt_print(sale.pk) == ReceiptStatus.PRINTED
    assert services.receipt_print(sale.pk) == ReceiptStatus.PRINTED  # a retry prints nothing
    assert len(Register.printed) == 1
    receipt = Register.printed[0]
    assert receipt["document"] == sale.number
    assert {v["rate"]: v["vat"] for v in receipt["vat"]} == {"23": "46.56", "5": "1.90"}
    sale.refresh_from_db()
    assert sale.receipt_number == "R-1"


@override_settings(PUNKT_FISCAL_BACKEND="punkt.sales.tests.test_sales.Register")
def test_register_failure_and_crash(world: Any) -> None:
    Register.printed, Register.fail = [], True
    s = shop(world, stock_a=3)
    sale = sell(world, (s.router, 1))
    assert services.receipt_print(sale.pk) == ReceiptStatus.FAILED
    Register.fail = False
    with pytest.raises(Conflict):
        services.receipt_retry(actor=world.service_a, sale_id=(sell(world, (s.cable, 1))).pk)
    services.receipt_retry(actor=world.service_a, sale_id=sale.pk)
    assert services.receipt_print(sale.pk) == ReceiptStatus.PRINTED
    # A worker that died at the register: the receipt is not printed a second time.
    Sale.objects.filter(pk=sale.pk).update(receipt_status=ReceiptStatus.PRINTING)
    assert services.receipt_print(sale.pk) == ReceiptStatus.UNCERTAIN
    assert len(Register.printed) == 1


def test_file_register_writes_the_receipt(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    s = shop(world, stock_a=1)
    sale = sell(world, (s.router, 1))
    assert services.receipt_print(sale.pk) == ReceiptStatus.PRINTED
    data = json.loads((tmp_path / "fiscal" / f"{sale.number}.json").read_text())
    assert data["total_gross"] == "249.00" and data["receipt_number"].startswith("PAR-")


def test_unit_by_unit_returns_refund_exactly_what_was_paid(world: Any) -> None:
    s = shop(world, stock_a=3)
    sale = sell(world, (s.book, 3), extra={"discount_percent": "5"})
    line = sale.lines.get()
    assert line.total_gross == Decimal("113.72")  # 3 × 39.90 × 0.95 = 113.715 → half up
    refunds = [services.sale_return(actor=world.service_a, sale_id=sale.pk,
                                    quantities={line.pk: 1}, reason="wada").total_gross
               for _ in range(3)]
    assert sum(refunds) == Decimal("113.72")


def test_basket_survives_junk_quantities() -> None:
    from punkt.sales import basket

    b: dict[str, Any] = {"lines": [], "customer": None}
    basket.add(b, 7, 2)
    basket.update(b, 7, "1.5", "0")
    assert b["lines"][0]["quantity"] == 2  # the junk kept the previous quantity
    basket.update(b, 7, "abc", "0")
    basket.add(b, 7, 10**17)
    assert b["lines"][0]["quantity"] == 1000


def test_keys_of_sales_and_returns_do_not_mix(world: Any) -> None:
    s = shop(world, stock_a=3)
    sale = sell(world, (s.router, 1), key="k")
    ret = services.sale_return(actor=world.service_a, sale_id=sale.pk,
                               quantities={sale.lines.get().pk: 1}, reason="x", key="k")
    assert ret.kind == SaleKind.RETURN
    same = services.sale_return(actor=world.service_a, sale_id=sale.pk,
                                quantities={sale.lines.get().pk: 1}, reason="x", key="k")
    assert same.pk == ret.pk
    with pytest.raises(ValidationFailed) as e:
        services.sale_return(actor=world.service_a, sale_id=sale.pk,
                             quantities={sale.lines.get().pk: 1}, reason="other", key="k")
    assert e.value.code == "key_reused"
    with pytest.raises(ValidationFailed) as e:
        sell(world, (s.router, 1), key="x" * 71)
    assert e.value.field == "Idempotency-Key"


class Flaky:
    def print_receipt(self, receipt: dict[str, Any]) -> str:
        raise TimeoutError("no answer from the register")


@override_settings(PUNKT_FISCAL_BACKEND="punkt.sales.tests.test_sales.Flaky")
def test_a_register_timeout_is_uncertain_not_failed(world: Any) -> None:
    s = shop(world, stock_a=1)
    sale = sell(world, (s.router, 1))
    assert services.receipt_print(sale.pk) == ReceiptStatus.UNCERTAIN


def test_a_rolled_back_sale_leaves_no_receipt_task_and_no_stock_change(world: Any) -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    s = shop(world, stock_a=2)
    before = DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        sell(world, (s.router, 1))
        raise RuntimeError("the work failed after the sale was queued for the register")
    assert not Sale.objects.exists() and DBTaskResult.objects.count() == before
    assert qty(world.a, s.router) == 2
    assert not StockMovement.objects.filter(kind="sale").exists()


def _audit_since(last: int) -> list[tuple[Any, ...]]:
    from punkt.core.models import AuditEvent

    return [(r.action, r.actor_id, r.branch_id, r.object_type, r.object_id)
            for r in AuditEvent.objects.filter(pk__gt=last).order_by("pk")]


def _last_audit() -> int:
    from punkt.core.models import AuditEvent

    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_sale_and_return_each_write_one_audit_row(world: Any) -> None:
    """C26: a counter sale and its return: one append-only audit row each, naming the
    actor, the branch and the document."""
    s = shop(world)
    last = _last_audit()
    sale = sell(world, (s.router, 1), (s.cable, 1))
    assert _audit_since(last) == [("sales.sale.create", world.service_a.pk, world.a.pk,
                                   "sales.sale", str(sale.pk))]
    last = _last_audit()
    line = sale.lines.get(product=s.router)
    ret = services.sale_return(actor=world.service_a, sale_id=sale.pk,
                               quantities={line.pk: 1}, reason="changed mind")
    assert _audit_since(last) == [("sales.sale.return", world.service_a.pk, world.a.pk,
                                   "sales.sale", str(ret.pk))]
