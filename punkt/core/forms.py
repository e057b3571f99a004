from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from punkt.core.errors import Conflict, DomainError, ValidationFailed


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error next to its field (or above the form if it names none)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def submit_inline_form(request: HttpRequest, form: forms.Form, call: Any, success: str) -> None:
    """An inline form on a detail page: run the service, report by flash message."""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return
    try:
        call(form.cleaned_data)
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
