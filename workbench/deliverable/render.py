"""The deliverable: executed notebooks -> one self-contained ``report.html``.

``render_report(notebooks, client, out_path)`` merges the executed notebooks (in order), numbers the
headings the notebooks emitted through ``workbench.deliverable.html.heading`` (stable ids ``sec-1``, ``sec-1-2``,
``sec-1-2-3``: never slugs of Chinese text), builds the cover and the table of contents, and renders with
nbconvert's ``HTMLExporter`` on ``templates/deliverable`` (one exporter per process, reused).

Only display outputs reach the page: code, prompts, streams (warnings) and markdown cells are dropped
(a markdown cell tagged ``report`` is kept). A notebook holding an ``error`` output is refused: a run
with errors never renders.
"""
from __future__ import annotations

import copy
import html
import logging
import re
import threading
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import nbformat
from nbformat import NotebookNode

import workbench
from workbench.core.resources import templates_dir
from workbench.core.i18n import t
from workbench.core.status import css_variables

log = logging.getLogger(__name__)

TEMPLATE_DIRS = [templates_dir()]
TEMPLATE_NAME = "deliverable"
MAX_BYTES = 3 * 1024 * 1024
HTML_LANG = {"zh": "zh-CN", "en": "en"}
# The print footer, as a CSS ``content`` value (fixed words only: no client text goes into CSS).
PAGE_OF = {"zh": '"第 " counter(page) " 页 / 共 " counter(pages) " 页"',
           "en": '"Page " counter(page) " of " counter(pages)'}

__all__ = ["warm", "render_report", "render_html", "merge_notebooks", "exporter", "ReportError", "format_date",
           "heading_number", "MAX_BYTES"]


class ReportError(Exception):
    """The notebooks cannot become a deliverable (an error output, nothing to show)."""


# ---------------------------------------------------------------------------------------------
# Exporter (one per process)
# ---------------------------------------------------------------------------------------------
_exporter: Any = None
_exporter_lock = threading.Lock()


def _exporter_class() -> type:
    from nbconvert.exporters.html import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class DeliverableExporter(HTMLExporter):
        """HTMLExporter without the BeautifulSoup pass (our template writes alt texts itself)."""

        def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
            resources = self._init_resources(resources)
            resources.setdefault("wb", _default_wb())
            self.register_filter("highlight_code", Highlight2HTML(pygments_lexer="python", parent=self))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return DeliverableExporter


def exporter() -> Any:
    """The process-wide deliverable exporter (created once; a batch worker reuses it)."""
    global _exporter
    with _exporter_lock:
        if _exporter is None:
            cls = _exporter_class()
            dirs = [str(d) for d in TEMPLATE_DIRS if (d / TEMPLATE_NAME).is_dir()]
            ex = cls(template_name=TEMPLATE_NAME, extra_template_basedirs=dirs)
            ex.exclude_input = True
            ex.exclude_input_prompt = True
            ex.exclude_output_prompt = True
            ex.embed_images = True
            ex.optimistic_validation = True  # validate once after the preprocessors, not after each of the eleven
            _exporter = ex
        return _exporter


def _default_wb() -> dict[str, Any]:
    """Template context when a caller renders a notebook without ``render_html`` (e.g. a warm-up)."""
    return {"lang": "en", "html_lang": "en", "title": "workbench", "version": workbench.__version__,
            "cover": {"kicker": "", "client": "", "title": "", "subtitle": "", "meta": [], "foot": ""},
            "toc": [], "texts": {"toc": "", "footer": ""}}


def warm() -> None:
    """Create the exporter and compile the template once (call in a batch parent before forking)."""
    exporter().from_notebook_node(nbformat.v4.new_notebook())


# ---------------------------------------------------------------------------------------------
# Merging and headings
# ---------------------------------------------------------------------------------------------
_ZH_NUM = "零一二三四五六七八九十"


