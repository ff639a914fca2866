"""Formatted, localised HTML tables of the deliverable.

Plain generated HTML (fast; pandas Styler is not): every value that comes from the client is escaped
(``markupsafe.escape``); only markup built here (chips, bars, tags) is passed through as ``Markup``.
Each builder takes the ``Analysis`` (docs/architecture.md) and returns an HTML string, or ``None``
when there is nothing to show (the notebook then says "no data supplied").

All fixed text comes from ``workbench/data/i18n/report.yaml`` (keys ``report.*``) or the contract's
label tables; numbers are rounded for display only.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

import pandas as pd
from markupsafe import Markup, escape

from workbench.intake.contract import METHOD_LABELS, OWNER_LEVEL_LABELS, PERSPECTIVE_LABELS, PERSPECTIVES
from workbench.core.i18n import t
from workbench.analysis import rollup

__all__ = [
    "format_period", "fmt_num", "fmt_score", "fmt_pct", "fmt_date", "chip", "frame_table", "html_table",
    "lang_of", "label",
    "kpi_definitions", "kpi_parameters", "kpi_element_sheet", "kpi_scores", "kpi_notes", "contracts_table",
    "problems_table", "causes_table", "why_tables", "assessment_categories", "assessment_items",
    "assessment_details", "flagged_items", "actions_by_owner", "gaps_table", "carried_over",
    "strategy_warnings", "objectives_table", "perspectives_table", "statements", "headline_figures",
    "top_gaps", "top_actions", "warnings_list", "html_list", "kpi_status_note", "unit_cell", "status_label",
    "band_legend", "data_notes", "missing_actual_notes",
]

_STATUS_HEX = {"good": "#2E7D32", "ok": "#E0A100", "bad": "#C62828", "none": "#9AA0A6"}


def _status_colours() -> dict[str, str]:
    try:
        from workbench.deliverable.charts.style import STATUS_COLOURS

        return dict(STATUS_COLOURS)
    except Exception:  # noqa: BLE001 - charts not importable: same defaults
        return dict(_STATUS_HEX)


# ------------------------------------------------------------------------------------------------
# Primitives
# ------------------------------------------------------------------------------------------------
def lang_of(a: Any) -> str:
    """The deliverable's language of an Analysis / Client / Profile / 'zh' / 'en'."""
    if isinstance(a, str):
        return "en" if a == "en" else "zh"
    client = getattr(a, "client", a)
    lang = getattr(client, "lang", None) or getattr(getattr(client, "profile", client), "language", "zh")
    return "en" if lang == "en" else "zh"


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, dict, set)) else False
    except (TypeError, ValueError):
        return False


def fmt_num(v: Any, digits: int = 2) -> str:
    """A number for a table: thousands separators, at most ``digits`` decimals, no trailing zeros; '—' if missing."""
    if _missing(v):
        return "—"
    if isinstance(v, bool):
        return str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    s = f"{x:,.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def fmt_score(v: Any) -> str:
    """A 0-120 score with one decimal."""
    return "—" if _missing(v) else f"{float(v):.1f}"


def fmt_pct(v: Any, digits: int = 0, ratio: bool = False) -> str:
    if _missing(v):
        return "—"
    x = float(v) * (100 if ratio else 1)
    return f"{x:.{digits}f}%"


def fmt_date(v: Any, lang: str) -> str:
    if _missing(v):
        return "—"
    if isinstance(v, str):
        try:
            v = pd.Timestamp(v)
        except (ValueError, TypeError):
            return v
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return f"{v.year}-{v.month:02d}-{v.day:02d}"
    return str(v)


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def format_period(period: Any, lang: str) -> str:
    """2026Q3 -> 2026年第三季度 / Q3 2026; 2026H1 -> 2026年上半年 / H1 2026; 2026-09 -> 2026年9月 / September 2026."""
    import re

    p = str(period).strip()
    zh_q = "一二三四"
    if m := re.match(r"^(\d{4})[Qq]([1-4])$", p):
        y, q = m.groups()
        return f"{y}年第{zh_q[int(q) - 1]}季度" if lang == "zh" else f"Q{q} {y}"
    if m := re.match(r"^(\d{4})[Hh]([12])$", p):
        y, h = m.groups()
        return f"{y}年{'上' if h == '1' else '下'}半年" if lang == "zh" else f"H{h} {y}"
    if m := re.match(r"^(\d{4})-(0[1-9]|1[0-2])$", p):
        y, mo = m.groups()
        return f"{y}年{int(mo)}月" if lang == "zh" else f"{_MONTHS_EN[int(mo) - 1]} {y}"
    if re.match(r"^\d{4}$", p):
        return f"{p}年度" if lang == "zh" else p
    return p


def label(kind: str, value: Any, lang: str) -> str:
    """Localised label of an enum value (perspective, method, owner_level, frequency, direction, status, pdca, kpi_status)."""
    if _missing(value) or value == "":
        return "—"
    v = str(value)
    tables = {"perspective": PERSPECTIVE_LABELS, "method": METHOD_LABELS, "owner_level": OWNER_LEVEL_LABELS}
    if kind in tables:
        return tables[kind].get(v, {}).get(lang, v)
    key = f"report.enum.{kind}.{v}"
    try:
        return t(key, lang)
    except KeyError:
        return v


def chip(score: Any, band: Any = None, text: str | None = None) -> Markup:
    """A status-coloured score chip (colours: charts.style.STATUS_COLOURS)."""
    if band is None or _missing(band):
        band = rollup.band(score)
    colour = _status_colours().get(str(band), _status_colours()["none"])
    shown = text if text is not None else fmt_score(score)
    title = ""
    if str(band) in ("good", "ok", "bad"):
        from workbench.deliverable.html import language

        with_label = _status_title(str(band), language())
        title = f' title="{escape(with_label)}"' if with_label else ""
    return Markup(f'<span class="wb-chip wb-chip-{escape(band)}" style="background:{escape(colour)}"{title}>'
                  f'{escape(shown)}</span>')


def _status_title(band: str, lang: str) -> str:
    try:
        return t(f"charts.status.{band}", lang)
    except KeyError:
        return ""


