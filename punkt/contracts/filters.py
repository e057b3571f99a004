"""The contract list's parameters, parsed once for the page and the API.

The page sends ``q``, ``status`` and ``branch``; the API (whose schema validates first)
``q``, ``status``, ``branch_id`` and ``customer_id``. A value the list cannot use is left
out (a hand-edited address shows the whole list), except that the API answers an unknown
status with no contracts: see :func:`punkt.contracts.selectors.contract_list`.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from punkt.contracts.models import Contract, ContractStatus
from punkt.core.filters import FilterSet, IdFilter

#: The number box takes at most this many characters.
Q_MAX = 40


def parse_number(text: str) -> int | None:
    """``U00000123``, ``u123`` or ``123`` → 123."""
    digits = text.strip().upper().removeprefix("U").lstrip("0")
    return int(digits) if digits.isdecimal() and digits.isascii() and len(digits) < 12 else None


class ContractFilter(FilterSet):
    q = django_filters.CharFilter(method="by_number", strip=False)
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)
    branch = IdFilter(field_name="branch_id")
    #: The API's name for ``branch``.
    branch_id = IdFilter(field_name="branch_id")
    customer_id = IdFilter(field_name="customer_id")

    class Meta:
        model = Contract
        fields: list[str] = []

    def by_number(self, qs: QuerySet[Contract], name: str, value: str) -> QuerySet[Contract]:
        number = parse_number(value[:Q_MAX])
        return qs.filter(pk=number) if number else qs.none()