def _zh_int(n: int) -> str:
    if n <= 10:
        return _ZH_NUM[n]
    if n < 20:
        return "十" + (_ZH_NUM[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return _ZH_NUM[tens] + "十" + (_ZH_NUM[ones] if ones else "")


def heading_number(path: list[int], lang: str) -> str:
    """Printed number of a heading: zh 一、 / （一） / 1. ; en 1 / 1.2 / 1.2.3."""
    if lang == "zh":
        if len(path) == 1:
            return f"{_zh_int(path[0])}、"
        if len(path) == 2:
            return f"（{_zh_int(path[1])}）"
        return ".".join(str(p) for p in path[2:]) + "."
    return ".".join(str(p) for p in path)


def _load(nb: Path | str | NotebookNode) -> tuple[str, NotebookNode]:
    if isinstance(nb, NotebookNode):
        name = nb.metadata.get("papermill", {}).get("output_path") or "notebook"
        return Path(str(name)).name, nb
    path = Path(nb)
    return path.name, nbformat.read(path, as_version=4)


def _check_errors(name: str, nb: NotebookNode) -> None:
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "error":
                raise ReportError(f"{name}: cell {index} has an error output ({out.get('ename')}: "
                                  f"{out.get('evalue')}); a run with errors is not rendered")
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            raise ReportError(f"{name}: cell {index} failed; a run with errors is not rendered")


def _shown(out: NotebookNode) -> bool:
    if out.get("output_type") not in ("display_data", "execute_result"):
        return False
    data = out.get("data", {})
    return any(k in data for k in ("text/html", "image/svg+xml", "image/png", "text/markdown"))


# A figure wider than this at its natural size would shrink below ~90 % on a portrait A4 page (182 mm of
# text width): it gets a landscape page (269 mm) instead, unless its output metadata already chose a page.
LANDSCAPE_FROM_MM = 200.0
LANDSCAPE_ASPECT = 1.25
_SVG_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?", re.S)
_SVG_SIZE = re.compile(r"<svg\b[^>]*?\bwidth=\"([\d.]+)(pt|px|mm|in)?\"[^>]*?\bheight=\"([\d.]+)(pt|px|mm|in)?\"", re.S)
_MM = {"pt": 25.4 / 72, "px": 25.4 / 96, "mm": 1.0, "in": 25.4, None: 25.4 / 96}


def figure_size_mm(data: dict[str, Any], meta: dict[str, Any] | None = None) -> tuple[float, float] | None:
    """Natural size of a figure output in mm: ``metadata.workbench.pt`` when the publisher recorded it, else the
    SVG's width/height (``image/svg+xml``, or inline SVG in ``text/html``), else PNG pixels over its resolution."""
    pt = (meta or {}).get("pt")
    if isinstance(pt, (list, tuple)) and len(pt) == 2 and all(isinstance(x, (int, float)) for x in pt):
        return float(pt[0]) * _MM["pt"], float(pt[1]) * _MM["pt"]
    svg = data.get("image/svg+xml") or (data.get("text/html") if "<svg" in str(data.get("text/html", ""))[:2000]
                                        else None)
    if svg:
        m = _SVG_SIZE.search(str(svg)[:4000])
        if m:
            return float(m.group(1)) * _MM[m.group(2)], float(m.group(3)) * _MM[m.group(4)]
        return None
    png = data.get("image/png")
    if png:
        import base64
        import struct

        head = base64.b64decode(str(png)[:8192].replace("\n", "") + "===")[:4096]
        if head[:8] != b"\x89PNG\r\n\x1a\n":
            return None
        w, h = struct.unpack(">II", head[16:24])
        dpm = 96 / 0.0254
        i = head.find(b"pHYs")
        if i > 0:
            x, _, unit = struct.unpack(">IIB", head[i + 4:i + 13])
            if unit == 1 and x:
                dpm = x
        return w / dpm * 1000, h / dpm * 1000
    return None


KEEP_ROWS = 10  # a table this short is kept on one page: no lone row carried over to the next
KEEP_CHARS = 1200  # ... when it holds at most this much text


def _prepare_table(out: NotebookNode) -> None:
    """Mark short tables ``keep`` (one page), so a page never holds a single row carried over."""
    html_text = out.get("data", {}).get("text/html")
    meta = out.get("metadata", {}).get("workbench", {})
    if not html_text or meta.get("kind") != "table" or "keep" in meta:
        return
    text = str(html_text)
    rows = text.count("<tr")
    words = len(re.sub(r"<[^>]+>", "", text))
    # short in rows and in text: a few rows of long text can fill a page, and kept whole it would leave its
    # heading alone on the page before
    if 0 < rows <= KEEP_ROWS + 1 and words <= KEEP_CHARS:  # + the header row
        out.setdefault("metadata", {}).setdefault("workbench", {})["keep"] = True


# The print box of a figure (mm): A4 text width, and a height that leaves room for a chapter and a section
# heading above it (portrait), or for the headings carried onto its landscape page.
FIT_MM = {"portrait": (180.0, 205.0), "landscape": (266.0, 140.0)}  # 1 % under the text width: no rounding overflow
_SVG_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?\bwidth=")([\d.]+)(pt|px|mm|in)?("[^>]*?\bheight=")([\d.]+)(pt|px|mm|in)?(")',
                            re.S)


