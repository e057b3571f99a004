"""The permissions registry: every action a user can be granted, and which roles hold it.

Apps declare their actions in their own ``permissions.py`` with :func:`register`; the
table below is the single source for checks, navigation, the API and the C2 test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from punkt.core.roles import Role


@dataclass(frozen=True)
class Action:
    code: str
    label: str | Promise
    roles: frozenset[str]
    #: ``branch``: granted per branch where the user holds the role (HQ roles: all branches).
    #: ``global``: not tied to a branch (e.g. managing role policies).
    scope: str = "branch"

    def __str__(self) -> str:
        return self.code


REGISTRY: dict[str, Action] = {}


def register(code: str, label: str | Promise, roles: Iterable[Role], *,
             scope: str = "branch") -> Action:
    if code in REGISTRY:
        raise ValueError(f"Action {code!r} registered twice")
    if scope not in {"branch", "global"}:
        raise ValueError(f"Unknown scope {scope!r}")
    action = Action(code=code, label=label, roles=frozenset(str(r) for r in roles), scope=scope)
    REGISTRY[code] = action
    return action


def get(code: str) -> Action:
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"Unknown action {code!r}; register it in permissions.py") from None



# core's own action: the audit log is the company's, not an area's.
AUDIT_VIEW = register("core.audit.view", gettext_lazy("Browse the audit log"), [Role.ADMIN],
                      scope="global")
