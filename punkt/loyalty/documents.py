"""The loyalty card as a printable PDF (a card-sized page, 85.6 × 54 mm): the programme,
the number as text, as an EAN-13 barcode drawn as SVG bars (``ean13_svg``, no library)
and as a QR code (segno). Every value is escaped (C22); nothing is fetched (C23)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from punkt.core.pdf import qr_svg, render_pdf
from punkt.loyalty.models import Card

_L = ("0001101", "0011001", "0010011", "0111101", "0100011",
      "0110001", "0101111", "0111011", "0110111", "0001011")
_G = tuple("".join("1" if b == "0" else "0" for b in code)[::-1] for code in _L)
_R = tuple("".join("1" if b == "0" else "0" for b in code) for code in _L)
_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
           "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")


def ean13_modules(number: str) -> str:
    """The 95 modules (1 = bar) of an EAN-13 number: guard, six left digits coded L or G
    by the first digit, centre guard, six right digits coded R, guard."""
    if len(number) != 13 or not number.isdigit():
        raise ValueError(number)
    first, left, right = int(number[0]), number[1:7], number[7:]
    bars = "101"
    for digit, parity in zip(left, _PARITY[first], strict=True):
        bars += (_L if parity == "L" else _G)[int(digit)]
    bars += "01010"
    bars += "".join(_R[int(d)] for d in right)
    return bars + "101"


def ean13_svg(number: str, *, height: int = 40) -> str:
    """The barcode as inline SVG: one rectangle per run of bars, quiet zones included."""
    bars = ean13_modules(number)
    quiet = 9
    rects, i = [], 0
    while i < len(bars):
        if bars[i] == "1":
            j = i
            while j < len(bars) and bars[j] == "1":
                j += 1
            rects.append(f'<rect x="{quiet + i}" y="0" width="{j - i}" height="{height}"/>')
            i = j
        else:
            i += 1
    width = len(bars) + 2 * quiet
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'class="ean" role="img" aria-label="{escape(number)}">'
            f'<rect width="{width}" height="{height}" fill="#fff"/>'
            f'<g fill="#000">{"".join(rects)}</g></svg>')


CARD_CSS = """
@page { size: 85.6mm 54mm; margin: 4mm; @bottom-right { content: none; } }
body { font-size: 8pt; margin: 0; }
h1 { font-size: 12pt; color: #0b5cab; margin: 0 0 1mm; }
.holder { font-size: 9pt; margin: 0 0 2mm; }
.ean { width: 48mm; height: 16mm; display: block; }
.number { font-family: monospace; font-size: 10pt; }
.qr { float: right; width: 18mm; height: 18mm; }
.qr svg { width: 18mm; height: 18mm; }
.tier { font-weight: bold; text-transform: uppercase; }
"""


def card_name(card: Card) -> str:
    return f"karta-{card.number}.pdf"


def card_html(card: Card) -> str:
    holder = (escape(card.customer.display_name) if card.customer_id and card.customer
              else escape(_("Bearer card")))
    tier = (f'<p class="tier">{escape(card.get_tier_display())}</p>' if card.tier else "")
    return (f'<!doctype html><html lang="pl"><head><meta charset="utf-8">'
            f'<title>{escape(card.number)}</title></head><body>'
            f'<div class="qr">{qr_svg(card.number)}</div>'
            f'<h1>{escape(card.programme.name)}</h1><p class="holder">{holder}</p>{tier}'
            f'{ean13_svg(card.number)}<p class="number">{escape(card.number)}</p>'
            f'</body></html>')


def card_pdf(card: Card) -> bytes:
    return render_pdf(card_html(card), extra_css=CARD_CSS)
