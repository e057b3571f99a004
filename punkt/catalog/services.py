"""Keeping the catalogue (HQ) and recording the help given with a product (branches)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from punkt.catalog import permissions as perms
from punkt.catalog.models import Product, ProductKind
from punkt.core.audit import audit_record, diff, snapshot
from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.text import one_line
from punkt.customers.models import Customer, CustomerStatus, TimelineEntry
from punkt.customers.timeline import register_kind, timeline_add
from punkt.materials.models import Material, MaterialKind, VatRate
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor

register_kind("help", gettext_lazy("Product help"), contact=True)

FIELDS = ["code", "name", "kind", "unit", "vat_rate", "ean", "description", "manual_id",
          "is_active"]
MAX_NOTE = 2000


def ean_valid(ean: str) -> bool:
    """EAN-8 / EAN-13 / GTIN-14 with a correct check digit."""
    if not ean.isdecimal() or not ean.isascii() or len(ean) not in (8, 13, 14):
        return False
    digits = [int(c) for c in ean]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def _values(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    out["code"] = one_line(data.get("code"), field="code", label=_("Code"), limit=40,
                            required=True)
    out["name"] = one_line(data.get("name"), field="name", label=_("Name"), limit=200,
                            required=True)
    kind = str(data.get("kind") or ProductKind.PRODUCT)
    # leaflets (kind ``leaflet``) are made by the campaigns area with their leaflet
    if kind not in (ProductKind.PRODUCT, ProductKind.ACCESSORY):
        raise ValidationFailed("invalid", _("Choose product or accessory."), field="kind")
    out["kind"] = kind
    out["unit"] = one_line(data.get("unit") or "szt.", field="unit", label=_("Unit"),
                            limit=20, required=True)
    vat = str(data.get("vat_rate") or "")
    if vat not in VatRate.values:
        raise ValidationFailed("invalid", _("Choose a VAT rate: 23, 8, 5, 0, zw or np."),
                               field="vat_rate")
    out["vat_rate"] = vat
    ean = "".join(str(data.get("ean") or "").split())
    if ean and not ean_valid(ean):
        raise ValidationFailed("invalid", _("The EAN must have 8, 13 or 14 digits with a "
                                            "correct check digit."), field="ean")
    out["ean"] = ean
    description = str(data.get("description") or "").strip()
    if len(description) > 5000:
        raise ValidationFailed("too_long", _("The description may have at most 5000 "
                                             "characters."), field="description")
    out["description"] = description
    manual = data.get("manual_id") or None
    if manual is not None:
        try:
            manual = int(manual)
        except (TypeError, ValueError):
            manual = -1
        if not Material.objects.filter(pk=manual, kind=MaterialKind.MANUAL).exists():
            raise ValidationFailed("invalid", _("Choose a product manual published by HQ."),
                                   field="manual_id")
    out["manual_id"] = manual
    out["is_active"] = bool(data.get("is_active", True))
    return out


def _save(product: Product, actor: Actor) -> None:
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        if Product.objects.filter(code=product.code).exclude(pk=product.pk).exists():
            raise ValidationFailed("duplicate", _("Another product has the code %(code)s.")
                                   % {"code": product.code}, field="code") from None
        raise ValidationFailed("duplicate", _("Another product has this EAN."),
                               field="ean") from None


@transaction.atomic
def product_create(*, actor: Actor, **data: Any) -> Product:
    org_perms.ensure(actor, perms.PRODUCT_MANAGE.code)
    product = Product(**_values(data))
    _save(product, actor)
    audit_record(action="catalog.product.create", obj=product, actor=actor)
    return product


@transaction.atomic
def product_update(*, actor: Actor, product_id: int, **data: Any) -> Product:
    org_perms.ensure(actor, perms.PRODUCT_MANAGE.code)
    product = Product.objects.locked(product_id, missing=_("Product not found."))
    before = snapshot(product, FIELDS)
    for key, value in _values({**snapshot(product, FIELDS), **data}).items():
        setattr(product, key, value)
    _save(product, actor)
    audit_record(action="catalog.product.update", obj=product, actor=actor,
                 changes=diff(before, snapshot(product, FIELDS)))
    return product


@transaction.atomic
def help_record(*, actor: Actor, customer_id: int, product_id: int,
                note: str = "") -> TimelineEntry:
    """The help given with a product (configuration, a manual explained) on the customer's
    timeline, at the customer's branch."""
    customer = Customer.objects.filter(pk=customer_id).only("pk", "branch_id", "status").first()
    if customer is None:
        raise NotFound(_("Customer not found."))
    org_perms.ensure(actor, perms.HELP_RECORD.code, customer.branch_id)
    if customer.status != CustomerStatus.ACTIVE:
        raise ValidationFailed("not_active", _("This customer record is closed."))
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationFailed("invalid", _("Choose a product."), field="product")
    note = str(note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed("too_long", _("A note may have at most %(n)d characters.")
                               % {"n": MAX_NOTE}, field="note")
    entry = timeline_add(customer_id=customer.pk, kind="help", actor=actor,
                         branch_id=customer.branch_id, source=product, body=note,
                         subject=_("Help with %(product)s") % {"product": product.name})
    audit_record(action="catalog.help.record", obj=customer, actor=actor,
                 branch_id=customer.branch_id, message=product.code)
    return entry