def tag(text: str, tone: str = "") -> Markup:
    cls = f" wb-tag-{tone}" if tone else ""
    return Markup(f'<span class="wb-tag{cls}">{escape(text)}</span>')


def bar(fraction: Any, band: str | None = None) -> Markup:
    """A small progress bar (0..1, clipped) with the percentage."""
    if _missing(fraction):
        return Markup("—")
    f = float(fraction)
    width = max(0.0, min(1.0, f)) * 100
    colour = _status_colours().get(band) if band else "#1d4e89"
    return Markup(f'<span class="nowrap">{escape(fmt_pct(f, 0, ratio=True))}<span class="wb-bar">'
                  f'<span style="width:{width:.0f}%;background:{escape(colour)}"></span></span></span>')


def html_list(items: Iterable[Any], css: str = "wb-list") -> str | None:
    items = [i for i in items if not _missing(i) and str(i).strip()]
    if not items:
        return None
    return f'<ul class="{css}">' + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


_LONG_TOKEN = re.compile(r"[!-~]{15,}")  # a run of printable ASCII without a space


def _soft_token(m: "re.Match[str]") -> str:
    token = m.group(0)
    if "/" in token:  # "(Excellent/Good/Fair/Poor)": may wrap after a slash, never inside a word
        return token.replace("/", "/<wbr>")
    if len(token) > 24 and "-" not in token:  # a URL-like token with no break opportunity: last resort
        return f'<span class="wb-long">{token}</span>'
    return token


def soft_text(v: Any) -> str:
    """Escaped text for a table cell, with break opportunities after the slashes of long tokens (English words
    never break inside; a table column is never forced wider than the page by one long token)."""
    text = str(escape(v))
    return _LONG_TOKEN.sub(_soft_token, text) if len(text) >= 15 else text


def _cell(v: Any) -> str:
    if isinstance(v, Markup):
        return str(v)
    if isinstance(v, (list, tuple)):
        vals = [x for x in v if not _missing(x) and str(x).strip()]
        if not vals:
            return "—"
        if len(vals) == 1:
            return soft_text(vals[0])
        return "<ul>" + "".join(f"<li>{soft_text(x)}</li>" for x in vals) + "</ul>"
    if _missing(v):
        return "—"
    if isinstance(v, float):
        return fmt_num(v)
    return soft_text(v)


def html_table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]], *, caption: str | None = None,
               row_classes: Sequence[str] | None = None, css: str = "", col_widths: Sequence[str] | None = None) -> str:
    """A table: ``columns`` = (header, css class of the column's cells); cells are escaped unless Markup."""
    head = "".join(f'<th class="{escape(c)}">{escape(h)}</th>' for h, c in columns)
    colgroup = ""
    if col_widths:
        colgroup = "<colgroup>" + "".join(f'<col style="width:{escape(w)}">' if w else "<col>" for w in col_widths) + "</colgroup>"
    body = []
    for i, row in enumerate(rows):
        rc = row_classes[i] if row_classes and i < len(row_classes) and row_classes[i] else ""
        if rc == "wb-sub":  # a group header: one cell across the table
            text = " ".join(_cell(v) for v in row if not _missing(v) and str(v) != "")
            body.append(f'<tr class="wb-sub"><td colspan="{len(columns)}">{text}</td></tr>')
            continue
        tds = "".join(f'<td class="{escape(c)}">{_cell(v)}</td>' if c else f"<td>{_cell(v)}</td>"
                      for v, (_, c) in zip(row, columns))
        body.append(f'<tr class="{rc}">{tds}</tr>' if rc else f"<tr>{tds}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (f'<table class="wb-t {escape(css)}">{cap}{colgroup}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def frame_table(df: pd.DataFrame, index: bool = False) -> str:
    """Any DataFrame as an escaped table (numbers right-aligned)."""
    frame = df.reset_index() if index else df
    cols = [(str(c), "num" if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) else "")
            for c in frame.columns]
    return html_table(cols, frame.itertuples(index=False, name=None))


def _T(lang: str) -> Callable[..., str]:
    return lambda key, **kw: t(f"report.{key}", lang, **kw)


def _table_of(a: Any, name: str) -> pd.DataFrame | None:
    client = getattr(a, "client", a)
    tables = getattr(client, "tables", {}) or {}
    df = tables.get(name)
    return df if df is not None and len(df) else None


def _records(df: pd.DataFrame | None, index_name: str | None = None) -> list[dict[str, Any]]:
    if df is None or not len(df):
        return []
    frame = df
    if index_name and index_name not in df.columns:
        frame = df.reset_index()
        if index_name not in frame.columns and "index" in frame.columns:
            frame = frame.rename(columns={"index": index_name})
    return frame.to_dict("records")


def _indent(text: Any, depth: Any) -> Markup:
    d = 0 if _missing(depth) else int(depth)
    body = escape("" if _missing(text) else text)
    if d <= 0:
        return body
    return Markup(f'<div class="wb-ind" style="padding-left:{d * 3 + 3}mm"><span class="wb-ind-mark">└</span>') + body + Markup("</div>")


def _owner(unit: Any, person: Any) -> str:
    u = "" if _missing(unit) else str(unit)
    p = "" if _missing(person) else str(person)
    return f"{u} / {p}" if u and p else (u or p or "—")


def _names(a: Any, table: str, id_col: str, text_col: str) -> dict[str, str]:
    df = _table_of(a, table)
    if df is None:
        return {}
    recs = _records(df, id_col)
    return {str(r.get(id_col)): ("" if _missing(r.get(text_col)) else str(r.get(text_col))) for r in recs}


def _kpi_frame(a: Any) -> pd.DataFrame | None:
    k = getattr(a, "kpis", None)
    if k is None or not len(k):
        return None
    if "kpi_id" not in k.columns:
        k = k.reset_index()
        if "kpi_id" not in k.columns:
            k = k.rename(columns={k.columns[0]: "kpi_id"})
    return k


