"""The customer a record is made for, and the branch it is made in, as other areas'
services read them from a form or the API (a complaint, an opportunity): refused with
the field named, never another branch's customer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from punkt.core import values
from punkt.core.errors import NotFound, ValidationFailed
from punkt.core.permissions import Action
from punkt.core.scoping import branch_ids_visible
from punkt.customers import permissions as customer_perms
from punkt.customers.models import Customer
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor
from punkt.organization.models import Branch


def visible_customer(actor: Actor, customer_id: Any) -> Customer:
    """The customer ``actor`` may see; refused on ``customer`` otherwise."""
    pk = values.record_id(customer_id, field="customer", message=_("Choose the customer."))
    if pk is None:
        raise ValidationFailed("required", _("Choose the customer."), field="customer")
    try:
        return (Customer.objects.visible_to(actor, customer_perms.CUSTOMER_VIEW)
                .get_or_not_found(pk))
    except NotFound:
        raise ValidationFailed("invalid", _("Customer not found."), field="customer") from None


def acting_branch(actor: Actor, branch_id: Any, customer: Customer, permission: Action
                  ) -> Branch:
    """The branch the record is made in: the one given, else the customer's when the actor
    holds ``permission`` there, else the actor's only such branch; refused on ``branch``."""
    pk = values.record_id(branch_id, field="branch", message=_("Choose the branch."))
    allowed = branch_ids_visible(actor, permission)
    if pk is None:
        if allowed is None or customer.branch_id in allowed:
            pk = customer.branch_id
        elif len(allowed) == 1:
            pk = next(iter(allowed))
        else:
            raise ValidationFailed("required", _("Choose the branch."), field="branch")
    branch = Branch.objects.filter(pk=pk, is_active=True).first()
    if branch is None:
        raise ValidationFailed("invalid", _("Choose the branch."), field="branch")
    org_perms.ensure(actor, permission.code, branch.pk)
    return branch
