"""The stock list's parameters, read the same way by its page and its API."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q, QuerySet
from django_filters.widgets import BooleanWidget

from punkt.core.filters import FilterSet
from punkt.inventory.models import StockLevel


class StockFilter(FilterSet):
    """``q``: part of a product's name, the start of its code, or its EAN; ``below_only``:
    only products below their minimum norm (counting goods in transit); the page's checkbox
    sends it as ``below=1``; ``kind``: printed leaflets only or goods only."""

    q = django_filters.CharFilter(method="search")
    below_only = django_filters.BooleanFilter(method="below_norm", widget=BooleanWidget)
    #: ``leaflet``: only printed leaflets; ``goods``: everything else
    kind = django_filters.ChoiceFilter(method="of_kind",
                                       choices=[("goods", "goods"), ("leaflet", "leaflet")])

    class Meta:
        model = StockLevel
        fields: list[str] = []

    def search(self, qs: QuerySet[StockLevel], name: str, value: str) -> QuerySet[StockLevel]:
        text = " ".join(value.split())[:100]
        if not text:
            return qs
        return qs.filter(Q(product__name__icontains=text) | Q(product__code__istartswith=text)
                         | Q(product__ean=text))

    def of_kind(self, qs: QuerySet[StockLevel], name: str, value: str) -> QuerySet[StockLevel]:
        from punkt.catalog.models import ProductKind

        printed = Q(product__kind=ProductKind.LEAFLET)
        return qs.filter(printed) if value == "leaflet" else qs.exclude(printed)

    def below_norm(self, qs: QuerySet[StockLevel], name: str,
                   value: bool | None) -> QuerySet[StockLevel]:
        return qs.filter(min_norm__gt=F("quantity") + F("in_transit")) if value else qs

