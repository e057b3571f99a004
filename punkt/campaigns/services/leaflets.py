"""Leaflets made locally (R10.1, issue 20 item 1) and the leaflets' stock norms.

A branch's service employee (or manager, ``campaigns.printorder.manage``) uploads a
print-ready PDF with its headline, the campaign and the code it prints; it waits for the
manager's approval (``campaigns.leaflet.approve``), who is never the one who uploaded it
(four eyes, C11). A returned leaflet carries the reason (the uploader is told) and is
replaced by a corrected PDF (round + 1, waiting again). Only an approved leaflet is
ordered from a print shop or handed out — exactly like one made from an HQ template
(docs/workflows/leaflet.md). One transaction each: permission, row lock, workflow,
validation, conditional update on the state, audit.

The PDF is told by its bytes (``%PDF-`` at the start and ``%%EOF`` near the end: a real,
complete file), at most :data:`MAX_PDF_SIZE`, stored under ``VAR_DIR/leaflets`` with a
random name (``punkt/core/files.py``, C24) and served only through its leaflet; a refused
upload leaves nothing on disk, a replaced file is kept (the audit names both rounds).

Norms: a leaflet's stock item is a catalogue product, so its minimum norm is the branch's
stock norm of that product (``inventory.services.norm_set``, the manager's
``inventory.stock.manage``); the stock page, its "below norm" warning and the manager's
dashboard panel count it like any product."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.campaigns import permissions as perms
from punkt.campaigns.models import Campaign, Leaflet, LeafletSource, LeafletStatus
from punkt.campaigns.services import (
    REASON_MAX,
    _open_campaign,
    leaflet_place,
    normalize_code,
)
from punkt.campaigns.workflows import LEAFLET_FLOW
from punkt.catalog.models import Product, ProductKind
from punkt.core import files, values
from punkt.core.audit import audit_record
from punkt.core.errors import ActionDenied, Conflict, ValidationFailed
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor, employee_of
from punkt.organization.models import Branch, BranchKind

AREA = "leaflets"
MAX_PDF_SIZE = 15 * 1024 * 1024
TITLE_MAX, TEXT_MAX = 120, 600
PDF_KINDS = frozenset({"pdf"})


# -- the PDF ---------------------------------------------------------------------------------

def _store_pdf(upload: Any, *, field: str = "pdf") -> tuple[str, str, str, int]:
    """Store the upload if it is a whole PDF of at most 15 MB; refused on ``field``."""
    if upload is None:
        raise ValidationFailed("required", _("Choose the leaflet's print-ready PDF."),
                               field=field)
    if upload.size > MAX_PDF_SIZE:
        raise ValidationFailed("too_large", _("The PDF is larger than 15 MB."), field=field)
    try:
        stored = files.store(upload, area=AREA, kinds=PDF_KINDS, refused=_(
            "This is not a PDF: export the leaflet as a print-ready PDF."))
    except ValidationFailed as exc:
        exc.field = field
        raise
    if not _complete(stored[1]):
        forget(stored[1])
        raise ValidationFailed("invalid_file", _(
            "The PDF is cut short (no end-of-file mark): export it again."), field=field)
    return stored


def _complete(stored: str) -> bool:
    """A PDF ends with ``%%EOF`` (a few bytes of whitespace may follow)."""
    path = files.path_of(stored, area=AREA)
    with open(path, "rb") as f:
        f.seek(max(path.stat().st_size - 1024, 0))
        return b"%%EOF" in f.read()


def forget(name: str) -> None:
    with contextlib.suppress(ValueError):  # a stored name is ours: never outside
        files.path_of(name, area=AREA).unlink(missing_ok=True)


def pdf_bytes(leaflet: Leaflet) -> bytes:
    return files.path_of(leaflet.stored, area=AREA).read_bytes()


def pdf_response(leaflet: Leaflet) -> Any:
    return files.response_for(leaflet.stored, leaflet.file_name or "ulotka.pdf",
                              "application/pdf", area=AREA)


# -- upload ----------------------------------------------------------------------------------

def upload_branches(actor: Actor, campaign: Campaign) -> list[Branch]:
    """The campaign's branches where ``actor`` may prepare leaflets."""
    qs = Branch.objects.filter(kind=BranchKind.BRANCH, is_active=True)
    if not campaign.all_branches:
        ids = {campaign.branch_id, *campaign.branches.values_list("pk", flat=True)}
        qs = qs.filter(pk__in=ids)
    return [b for b in qs.order_by("name")[:200]
            if org_perms.can(actor, perms.PRINTORDER_MANAGE.code, b.pk)]