def fit_svg(markup: str, page: str) -> str:
    """Shrink an inline SVG's width/height (never enlarge it) to fit the print box of its page.

    The size is written into the SVG itself because a paged-media engine that has to shrink an inline SVG through
    ``max-width``/``max-height`` loses its aspect ratio (WeasyPrint draws it centred in a too tall box)."""
    m = _SVG_ROOT_SIZE.search(markup[:4000])
    if not m:
        return markup
    w, h = float(m.group(2)) * _MM[m.group(3)], float(m.group(5)) * _MM[m.group(6)]
    box_w, box_h = FIT_MM.get(page, FIT_MM["portrait"])
    scale = min(1.0, box_w / w if w else 1.0, box_h / h if h else 1.0)
    if scale >= 1.0:
        return markup
    pt = lambda mm: f"{mm / _MM['pt']:.2f}"  # noqa: E731
    return (markup[:m.start()] + m.group(1) + pt(w * scale) + "pt" + m.group(4) + pt(h * scale) + "pt" + m.group(7)
            + markup[m.end():])


def _prepare_figure(out: NotebookNode) -> None:
    """Inline SVG without its XML prolog; a print page chosen for figures too wide for portrait; SVG sized to it."""
    data = out.get("data", {})
    if "image/svg+xml" in data:
        data["image/svg+xml"] = _SVG_PROLOG.sub("", str(data["image/svg+xml"]), count=1)
    meta = out.setdefault("metadata", {}).setdefault("workbench", {})
    if "image/svg+xml" not in data and "image/png" not in data and meta.get("kind") != "figure":
        return
    if not meta.get("page"):
        size = figure_size_mm(data, meta)
        if size and size[0] > LANDSCAPE_FROM_MM and size[0] >= LANDSCAPE_ASPECT * size[1]:
            meta["page"] = "landscape"
    page = "landscape" if meta.get("page") == "landscape" else "portrait"
    for mime in ("image/svg+xml", "text/html"):
        if "<svg" in str(data.get(mime, ""))[:4000]:
            data[mime] = fit_svg(str(data[mime]), page)


def merge_notebooks(notebooks: Iterable[Path | str | NotebookNode], lang: str = "zh",
                    toc_depth: int = 2) -> tuple[NotebookNode, list[dict[str, Any]]]:
    """One notebook holding every shown output, with numbered headings; and the TOC entries."""
    cells: list[NotebookNode] = []
    toc: list[dict[str, Any]] = []
    counters: list[int] = []
    for source in notebooks:
        name, nb = _load(source)
        _check_errors(name, nb)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "report" in cell.metadata.get("tags", []):
                cells.append(copy.deepcopy(cell))
                continue
            if cell.cell_type != "code":
                continue
            outs = [copy.deepcopy(o) for o in cell.get("outputs", []) if _shown(o)]
            if not outs:
                continue
            for out in outs:
                _prepare_figure(out)
                _prepare_table(out)
                meta = out.get("metadata", {}).get("workbench", {})
                if meta.get("kind") != "heading":
                    continue
                level = int(meta.get("level", 1))
                while len(counters) < level:
                    counters.append(0)
                del counters[level:]
                counters[level - 1] += 1
                path = list(counters)
                sec_id = "sec-" + "-".join(str(p) for p in path)
                number = heading_number(path, lang)
                text = str(meta.get("text", ""))
                out.data["text/html"] = (
                    f'<h{level} class="wb-h wb-h{level}" id="{sec_id}"><span class="wb-hnum">{html.escape(number)}</span>'
                    f'{html.escape(text)}</h{level}>')
                out.data.pop("text/markdown", None)
                if level <= toc_depth:
                    toc.append({"level": level, "id": sec_id, "number": number, "text": text})
            new = NotebookNode(id=f"wb-{len(cells)}", cell_type="code", execution_count=None, metadata=NotebookNode(),
                               outputs=outs, source="")
            cells.append(new)
    _headings_follow_their_page(cells)
    merged = NotebookNode(nbformat=4, nbformat_minor=nbformat.v4.nbformat_minor, metadata=NotebookNode(), cells=cells)
    merged.metadata["language_info"] = {"name": "python"}
    return merged, toc


