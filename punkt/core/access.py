"""What a user may do, where: the access every area checks, without knowing who computes it.

``Access`` holds (branch, role) pairs and HQ roles; the organisation area computes it from
memberships and absences and installs its function with :func:`set_provider` when it
starts. ``core`` therefore imports no area, and every area asks the same questions:
``can``, ``ensure`` and — for reads — the querysets of :mod:`punkt.core.scoping`.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from punkt.core import permissions as registry
from punkt.core.errors import ActionDenied
from punkt.core.roles import Role


class Principal(Protocol):
    """Whoever acts, as core sees them: an employee (the organisation area's ``Actor``), the
    operator or a job (:class:`SystemActor`), or an anonymous visitor — refused by every
    check. Areas type their acting user with ``punkt.organization.actors.Actor``."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...


@dataclass
class Access:
    """What one user holds right now: (branch_id, role) pairs, HQ roles and delegations."""

    user_id: int | None
    pairs: set[tuple[int, str]] = field(default_factory=set)
    hq_roles: set[str] = field(default_factory=set)
    delegated: set[tuple[int, str]] = field(default_factory=set)

    @property
    def roles(self) -> set[str]:
        return {r for _b, r in self.pairs} | self.hq_roles

    @property
    def is_hq(self) -> bool:
        return bool(self.hq_roles)

    def can(self, code: str, branch_id: int | None = None) -> bool:
        action = registry.get(code)
        if self.hq_roles & action.roles:
            return True
        if action.scope == "global" or branch_id is None:
            return any(r in action.roles for _b, r in self.pairs)
        return any(b == branch_id and r in action.roles for b, r in self.pairs)

    def branches_for(self, code: str) -> set[int] | None:
        """Branch ids where ``code`` is granted; ``None`` means every branch.

        Read rules do not call this themselves: they go through
        ``Model.objects.visible_to(user, permission)`` (:mod:`punkt.core.scoping`)."""
        action = registry.get(code)
        if self.hq_roles & action.roles:
            return None
        return {b for b, r in self.pairs if r in action.roles}

    def spans_branches(self, code: str) -> bool:
        """True when ``code`` is granted in more than one branch (or company-wide): lists
        then show a branch column and a branch filter."""
        allowed = self.branches_for(code)
        return allowed is None or len(allowed) > 1


AccessProvider = Callable[[Any, "datetime.date | None"], Access]
_provider: AccessProvider | None = None


def set_provider(provider: AccessProvider) -> None:
    """Install the function that computes a user's :class:`Access` (the organisation area
    does, in its app config)."""
    global _provider
    _provider = provider


def compute_access(user: Any, today: datetime.date | None = None) -> Access:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Access(user_id=None)
    if _provider is None:
        raise RuntimeError("No access provider installed (is punkt.organization installed?)")
    return _provider(user, today)


def access_of(user: Principal | None) -> Access:
    """The user's access, computed once per request (cached on the user object)."""
    cached = getattr(user, "_punkt_access", None)
    if cached is None:
        cached = compute_access(user)
        if user is not None:
            with contextlib.suppress(AttributeError):
                user._punkt_access = cached  # type: ignore[attr-defined]
    return cached


def can(user: Principal | None, code: str, branch_id: int | None = None) -> bool:
    return access_of(user).can(code, branch_id)


def ensure(user: Principal | None, code: str, branch_id: int | None = None) -> None:
    """Raise :class:`ActionDenied` unless ``user`` may do ``code`` (in ``branch_id``).

    The refusal is audited by the interface that catches it (page, API, command), outside
    the service's transaction, so the audit row survives the rollback.
    """
    if can(user, code, branch_id):
        return
    action = registry.get(code)
    if branch_id is not None and access_of(user).can(code):
        reason = _("You may not “%(action)s” in this branch: your roles are held in another "
                   "branch.") % {"action": action.label}
    else:
        reason = _("Your role does not allow you to “%(action)s”.") % {"action": action.label}
    err = ActionDenied(reason, action=code)
    err.branch_id = branch_id
    raise err


class SystemActor:
    """The operator at the command line (``punkt user_add`` …) or a scheduled job.

    Holds administrator rights; audit rows name it by ``label`` instead of an employee.
    """

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    email = ""

    def __init__(self, label: str) -> None:
        self.label = label
        self._punkt_access = Access(user_id=None, hq_roles={Role.ADMIN, Role.HQ_EXPERT})

    def __str__(self) -> str:
        return self.label