def _tree_order(df: pd.DataFrame, id_col: str, parent_col: str) -> pd.DataFrame:
    """Rows in tree order (parents before their children, siblings in table order)."""
    if parent_col not in df.columns:
        return df
    ids = [str(x) for x in df[id_col]]
    known = set(ids)
    children: dict[str | None, list[int]] = {}
    for pos, p in enumerate(df[parent_col]):
        key = None if _missing(p) or str(p) not in known else str(p)
        children.setdefault(key, []).append(pos)
    order: list[int] = []
    seen: set[int] = set()

    def walk(key: str | None) -> None:
        for pos in children.get(key, []):
            if pos in seen:
                continue
            seen.add(pos)
            order.append(pos)
            walk(ids[pos])

    walk(None)
    order += [p for p in range(len(ids)) if p not in seen]
    return df.iloc[order]


# ------------------------------------------------------------------------------------------------
# KPIs
# ------------------------------------------------------------------------------------------------
def kpi_definitions(a: Any) -> str | None:
    """KPI element sheet, part 1: what is measured (definition/formula, unit, data source, frequency, owner)."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return None
    k = _tree_order(k, "kpi_id", "parent_kpi_id")
    rows = [[r.get("kpi_id"), _indent(r.get("kpi"), r.get("depth")), r.get("formula"), unit_cell(r.get("unit")),
             r.get("data_source"), label("frequency", r.get("frequency"), lang), _owner(r.get("owner_unit"), r.get("owner"))]
            for r in k.to_dict("records")]
    cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.formula"), "small"), (T("col.unit"), "small unit"),
            (T("col.data_source"), "small"), (T("col.frequency"), "small"), (T("col.owner"), "small")]
    return html_table(cols, rows, caption=T("kpi.sheet.definitions"),
                      col_widths=["8%", "20%", "24%", "8%", "16%", "8%", "16%"])


def kpi_parameters(a: Any) -> str | None:
    """KPI element sheet, part 2: how it is scored (method, direction, baseline/threshold/target/stretch, weight, veto)."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return None
    k = _tree_order(k, "kpi_id", "parent_kpi_id")
    rows = []
    for r in k.to_dict("records"):
        veto = tag(T("kpi.veto"), "bad") if r.get("veto") is True else ""
        rows.append([r.get("kpi_id"), r.get("kpi"), label("method", r.get("method"), lang),
                     label("direction", r.get("direction"), lang), fmt_num(r.get("baseline")),
                     fmt_num(r.get("threshold")), fmt_num(r.get("target")), fmt_num(r.get("stretch")),
                     fmt_num(r.get("weight"), 1), veto])
    cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.method"), "small"), (T("col.direction"), "small"),
            (T("col.baseline"), "num"), (T("col.threshold"), "num"), (T("col.target"), "num"),
            (T("col.stretch"), "num"), (T("col.weight"), "num"), (T("col.veto"), "ctr")]
    return html_table(cols, rows, caption=T("kpi.sheet.parameters"),
                      col_widths=["6%", "20%", "12%", "10%", "9%", "9%", "9%", "9%", "7%", "9%"])


def kpi_element_sheet(a: Any) -> str | None:
    parts = [p for p in (kpi_definitions(a), kpi_parameters(a)) if p]
    return "".join(parts) or None