def _headings_follow_their_page(cells: list[NotebookNode]) -> None:
    """Headings right before a landscape element go onto its landscape page (no heading left behind)."""
    outs = [o for c in cells if c.cell_type == "code" for o in c.outputs]
    for i, out in enumerate(outs):
        if out.get("metadata", {}).get("workbench", {}).get("page") != "landscape":
            continue
        j = i - 1
        while j >= 0 and outs[j].get("metadata", {}).get("workbench", {}).get("kind") == "heading":
            outs[j]["metadata"]["workbench"]["page"] = "landscape"
            j -= 1


# ---------------------------------------------------------------------------------------------
# Cover
# ---------------------------------------------------------------------------------------------
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def format_date(d: date, lang: str) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def _profile(client: Any) -> Any:
    return getattr(client, "profile", client)


def _cover(profile: Any, lang: str, generated: date) -> dict[str, Any]:
    from workbench.deliverable.tables import format_period
    from workbench.intake.frameworks import framework_of

    meta = [(t("report.cover.period", lang), format_period(profile.period, lang))]
    if getattr(profile, "industry", None):
        meta.append((t("report.cover.industry", lang), profile.industry))
    meta.append((t("report.cover.consultant", lang), profile.consultant or t("report.cover.no_consultant", lang)))
    meta.append((t("report.cover.date", lang), format_date(generated, lang)))
    return {
        "kicker": t("report.cover.kicker", lang),
        "client": profile.name,
        "title": t("report.title", lang),
        "subtitle": t("report.cover.subtitle", lang, framework=t("report.framework.basis", lang,
                                                                framework=framework_of(profile).name(lang))),
        "meta": meta,
        "foot": t("report.cover.confidential", lang, client=profile.name),
    }


def render_html(executed_notebooks: Iterable[Path | str | NotebookNode], client: Any,
                generated: date | None = None) -> str:
    """The deliverable as a string (see ``render_report``)."""
    from workbench.deliverable.tables import format_period

    profile = _profile(client)
    lang = "en" if getattr(profile, "language", "zh") == "en" else "zh"
    generated = generated or date.today()
    merged, toc = merge_notebooks(executed_notebooks, lang)
    if not merged.cells:
        raise ReportError("the notebooks produced nothing to show")
    wb = {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "title": t("report.html_title", lang, client=profile.name, period=format_period(profile.period, lang)),
        "version": workbench.__version__,
        "cover": _cover(profile, lang, generated),
        "toc": toc,
        "running_period": format_period(profile.period, lang),
        "css_vars": css_variables(),  # the status colours of workbench.core.status, one source
        "texts": {"toc": t("report.toc", lang), "page_of": PAGE_OF[lang],
                  "footer": t("report.footer", lang, client=profile.name, period=format_period(profile.period, lang),
                              date=format_date(generated, lang))},
    }
    body, _ = exporter().from_notebook_node(merged, resources={"wb": wb})
    return _tidy(body)


_BLANK_LINES = re.compile(r"\n\s*\n+")


def _tidy(body: str) -> str:
    return _BLANK_LINES.sub("\n", body).strip() + "\n"


def render_report(executed_notebooks: list[Path | NotebookNode], client: Any, out_path: Path | str,
                  *, generated: date | None = None) -> Path:
    """Merge the executed notebooks into one self-contained HTML file at ``out_path`` (written atomically).
    ``workbench.deliverable.pdf.write_pdf`` makes report.pdf from it."""
    from workbench.core.atomic import atomic_write_text

    body = render_html(executed_notebooks, client, generated=generated)
    size = len(body.encode("utf-8"))
    if size > MAX_BYTES:
        log.warning("report for %s is %.1f MB (budget %.0f MB)", getattr(_profile(client), "id", "?"),
                    size / 1e6, MAX_BYTES / 1e6)
    out = Path(out_path)
    atomic_write_text(out, body)
    return out
