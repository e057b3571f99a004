"""Publishing HQ materials and recording their delivery to branches."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.core import bulk, files
from punkt.core.audit import audit_record
from punkt.core.errors import Conflict, NotFound, ValidationFailed
from punkt.core.text import one_line
from punkt.materials import contract_template, pricelist
from punkt.materials import permissions as perms
from punkt.materials.models import (
    TEMPLATE_KINDS,
    Delivery,
    Material,
    MaterialKind,
    MaterialVersion,
    PriceItem,
    VersionStatus,
)
from punkt.materials.selectors import current_for_branch, sees_every_branch
from punkt.materials.workflows import VERSION_FLOW
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, BranchKind
from punkt.organization.services import on_branch_opened


def _date(value: Any, *, field: str, label: str, required: bool) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed("required", _("%(label)s is required.") % {"label": label},
                                   field=field)
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed("invalid", _("%(label)s: give a date as YYYY-MM-DD.")
                               % {"label": label}, field=field) from None


@transaction.atomic
def material_create(*, actor: Actor, kind: str, title: str, description: str = "") -> Material:
    org_perms.ensure(actor, perms.MATERIAL_MANAGE.code)
    if kind not in MaterialKind.values:
        raise ValidationFailed("invalid", _("Choose the type of material."), field="kind")
    material = Material.objects.create(
        kind=kind, title=one_line(title, field="title", label=_("Title"), limit=200,
                                  required=True),
        description=one_line(description, field="description", label=_("Description"),
                             limit=5000, required=False),
        created_by=employee_of(actor))
    audit_record(action="materials.material.create", obj=material, actor=actor)
    return material


def version_create(*, actor: Actor, material_id: int, uploaded: Any, valid_from: Any,
                   valid_to: Any = None, note: str = "", all_branches: bool = True,
                   branch_ids: list[int] | None = None) -> MaterialVersion:
    """A new draft version with its file; published separately (:func:`version_publish`)."""
    org_perms.ensure(actor, perms.MATERIAL_MANAGE.code)
    start = _date(valid_from, field="valid_from", label=_("Valid from"), required=True)
    if start is None:  # (required: _date has said so already)
        raise ValidationFailed("required", _("Give the first day of validity."),
                               field="valid_from")
    end = _date(valid_to, field="valid_to", label=_("Valid to"), required=False)
    if end is not None and start is not None and end < start:
        raise ValidationFailed("invalid", _("“Valid to” cannot be before “Valid from”."),
                               field="valid_to")
    note = one_line(note, field="note", label=_("What changed"), limit=500, required=False)
    targets = _targets(all_branches, branch_ids)
    original, stored, content_type, size = files.store(uploaded)
    try:
        with transaction.atomic():
            material = Material.objects.filter(is_archived=False).locked(
                material_id, missing=_("Material not found."))
            items = _price_items(material, stored)
            template = _template(material, stored)
            number = (material.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = MaterialVersion.objects.create(
                material=material, number=number, note=note, valid_from=start, valid_to=end,
                all_branches=all_branches, file_name=original, stored_name=stored,
                content_type=content_type, size=size, template=template,
                created_by=employee_of(actor))
            if not all_branches:
                version.branches.set(targets)
            for item in items:
                item.version = version
            bulk.insert(items)
            audit_record(action="materials.version.create", obj=version, actor=actor,
                         message=original)
    except BaseException:
        files.path_of(stored).unlink(missing_ok=True)  # no orphan file on a refusal
        raise
    return version


def _price_items(material: Material, stored: str) -> list[PriceItem]:
    """A price list is data, not only a document: its file must be CSV or XLSX with one
    row per position (see ``pricelist.py``)."""
    if material.kind != MaterialKind.PRICE_LIST:
        return []
    if not stored.endswith((".csv", ".xlsx")):
        raise ValidationFailed("invalid_file", _(
            "A price list is a CSV or XLSX file with the columns kod, nazwa, cena brutto "
            "and VAT (one row per position)."), field="file")
    return pricelist.read_items(files.path_of(stored))


def _template(material: Material, stored: str) -> dict[str, list[str]]:
    """A contract template (or a sale's document template) is text or HTML with
    placeholders the document fills in; only a contract needs signature places."""
    if material.kind not in TEMPLATE_KINDS:
        return {}
    if not stored.endswith(".txt"):
        raise ValidationFailed("invalid_file", _(
            "A template is a text or HTML file (UTF-8) with {{ field }} placeholders (and, "
            "in a contract, [[podpis: …]] signature places)."), field="file")
    try:
        text = files.path_of(stored).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("invalid_file", _(
            "Save the contract template as UTF-8 text (Windows-1250 would garble Polish "
            "letters in contracts)."), field="file") from None
    if material.kind == MaterialKind.CONTRACT_TEMPLATE:
        return contract_template.parse(text)
    return contract_template.parse(text, fields=contract_template.SALES_FIELDS,
                                   signature_required=False)


def _targets(all_branches: bool, branch_ids: list[int] | None) -> list[Branch]:
    if all_branches:
        return []
    ids = sorted({int(b) for b in branch_ids or []})
    found = list(Branch.objects.filter(pk__in=ids, kind=BranchKind.BRANCH, is_active=True))
    if not ids:
        raise ValidationFailed("required", _("Choose at least one branch, or all branches."),
                               field="branches")
    if len(found) != len(ids):
        raise ValidationFailed("invalid", _("Some of the chosen branches do not exist or are "
                                            "closed."), field="branches")
    return found


def version_get_for_manage(*, user: Actor, version_id: int) -> MaterialVersion:
    org_perms.ensure(user, perms.MATERIAL_MANAGE.code)
    return MaterialVersion.objects.get_or_not_found(version_id, missing=_("Version not found."))


def _lock_version(version_id: int) -> MaterialVersion:
    return MaterialVersion.objects.select_related("material").locked(
        version_id, missing=_("Version not found."))


@transaction.atomic
def version_publish(*, actor: Actor, version_id: int) -> MaterialVersion:
    """Publish a draft: every target branch gets it in its inbox at once (one delivery row
    each, written together), and from its start date it replaces the earlier version."""
    version = _lock_version(version_id)
    VERSION_FLOW.ensure_can(version, "publish", actor=actor)
    today = timezone.localdate()
    if version.valid_to is not None and version.valid_to < today:
        raise ValidationFailed("expired", _("This version's validity has already ended."),
                               field="valid_to")
    branches = Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
    if not version.all_branches:
        branches = branches.filter(pk__in=version.branches.values("pk"))
    branch_ids = list(branches.values_list("pk", flat=True))
    if not branch_ids:
        raise ValidationFailed("required", _("None of the chosen branches is open."),
                               field="branches")
    now = timezone.now()
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by = employee_of(actor)
    version.save(update_fields=["status", "published_at", "published_by"])
    bulk.insert([Delivery(version=version, branch_id=b, delivered_at=now) for b in branch_ids])
    audit_record(action="materials.version.publish", obj=version, actor=actor,
                 message=f"{len(branch_ids)} branches")
    return version


@transaction.atomic
def version_withdraw(*, actor: Actor, version_id: int, reason: str) -> MaterialVersion:
    """Take a published version back (a mistake): branches no longer see it, and the
    version before it is current again where it was."""
    version = _lock_version(version_id)
    VERSION_FLOW.ensure_can(version, "withdraw", actor=actor)
    reason = one_line(reason, field="reason", label=_("Reason"), limit=500, required=True)
    version.status = VersionStatus.WITHDRAWN
    version.withdrawn_at = timezone.now()
    version.withdrawn_reason = reason
    version.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    audit_record(action="materials.version.withdraw", obj=version, actor=actor,
                 message=reason)
    return version


@transaction.atomic
def version_delete(*, actor: Actor, version_id: int) -> None:
    version = _lock_version(version_id)
    VERSION_FLOW.ensure_can(version, "delete", actor=actor)
    stored = version.stored_name
    audit_record(action="materials.version.delete", obj=version, actor=actor,
                 message=version.file_name)
    version.delete()
    transaction.on_commit(lambda: files.path_of(stored).unlink(missing_ok=True))


def deliveries_received(*, user: Actor, delivery_ids: list[int]) -> int:
    """The inbox was shown to a branch employee (the page posts this once it is on the
    screen; a GET never writes): the branch has received them (first time only)."""
    if not delivery_ids or sees_every_branch(user):
        return 0  # HQ looking at a branch's inbox does not count as the branch
    return (Delivery.objects.visible_to(user, perms.MATERIAL_VIEW.code)
            .filter(pk__in=delivery_ids, received_at__isnull=True)
            .update(received_at=timezone.now()))


def versions_received(*, user: Actor, version_ids: list[int]) -> int:
    """The API's "received": the caller's client showed these versions at the caller's
    branches (what the inbox page posts for the page): each branch's delivery of them is
    received, the first time only; HQ's calls record nothing."""
    org_perms.ensure(user, perms.MATERIAL_VIEW.code)
    if not version_ids or sees_every_branch(user):
        return 0
    return (Delivery.objects.visible_to(user, perms.MATERIAL_VIEW.code)
            .filter(version_id__in=version_ids, version__status=VersionStatus.PUBLISHED,
                    received_at__isnull=True)
            .update(received_at=timezone.now()))


def version_get(*, user: Actor, version_id: int) -> MaterialVersion:
    """A version the user may read: HQ any published one (managers of materials also
    drafts), a branch employee only published versions sent to one of their branches.
    Reading records nothing (:func:`version_opened` does)."""
    org_perms.ensure(user, perms.MATERIAL_VIEW.code)
    version = MaterialVersion.objects.select_related("material").get_or_not_found(
        version_id, missing=_("Version not found."))
    if sees_every_branch(user):
        if not org_perms.can(user, perms.MATERIAL_MANAGE.code) and \
                version.status != VersionStatus.PUBLISHED:
            raise NotFound(_("Version not found."))
        return version
    mine = Delivery.objects.visible_to(user, perms.MATERIAL_VIEW.code).filter(version=version)
    if version.status != VersionStatus.PUBLISHED or not mine.exists():
        raise NotFound(_("Version not found."))
    return version


@transaction.atomic
def version_opened(*, user: Actor, version_id: int,
                   branch_id: int | None = None) -> MaterialVersion:
    """Somebody at a branch opens the file for that branch (an explicit POST): the first
    opening per branch is kept, and only that branch's. A user of several branches says
    which (``branch_id``); with one branch it is that one. HQ's openings are not the
    branches' and record nothing."""
    version = version_get(user=user, version_id=version_id)
    if sees_every_branch(user):
        return version
    mine = Delivery.objects.visible_to(user, perms.MATERIAL_VIEW.code).filter(version=version)
    if branch_id is None:
        branches = sorted(set(mine.values_list("branch_id", flat=True)))
        if len(branches) > 1:
            raise ValidationFailed("required", _(
                "Choose the branch you are opening it for."), field="branch")
        branch_id = branches[0]
    delivery = mine.filter(branch_id=branch_id).first()
    if delivery is None:
        raise ValidationFailed("invalid", _(
            "This version was not sent to that branch."), field="branch")
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, received_at__isnull=True).update(received_at=now)
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
        opened_at=now, opened_by=employee_of(user))
    return version


