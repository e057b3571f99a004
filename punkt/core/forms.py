from __future__ import annotations

from django import forms

from punkt.core.errors import DomainError


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's error next to its field (or above the form if it names none)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
