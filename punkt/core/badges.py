"""Status badges take their colour from one place: beside the enum they show.

    @tones(draft="", published="ok", withdrawn="err")
    class VersionStatus(models.TextChoices): ...

Every member must have a tone (``""`` neutral, ``ok``, ``warn``, ``err``, ``info``); a
template then writes ``{% badge version "status" %}`` and gets
``<span class="badge ok">Opublikowana</span>`` — the label from the model's choices, the
colour from here. Which enum a model field uses is found once, by its choices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

TONES = frozenset({"", "ok", "warn", "err", "info"})
E = TypeVar("E", bound=type[models.Choices])

#: enum class → {value: tone}
REGISTRY: dict[type[models.Choices], dict[str, str]] = {}
_by_field: dict[tuple[type[models.Model], str], tuple[dict[str, str], dict[str, Any]]] = {}


def tones(**by_member: str) -> Callable[[E], E]:
    """Declare each member's badge colour (by member value)."""

    def declare(enum: E) -> E:
        values = {str(member.value) for member in enum}
        unknown = set(by_member) - values
        missing = values - set(by_member)
        bad = {t for t in by_member.values() if t not in TONES}
        if unknown or missing or bad:
            raise ValueError(f"{enum.__name__}: tones for unknown {sorted(unknown)}, none for "
                             f"{sorted(missing)}, unknown tones {sorted(bad)}")
        REGISTRY[enum] = dict(by_member)
        return enum

    return declare


def _field_badges(model: type[models.Model], field_name: str
                  ) -> tuple[dict[str, str], dict[str, Any]]:
    """(value → tone, value → label) of a model's choice field, found once."""
    key = (model, field_name)
    if key not in _by_field:
        field = model._meta.get_field(field_name)
        flat = list(getattr(field, "flatchoices", None) or [])
        choices = [str(v) for v, _label in flat]
        found = next((t for enum, t in REGISTRY.items()
                      if [str(m.value) for m in enum] == choices), None)
        if found is None:
            raise LookupError(f"{model.__name__}.{field_name}: its enum has no @tones(...)")
        _by_field[key] = (found, {str(v): label for v, label in flat})
    return _by_field[key]


def tone_of(model: type[models.Model], field_name: str, value: Any) -> str:
    return _field_badges(model, field_name)[0].get(str(value), "")


def badge_parts(model: type[models.Model], field_name: str, value: Any) -> tuple[str, str]:
    """(tone, label) of ``value`` — the label as Django's ``get_FOO_display`` gives it, but
    without rebuilding the choices on every call (a list shows dozens of badges)."""
    tones_, labels = _field_badges(model, field_name)
    key = str(value)
    return tones_.get(key, ""), str(labels.get(key, value))
