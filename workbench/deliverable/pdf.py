"""``report.pdf``: the deliverable's HTML laid out for A4 by WeasyPrint (CSS Paged Media).

Why WeasyPrint and not Chromium's print-to-PDF (measured, see docs/decisions.md "PDF"): it implements what a
printed report needs and Chromium does not (``target-counter`` for the contents page numbers, ``string-set``
for the running header, ``counter(pages)``), it embeds the CJK font as a real subset CID font (Chromium writes
Type 3 glyphs), and it runs in-process: no browser to start per client, nothing left running.

The print layout itself lives in the deliverable's stylesheet (``@media print`` / ``@page`` rules), so a reader
printing ``report.html`` from a browser gets the same breaks. Nothing is fetched: only ``data:`` URLs load.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from workbench.core.atomic import atomic_path

__all__ = ["write_pdf", "pdf_bytes", "PdfError"]

log = logging.getLogger(__name__)


class PdfError(Exception):
    """The PDF cannot be made (WeasyPrint or its system libraries missing)."""


def _offline_fetcher() -> Any:
    """A fetcher loading ``data:`` URLs only: a deliverable never reaches the network or the file system."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher"):  # WeasyPrint >= 68
        return urls.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:  # older WeasyPrint: a plain function
        if not url.startswith("data:"):
            raise ValueError(f"the deliverable refers to {url[:80]!r}; only embedded data: URLs are allowed")
        return urls.default_url_fetcher(url, *args, **kwargs)
    return fetch


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango/harfbuzz not installed
        raise PdfError(f"report.pdf needs WeasyPrint and Pango (scripts/install.sh): {exc}") from exc
    for name in ("weasyprint", "fontTools"):  # unsupported screen-only CSS is expected, not news
        logging.getLogger(name).setLevel(logging.ERROR)
    return weasyprint


_SVG_START = re.compile(r"<svg\b[^>]*>")
_HEIGHT_AUTO = re.compile(r"\bheight\s*:\s*auto\s*;?")


def _svg_heights(html: str) -> str:
    """Drop ``height: auto`` from inline SVG start tags: WeasyPrint gives such an SVG a page-tall box and draws the
    chart in its middle. The SVG's own width/height already fit the page (``render.fit_svg``); browsers keep the
    style (it makes the chart shrink with a narrow window)."""
    return _SVG_START.sub(lambda m: _HEIGHT_AUTO.sub("", m.group(0)), html)


def pdf_bytes(html: str) -> bytes:
    """The PDF of a deliverable given as an HTML string."""
    weasyprint = _weasyprint()
    html = _svg_heights(html)
    from weasyprint import urls

    fatal = getattr(urls, "FatalURLFetchingError", PdfError)  # a BaseException in WeasyPrint >= 68
    try:
        doc = weasyprint.HTML(string=html, url_fetcher=_offline_fetcher(), media_type="print")
        return doc.write_pdf(pdf_version="1.7", uncompressed_pdf=False)
    except fatal as exc:
        raise PdfError(f"report.pdf: the deliverable refers to something outside itself ({exc})") from None


def write_pdf(html: str, out_path: Path | str) -> Path:
    """Write the PDF of ``html`` to ``out_path`` atomically (temp file + rename)."""
    out = Path(out_path)
    data = pdf_bytes(html)
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    return out
