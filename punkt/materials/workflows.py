"""The life of a material version: draft → published → withdrawn (docs/workflows/)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from punkt.core.workflows import Transition, Workflow
from punkt.materials import permissions as perms
from punkt.materials.models import VersionStatus as S
from punkt.organization import permissions as org_perms

VERSION_FLOW = Workflow(_("material version"), transitions=[
    Transition("edit", {S.DRAFT}, S.DRAFT, perms.MATERIAL_MANAGE.code, _("Edit")),
    Transition("delete", {S.DRAFT}, S.DRAFT, perms.MATERIAL_MANAGE.code, _("Delete")),
    Transition("publish", {S.DRAFT}, S.PUBLISHED, perms.MATERIAL_MANAGE.code, _("Publish")),
    Transition("withdraw", {S.PUBLISHED}, S.WITHDRAWN, perms.MATERIAL_MANAGE.code,
               _("Withdraw")),
], can=org_perms.can, ensure=org_perms.ensure)