def _printed_code(value: Any, campaign: Campaign) -> str:
    code = normalize_code(value)
    if not code:
        raise ValidationFailed("required", _("Give the campaign code the leaflet prints."),
                               field="code")
    if code != campaign.code:
        raise ValidationFailed("wrong_code", _(
            "The leaflet must print the campaign's code %(code)s (as text or QR code), "
            "or the customers it brings are not counted.") % {"code": campaign.code},
            field="code")
    return code


@transaction.atomic
def leaflet_upload(*, actor: Actor, campaign_id: Any, branch_id: Any, title: Any,
                   code: Any, pdf: Any, text: Any = "") -> Leaflet:
    """A leaflet made locally: the branch's print-ready PDF, waiting for the manager."""
    campaign, branch = leaflet_place(actor, campaign_id, branch_id)
    headline = values.text(title, field="title", limit=TITLE_MAX, required=True)
    body = values.text(text, field="text", limit=TEXT_MAX)
    printed = _printed_code(code, campaign)
    name, stored, _type, size = _store_pdf(pdf)
    try:
        product = Product.objects.create(
            code=f"ULOTKA-{campaign.code}-{secrets.token_hex(3).upper()}",
            name=_("Leaflet: %(title)s (%(branch)s)") % {"title": headline,
                                                         "branch": branch.code},
            kind=ProductKind.LEAFLET, is_active=False,
            description=_("Campaign %(code)s leaflet; not for sale.") % {"code": campaign.code})
        me, now = employee_of(actor), timezone.now()
        leaflet = Leaflet.objects.create(
            campaign=campaign, branch=branch, source=LeafletSource.LOCAL,
            status=LeafletStatus.SUBMITTED, title=headline, text=body, code=printed,
            product=product, file_name=name, stored=stored, file_size=size,
            uploaded_at=now, uploaded_by=me, created_by=me)
    except Exception:
        forget(stored)
        raise
    audit_record(action="campaigns.leaflet.upload", obj=leaflet, actor=actor,
                 branch_id=branch.pk, changes={"campaign": [None, campaign.code],
                                               "file": [None, name], "size": [None, size]})
    return leaflet


def _locked(actor: Actor, leaflet_id: Any) -> Leaflet:
    found = Leaflet.objects.visible_to(actor, perms.CAMPAIGN_VIEW).get_or_not_found(
        leaflet_id, missing=_("Leaflet not found."))
    return Leaflet.objects.locked(found.pk)


def uploaded_it(leaflet: Leaflet, actor: Actor) -> bool:
    """Did ``actor`` upload the PDF now waiting (four eyes, C11: they may not decide)?"""
    return (leaflet.uploaded_by_id is not None
            and leaflet.uploaded_by_id == getattr(actor, "pk", None))


@transaction.atomic
def leaflet_move(*, actor: Actor, leaflet_id: Any, action: str,
                 reason: Any = "") -> Leaflet:
    """Approve the uploaded leaflet, or return it with the reason (the uploader is told).
    Not by the one who uploaded it."""
    if action not in ("approve", "return"):
        raise ValidationFailed("invalid", _("Unknown step."), field="action")
    leaflet = _locked(actor, leaflet_id)
    step = LEAFLET_FLOW.ensure_can(leaflet, action, actor=actor)
    if uploaded_it(leaflet, actor):
        raise ActionDenied(_("You uploaded this leaflet yourself: another manager must "
                             "approve it."), action=perms.LEAFLET_APPROVE.code)
    fields: dict[str, Any] = {"status": step.target, "decided_at": timezone.now(),
                              "decided_by": employee_of(actor)}
    message = ""
    if action == "return":
        message = values.text(reason, field="reason", limit=REASON_MAX, required=True)
        fields["return_reason"] = message
    else:
        fields["return_reason"] = ""
    # the lock makes the state read above current; the condition keeps it honest (C10)
    if not Leaflet.objects.filter(pk=leaflet.pk, status__in=step.sources,
                                  round=leaflet.round).update(**fields):
        raise Conflict("changed", _("The leaflet was changed meanwhile; try again."))
    audit_record(action=f"campaigns.leaflet.{action}", obj=leaflet, actor=actor,
                 branch_id=leaflet.branch_id,
                 changes={"status": [leaflet.status, step.target], "round": [None, leaflet.round]},
                 message=message)
    leaflet.refresh_from_db()
    if action == "return" and leaflet.uploaded_by_id:
        from punkt.work.services import notify

        title, why = leaflet.title, message
        notify(recipient=leaflet.uploaded_by_id, kind="campaigns.leaflet_returned",
               title=lambda: _("Leaflet “%(title)s” returned: %(reason)s")
               % {"title": title, "reason": why},
               url=leaflet_url(leaflet), key=f"campaigns.leaflet_returned:{leaflet.pk}:"
                                             f"{leaflet.round}")
    return leaflet


