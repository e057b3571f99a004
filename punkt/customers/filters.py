"""The customer list's parameters: the page, its export and ``GET /api/v1/customers`` read
them through :class:`CustomerFilter` (see ``organization.filters`` for the pattern)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from punkt.core.filters import DayFilter, IdFilter, ListFilter, TextFilter
from punkt.customers.models import Consent, ConsentPurpose, Customer

#: Segment filters: ``field:value`` for the seed-003 segmentation fields.
SEGMENT_FIELDS = ("company_size", "main_customer_type", "age_band", "education",
                  "income_band", "vehicle")


@dataclass
class CustomerFilters:
    """The customer list's parameters as the selectors take them."""

    q: str = ""
    branch_id: int | None = None
    kind: str = ""
    segment: str = ""
    consent: str = ""
    created_from: datetime.date | None = None
    created_to: datetime.date | None = None
    sort: str = "name"


class CustomerFilter(ListFilter):
    """Type, segment, consent and registration dates narrow the customers here; the text
    search (``search.py``), the branch (``visible_to``) and the order are the selectors'
    (a plain word search reads the word table instead of the customers)."""

    default_sort = "name"

    q = TextFilter(method="skip", limit=200)
    branch = IdFilter(method="skip")
    kind = TextFilter(field_name="kind", limit=12)
    segment = TextFilter(method="filter_segment", limit=40)
    consent = TextFilter(method="filter_consent", limit=30)
    created_from = DayFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = DayFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_segment(self, qs: QuerySet[Customer], name: str, value: str
                       ) -> QuerySet[Customer]:
        """``field:value`` of a segmentation field (``company_size:micro``)."""
        field, sep, wanted = value.partition(":")
        return qs.filter(**{field: wanted}) if sep and field in SEGMENT_FIELDS else qs

    def filter_consent(self, qs: QuerySet[Customer], name: str, value: str
                       ) -> QuerySet[Customer]:
        """``purpose:yes`` / ``purpose:no`` — the consent given now, or not."""
        purpose, _sep, state = value.partition(":")
        if purpose not in ConsentPurpose.values:
            return qs
        given = Exists(Consent.objects.filter(customer=OuterRef("pk"), purpose=purpose,
                                              granted=True))
        return qs.filter(~given if state == "no" else given)

    def parameters(self) -> CustomerFilters:
        """What the selectors take."""
        p = self.params
        return CustomerFilters(q=p["q"], branch_id=p["branch"], kind=p["kind"],
                               segment=p["segment"], consent=p["consent"],
                               created_from=p["created_from"], created_to=p["created_to"],
                               sort=self.sort)

    @classmethod
    def narrow(cls, qs: QuerySet[Customer], filters: CustomerFilters) -> QuerySet[Customer]:
        """``qs`` narrowed by ``filters``' type, segment, consent and dates."""
        if not (filters.kind or filters.segment or filters.consent or filters.created_from
                or filters.created_to):
            return qs  # the usual list: nothing to narrow (and no form to build)
        data: dict[str, Any] = {
            "kind": filters.kind, "segment": filters.segment, "consent": filters.consent,
            "created_from": filters.created_from, "created_to": filters.created_to}
        return cls(data, queryset=qs).qs
