"""The campaign leaflet as a print-ready PDF: A5 with 3 mm bleed and crop marks (the
shop trims to A5), filled with the branch's name, address and phone, the campaign's offer
(its products with the prices of the price list in force at the branch) and the campaign
code as text and as a QR code. Every value is escaped (C22); nothing is fetched from the
network (C23)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

from punkt.campaigns.models import Leaflet
from punkt.catalog.selectors import prices_at
from punkt.core.money import format_pln
from punkt.core.pdf import qr_svg, render_pdf

#: the trimmed page and the bleed the print shop cuts off
PAGE = "A5"
BLEED_MM = 3

LEAFLET_CSS = f"""
@page {{ size: {PAGE}; margin: 8mm; bleed: {BLEED_MM}mm; marks: crop;
         background: #0b5cab; @bottom-right {{ content: none; }} }}
body {{ font-size: 10pt; margin: 0; }}
.sheet {{ background: #fff; padding: 6mm; border-radius: 3mm; min-height: 182mm; }}
h1 {{ font-size: 20pt; color: #0b5cab; margin: 0 0 3mm; }}
.offer td, .offer th {{ border: none; border-bottom: 0.5pt solid #ccc; padding: 2pt 3pt; }}
.offer .num {{ text-align: right; white-space: nowrap; font-weight: bold; }}
.period {{ font-size: 9pt; color: #333; }}
.code {{ margin-top: 5mm; border: 1pt dashed #0b5cab; padding: 3mm; }}
.code b {{ font-size: 16pt; letter-spacing: 1pt; }}
.qr {{ float: right; width: 26mm; height: 26mm; margin-left: 3mm; }}
.qr svg {{ width: 26mm; height: 26mm; }}
.branch {{ margin-top: 5mm; font-size: 9pt; }}
"""


def leaflet_name(leaflet: Leaflet) -> str:
    return f"ulotka-{leaflet.campaign.code.lower()}-{leaflet.branch.code.lower()}.pdf"


def offer_of(leaflet: Leaflet) -> list[tuple[str, str]]:
    """The campaign's products with their gross prices at the leaflet's branch today
    (a product without a price in force is listed without one)."""
    products = list(leaflet.campaign.products.order_by("name"))
    prices = prices_at(branch_id=leaflet.branch_id, codes=[p.code for p in products],
                       on=timezone.localdate())
    return [(p.name, format_pln(prices[p.code].price_gross) if p.code in prices else "")
            for p in products]


def leaflet_html(leaflet: Leaflet) -> str:
    campaign, branch = leaflet.campaign, leaflet.branch
    rows = "".join(f"<tr><td>{escape(name)}</td><td class=\"num\">{escape(price)}</td></tr>"
                   for name, price in offer_of(leaflet))
    period = _("Offer valid %(start)s – %(end)s") % {
        "start": f"{campaign.starts_on:%d.%m.%Y}", "end": f"{campaign.ends_on:%d.%m.%Y}"}
    code_label = _("Your campaign code")
    code_help = _("Show this code at the branch when you sign up.")
    phone = f"<br>{escape(_('phone'))} {escape(branch.phone)}" if branch.phone else ""
    return (
        "<html><body><div class=\"sheet\">"
        f"<h1>{escape(leaflet.title)}</h1>"
        f"<p>{escape(leaflet.text)}</p>"
        + (f"<table class=\"offer\">{rows}</table>" if rows else "")
        + f"<p class=\"period\">{escape(period)}</p>"
        f"<div class=\"code\"><div class=\"qr\">{qr_svg(campaign.code)}</div>"
        f"{escape(code_label)}:<br><b>{escape(campaign.code)}</b>"
        f"<p class=\"period\">{escape(code_help)}</p><div style=\"clear: both\"></div></div>"
        f"<p class=\"branch\"><b>{escape(branch.name)}</b><br>{escape(branch.street)}, "
        f"{escape(branch.postal_code)} {escape(branch.city)}{phone}</p>"
        "</div></body></html>")


def leaflet_pdf(leaflet: Leaflet) -> bytes:
    with override("pl"):
        return render_pdf(leaflet_html(leaflet), extra_css=LEAFLET_CSS)


def leaflet_file(leaflet: Leaflet) -> bytes:
    """The PDF the print shop gets: the uploaded one of a leaflet made locally, else the
    one rendered from the HQ template."""
    if leaflet.is_local:
        from punkt.campaigns.services.leaflets import pdf_bytes

        return pdf_bytes(leaflet)
    return leaflet_pdf(leaflet)
