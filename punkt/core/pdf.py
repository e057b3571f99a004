"""PDF documents (WeasyPrint) that never reach the network (C23) and ship their fonts.

Resources are fetched only through :class:`LocalFetcher`: ``punkt-static:/…`` URLs are
served from ``punkt/static/punkt``; anything else (``http:``, ``file:``, ``data:`` …) is
refused and simply left out of the document. The body font is DejaVu Sans (shipped in
``static/punkt/fonts``), which has every Polish letter.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC = (Path(__file__).resolve().parent.parent / "static" / "punkt").resolve()
SCHEME = "punkt-static:/"

BASE_CSS = f"""
@font-face {{ font-family: "Punkt Sans"; src: url("{SCHEME}fonts/DejaVuSans.ttf"); }}
@font-face {{ font-family: "Punkt Sans"; font-weight: bold;
              src: url("{SCHEME}fonts/DejaVuSans-Bold.ttf"); }}
@page {{ size: A4; margin: 18mm 16mm 20mm;
         font-family: "Punkt Sans"; font-size: 8pt;
         @bottom-right {{ content: counter(page) " / " counter(pages);
                          font-family: "Punkt Sans"; font-size: 8pt; }} }}
body {{ font-family: "Punkt Sans"; font-size: 10pt; line-height: 1.4; }}
h1 {{ font-size: 14pt; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; }}
.num {{ text-align: right; }} .muted {{ color: #555; }}
.signature {{ display: inline-block; width: 45%; margin: 18mm 2% 0 0;
              border-top: 0.5pt solid #000; padding-top: 2pt; font-size: 8pt; }}
"""


class RefusedResource(ValueError):
    pass


class LocalFetcher(URLFetcher):
    """Serves files under ``static/punkt`` for ``punkt-static:/`` URLs; refuses the rest."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith(SCHEME):
            raise RefusedResource(f"not fetched: {url[:80]}")
        path = (STATIC / url.removeprefix(SCHEME).lstrip("/")).resolve()
        if STATIC not in path.parents or not path.is_file():
            raise RefusedResource(f"not a Punkt static file: {url[:80]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def render_pdf(html: str, *, extra_css: str = "") -> bytes:
    """A PDF from an HTML document whose text is already escaped."""
    fetcher = LocalFetcher()
    stylesheets = [CSS(string=BASE_CSS + extra_css, url_fetcher=fetcher, base_url=SCHEME)]
    return HTML(string=html, base_url=SCHEME, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets)


def qr_svg(text: str) -> str:
    """A QR code as inline SVG (nothing to fetch)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=2,
                                     border=0)
    return out.getvalue().decode("ascii")
