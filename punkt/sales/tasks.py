"""Handing receipts to the fiscal register after the sale commits."""

from __future__ import annotations

from django.tasks import task


@task()
def print_receipt(sale_id: int) -> str:
    from punkt.sales.services import receipt_print

    return receipt_print(sale_id)
