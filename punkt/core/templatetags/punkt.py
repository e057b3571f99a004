from __future__ import annotations

from typing import Any

from django import template

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
def make_list_of(value: Any) -> list[Any]:
    """One bound field as a list, for templates that loop over fields."""
    return [value]


@register.filter
def pln(value: Any) -> str:
    """``1234.5`` → ``1 234,50 zł`` (non-breaking spaces), as documents print money."""
    from decimal import Decimal, InvalidOperation

    from punkt.core.money import format_pln

    if value in (None, ""):
        return ""
    try:
        return format_pln(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
