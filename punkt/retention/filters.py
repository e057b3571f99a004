"""The worklist's parameters, parsed once for the page and the API.

The page sends ``horizon``, ``sort``, ``branch`` and ``due=1``; the API (whose schema
validates first) ``horizon_days``, ``sort``, ``branch_id`` and ``due_only``. A value the
list cannot use is left out: the default horizon, the soonest end first, every branch.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from punkt.contracts.models import Contract
from punkt.core.filters import FilterSet, IdFilter
from punkt.core.web import bool_param


class _DueField(forms.Field):
    """Only callbacks due: ``1`` (the page's check box) or True (the API's flag)."""

    def to_python(self, value: Any) -> bool:
        return value is True or bool_param(value) is True


class _DueFilter(django_filters.Filter):
    field_class = _DueField


class WorklistFilter(FilterSet):
    """Parses only: :meth:`params` are the keyword arguments of
    :func:`punkt.retention.selectors.worklist`, which builds the list (the dashboard's
    panel calls it too)."""

    #: Days ahead (a positive whole number; the selector keeps one of its horizons).
    horizon = IdFilter()
    #: The API's name for ``horizon``.
    horizon_days = IdFilter()
    sort = django_filters.CharFilter(strip=False)
    branch = IdFilter()
    #: The API's name for ``branch``.
    branch_id = IdFilter()
    due = _DueFilter()
    #: The API's name for ``due``.
    due_only = _DueFilter()

    class Meta:
        model = Contract
        fields: list[str] = []

    def params(self) -> dict[str, Any]:
        self.form.is_valid()
        data = self.form.cleaned_data
        return {"horizon_days": data.get("horizon") or data.get("horizon_days"),
                "sort": data.get("sort") or "date",
                "branch_id": data.get("branch") or data.get("branch_id"),
                "due_only": bool(data.get("due") or data.get("due_only"))}
