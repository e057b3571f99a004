"""Cleaning one-line text a person typed: spaces collapsed, required and length checked
with an error that names the field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from punkt.core.errors import ValidationFailed


def one_line(value: Any, *, field: str, label: str, limit: int, required: bool) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise ValidationFailed("required", _("%(label)s is required.") % {"label": label},
                               field=field)
    if len(text) > limit:
        raise ValidationFailed("too_long", _("%(label)s may have at most %(n)d characters.")
                               % {"label": label, "n": limit}, field=field)
    return text
