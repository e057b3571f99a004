"""Reads of complaints, always from ``visible_to`` (C1/C2: a branch sees its complaints,
HQ every branch's)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from punkt.complaints import permissions as perms
from punkt.complaints.models import (
    _UNDECIDED,
    ActionStatus,
    Complaint,
    ComplaintAction,
    ComplaintEvent,
    ComplaintStatus,
)
from punkt.core.scoping import BranchScopedQuerySet
from punkt.organization.actors import Actor

#: the list's status filter: every open one, the undecided, or one state
STATUS_FILTERS = ("open", "undecided", *ComplaintStatus.values, "all")


def complaints(user: Actor) -> BranchScopedQuerySet[Complaint]:
    return Complaint.objects.visible_to(user, perms.COMPLAINT_VIEW)


def complaint_get(*, user: Actor, complaint_id: Any) -> Complaint:
    """The complaint ``user`` may open, else ``NotFound`` (another branch's: 404)."""
    # what every complaint has is joined; the links most complaints lack (a contract, a
    # ticket, a stock movement, a till entry) are read when set — twelve joins cost the
    # planner more (≈ 18 ms on 500k complaints) than the rows themselves
    # of the sale only its kind (``sale_kind``: its number), not its twenty columns
    found = (complaints(user).select_related("branch", "customer", "sale_line__product",
                                             "handler", "decided_by")
             .annotate(sale_kind=F("sale_line__sale__kind"))
             .get_or_not_found(complaint_id, missing=_("Complaint not found.")))
    line = found.sale_line
    if line is not None:
        from punkt.sales.models import Sale

        setattr(found, "sale_number", Sale.number_of(found.sale_kind, line.sale_id))  # noqa: B010
    return found


#: the list's filter on corrective and preventive actions
ACTION_FILTERS = ("overdue", "to_verify")


#: the longest search text taken
SEARCH_MAX = 100


def listing(*, user: Actor, status: str = "open", overdue: bool = False,
            branch_id: int | None = None, actions: str = "", q: str = "") -> QuerySet[Complaint]:
    """The list: nearest deadline first (the caller orders by ``deadline, id``).
    ``actions``: only complaints with an action past its due date (``overdue``) or one done
    and waiting for verification (``to_verify``). ``q``: a complaint number (or its start,
    ``RK/2026/00``) or the customer as the customer search finds them (a name, a customer
    number, PESEL, NIP, phone, e-mail) — through the number's index and the customers'
    word index, never a ``LIKE`` over the complaints."""
    qs = complaints(user).select_related("customer", "branch", "sale_line", "contract")
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    text = " ".join(str(q or "").split())[:SEARCH_MAX]
    if text:
        if text.upper().startswith("RK/"):
            qs = qs.filter(number__startswith=text.upper().replace(" ", ""))
        else:
            from punkt.customers.search import customers_named

            qs = qs.filter(customer_id__in=customers_named(user=user, text=text))
    if status == "open":
        qs = qs.exclude(status=ComplaintStatus.CLOSED)
    elif status == "undecided":
        qs = qs.filter(status__in=_UNDECIDED)
    elif status in ComplaintStatus.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(Q(deemed_accepted=True) | Q(status__in=_UNDECIDED,
                                                   deadline__lt=timezone.now()))
    if actions == "overdue":
        qs = qs.filter(pk__in=ComplaintAction.objects.filter(
            status=ActionStatus.OPEN, due_on__lt=timezone.localdate()).values("complaint_id"))
    elif actions == "to_verify":
        qs = qs.filter(pk__in=ComplaintAction.objects.filter(
            status=ActionStatus.DONE).values("complaint_id"))
    return qs


def history(complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return ComplaintEvent.objects.filter(complaint=complaint).select_related("actor")


def customer_complaints(user: Actor, customer: Any) -> QuerySet[Complaint]:
    return complaints(user).filter(customer=customer)


def customer_sale_lines(user: Actor, customer: Any) -> QuerySet[Any]:
    """The customer's purchases the complaint may name: sold (not returned) lines of their
    sales in the branches where ``user`` sees complaints, newest first."""
    from punkt.sales.models import Sale, SaleKind, SaleLine

    sales = Sale.objects.visible_to(user, perms.COMPLAINT_VIEW).filter(
        customer=customer, kind=SaleKind.SALE)
    return (SaleLine.objects.filter(sale__in=sales.values("pk"))
            .select_related("sale").order_by("-sale__created_at", "-pk"))


def customer_contracts(user: Actor, customer: Any) -> QuerySet[Any]:
    """The customer's contracts that were or are in force, or on their way (signed),
    in the branches where ``user`` sees complaints."""
    from punkt.contracts.models import DEAD, Contract, ContractStatus

    return (Contract.objects.visible_to(user, perms.COMPLAINT_VIEW)
            .filter(customer=customer).exclude(status__in=[*DEAD, ContractStatus.PREPARED])
            .order_by("-id"))


def ticket_complaint(user: Actor, ticket_id: int) -> Complaint | None:
    return complaints(user).filter(ticket_id=ticket_id).first()
