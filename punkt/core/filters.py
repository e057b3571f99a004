"""List parameters read the same way by a page and its API list (django-filter).

A value that cannot be read is no filter: ``?branch=abc`` shows the whole list, as a
hand-edited address should, while the API's schema refuses it first with a 422 naming the
field. An area's ``filters.py`` builds its list's ``FilterSet`` from these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from punkt.core.web import bool_param, date_param, int_param, text_param


class _IdField(forms.Field):
    def to_python(self, value: Any) -> int | None:
        return int_param(value)


class _DayField(forms.Field):
    def to_python(self, value: Any) -> Any:
        return date_param(value)


class _YesNoField(forms.Field):
    def to_python(self, value: Any) -> bool | None:
        return value if isinstance(value, bool) else bool_param(value)


class _TextField(forms.Field):
    def __init__(self, *, limit: int = 200, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit

    def to_python(self, value: Any) -> str:
        return text_param(value, self.limit)


class IdFilter(django_filters.Filter):
    """A database id (``?branch=12``); anything else: no filter."""

    field_class = _IdField


class DayFilter(django_filters.Filter):
    """An ISO date (``?created_from=2026-12-01``); anything else: no filter."""

    field_class = _DayField


class YesNoFilter(django_filters.Filter):
    """``1`` / ``0`` (the API: true / false); anything else: no filter."""

    field_class = _YesNoField


class TextFilter(django_filters.Filter):
    """Text, stripped and cut to ``limit`` characters."""

    field_class = _TextField


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, its form class built once per list instead of on every
    request (the fields depend on the class alone; a form copies them per instance)."""

    _form_classes: dict[type, type[forms.Form]] = {}

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        if cls not in FilterSet._form_classes:
            FilterSet._form_classes[cls] = super().get_form_class()
        return FilterSet._form_classes[cls]


class ListFilter(FilterSet):
    """A list's parameters, read once for its page and its API list."""

    #: ``?sort=`` values and the order each stands for (the first is the default); empty
    #: when the list's selector sorts (``default_sort`` then names the default).
    SORTS: Mapping[str, tuple[str, ...]] = {}
    default_sort = ""

    def __init__(self, data: Any = None, queryset: QuerySet[Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data if data is not None else {}, queryset, **kwargs)

    @property
    def params(self) -> dict[str, Any]:
        """Every parameter as read (None or "" when absent or unreadable)."""
        self.is_valid()
        return dict(self.form.cleaned_data)

    def skip(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        """For a parameter the list's selector applies itself (``method="skip"``)."""
        return qs

    @property
    def sort(self) -> str:
        """``?sort=`` as given (the pages show it), default the first of ``SORTS``."""
        return str(self.form.data.get("sort") or next(iter(self.SORTS), self.default_sort))

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if not self.SORTS:
            return queryset
        default = next(iter(self.SORTS.values()))
        return queryset.order_by(*self.SORTS.get(self.sort, default), "pk")
