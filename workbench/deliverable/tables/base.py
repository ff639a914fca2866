"""Primitives of the deliverable's tables: the cell formats (through ``workbench.core.numfmt``), chips, tags,
labels, the escaped ``html_table`` builder and the small accessors every section module uses.

Every value that comes from the client is escaped (``markupsafe.escape``); only markup built here (chips, bars,
tags) passes through as ``Markup``. Fixed texts come from ``data/i18n/report.yaml`` (keys ``report.*``).
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, Callable, Iterable, Sequence

import pandas as pd
from markupsafe import Markup, escape

from workbench.core import numfmt
from workbench.core.i18n import t
from workbench.core.status import BAND_COLOURS
from workbench.core.status import band as score_band
from workbench.intake.contract import METHOD_LABELS, OWNER_LEVEL_LABELS, PERSPECTIVE_LABELS
from workbench.core.frames import records

__all__ = ['lang_of', 'fmt_num', 'signed_num', 'fmt_score', 'fmt_points', 'fmt_pct', 'score_band', 'fmt_date', 'format_period', 'label', 'chip', 'tag', 'bar', 'html_list', 'soft_text', 'html_table', 'frame_table', 'unit_cell', 'status_label', 'band_legend', 'id_names', 'named', 'setting', 'yes']


def _status_colours() -> dict[str, str]:
    return dict(BAND_COLOURS)

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
    """A measured number for a table: thousands separators, at most ``digits`` decimals (half up, no trailing
    zeros); '—' if missing; text stays text."""
    if _missing(v):
        return "—"
    if isinstance(v, (bool, str)):
        return str(v)
    text = numfmt.fmt_number(v, digits)
    if text == numfmt.MISSING:
        return "—"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed_num(v: Any, digits: int = 2) -> str:
    """A signed change of a measured number (+12.5, −3, ±0), as ``fmt_num``."""
    if _missing(v):
        return "—"
    body = fmt_num(abs(float(v)), digits)
    if body == "0":
        return "±0"
    return ("+" if float(v) > 0 else "−") + body


def fmt_score(v: Any) -> str:
    """A 0-120 score (KPI, contract, objective, perspective): 1 decimal half up, never across a band."""
    return numfmt.fmt_score(v)


def fmt_points(v: Any) -> str:
    """Self-assessment points (item, category, total), exactly: the printed parts add up to the printed sum."""
    return numfmt.fmt_points(v)


def fmt_pct(v: Any, digits: int = 0, ratio: bool = False) -> str:
    """A percentage (``ratio``: ``v`` is a fraction), ``digits`` decimals half up."""
    if _missing(v):
        return "—"
    return numfmt.fmt_pct(float(v) * (100 if ratio else 1), digits)


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
        band = score_band(score)
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
    return records(frame)

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

def unit_cell(unit: Any) -> Markup | str:
    """A unit for a table cell: short units ("$ thousand", "minutes", "yes/no") never wrap."""
    if _missing(unit) or str(unit).strip() == "":
        return "—"
    text = str(unit).strip()
    if len(text) <= 14:
        return Markup(f'<span class="nowrap">{escape(text)}</span>')
    return text

def _causes(a: Any) -> pd.DataFrame | None:
    d = getattr(a, "diagnosis", None)
    if d is None or not len(d):
        return None
    if "cause_id" not in d.columns:
        d = d.reset_index()
        if "cause_id" not in d.columns:
            d = d.rename(columns={d.columns[0]: "cause_id"})
    return d

def _assessment(a: Any) -> Any:
    return getattr(a, "assessment", None)

def _actions(a: Any) -> pd.DataFrame | None:
    return _table_of(a, "actions")

def _addresses(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v) or "—"
    return "—" if _missing(v) else str(v)

def _status_tag(status: Any, lang: str) -> Markup:
    tone = {"done": "good", "in_progress": "", "deferred": "warn", "planned": ""}.get(str(status), "")
    return tag(label("status", status or "planned", lang), tone)

def _no_actual(r: dict[str, Any]) -> bool:
    """A KPI scored 0 only because it has no actual for the period (``missing_actuals: zero``)."""
    m = r.get("missing")
    return not _missing(m) and bool(m)

def status_label(band: str, lang: str) -> str:
    """The status label of a band, the same words as the charts' legends (``charts.status.<band>``)."""
    return t(f"charts.status.{band}", lang)

def band_legend(a: Any) -> str:
    """The colour key sentence, built from the charts' status labels so report and charts always agree."""
    lang = lang_of(a)
    return t("report.method.bands", lang, good=status_label("good", lang), ok=status_label("ok", lang),
             bad=status_label("bad", lang))


def id_names(a: Any) -> dict[str, str]:
    """Every id a finding or an action may name (assessment items, KPIs, objectives, problems, causes, actions)
    → its name in the client's language, so a reader sees "K14 成品一次合格率", never a bare id.

    Kept on the analysis after the first call (a report asks for it from every section); an analysis is not
    edited in place (a changed intake is analysed anew)."""
    cached = getattr(a, "_id_names", None)
    if isinstance(cached, dict):
        return cached
    lang = lang_of(a)
    out: dict[str, str] = {}
    res = getattr(a, "assessment", None)
    if res is not None:
        for item in res.framework.items:
            out[item.id] = item.name(lang)
    for table, id_col, text_col in (("problems", "problem_id", "problem"), ("causes", "cause_id", "cause"),
                                    ("objectives", "objective_id", "objective"), ("kpis", "kpi_id", "kpi"),
                                    ("actions", "action_id", "action")):
        out.update({k: v for k, v in _names(a, table, id_col, text_col).items() if v})
    try:
        a._id_names = out
    except AttributeError:  # a read-only stand-in: computed again next time
        pass
    return out


def named(a: Any, ids: Iterable[Any], names: dict[str, str] | None = None, sep: str | None = None,
          limit: int | None = None) -> str:
    """"K14 成品一次合格率；4.2.3 战略部署": ids with their names, joined in the client's way; ``limit`` shortens
    each name to that many characters (with …) where a narrow column lists them."""
    names = id_names(a) if names is None else names
    sep = sep or ("；" if lang_of(a) == "zh" else "; ")

    def short(text: str) -> str:
        return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip(" ,，;；") + "…"

    return sep.join(f"{i} {short(names.get(str(i), ''))}".strip() for i in ids)


def setting(a: Any, key: str) -> Any:
    """A client.yaml key (Analysis.setting when available: v2 keys on a v1 Profile live in ``extra``)."""
    if hasattr(a, "setting"):
        return a.setting(key)
    prof = getattr(getattr(a, "client", a), "profile", None)
    value = getattr(prof, key, None)
    return (getattr(prof, "extra", None) or {}).get(key) if value is None else value


def yes(v: Any) -> bool:
    """A yes/no cell (validated: bool; raw text accepted too)."""
    if isinstance(v, bool):
        return v
    if _missing(v):
        return False
    from workbench.analysis.kpi_methods import is_yes

    return bool(is_yes(v))
