"""The receipt of a complaint on a durable medium (Consumer Rights Act art. 7a; the
Electronic Communications Law): printed at the counter, e-mailed as a PDF. Every value is
escaped (C22); the PDF fetches nothing from the network (C23)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.complaints import clock
from punkt.complaints.models import Complaint
from punkt.core.money import format_pln
from punkt.core.pdf import qr_svg, render_pdf


def receipt_name(complaint: Complaint) -> str:
    return f"potwierdzenie-{complaint.number.replace('/', '-')}.pdf"


def receipt_html(complaint: Complaint) -> str:
    warsaw = clock.WARSAW
    rows = [
        (_("Number"), complaint.number),
        (_("Received"), f"{complaint.clock_started_at.astimezone(warsaw):%d.%m.%Y %H:%M}"),
        (_("Branch"), complaint.branch.name),
        (_("Customer"), complaint.customer.display_name),
        (_("Product or service"), complaint.product_label),
        (_("Kind"), complaint.get_kind_display()),
        (_("The customer's demand"), complaint.get_demand_display()),
        (_("Amount claimed (PLN)"), format_pln(complaint.amount)
         if complaint.amount is not None else "—"),
        (_("Complaint terms shown (version)"), complaint.terms_version),
        (_("Answer due"), f"{complaint.deadline.astimezone(warsaw):%d.%m.%Y}"),
        (_("Rule"), clock.rule(complaint.kind, complaint.days)),
        (_("Registered by"), getattr(complaint.handler, "full_name", "") or "—"),
    ]
    if complaint.round > 1:
        rows.insert(1, (_("Appeal"), str(complaint.round - 1)))
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    title = _("Complaint receipt")
    account = _("The customer's account")
    promise = _("We confirm receiving the complaint. The answer will be given on paper or "
                "another durable medium by the date above.")
    customer, employee = _("Customer"), _("Employee")
    return (
        f"<html><body><h1>{escape(title)} {escape(complaint.number)}</h1>"
        f"<table>{table}</table>"
        f"<h2>{escape(account)}</h2><p>{escape(complaint.customer_account)}</p>"
        f"<p class=\"muted\">{escape(promise)}</p>"
        f"<div>{qr_svg(complaint.number)}</div>"
        f"<div class=\"signature\">{escape(customer)}</div>"
        f"<div class=\"signature\">{escape(employee)}</div>"
        "</body></html>")


def receipt_pdf(complaint: Complaint) -> bytes:
    with override("pl"):
        return render_pdf(receipt_html(complaint))
