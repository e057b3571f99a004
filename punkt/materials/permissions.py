"""Material actions: HQ experts publish; everybody in a branch reads what reached it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from punkt.core import permissions as registry
from punkt.core.roles import Role as R

MATERIAL_VIEW = registry.register(
    "materials.material.view", gettext_lazy("See HQ materials sent to the branch"),
    [R.MANAGER, R.SERVICE, R.RETENTION, R.CASHIER, R.HQ_EXPERT, R.ADMIN])
MATERIAL_MANAGE = registry.register(
    "materials.material.manage",
    gettext_lazy("Prepare and publish HQ materials, see their delivery"),
    [R.HQ_EXPERT], scope="global")
