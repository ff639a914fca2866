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

log = logging.getLogger(__name__)

TEMPLATE_DIRS = [templates_dir()]
TEMPLATE_NAME = "deliverable"
MAX_BYTES = 3 * 1024 * 1024
HTML_LANG = {"zh": "zh-CN", "en": "en"}

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
    return any(k in data for k in ("text/html", "image/png", "text/markdown"))


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
            new = nbformat.v4.new_code_cell(source="")
            new.outputs = outs
            cells.append(new)
    merged = nbformat.v4.new_notebook(cells=cells)
    merged.metadata["language_info"] = {"name": "python"}
    return merged, toc


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

    meta = [(t("report.cover.period", lang), format_period(profile.period, lang))]
    if getattr(profile, "industry", None):
        meta.append((t("report.cover.industry", lang), profile.industry))
    meta.append((t("report.cover.consultant", lang), profile.consultant or t("report.cover.no_consultant", lang)))
    meta.append((t("report.cover.date", lang), format_date(generated, lang)))
    return {
        "kicker": t("report.cover.kicker", lang),
        "client": profile.name,
        "title": t("report.title", lang),
        "subtitle": t("report.cover.subtitle", lang, framework=t("report.framework.gbt19580", lang)),
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
        "texts": {"toc": t("report.toc", lang),
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
    """Merge the executed notebooks into one self-contained HTML file at ``out_path`` (written atomically)."""
    from workbench.core.atomic import atomic_write_text

    body = render_html(executed_notebooks, client, generated=generated)
    size = len(body.encode("utf-8"))
    if size > MAX_BYTES:
        log.warning("report for %s is %.1f MB (budget %.0f MB)", getattr(_profile(client), "id", "?"),
                    size / 1e6, MAX_BYTES / 1e6)
    out = Path(out_path)
    atomic_write_text(out, body)
    return out