@transaction.atomic
def leaflet_replace(*, actor: Actor, leaflet_id: Any, pdf: Any, title: Any = None,
                    text: Any = None) -> Leaflet:
    """A returned leaflet's corrected PDF (and headline or text when given): waiting for
    the manager again, round + 1."""
    leaflet = _locked(actor, leaflet_id)
    step = LEAFLET_FLOW.ensure_can(leaflet, "replace", actor=actor)
    campaign = Campaign.objects.get(pk=leaflet.campaign_id)
    _open_campaign(campaign)
    headline = (values.text(title, field="title", limit=TITLE_MAX, required=True)
                if title not in (None, "") else leaflet.title)
    body = values.text(text, field="text", limit=TEXT_MAX) if text is not None \
        else leaflet.text
    name, stored, _type, size = _store_pdf(pdf)
    changed = Leaflet.objects.filter(pk=leaflet.pk, status__in=step.sources,
                                     round=leaflet.round).update(
        status=step.target, round=F("round") + 1, title=headline, text=body, file_name=name,
        stored=stored, file_size=size, uploaded_at=timezone.now(),
        uploaded_by=employee_of(actor), decided_at=None, decided_by=None)
    if not changed:
        forget(stored)
        raise Conflict("changed", _("The leaflet was changed meanwhile; try again."))
    audit_record(action="campaigns.leaflet.replace", obj=leaflet, actor=actor,
                 branch_id=leaflet.branch_id,
                 changes={"status": [leaflet.status, step.target],
                          "file": [leaflet.file_name, name],
                          "round": [leaflet.round, leaflet.round + 1]})
    leaflet.refresh_from_db()
    return leaflet


def allowed_actions(leaflet: Leaflet, user: Actor) -> list[str]:
    """The steps ``user`` may take now (the uploader does not decide)."""
    actions = LEAFLET_FLOW.allowed_actions(leaflet, user)
    if uploaded_it(leaflet, user):
        actions = [a for a in actions if a not in ("approve", "return")]
    return actions


def ensure_usable(leaflet: Leaflet) -> None:
    """Only an approved leaflet is printed or handed out."""
    if not leaflet.usable:
        raise Conflict("leaflet_not_approved", _(
            "The leaflet “%(title)s” is “%(state)s”: only an approved leaflet is printed "
            "or handed out.") % {"title": leaflet.title,
                                 "state": leaflet.get_status_display()})


def leaflet_url(leaflet: Leaflet) -> str:
    return reverse("campaigns:leaflet_detail", args=[leaflet.pk])


# -- norms -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeafletStock:
    quantity: int
    in_transit: int
    min_norm: int

    @property
    def below_norm(self) -> bool:
        return self.quantity + self.in_transit < self.min_norm


def stock_of(leaflets: list[Leaflet]) -> dict[int, LeafletStock]:
    """Each leaflet's stock and minimum norm at its branch (one query)."""
    from punkt.inventory.models import StockLevel

    rows = StockLevel.objects.filter(product_id__in=[lf.product_id for lf in leaflets])
    by_product = {(r.branch_id, r.product_id): r for r in rows}
    out = {}
    for lf in leaflets:
        r = by_product.get((lf.branch_id, lf.product_id))
        out[lf.pk] = (LeafletStock(r.quantity, r.in_transit, r.min_norm) if r
                      else LeafletStock(0, 0, 0))
    return out


@transaction.atomic
def leaflet_norm_set(*, actor: Actor, leaflet_id: Any, min_norm: Any) -> LeafletStock:
    """The branch's minimum norm of the leaflet (its stock item's norm)."""
    from punkt.inventory.services import norm_set

    leaflet = Leaflet.objects.visible_to(actor, perms.CAMPAIGN_VIEW).get_or_not_found(
        leaflet_id, missing=_("Leaflet not found."))
    level = norm_set(actor=actor, branch_id=leaflet.branch_id, product_id=leaflet.product_id,
                     min_norm=min_norm)
    return LeafletStock(level.quantity, level.in_transit, level.min_norm)


def can_set_norm(user: Actor, leaflet: Leaflet) -> bool:
    from punkt.inventory import permissions as stock_perms

    return org_perms.can(user, stock_perms.STOCK_MANAGE.code, leaflet.branch_id)
