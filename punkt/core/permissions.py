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
    #: What kind of power the action gives (:data:`KINDS`); ``export`` and ``cash`` make
    #: the holding roles need MFA outside demo mode (:func:`mfa_mandatory_roles`).
    kinds: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return self.code


REGISTRY: dict[str, Action] = {}

#: ``export``: takes personal or financial data out of Punkt in bulk (lists, reports,
#: data-subject exports); ``cash``: handles or acknowledges cash; ``admin``: changes who
#: may do what or how users sign in.
KINDS = frozenset({"export", "cash", "admin"})
#: Holders of an action of these kinds must use MFA outside demo mode (issue 15, C17).
MFA_KINDS = frozenset({"export", "cash", "admin"})


def register(code: str, label: str | Promise, roles: Iterable[Role], *,
             scope: str = "branch", kinds: Iterable[str] = ()) -> Action:
    if code in REGISTRY:
        raise ValueError(f"Action {code!r} registered twice")
    if scope not in {"branch", "global"}:
        raise ValueError(f"Unknown scope {scope!r}")
    kind_set = frozenset(kinds)
    if kind_set - KINDS:
        raise ValueError(f"Unknown kinds {sorted(kind_set - KINDS)!r} for {code!r}")
    action = Action(code=code, label=label, roles=frozenset(str(r) for r in roles), scope=scope,
                    kinds=kind_set)
    REGISTRY[code] = action
    return action


def get(code: str) -> Action:
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"Unknown action {code!r}; register it in permissions.py") from None


def mfa_mandatory_roles() -> frozenset[str]:
    """Roles holding any action of an MFA kind (export, cash, admin): their holders must
    use MFA outside demo mode, whatever the role policies say."""
    return frozenset(role for action in REGISTRY.values() if action.kinds & MFA_KINDS
                     for role in action.roles)


# core's own action: the audit log is the company's, not an area's.
AUDIT_VIEW = register("core.audit.view", gettext_lazy("Browse the audit log"), [Role.ADMIN],
                      scope="global")