def kpi_scores(a: Any) -> str | None:
    """KPI scores and progress for the period, with status chips."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return None
    k = _tree_order(k, "kpi_id", "parent_kpi_id")
    policy = str(getattr(getattr(getattr(a, "client", a), "profile", None), "missing_actuals", "exclude") or "exclude")
    rows, classes = [], []
    for r in k.to_dict("records"):
        status = r.get("status")
        actual = r.get("actual")
        if isinstance(actual, bool):
            actual_s = T("yes") if actual else T("no")
        elif isinstance(actual, str):
            actual_s = actual
        else:
            actual_s = fmt_num(actual)
        note = kpi_status_note(status, actual, policy, lang)
        rows.append([r.get("kpi_id"), _indent(r.get("kpi"), r.get("depth")), _owner(r.get("owner_unit"), r.get("owner")),
                     unit_cell(r.get("unit")), fmt_num(r.get("target")), actual_s, chip(r.get("score"), r.get("band")),
                     bar(r.get("progress")), note])
        classes.append("wb-flag" if r.get("band") == "bad" else "")
    cols = [(T("col.id"), "id"), (T("col.kpi"), ""), (T("col.owner"), "small"), (T("col.unit"), "small unit"),
            (T("col.target"), "num"), (T("col.actual"), "num"), (T("col.score"), "ctr"), (T("col.progress"), "nowrap"),
            (T("col.note"), "small")]
    widths = ["6%", "20%", "16%", "9%", "9%", "9%", "9%", "12%", "10%"]
    if not any(row[-1] for row in rows):  # no KPI needs a note: give the room to the names
        cols, widths = cols[:-1], ["6%", "25%", "19%", "9%", "10%", "10%", "9%", "12%"]
        rows = [row[:-1] for row in rows]
    return html_table(cols, rows, row_classes=classes, col_widths=widths)


def kpi_status_note(status: Any, actual: Any, policy: str, lang: str) -> Markup | str:
    """The Note cell of a KPI: why it has no score of its own, or why it scores 0.

    ``excluded`` (policy ``exclude``): left out, the owner's weights renormalised; a ``scored`` KPI without an
    actual (policy ``zero``): scored 0; ``rolled_up``: scored from its children."""
    if status == "excluded":
        return tag(label("kpi_status", status, lang), "warn wb-tag-wrap")
    if status == "rolled_up":
        return tag(label("kpi_status", status, lang), "wrap")
    if status == "scored" and _missing(actual) and policy == "zero":
        return tag(t("report.kpi.no_actual_zero", lang), "bad wb-tag-wrap")
    return ""


def unit_cell(unit: Any) -> Markup | str:
    """A unit for a table cell: short units ("$ thousand", "minutes", "yes/no") never wrap."""
    if _missing(unit) or str(unit).strip() == "":
        return "—"
    text = str(unit).strip()
    if len(text) <= 14:
        return Markup(f'<span class="nowrap">{escape(text)}</span>')
    return text


def kpi_notes(a: Any) -> list[str]:
    """Sentences about excluded and vetoed KPIs (in the client's language)."""
    lang, T = lang_of(a), _T(lang_of(a))
    out: list[str] = []
    k = _kpi_frame(a)
    names = {} if k is None else {str(r["kpi_id"]): str(r.get("kpi", "")) for r in k.to_dict("records")}
    c = getattr(a, "contracts", None)
    for r in _records(c, "contract"):
        who = _owner(r.get("owner_unit"), r.get("owner"))
        ex = r.get("excluded") or []
        if isinstance(ex, (list, tuple)) and ex:
            out.append(T("kpi.note.excluded", owner=who,
                         kpis=("、" if lang == "zh" else ", ").join(f"{x} {names.get(str(x), '')}".strip() for x in ex)))
        v = r.get("vetoed_by")
        if not _missing(v) and v:
            out.append(T("kpi.note.vetoed", owner=who, kpi=f"{v} {names.get(str(v), '')}".strip()))
    return out


def contracts_table(a: Any) -> str | None:
    """Owner performance contracts: score, veto, excluded KPIs."""
    lang, T = lang_of(a), _T(lang_of(a))
    c = getattr(a, "contracts", None)
    recs = _records(c, "contract")
    if not recs:
        return None
    order = {lvl: i for i, lvl in enumerate(OWNER_LEVEL_LABELS)}
    recs.sort(key=lambda r: (order.get(str(r.get("owner_level")), 9), str(r.get("owner_unit"))))
    rows, classes = [], []
    for r in recs:
        v = r.get("vetoed_by")
        vetoed = not _missing(v) and bool(v)
        ex = r.get("excluded") or []
        rows.append([r.get("owner_unit"), r.get("owner"), label("owner_level", r.get("owner_level"), lang),
                     fmt_num(r.get("n_kpis"), 0), chip(r.get("score")),
                     tag(T("contract.vetoed_by", kpi=v), "bad") if vetoed else "—",
                     list(ex) if isinstance(ex, (list, tuple)) and ex else "—"])
        classes.append("wb-flag" if vetoed else "")
    cols = [(T("col.owner_unit"), ""), (T("col.owner_person"), ""), (T("col.level"), "nowrap"),
            (T("col.n_kpis"), "num"), (T("col.contract_score"), "ctr"), (T("col.veto"), ""), (T("col.excluded"), "small")]
    return html_table(cols, rows, row_classes=classes)


# ------------------------------------------------------------------------------------------------
# Strategy
# ------------------------------------------------------------------------------------------------
def statements(a: Any) -> str | None:
    """Mission, vision and values as a definition block."""
    T = _T(lang_of(a))
    prof = getattr(getattr(a, "client", a), "profile", None)
    if prof is None:
        return None
    parts = []
    if prof.mission:
        parts.append(f"<dt>{escape(T('strategy.mission'))}</dt><dd>{escape(prof.mission)}</dd>")
    if prof.vision:
        parts.append(f"<dt>{escape(T('strategy.vision'))}</dt><dd>{escape(prof.vision)}</dd>")
    if prof.values:
        vals = "".join(f"<li>{escape(v)}</li>" for v in prof.values)
        parts.append(f'<dt>{escape(T("strategy.values"))}</dt><dd><ul class="wb-values">{vals}</ul></dd>')
    return f'<dl class="wb-statement">{"".join(parts)}</dl>' if parts else None


def strategy_warnings(a: Any) -> str | None:
    ws = getattr(a, "strategy_warnings", None) or []
    return html_list([getattr(w, "message", str(w)) for w in ws])


def warnings_list(a: Any) -> str | None:
    return html_list(getattr(a, "warnings", None) or [])


def objectives_table(a: Any) -> str | None:
    lang, T = lang_of(a), _T(lang_of(a))
    recs = _records(getattr(a, "objectives", None), "objective_id")
    if not recs:
        return None
    porder = {p: i for i, p in enumerate(PERSPECTIVES)}
    recs.sort(key=lambda r: porder.get(str(r.get("perspective")), 9))
    rows = [[r.get("objective_id"), label("perspective", r.get("perspective"), lang), r.get("objective"),
             r.get("theme"), chip(r.get("score"), r.get("band"))] for r in recs]
    cols = [(T("col.id"), "id"), (T("col.perspective"), "nowrap"), (T("col.objective"), ""), (T("col.theme"), "small"),
            (T("col.score"), "ctr")]
    return html_table(cols, rows)


def perspectives_table(a: Any) -> str | None:
    lang, T = lang_of(a), _T(lang_of(a))
    recs = _records(getattr(a, "perspectives", None), "perspective")
    if not recs:
        return None
    rows = [[label("perspective", r.get("perspective"), lang), chip(r.get("score"), r.get("band"))] for r in recs]
    return html_table([(T("col.perspective"), ""), (T("col.score"), "ctr")], rows, css="wb-narrow")


# ------------------------------------------------------------------------------------------------
# Diagnosis
# ------------------------------------------------------------------------------------------------
def _causes(a: Any) -> pd.DataFrame | None:
    d = getattr(a, "diagnosis", None)
    if d is None or not len(d):
        return None
    if "cause_id" not in d.columns:
        d = d.reset_index()
        if "cause_id" not in d.columns:
            d = d.rename(columns={d.columns[0]: "cause_id"})
    return d


def _category_label(a: Any, key: Any, lang: str) -> str:
    prof = getattr(getattr(a, "client", a), "profile", None)
    for c in getattr(prof, "fishbone_categories", []) or []:
        if str(key) in (c.key, c.en, c.zh):
            return c.label(lang)
    return "—" if _missing(key) else str(key)


def problems_table(a: Any) -> str | None:
    T = _T(lang_of(a))
    df = _table_of(a, "problems")
    if df is None:
        return None
    rows = [[r.get("problem_id"), r.get("problem"), r.get("metric"), fmt_num(r.get("current")), fmt_num(r.get("target")),
             unit_cell(r.get("unit"))] for r in _records(df, "problem_id")]
    cols = [(T("col.id"), "id"), (T("col.problem"), ""), (T("col.metric"), ""), (T("col.current"), "num"),
            (T("col.target"), "num"), (T("col.unit"), "small unit")]
    return html_table(cols, rows)


def causes_table(a: Any, problem_id: str | None = None, limit: int | None = None) -> str | None:
    """Causes with impact, effort and priority (highest first); root and top causes tagged."""
    lang, T = lang_of(a), _T(lang_of(a))
    d = _causes(a)
    if d is None:
        return None
    if problem_id is not None and "problem_id" in d.columns:
        d = d[d["problem_id"].astype(str) == str(problem_id)]
    if not len(d):
        return None
    if "priority" in d.columns:
        d = d.assign(_p=d["priority"].fillna(-1)).sort_values("_p", ascending=False, kind="stable")
    if limit:
        d = d.head(limit)
    rows = []
    for r in d.to_dict("records"):
        tags = []
        if r.get("is_root") is True:
            tags.append(tag(T("diagnosis.root"), "bad"))
        if r.get("is_top") is True:
            tags.append(tag(T("diagnosis.top"), "warn"))
        if r.get("verified") is True:
            tags.append(tag(T("diagnosis.verified"), "good"))
        rows.append([r.get("cause_id"), r.get("problem_id"), _category_label(a, r.get("category"), lang), r.get("cause"),
                     r.get("evidence"), fmt_num(r.get("impact"), 0), fmt_num(r.get("effort"), 0),
                     fmt_num(r.get("priority"), 0), Markup(" ").join(tags) if tags else ""])
    cols = [(T("col.id"), "id"), (T("col.problem_id"), "id"), (T("col.category"), "nowrap"), (T("col.cause"), ""),
            (T("col.evidence"), "small"), (T("col.impact"), "num"), (T("col.effort"), "num"), (T("col.priority"), "num"),
            (T("col.flags"), "")]
    return html_table(cols, rows, col_widths=["7%", "7%", "8%", "24%", "22%", "7%", "7%", "7%", "11%"])


def why_tables(a: Any) -> list[tuple[str, str]]:
    """One (title, table) per 5-Why chain, in problem and chain order."""
    lang, T = lang_of(a), _T(lang_of(a))
    w = _table_of(a, "whys")
    if w is None:
        return []
    problems = _names(a, "problems", "problem_id", "problem")
    causes = _names(a, "causes", "cause_id", "cause")
    out = []
    w = w.sort_values(["problem_id", "chain_id", "step"], kind="stable") if "step" in w.columns else w
    for (pid, cid), g in w.groupby(["problem_id", "chain_id"], sort=False):
        rows, classes = [], []
        for r in g.to_dict("records"):
            root = r.get("root_cause") is True
            link = r.get("cause_id")
            note = ""
            if root:
                note = tag(T("diagnosis.root"), "bad")
                if not _missing(link) and link:
                    note = note + Markup(" ") + escape(T("diagnosis.links_cause", cause=f"{link} {causes.get(str(link), '')}".strip()))
            rows.append([fmt_num(r.get("step"), 0), r.get("why"), r.get("answer"), note])
            classes.append("wb-flag" if root else "")
        title = T("diagnosis.chain_title", chain=cid, problem=f"{pid} {problems.get(str(pid), '')}".strip())
        cols = [(T("col.step"), "num"), (T("col.why"), ""), (T("col.answer"), ""), (T("col.root"), "small")]
        out.append((title, html_table(cols, rows, row_classes=classes, col_widths=["7%", "35%", "38%", "20%"])))
    return out


# ------------------------------------------------------------------------------------------------
# Assessment
# ------------------------------------------------------------------------------------------------
def _assessment(a: Any) -> Any:
    return getattr(a, "assessment", None)


def assessment_categories(a: Any) -> str | None:
    """Category totals with unscored points, and the total out of the framework's points."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    recs = _records(res.categories, "category")
    rows = []
    for r in recs:
        pts = r.get("points") or 0
        score = r.get("score")
        rate = None if _missing(score) or not pts else float(score) / float(pts)
        rate_s = fmt_pct(rate, 0, ratio=True)
        if r.get("unscored_points") and rate is not None:
            rate_s = Markup(f'{escape(rate_s)}<sup class="wb-fn">*</sup>')
        rows.append([r.get("category"), r.get(f"name_{lang}"), fmt_num(pts, 0), fmt_num(score, 1),
                     rate_s, fmt_num(r.get("unscored_points"), 0) if r.get("unscored_points") else "—"])
    fw_total = getattr(res.framework, "total_points", 1000)
    rows.append(["", T("assessment.total"), fmt_num(fw_total, 0), fmt_num(res.total, 1),
                 fmt_pct(res.total / fw_total if fw_total else None, 0, ratio=True),
                 fmt_num(res.unscored_points, 0) if res.unscored_points else "—"])
    cols = [(T("col.category_id"), "id"), (T("col.category_name"), ""), (T("col.points"), "num"), (T("col.score"), "num"),
            (T("col.rate"), "num"), (T("col.unscored"), "num")]
    table = html_table(cols, rows, row_classes=[""] * (len(rows) - 1) + ["wb-total"])
    note = _unscored_footnote(a, res, lang)
    return table + note if note else table


def _unscored_footnote(a: Any, res: Any, lang: str) -> str:
    """The footnote of the category table: which items nobody scored, and how the rate treats them (the rate is
    score ÷ all of the category's points, as in the radar chart and the portfolio: an unscored item counts 0)."""
    T = _T(lang)
    items = [r for r in _records(res.items, "item_id") if not r.get("scored")]
    if not items:
        return ""
    sep = "、" if lang == "zh" else "; "
    listed = sep.join(T("assessment.unscored_item", item=r.get("item_id"), name=r.get(f"name_{lang}") or "",
                        points=fmt_num(r.get("points"), 0)) for r in items)
    alt = []
    for r in _records(res.categories, "category"):
        sp, sc = r.get("scored_points"), r.get("score")
        if r.get("unscored_points") and sp and not _missing(sc):
            alt.append(T("assessment.rate_scored_only", category=r.get("category"),
                         rate=fmt_pct(float(sc) / float(sp), 0, ratio=True)))
    text = T("assessment.rate_footnote", items=listed) + ("" if not alt else " " + T("assessment.rate_alt", rates=sep.join(alt)))
    return f'<p class="wb-tnote"><sup class="wb-fn">*</sup> {escape(text)}</p>'



def assessment_items(a: Any) -> str | None:
    """Every framework item: points, assessors, consensus, score, band, lens, spread flag."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    fw = res.framework
    cats = {c.id: c.name(lang) for c in fw.categories}
    rows, classes = [], []
    current = None
    for r in _records(res.items, "item_id"):
        if r.get("category") != current:
            current = r.get("category")
            lens = r.get("lens")
            lens = fw.lens_name(lens, lang) if lens in getattr(fw, "lenses", {}) else lens
            lens_html = (Markup('<span class="wb-lens">') + escape(T("assessment.lens", lens=lens)) + Markup("</span>")
                         if not _missing(lens) and str(lens).strip() else "")
            rows.append([Markup(f"<strong>{escape(current)}</strong>"), Markup(f"<strong>{escape(cats.get(current, ''))}</strong>"),
                         lens_html, "", "", "", "", ""])
            classes.append("wb-sub")
        scored = bool(r.get("scored"))
        spread = r.get("spread")
        flag = tag(T("assessment.flag", spread=fmt_num(spread, 0)), "warn") if r.get("flagged") else ""
        rows.append([r.get("item_id"), r.get(f"name_{lang}"), fmt_num(r.get("points"), 0),
                     fmt_num(r.get("n_assessors"), 0),
                     fmt_pct(r.get("consensus_pct")) if scored else tag(T("assessment.unscored")),
                     fmt_num(r.get("score"), 1) if scored else "—", r.get("band") or "—", flag])
        classes.append("wb-flag" if r.get("flagged") else "")
    cols = [(T("col.item"), "id"), (T("col.item_name"), ""), (T("col.points"), "num"), (T("col.assessors"), "num"),
            (T("col.consensus"), "num"), (T("col.score"), "num"), (T("col.band"), "nowrap"), (T("col.spread"), "")]
    # the lens (方法-展开-学习-整合 / 水平-趋势-对比-整合) is the category's: one line in its group row, not a
    # narrow column that wraps it onto four
    return html_table(cols, rows, row_classes=classes,
                      col_widths=["8%", "34%", "8%", "10%", "11%", "8%", "10%", "11%"])


def assessment_details(a: Any) -> str | None:
    """Per scored item: band description (for its lens), strengths and opportunities for improvement."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    rows = []
    for r in _records(res.items, "item_id"):
        if not r.get("scored"):
            continue
        head = Markup(f'<strong>{escape(r.get("item_id"))}</strong><br><span class="muted">{escape(r.get(f"name_{lang}") or "")}'
                      f'</span><br>{escape(r.get("band") or "")}')
        rows.append([head, r.get(f"band_description_{lang}"), r.get("strengths") or [], r.get("opportunities") or []])
    if not rows:
        return None
    cols = [(T("col.item"), "small"), (T("col.band_description"), "small"), (T("col.strengths"), "small"),
            (T("col.opportunities"), "small")]
    return html_table(cols, rows, col_widths=["15%", "41%", "22%", "22%"])


def flagged_items(a: Any) -> str | None:
    """Items whose assessors differ by more than 20 points: for the consensus meeting."""
    lang, T = lang_of(a), _T(lang_of(a))
    res = _assessment(a)
    if res is None:
        return None
    rows = []
    for r in _records(res.items, "item_id"):
        if not r.get("flagged"):
            continue
        scores = r.get("scores") or []
        who = r.get("assessors") or []
        detail = ("、" if lang == "zh" else ", ").join(f"{n} {fmt_num(s, 0)}%" for n, s in zip(who, scores))
        rows.append([r.get("item_id"), r.get(f"name_{lang}"), detail, fmt_num(r.get("spread"), 0),
                     fmt_pct(r.get("consensus_pct"))])
    if not rows:
        return None
    cols = [(T("col.item"), "id"), (T("col.item_name"), ""), (T("col.assessor_scores"), "small"),
            (T("col.spread_pts"), "num"), (T("col.consensus"), "num")]
    return html_table(cols, rows)


# ------------------------------------------------------------------------------------------------
# Plan
# ------------------------------------------------------------------------------------------------
def _actions(a: Any) -> pd.DataFrame | None:
    return _table_of(a, "actions")


def _addresses(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v) or "—"
    return "—" if _missing(v) else str(v)


def _status_tag(status: Any, lang: str) -> Markup:
    tone = {"done": "good", "in_progress": "", "deferred": "warn", "planned": ""}.get(str(status), "")
    return tag(label("status", status or "planned", lang), tone)


def actions_by_owner(a: Any) -> str | None:
    """The action plan grouped by responsible unit."""
    lang, T = lang_of(a), _T(lang_of(a))
    df = _actions(a)
    if df is None:
        return None
    overdue = set(str(x) for x in (getattr(a, "gaps", {}) or {}).get("overdue_actions", []) or [])
    rows, classes = [], []
    for unit, g in df.groupby("owner_unit", sort=True):
        rows.append([Markup(f"<strong>{escape(unit)}</strong>"), "", "", "", "", "", ""])
        classes.append("wb-sub")
        g = g.sort_values("due", kind="stable") if "due" in g.columns else g
        for r in g.to_dict("records"):
            st = _status_tag(r.get("status"), lang)
            if str(r.get("action_id")) in overdue:
                st = st + Markup(" ") + tag(T("plan.overdue"), "bad")
            rows.append([r.get("action_id"), r.get("action"), _addresses(r.get("addresses")), r.get("owner"),
                         Markup(f"{escape(fmt_date(r.get('start'), lang))}<br>→ {escape(fmt_date(r.get('due'), lang))}"), st,
                         label("pdca", r.get("pdca"), lang)])
            classes.append("wb-flag" if str(r.get("action_id")) in overdue else "")
    cols = [(T("col.id"), "id"), (T("col.action"), ""), (T("col.addresses"), "small"), (T("col.owner_person"), "nowrap"),
            (T("col.dates"), "small nowrap"), (T("col.status"), "nowrap"), (T("col.pdca"), "nowrap")]
    return html_table(cols, rows, row_classes=classes, col_widths=["7%", "37%", "12%", "10%", "13%", "12%", "9%"])


def gaps_table(a: Any) -> str | None:
    """Gap lists: root causes without action, KPIs below 60 without action, overdue actions."""
    T = _T(lang_of(a))
    gaps = getattr(a, "gaps", None) or {}
    causes = _names(a, "causes", "cause_id", "cause")
    actions = _names(a, "actions", "action_id", "action")
    k = _kpi_frame(a)
    kpis = {} if k is None else {str(r["kpi_id"]): str(r.get("kpi", "")) for r in k.to_dict("records")}
    scores = {} if k is None else {str(r["kpi_id"]): r.get("score") for r in k.to_dict("records")}
    rows = []
    for cid in gaps.get("root_causes_without_action", []) or []:
        rows.append([T("gap.root_cause"), cid, causes.get(str(cid), "")])
    missing = set() if k is None else {str(r["kpi_id"]) for r in k.to_dict("records") if _no_actual(r)}
    for kid in gaps.get("kpis_below_60_without_action", []) or []:
        if str(kid) in missing:  # no actual, scored 0 by the client's policy: missing data, not poor performance
            rows.append([T("gap.kpi_missing"), kid, Markup(f"{escape(kpis.get(str(kid), ''))} ")
                         + tag(T("kpi.no_actual_period"), "warn wb-tag-wrap")])
            continue
        rows.append([T("gap.kpi_below_60"), kid, Markup(f"{escape(kpis.get(str(kid), ''))} ") + chip(scores.get(str(kid)))])
    for aid in gaps.get("overdue_actions", []) or []:
        rows.append([T("gap.overdue"), aid, actions.get(str(aid), "")])
    if not rows:
        return None
    cols = [(T("col.gap_kind"), "nowrap"), (T("col.id"), "id"), (T("col.subject"), "")]
    return html_table(cols, rows, col_widths=["26%", "10%", "64%"])


def _no_actual(r: dict[str, Any]) -> bool:
    """A KPI scored 0 only because it has no actual for the period (``missing_actuals: zero``)."""
    m = r.get("missing")
    return not _missing(m) and bool(m)


def missing_actual_notes(a: Any) -> list[str]:
    """One sentence per KPI without an actual for the period, saying what the client's policy did with it."""
    lang, T = lang_of(a), _T(lang_of(a))
    k = _kpi_frame(a)
    if k is None:
        return []
    period = format_period(getattr(a, "period", None) or getattr(getattr(getattr(a, "client", a), "profile", None),
                                                                   "period", ""), lang)
    out = []
    for r in _tree_order(k, "kpi_id", "parent_kpi_id").to_dict("records"):
        what = None
        if r.get("status") == "excluded":
            what = "excluded"
        elif _no_actual(r):
            what = "zero"
        if what:
            out.append(T(f"appendix.missing.{what}", kpi=f"{r.get('kpi_id')} {'' if _missing(r.get('kpi')) else r.get('kpi')}".strip(),
                         owner=_owner(r.get("owner_unit"), r.get("owner")), period=period))
    return out


def data_notes(a: Any) -> list[str]:
    """The appendix's notes on the data: every KPI without an actual (and what the policy did), then the
    data checks' warnings."""
    return missing_actual_notes(a) + [str(w) for w in (getattr(a, "warnings", None) or [])]


def carried_over(a: Any) -> str | None:
    """Actions deferred to the next cycle (status ``deferred``)."""
    lang, T = lang_of(a), _T(lang_of(a))
    gaps = getattr(a, "gaps", None) or {}
    df = _actions(a)
    if df is None:
        return None
    ids = gaps.get("carried_over") if isinstance(gaps.get("carried_over"), (list, tuple)) else None
    if ids is not None:
        sel = df[df["action_id"].astype(str).isin([str(i) for i in ids])]
    else:
        sel = df[df["status"].astype(str) == "deferred"] if "status" in df.columns else df.iloc[0:0]
    if not len(sel):
        return None
    rows = [[r.get("action_id"), r.get("action"), _owner(r.get("owner_unit"), r.get("owner")), fmt_date(r.get("due"), lang),
             _addresses(r.get("addresses"))] for r in sel.to_dict("records")]
    cols = [(T("col.id"), "id"), (T("col.action"), ""), (T("col.owner"), "small"), (T("col.due"), "nowrap"),
            (T("col.addresses"), "small")]
    return html_table(cols, rows)


# ------------------------------------------------------------------------------------------------
# Summary
# ------------------------------------------------------------------------------------------------
def headline_figures(a: Any) -> list[dict[str, Any]]:
    """Cards for the executive summary: assessment total, company contract score, perspective scores."""
    lang, T = lang_of(a), _T(lang_of(a))
    cards: list[dict[str, Any]] = []
    res = _assessment(a)
    if res is not None:
        fw_total = getattr(res.framework, "total_points", 1000)
        sub = T("summary.unscored", points=fmt_num(res.unscored_points, 0)) if res.unscored_points else None
        cards.append({"label": T("summary.assessment_total", total=fw_total), "value": fmt_num(res.total, 1),
                      "band": None, "sub": sub})
    recs = _records(getattr(a, "contracts", None), "contract")
    company = [r for r in recs if r.get("owner_level") == "company"]
    for r in company[:2]:
        owner = "" if _missing(r.get("owner_unit")) else str(r.get("owner_unit"))
        veto = None if _missing(r.get("vetoed_by")) or not r.get("vetoed_by") else T("contract.vetoed_by", kpi=r.get("vetoed_by"))
        cards.append({"label": T("summary.contract_company"),
                      "value": fmt_score(r.get("score")), "band": rollup.band(r.get("score")),
                      "sub": veto, "title": owner or None})  # the owner in a tooltip: the label stays short
    for r in _records(getattr(a, "perspectives", None), "perspective"):
        cards.append({"label": label("perspective", r.get("perspective"), lang), "value": fmt_score(r.get("score")),
                      "band": r.get("band") if not _missing(r.get("band")) else rollup.band(r.get("score"))})
    return cards


def top_gaps(a: Any, max_gaps: int = 5, max_items: int = 3) -> list[str]:
    """The key gaps of the executive summary, as sentences, consistent with the gap lists (``gaps_table``).

    First the gap lists (``analysis.gaps``): root causes without an action, KPIs below 60 without an action,
    overdue actions (at most ``max_gaps``; the rest counted in one "and N more" sentence). Then the largest
    self-assessment shortfalls (points lost), up to ``max_items``. Never empty while a gap list is not."""
    lang, T = lang_of(a), _T(lang_of(a))
    gaps = getattr(a, "gaps", None) or {}
    causes = _names(a, "causes", "cause_id", "cause")
    actions_df = _actions(a)
    actions = {} if actions_df is None else {str(r.get("action_id")): r for r in _records(actions_df, "action_id")}
    k = _kpi_frame(a)
    kpis = {} if k is None else {str(r["kpi_id"]): r for r in k.to_dict("records")}

    def name(text: Any) -> str:
        return "" if _missing(text) else str(text)

    listed: list[str] = []
    for cid in gaps.get("root_causes_without_action") or []:
        listed.append(T("summary.gap.root", cause=f"{cid} {causes.get(str(cid), '')}".strip()))
    for kid in gaps.get("kpis_below_60_without_action") or []:
        r = kpis.get(str(kid), {})
        if _no_actual(r):  # missing data under the zero policy: say so, not "scores 0"
            listed.append(T("summary.gap.kpi_missing", kpi=f"{kid} {name(r.get('kpi'))}".strip()))
            continue
        listed.append(T("summary.gap.kpi", kpi=f"{kid} {name(r.get('kpi'))}".strip(), score=fmt_score(r.get("score"))))
    for aid in gaps.get("overdue_actions") or []:
        r = actions.get(str(aid), {})
        listed.append(T("summary.gap.overdue", action=f"{aid} {name(r.get('action'))}".strip(),
                        due=fmt_date(r.get("due"), lang), owner=_owner(r.get("owner_unit"), r.get("owner"))))
    out = listed[:max_gaps]
    if len(listed) > max_gaps:
        out.append(T("summary.gap.more", n=len(listed) - max_gaps))
    res = _assessment(a)
    if res is not None and max_items > 0:
        items = res.items[res.items["scored"].astype(bool)].copy()
        if len(items):
            items["lost"] = items["points"] - items["score"]
            items = items[items["lost"] > 0]
            for iid, r in items.sort_values("lost", ascending=False, kind="stable").head(max_items).iterrows():
                out.append(T("summary.gap.item", item=iid, name=r[f"name_{lang}"], score=fmt_num(r["score"], 1),
                             points=fmt_num(r["points"], 0)))
    return out


def top_actions(a: Any, limit: int = 6) -> str | None:
    """Open actions (not done or deferred) by due date: what the client should do next."""
    lang, T = lang_of(a), _T(lang_of(a))
    df = _actions(a)
    if df is None:
        return None
    open_ = df[~df["status"].astype(str).isin(["done", "deferred"])] if "status" in df.columns else df
    if "due" in open_.columns:
        open_ = open_.sort_values("due", kind="stable")
    rows = [[r.get("action_id"), r.get("action"), _owner(r.get("owner_unit"), r.get("owner")), fmt_date(r.get("due"), lang),
             _status_tag(r.get("status"), lang)] for r in open_.head(limit).to_dict("records")]
    if not rows:
        return None
    cols = [(T("col.id"), "id"), (T("col.action"), ""), (T("col.owner"), "small"), (T("col.due"), "nowrap"),
            (T("col.status"), "nowrap")]
    return html_table(cols, rows, col_widths=["8%", "50%", "20%", "12%", "10%"])


# ------------------------------------------------------------------------------------------------
# Small accessors the notebooks use (so that they hold no logic)
# ------------------------------------------------------------------------------------------------
def problem_list(a: Any) -> list[tuple[str, str]]:
    """(problem_id, "P1 problem text") for every problem, in table order."""
    df = _table_of(a, "problems")
    if df is None:
        return []
    return [(str(r.get("problem_id")), f"{r.get('problem_id')} {'' if _missing(r.get('problem')) else r.get('problem')}".strip())
            for r in _records(df, "problem_id")]


def causes_of(a: Any, problem_id: str) -> pd.DataFrame | None:
    """The analysed causes of one problem (None when there are none)."""
    d = _causes(a)
    if d is None or "problem_id" not in d.columns:
        return None
    sub = d[d["problem_id"].astype(str) == str(problem_id)]
    return sub if len(sub) else None


def assessment_frames(a: Any) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(items, categories) of the self-assessment, or (None, None) without one."""
    res = _assessment(a)
    return (None, None) if res is None else (res.items, res.categories)


def status_label(band: str, lang: str) -> str:
    """The status label of a band, the same words as the charts' legends (``charts.status.<band>``)."""
    return t(f"charts.status.{band}", lang)


def band_legend(a: Any) -> str:
    """The colour key sentence, built from the charts' status labels so report and charts always agree."""
    lang = lang_of(a)
    return t("report.method.bands", lang, good=status_label("good", lang), ok=status_label("ok", lang),
             bad=status_label("bad", lang))


def method_notes(a: Any) -> list[str]:
    """How the numbers were computed (appendix), in the client's language."""
    T = _T(lang_of(a))
    prof = getattr(getattr(a, "client", a), "profile", None)
    policy = getattr(prof, "missing_actuals", "exclude") or "exclude"
    return [T("method.scale"), band_legend(a), T("method.contract"), T(f"method.missing.{policy}"), T("method.veto"),
            T("method.objective"), T("method.assessment"), T("method.priority")]