@on_branch_opened
def deliver_in_force(branch: Branch) -> int:
    """A branch opened after a publication gets every version still in force or coming
    into force that went to all branches (what it needs to offer and prepare contracts),
    delivered now. Versions sent to chosen branches stay with those."""
    today = timezone.localdate()
    versions = (MaterialVersion.objects.filter(status=VersionStatus.PUBLISHED,
                                               all_branches=True)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
                .exclude(deliveries__branch=branch).values_list("pk", flat=True))
    now = timezone.now()
    rows = [Delivery(version_id=v, branch=branch, delivered_at=now) for v in versions]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)  # a second call adds nothing
    return len(rows)


def ensure_current(*, version_id: int, branch_id: int,
                   on: datetime.date | None = None) -> MaterialVersion:
    """Raise unless this version is the one in force at the branch (a contract or an offer
    may only use the current template or price list)."""
    version = MaterialVersion.objects.select_related("material").filter(
        pk=version_id, status=VersionStatus.PUBLISHED, deliveries__branch_id=branch_id).first()
    if version is None:  # a draft, or another branch's: not even its title is told
        raise NotFound(_("Version not found."))
    current = current_for_branch(branch_id=branch_id, material_id=version.material_id, on=on)
    if current is None or current.pk != version.pk:
        raise Conflict("superseded", _(
            "“%(title)s” version %(n)d is not the one in force at this branch%(newer)s.") % {
            "title": version.material.title, "n": version.number,
            "newer": (_(" (use version %(n)d)") % {"n": current.number}) if current else ""},
            field="version")
    return version
