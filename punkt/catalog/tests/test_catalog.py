from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from punkt.catalog import selectors, services
from punkt.catalog.tests.factories import catalogue
from punkt.contracts.tests.factories import customer, publish
from punkt.core.errors import ActionDenied, NotFound, ValidationFailed
from punkt.customers.models import TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def test_ean_check_digit() -> None:
    assert services.ean_valid("5901234123457")
    assert not services.ean_valid("5901234123458")
    assert not services.ean_valid("59012341234")


def test_product_errors_name_the_field(world: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        services.product_create(actor=world.expert, code="X", name="X", vat_rate="22")
    assert e.value.field == "vat_rate"
    with pytest.raises(ValidationFailed) as e:
        services.product_create(actor=world.expert, code="X", name="X", vat_rate="23",
                                ean="5901234123458")
    assert e.value.field == "ean"
    services.product_create(actor=world.expert, code="X", name="X", vat_rate="23")
    with pytest.raises(ValidationFailed) as e:
        services.product_create(actor=world.expert, code="X", name="Y", vat_rate="23")
    assert e.value.field == "code" and "X" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        services.product_create(actor=world.expert, code=" ", name="Y", vat_rate="23")
    assert e.value.field == "code"


def test_only_hq_keeps_the_catalogue(world: Any) -> None:
    with pytest.raises(ActionDenied):
        services.product_create(actor=world.manager_a, code="X", name="X", vat_rate="23")


def test_manual_must_be_a_published_manual(world: Any) -> None:
    leaflet = publish(world, "promo", b"%PDF-1.4 promo", "promo.pdf", title="Promo")
    with pytest.raises(ValidationFailed) as e:
        services.product_create(actor=world.expert, code="X", name="X", vat_rate="23",
                                manual_id=leaflet.material_id)
    assert e.value.field == "manual_id"
    manual = publish(world, "manual", b"%PDF-1.4 manual", "instrukcja.pdf",
                     title="Instrukcja routera")
    product = services.product_create(actor=world.expert, code="X", name="X", vat_rate="23",
                                      manual_id=manual.material_id)
    assert selectors.manual_at(product, branch_id=world.a.pk) == manual


def test_price_comes_from_the_list_in_force(world: Any) -> None:
    s = catalogue(world)
    prices = selectors.prices_at(branch_id=world.a.pk, codes=["RTR-AX", "CBL-5", "NONE"])
    assert prices["RTR-AX"].price_gross == Decimal("249.00")
    assert "NONE" not in prices
    newer = publish(world, "price_list", b"kod;nazwa;cena brutto;VAT\nRTR-AX;Router;199;23\n",
                    "nowy.csv", material_id=s.prices.material_id)
    prices = selectors.prices_at(branch_id=world.a.pk, codes=["RTR-AX", "CBL-5"])
    assert prices["RTR-AX"].price_gross == Decimal("199.00")
    assert prices["RTR-AX"].version == newer
    assert "CBL-5" not in prices  # the new version of that list no longer has it


def test_help_goes_on_the_timeline(world: Any) -> None:
    s = catalogue(world)
    c = customer(world)
    services.help_record(actor=world.service_a, customer_id=c.pk, product_id=s.router.pk,
                         note="Configured the Wi-Fi")
    entry = TimelineEntry.objects.get(customer=c, kind="help")
    assert "Router Wi-Fi 6" in entry.subject and entry.body == "Configured the Wi-Fi"
    with pytest.raises(ActionDenied):
        services.help_record(actor=world.service_b, customer_id=c.pk, product_id=s.router.pk)
    with pytest.raises(NotFound):
        services.help_record(actor=world.service_a, customer_id=10**9, product_id=s.router.pk)
