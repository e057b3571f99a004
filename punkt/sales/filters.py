"""The sales list's parameters, read the same way by its page and its API: a branch, the
kind of document, the seller and the period (whole days)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from punkt.core.filters import DayFilter, FilterSet, IdFilter
from punkt.sales.models import Sale, SaleKind


def day_bounds(start: datetime.date, end: datetime.date
               ) -> tuple[datetime.datetime, datetime.datetime]:
    """From the start of ``start`` to the start of the day after ``end`` (local time)."""
    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min,
                                      tzinfo=tz))


class SaleFilter(FilterSet):
    """``branch_id``, ``seller_id``, ``kind`` (sale or return), ``day_from`` and ``day_to``
    (either may be left out: from 2000 / to today). A value that does not parse is left out,
    as if not given (the API refuses it before, with 422)."""

    branch_id = IdFilter(field_name="branch_id")
    seller_id = IdFilter(field_name="seller_id")
    kind = django_filters.ChoiceFilter(choices=SaleKind.choices)
    day_from = DayFilter(method="in_period")
    day_to = DayFilter(method="in_period")

    class Meta:
        model = Sale
        fields: list[str] = []

    def in_period(self, qs: QuerySet[Sale], name: str, value: Any) -> QuerySet[Sale]:
        return qs  # both ends together: filter_queryset

    def filter_queryset(self, queryset: QuerySet[Sale]) -> QuerySet[Sale]:
        qs = super().filter_queryset(queryset)
        day_from = self.form.cleaned_data.get("day_from")
        day_to = self.form.cleaned_data.get("day_to")
        if day_from or day_to:
            start, end = day_bounds(day_from or datetime.date(2000, 1, 1),
                                    day_to or timezone.localdate())
            qs = qs.filter(created_at__gte=start, created_at__lt=end)
        return qs
