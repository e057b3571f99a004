"""State machines written as one transition table per workflow.

An app declares its table once (``workflows.py``)::

    VERSION_FLOW = Workflow("material version", status_field="status", transitions=[
        Transition("publish", {"draft"}, "published", "materials.material.manage"),
        ...
    ], can=access.can, ensure=access.ensure)

and its services call ``VERSION_FLOW.ensure_can(obj, "publish", actor=actor)`` before
changing anything, pages and the API show ``allowed_actions(obj, user)``. A refused
transition raises :class:`Conflict` (wrong state) or the permission error (wrong role);
it never passes silently. ``docs/workflows/`` draws each table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from punkt.core.errors import Conflict


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    permission: str
    label: Any = ""  # a lazy translation

    def __init__(self, action: str, sources: Iterable[str], target: str, permission: str,
                 label: Any = "") -> None:
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "permission", permission)
        object.__setattr__(self, "label", label)


class Workflow:
    def __init__(self, name: Any, *, transitions: list[Transition], status_field: str = "status",
                 branch_of: Callable[[Any], int | None] = lambda obj: None,
                 can: Callable[..., bool], ensure: Callable[..., None]) -> None:
        self.name = name
        self.transitions = {t.action: t for t in transitions}
        if len(self.transitions) != len(transitions):
            raise ValueError(f"{name}: an action appears twice")
        self.status_field = status_field
        self.branch_of = branch_of
        self._can = can
        self._ensure = ensure

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise ValueError(f"{self.name}: no action {action!r}") from None

    def allowed_actions(self, obj: Any, user: Any) -> list[str]:
        """What ``user`` may do with ``obj`` now: state allows it and the role grants it."""
        state = getattr(obj, self.status_field)
        return [t.action for t in self.transitions.values() if state in t.sources
                and self._can(user, t.permission, self.branch_of(obj))]

    def ensure_can(self, obj: Any, action: str, *, actor: Any) -> Transition:
        """The transition for ``action``, or an error saying why not (state first: a
        manager pressing "approve" twice learns it is already approved)."""
        t = self.transition(action)
        state = getattr(obj, self.status_field)
        if state not in t.sources:
            raise Conflict("invalid_state", _(
                "This cannot be done now: the %(what)s is “%(state)s”.")
                % {"what": self.name, "state": _state_label(obj, self.status_field)})
        self._ensure(actor, t.permission, self.branch_of(obj))
        return t


def _state_label(obj: Any, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if callable(display) else str(getattr(obj, field))
