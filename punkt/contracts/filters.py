"""The contract list's parameters, parsed once for the page and the API.

The page sends ``q`` (a contract number or the customer's name), ``status`` and
``branch``; the API (whose schema validates first) ``q``, ``status``, ``branch_id`` and
``customer_id``. A value the list cannot use is left
out (a hand-edited address shows the whole list), except that the API answers an unknown
status with no contracts: see :func:`punkt.contracts.selectors.contract_list`.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from punkt.contracts.models import Contract, ContractStatus
from punkt.core.filters import FilterSet, IdFilter
from punkt.customers.search import customers_named
from punkt.organization.actors import Actor

#: The number box takes at most this many characters.
Q_MAX = 40


def parse_number(text: str) -> int | None:
    """``U00000123``, ``u123`` or ``123`` → 123."""
    digits = text.strip().upper().removeprefix("U").lstrip("0")
    return int(digits) if digits.isdecimal() and digits.isascii() and len(digits) < 12 else None


class ContractFilter(FilterSet):
    """``q``: a contract number, else the customer's name (or number, PESEL, phone …) as
    the customer search box reads it (:func:`punkt.customers.search.customers_named`),
    among the customers ``user`` sees."""

    q = django_filters.CharFilter(method="by_number", strip=False)
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)
    branch = IdFilter(field_name="branch_id")
    #: The API's name for ``branch``.
    branch_id = IdFilter(field_name="branch_id")
    customer_id = IdFilter(field_name="customer_id")

    class Meta:
        model = Contract
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: QuerySet[Contract] | None = None, *,
                 user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        self.user = user

    def by_number(self, qs: QuerySet[Contract], name: str, value: str) -> QuerySet[Contract]:
        value = value[:Q_MAX]
        number = parse_number(value)
        if number:
            return qs.filter(pk=number)
        if self.user is None or not value.strip():
            return qs.none()
        return qs.filter(customer_id__in=customers_named(user=self.user, text=value))
