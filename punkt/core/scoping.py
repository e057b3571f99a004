"""The one way to read branch-owned rows: ``Model.objects.visible_to(user, permission)``.

Every model that belongs to a branch uses :class:`BranchScopedQuerySet` as its manager
(``objects = BranchScopedQuerySet.as_manager()``) and says where its branch is when that is
not its own ``branch`` field (``branch_scope = "sale__branch"``; the branch table itself:
``branch_scope = "pk"``). Lists, details, searches, exports, reports and the API then start
from ``visible_to``, which keeps the rows of the branches where ``user`` holds
``permission`` — every branch for HQ roles, none for a user without it. A rule that is more
than "the user's branches" (a cashier sees only her own tills) overrides ``visible_to`` in
the model's queryset, next to the model.

``tests/test_branch_scope.py`` fails when code filters by branch by hand instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from punkt.core.access import Principal, access_of
from punkt.core.errors import NotFound

if TYPE_CHECKING:  # pragma: no cover
    from punkt.core.permissions import Action

M = TypeVar("M", bound=models.Model)


class PunktQuerySet(models.QuerySet[M]):
    """Helpers every model's queryset may use."""

    def locked(self, pk: Any, *, missing: str | None = None) -> M:
        """The row ``pk`` locked for this transaction (``SELECT … FOR UPDATE``), or
        :class:`NotFound` with ``missing`` (default: "<model> not found.")."""
        if not _is_id(pk):
            raise NotFound(missing or _not_found(self.model))
        # only this table's row: the rows joined by select_related stay unlocked
        row = self.select_for_update(of=("self",)).filter(pk=pk).first()
        if row is None:
            raise NotFound(missing or _not_found(self.model))
        return row

    def get_or_not_found(self, pk: Any, *, missing: str | None = None) -> M:
        """The row ``pk`` of this queryset, or :class:`NotFound` (answered 404)."""
        if not _is_id(pk):
            raise NotFound(missing or _not_found(self.model))
        row = self.filter(pk=pk).first()
        if row is None:
            raise NotFound(missing or _not_found(self.model))
        return row


class BranchScopedQuerySet(PunktQuerySet[M]):
    """Rows that belong to a branch; see the module's text."""

    def visible_to(self, user: Principal | None, permission: str | Action, *,
                   branch_id: int | None = None) -> Self:
        """The rows of branches where ``user`` holds ``permission``; narrowed to
        ``branch_id`` when given (a branch the user may not see gives no rows)."""
        allowed = access_of(user).branches_for(str(permission))
        qs = self
        path = branch_path(self.model)
        if allowed is not None:
            qs = qs.filter(**{f"{path}__in": allowed})
        if branch_id:
            qs = qs.filter(**{path: branch_id})
        return qs


def branch_path(model: type[models.Model]) -> str:
    """The lookup from ``model`` to its branch id (``branch_id``, ``sale__branch_id``, ``pk``)."""
    scope = getattr(model, "branch_scope", "branch")
    return scope if scope == "pk" else f"{scope}_id"


def branch_ids_visible(user: Principal | None, permission: str | Action) -> set[int] | None:
    """The branch ids where ``user`` holds ``permission``, ``None`` for every branch.

    For the few places that need the ids themselves (a cache key, a count of branches) —
    never to filter rows by hand: that is what ``visible_to`` is for."""
    return access_of(user).branches_for(str(permission))


def _is_id(pk: Any) -> bool:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        return False
    return 0 < value <= 2**63 - 1


def _not_found(model: type[models.Model]) -> str:
    return _("%(what)s not found.") % {"what": str(model._meta.verbose_name).capitalize()}
