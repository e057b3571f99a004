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

Two kinds of rows besides an employee's move from state to state:

* a step that is recorded but leaves the state as it is (a contact attempt) has the
  target :data:`STAYS`; ``t.next_state(state)`` is then ``state``;
* a step no employee takes — the customer's (through a link) or a scheduled job's — has
  the permission :data:`NOT_STAFF`: ``allowed_actions`` never offers it, ``ensure_can``
  refuses it, and its caller, who has checked who acts, asks ``ensure_state`` instead.

A table whose wrong-state refusal should say more than "this cannot be done now" passes
``refusal=`` (e.g. "this contract's retention is closed").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from punkt.core.access import Principal
from punkt.core.errors import Conflict

#: The target of a step that leaves the state as it is.
STAYS = ""
#: The permission of a step no employee takes (the customer's, a scheduled job's).
NOT_STAFF = ""


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

    def next_state(self, state: str) -> str:
        """The state after this step taken from ``state``."""
        return self.target if self.target != STAYS else state


class Workflow:
    def __init__(self, name: Any, *, transitions: list[Transition], status_field: str = "status",
                 branch_of: Callable[[Any], int | None] = lambda obj: None,
                 can: Callable[..., bool], ensure: Callable[..., None],
                 refusal: Callable[[Any, Transition], Conflict | None] | None = None) -> None:
        self.name = name
        self.transitions = {t.action: t for t in transitions}
        if len(self.transitions) != len(transitions):
            raise ValueError(f"{name}: an action appears twice")
        self.status_field = status_field
        self.branch_of = branch_of
        self._can = can
        self._ensure = ensure
        self._refusal = refusal

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise ValueError(f"{self.name}: no action {action!r}") from None

    def allowed_actions(self, obj: Any, user: Principal | None) -> list[str]:
        """What ``user`` may do with ``obj`` now: state allows it and the role grants it."""
        state = getattr(obj, self.status_field)
        return [t.action for t in self.transitions.values() if state in t.sources
                and t.permission != NOT_STAFF
                and self._can(user, t.permission, self.branch_of(obj))]

    def actions(self, *, staff_only: bool = False) -> tuple[str, ...]:
        """The table's action names in its order (e.g. for an API's list of choices)."""
        return tuple(t.action for t in self.transitions.values()
                     if not staff_only or t.permission != NOT_STAFF)

    def ensure_can(self, obj: Any, action: str, *, actor: Principal | None) -> Transition:
        """The transition for ``action``, or an error saying why not (state first: a
        manager pressing "approve" twice learns it is already approved)."""
        t = self.ensure_state(obj, action)
        if t.permission == NOT_STAFF:
            raise ValueError(f"{self.name}: {action!r} is not an employee's step: "
                             "its caller checks who acts and asks ensure_state")
        self._ensure(actor, t.permission, self.branch_of(obj))
        return t

    def ensure_state(self, obj: Any, action: str) -> Transition:
        """The transition for ``action`` if ``obj``'s state allows it, else the refusal
        saying why — without asking who acts (the customer's or a job's step)."""
        t = self.transition(action)
        if getattr(obj, self.status_field) not in t.sources:
            refused = self._refusal(obj, t) if self._refusal is not None else None
            raise refused or Conflict("invalid_state", _(
                "This cannot be done now: the %(what)s is “%(state)s”.")
                % {"what": self.name, "state": _state_label(obj, self.status_field)})
        return t


def _state_label(obj: Any, field: str) -> str:
    display = getattr(obj, f"get_{field}_display", None)
    return str(display()) if callable(display) else str(getattr(obj, field))
