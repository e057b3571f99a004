"""What the cashier's desk puts on a customer's profile: the balance with HQ in the
summary, the Invoices and payments tab, links from the timeline to invoices and invoice
numbers found by the customer search box."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from punkt.cashdesk import permissions as perms
from punkt.cashdesk.models import CreditUse, Invoice, Payment
from punkt.core.money import format_pln
from punkt.customers.profile import (
    TAB_ROWS,
    Found,
    Matter,
    api_route,
    register_number_lookup,
    register_profile_matter,
    register_profile_panel,
    register_source_link,
    route,
)
from punkt.organization import permissions as org_perms
from punkt.organization.actors import Actor


def _invoices(user: Actor, customer: Any) -> dict[str, Any]:
    invoices = list(Invoice.objects.filter(customer=customer)
                    .order_by("-issued_on", "-pk")[:TAB_ROWS + 1])
    payments = list(Payment.objects.visible_to(user, perms.INVOICE_VIEW)
                    .filter(customer=customer).select_related("invoice", "branch", "cashier")
                    .order_by("-created_at", "-pk")[:TAB_ROWS])
    return {"invoices": invoices[:TAB_ROWS], "more": len(invoices) > TAB_ROWS,
            "payments": payments, "today": timezone.localdate()}


register_profile_panel("invoices", _("Invoices and payments"),
                       "cashdesk/profile/invoices_tab.html", _invoices,
                       perms.INVOICE_VIEW.code, order=30)


@register_profile_matter
def _balance(user: Actor, customer: Any) -> list[Matter]:
    """The customer's settlement with HQ, as the cashier left it (every viewer of the
    profile sees it), and their unpaid invoices: one statement."""
    from punkt.cashdesk.selectors import balance

    sums = balance(customer.pk)
    due, overdue, credit = sums.due, sums.overdue, sums.credit
    url = ""
    if org_perms.can(user, perms.INVOICE_VIEW.code, customer.branch_id):
        url = reverse("customers:customer_detail", args=[customer.pk]) + "?tab=invoices#tabs"
    out: list[Matter] = []
    if due or credit:
        parts = [_("to pay %(amount)s") % {"amount": format_pln(due)}]
        if overdue:
            parts.append(_("overdue %(amount)s") % {"amount": format_pln(overdue)})
        if credit:
            parts.append(_("credit %(amount)s") % {"amount": format_pln(credit)})
        out.append(Matter(_("Invoices"), ", ".join(str(p) for p in parts), url,
                          "err" if overdue else "warn" if due else "ok", key="balance"))
    if sums.open_count:
        text = ngettext("%(n)d unpaid", "%(n)d unpaid", sums.open_count) % {
            "n": sums.open_count}
        if sums.late_count:
            text += ", " + ngettext("%(n)d overdue", "%(n)d overdue", sums.late_count) % {
                "n": sums.late_count}
        out.append(Matter(_("Invoices"), text, url, "err" if sums.late_count else "warn"))
    return out


register_source_link("cashdesk.invoice", route("cashdesk:invoice"),
                     permission=perms.INVOICE_VIEW.code, api=api_route("invoice_get"))


def _invoice_of(model: Any, name: str = "cashdesk:invoice") -> Any:
    """Payments and credit uses link to their invoice (its page, or with
    ``name="api:invoice_get"`` its API endpoint): one query for the page."""
    def urls(ids: list[str]) -> dict[str, str]:
        pks = [int(i) for i in ids if i.isdecimal()]
        return {str(pk): reverse(name, args=[invoice_id]) for pk, invoice_id
                in model.objects.filter(pk__in=pks).values_list("pk", "invoice_id")}
    return urls


register_source_link("cashdesk.payment", _invoice_of(Payment), permission=perms.INVOICE_VIEW.code,
                     api=_invoice_of(Payment, "api:invoice_get"))
register_source_link("cashdesk.credituse", _invoice_of(CreditUse),
                     permission=perms.INVOICE_VIEW.code,
                     api=_invoice_of(CreditUse, "api:invoice_get"))


@register_number_lookup
def _invoice_number(user: Actor, number: str) -> Found | None:
    """An HQ invoice's number: the invoice for those who see invoices, else its customer's
    profile if visible."""
    found = Invoice.objects.filter(number=number).only("pk", "number", "customer_id").first()
    if found is None:
        return None
    if org_perms.can(user, perms.INVOICE_VIEW.code):
        return Found(_("Invoice"), found.number, reverse("cashdesk:invoice", args=[found.pk]))
    from punkt.customers.selectors import customers_visible_to

    if customers_visible_to(user, include_closed=True).filter(pk=found.customer_id).exists():
        return Found(_("Invoice"), found.number,
                     reverse("customers:customer_detail", args=[found.customer_id]))
    return None
