from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from punkt.core.paging import Listing

register = template.Library()


@register.filter
def page_url(listing: Listing, number: int) -> str:
    return listing.url_for(page=number)


@register.filter
def sort_url(listing: Listing, key: str) -> str:
    return listing.sort_url(key)


@register.filter
def sort_state(listing: Listing, key: str) -> str:
    return listing.sort_state(key)


@register.filter
def money(value: Decimal | int | None, currency: str = "zł") -> str:
    """Polish money: ``1 234,50 zł`` (grouping per locale, always two decimals)."""
    if value is None:
        return ""
    text = number_format(Decimal(value).quantize(Decimal("0.01")), decimal_pos=2,
                         use_l10n=True, force_grouping=True)
    return f"{text}\u00a0{currency}"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)
