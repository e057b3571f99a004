"""Invoices recorded before sellers were kept get the seller as configured now (the best
knowledge there is), so that a later rename or move does not change their duplicates.
In batches of 50,000 by id, each its own transaction (20M invoices must not be one)."""

from typing import Any

from django.conf import settings
from django.db import migrations

BATCH = 50_000


def fill(apps: Any, schema_editor: Any) -> None:
    Invoice = apps.get_model("cashdesk", "Invoice")
    SellerRecord = apps.get_model("cashdesk", "SellerRecord")
    Branch = apps.get_model("organization", "Branch")
    if not Invoice.objects.filter(seller__isnull=True).exists():
        return
    hq = Branch.objects.filter(kind="hq").first()
    seller, _created = SellerRecord.objects.get_or_create(
        name=(settings.PUNKT_SELLER_NAME or (hq.name if hq else ""))[:250],
        nip=settings.PUNKT_SELLER_NIP, street=(hq.street if hq else "")[:200],
        postal_code=(hq.postal_code if hq else "")[:6], city=(hq.city if hq else "")[:100])
    last = Invoice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = 0
    while start <= last:
        Invoice.objects.filter(pk__gt=start, pk__lte=start + BATCH,
                               seller__isnull=True).update(seller=seller)
        start += BATCH


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cashdesk", "0009_seller_per_invoice"),
        ("organization", "0004_company_day_off_once"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
