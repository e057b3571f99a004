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


@register.filter
def initials(user: Any) -> str:
    """``Katarzyna Kierownik`` → ``KK`` (the user menu's badge); the e-mail's first letter
    when the name is empty."""
    first = (getattr(user, "first_name", "") or "").strip()[:1]
    last = (getattr(user, "last_name", "") or "").strip()[:1]
    return (first + last).upper() or (getattr(user, "email", "") or "?")[:1].upper()


@register.filter
def phone(value: Any) -> str:
    """``+48601234567`` → ``+48 601 234 567``: a phone number as every page shows it
    (:func:`punkt.core.phones.format_phone`)."""
    from punkt.core.phones import format_phone

    return format_phone(value)


@register.filter
def tel(value: Any) -> str:
    """The ``tel:`` link of a phone number (``""`` when it is none)."""
    from punkt.core.phones import tel_uri

    return tel_uri(value)


@register.simple_tag
def badge(obj: Any, field_name: str = "status", testid: str = "") -> str:
    """``<span class="badge TONE">label</span>`` for ``obj``'s choice field, its colour
    declared beside the enum (:mod:`punkt.core.badges`)."""
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe

    from punkt.core.badges import badge_parts

    tone, label = badge_parts(type(obj), field_name, getattr(obj, field_name))
    classes = f"badge {tone}" if tone else "badge"
    extra = f' data-testid="{conditional_escape(testid)}"' if testid else ""
    return mark_safe(  # noqa: S308 - the label and the test id are escaped
        f'<span class="{classes}"{extra}>{conditional_escape(label)}</span>')
