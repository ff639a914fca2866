"""The batch outputs: ``<out>/batch.json`` and ``<out>/index.html`` (docs/outputs.md).

index.html lists every client (status, reason of a failure, headline scores, relative link to its
report.html) and benchmarks the portfolio: distribution of self-assessment totals, category scores as
% of the category's points, KPI contract scores, each client's rank and percentile, and the same by
industry. Labels are bilingual ("中文 / English"): a portfolio mixes zh and en clients.

Charts are pure HTML/CSS bars: the page is self-contained (no script, no image, no external request)
and building it needs neither matplotlib nor pandas, so an unchanged re-run stays fast. Every client
text is escaped. Works with failed clients and clients without an assessment (shown as "no data").
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from workbench.intake.contract import PERSPECTIVE_LABELS, PERSPECTIVES
from workbench.deliverable.html import esc
from workbench.core.atomic import atomic_write_text
from workbench.core.i18n import t
from workbench.core.resources import frameworks_dir

# Same values as workbench.deliverable.charts.style.STATUS_COLOURS / STATUS_FILLS (not imported: that module
# imports matplotlib, and the index is written on the light skip path).
STATUS_COLOURS = {"good": "#2E7D32", "ok": "#E0A100", "bad": "#C62828", "none": "#9AA0A6"}
STATUS_FILLS = {"good": "#DCEFDC", "ok": "#FCEFC7", "bad": "#F8D7D7", "none": "#EEEFF1"}
NAVY = "#1F3A5F"


def L(key: str, **fields: Any) -> str:
    """Bilingual label: '中文 / English' (just one when both are equal)."""
    zh, en = t(key, "zh", **fields), t(key, "en", **fields)
    return zh if zh == en else f"{zh} / {en}"


def band(score: float | None) -> str:
    """rollup.band's rule, restated so that index.html is built without importing pandas (the skip path)."""
    if not _num(score):
        return "none"
    return "good" if score >= 100 else "ok" if score >= 60 else "bad"


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# ----------------------------------------------------------------------------------------------
# Collecting
# ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def framework(edition: str) -> dict[str, Any]:
    """Category ids -> {points, zh, en} of an assessment framework (data/frameworks/<edition>.yaml)."""
    import yaml

    path = frameworks_dir() / f"{edition}.yaml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {"categories": {}, "total_points": 1000}
    cats = {str(c["id"]): {"points": float(c.get("points") or 0), "zh": c.get("zh", ""), "en": c.get("en", "")}
            for c in doc.get("categories", []) if isinstance(c, dict) and "id" in c}
    return {"categories": cats, "total_points": float(doc.get("total_points") or 1000)}


def _read_json(path: Path) -> dict | None:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        return doc if isinstance(doc, dict) else None
    except (OSError, ValueError):
        return None


def _profile_yaml(folder: str | None) -> dict:
    if not folder:
        return {}
    import yaml

    try:
        doc = yaml.safe_load((Path(folder) / "client.yaml").read_text(encoding="utf-8"))
        return doc if isinstance(doc, dict) else {}
    except Exception:
        return {}


def _persp_label(p: str, lang: str | None) -> str:
    """A perspective's label in the client's own language; both ("财务 / Financial") when it is not known."""
    names = PERSPECTIVE_LABELS.get(p, {})
    if lang in ("zh", "en"):
        return names.get(lang, p)
    return " / ".join(x for x in (names.get("zh"), names.get("en")) if x) or p


def company_contract(contracts: Any, name: str | None = None) -> tuple[str | None, float | None]:
    """The company-level contract of results.json ``contracts``: the one with ``owner_level`` 'company' when
    results.json says so; else the only contract; else the one whose owner unit is the organisation's name."""
    if not isinstance(contracts, dict) or not contracts:
        return None, None
    company = [(k, v) for k, v in contracts.items() if isinstance(v, dict) and v.get("owner_level") == "company"]
    if not company and len(contracts) == 1:
        company = list(contracts.items())
    if not company and name:
        company = [(k, v) for k, v in contracts.items() if str(k).split("/", 1)[0].strip() == str(name).strip()]
    for key, v in company:
        if isinstance(v, dict) and _num(v.get("score")):
            return key, float(v["score"])
    return (company[0][0], None) if company else (None, None)


def collect(out: Path, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per batch entry, with the headline scores of its results.json (when it has one)."""
    rows = []
    for e in entries:
        row = dict(e)
        cid = str(e["id"])
        res = _read_json(out / cid / "results.json") if e.get("status") in ("ok", "skipped") else None
        prof = _profile_yaml(e.get("folder"))  # also the client's language (results.json does not hold it)
        row["name"] = (res or {}).get("name") or prof.get("name") or cid
        ind = (res or {}).get("industry", prof.get("industry"))
        row["industry"] = str(ind).strip() if ind not in (None, "") else None
        row["period"] = (res or {}).get("period") or prof.get("period")
        lang = (res or {}).get("language") or prof.get("language")
        row["lang"] = str(lang) if lang in ("zh", "en") else None
        row["has_results"] = res is not None
        row["report"] = f"{quote(cid)}/report.html" if res is not None and (out / cid / "report.html").is_file() else None
        assess = (res or {}).get("assessment") if res else None
        fw = framework(str((res or {}).get("framework") or "gbt19580-2012"))
        row["total"] = float(assess["total"]) if isinstance(assess, dict) and _num(assess.get("total")) else None
        cats: dict[str, float] = {}
        if isinstance(assess, dict) and isinstance(assess.get("categories"), dict):
            for cat, score in assess["categories"].items():
                pts = fw["categories"].get(str(cat), {}).get("points")
                if _num(score) and pts:
                    cats[str(cat)] = 100.0 * float(score) / pts
        row["category_pct"] = cats
        row["framework_categories"] = fw["categories"]
        row["contract_key"], row["contract_score"] = company_contract((res or {}).get("contracts"), (res or {}).get("name"))
        persp = (res or {}).get("perspectives") if res else None
        row["perspectives"] = {k: float(v) for k, v in (persp or {}).items() if _num(v)} if isinstance(persp, dict) else {}
        rows.append(row)
    _rank(rows)
    return rows


def _percentiles(values: list[float]) -> list[tuple[int, float | None]]:
    """(rank, percentile) per value: rank 1 = highest (ties share the best rank); percentile = % of the
    other values below it, ties counting half (None when there is nobody to compare with)."""
    n = len(values)
    outl = []
    for v in values:
        higher = sum(1 for w in values if w > v)
        lower = sum(1 for w in values if w < v)
        equal = n - higher - lower - 1
        pct = 100.0 * (lower + 0.5 * equal) / (n - 1) if n > 1 else None
        outl.append((higher + 1, pct))
    return outl


def _rank(rows: list[dict[str, Any]]) -> None:
    for key, prefix in (("total", "rank"), ("contract_score", "contract_rank")):
        scored = [r for r in rows if _num(r.get(key))]
        for r, (rank, pct) in zip(scored, _percentiles([r[key] for r in scored])):
            r[prefix], r[prefix + "_pct"], r[prefix + "_of"] = rank, pct, len(scored)
        by_ind: dict[str, list[dict[str, Any]]] = {}
        for r in scored:
            by_ind.setdefault(r.get("industry") or "", []).append(r)
        for ind, group in by_ind.items():
            for r, (rank, pct) in zip(group, _percentiles([r[key] for r in group])):
                r[prefix + "_industry"], r[prefix + "_industry_of"] = rank, len(group)


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------

def write(out: Path, entries: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Write batch.json and index.html (both atomically); return the collected rows."""
    meta = dict(meta or {})
    rows = collect(out, entries)
    keep = ("rank", "rank_pct", "rank_industry", "contract_rank", "contract_rank_pct")
    doc_entries = []
    for e, r in zip(entries, rows):
        d = dict(e)
        d.update({"name": r["name"], "industry": r["industry"], "report": r["report"],
                  "assessment_total": r["total"], "contract_score": r["contract_score"],
                  "perspectives": r["perspectives"] or None})
        d.update({k: r[k] for k in keep if k in r})
        doc_entries.append(d)
    atomic_write_text(out / "batch.json", json.dumps(doc_entries, ensure_ascii=False, indent=1) + "\n")
    atomic_write_text(out / "index.html", render_index(rows, meta))
    return rows


def _fmt(x: Any, digits: int = 1) -> str:
    return f"{x:.{digits}f}" if _num(x) else "—"


def _median(xs: list[float]) -> float | None:
    s = sorted(xs)
    if not s:
        return None
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def _bar(value: float | None, maximum: float, colour: str, label: str | None = None) -> str:
    if not _num(value):
        return '<span class="na">—</span>'
    w = max(0.0, min(100.0, 100.0 * value / maximum)) if maximum else 0.0
    return (f'<span class="bar" title="{esc(label or _fmt(value))}"><span style="width:{w:.1f}%;background:{colour}">'
            f'</span></span><span class="num">{esc(label or _fmt(value))}</span>')


def _heat(pct: float | None) -> str:
    """A cell tint for a % score: white (0) to navy (100)."""
    if not _num(pct):
        return f'<td class="num na" style="background:{STATUS_FILLS["none"]}">—</td>'
    a = max(0.0, min(1.0, pct / 100.0))
    r, g, b = (int(255 + (c - 255) * a) for c in (0x1F, 0x3A, 0x5F))
    fg = "#fff" if a > 0.55 else "#222831"
    return f'<td class="num" style="background:rgb({r},{g},{b});color:{fg}">{pct:.0f}%</td>'


def _histogram(values: list[float], edges: list[float], colour_of: Any, labels: list[str]) -> str:
    counts = [0] * (len(edges) - 1)
    for v in values:
        for i in range(len(edges) - 1):
            last = i == len(edges) - 2
            if edges[i] <= v < edges[i + 1] or (last and v >= edges[i + 1]) or (i == 0 and v < edges[0]):
                counts[i] += 1
                break
    top = max(counts) or 1
    cols = []
    for c, lab, lo in zip(counts, labels, edges):
        h = 100.0 * c / top
        cols.append(f'<div class="hcol"><div class="hbar-wrap"><div class="hcount">{c}</div>'
                    f'<div class="hbar" style="height:{h:.1f}%;background:{colour_of(lo)}"></div></div>'
                    f'<div class="hlab">{esc(lab)}</div></div>')
    return f'<div class="hist">{"".join(cols)}</div>'


def _stats_line(values: list[float]) -> str:
    if not values:
        return ""
    return (f'<p class="stats">n = {len(values)} · {esc(L("batch.median"))} {_fmt(_median(values))} · '
            f'{esc(L("batch.mean"))} {_fmt(sum(values) / len(values))} · {esc(L("batch.min"))} {_fmt(min(values))} · '
            f'{esc(L("batch.max"))} {_fmt(max(values))}</p>')


_CSS = """
:root{--navy:#1F3A5F;--ink:#222831;--muted:#6B7280;--grid:#E5E7EB}
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
color:var(--ink);margin:0;padding:24px 32px;line-height:1.45;font-size:14px;background:#fff}
h1{color:var(--navy);margin:0 0 4px;font-size:24px}h2{color:var(--navy);border-bottom:2px solid var(--navy);
padding-bottom:4px;margin-top:32px;font-size:18px}h3{color:var(--navy);font-size:15px;margin:20px 0 8px}
.meta{color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid var(--grid);padding:4px 6px;
text-align:left;vertical-align:top}th{background:#F3F5F8;font-weight:600;font-size:12px}
td.num{text-align:right;white-space:nowrap}th.num{text-align:right;white-space:normal;min-width:5em}.na{color:var(--muted)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;white-space:nowrap}
.badge.ok{background:#DCEFDC;color:#1B5E20}.badge.failed{background:#F8D7D7;color:#8E1B1B}
.badge.skipped{background:#EEEFF1;color:#4B5563}
.bar{display:inline-block;width:90px;height:10px;background:#EEF1F5;border-radius:2px;vertical-align:middle;
margin-right:6px;overflow:hidden}.bar>span{display:block;height:100%}
.num{font-variant-numeric:tabular-nums}.reason{color:#8E1B1B;white-space:pre-wrap;word-break:break-word;font-size:12px}
.id{color:var(--muted);font-size:12px}.persp{white-space:nowrap;font-size:12px}
.hist{display:flex;align-items:flex-end;gap:4px;height:180px;margin:8px 0 4px;max-width:760px}
.hcol{flex:1;display:flex;flex-direction:column;height:100%}.hbar-wrap{flex:1;display:flex;flex-direction:column;
justify-content:flex-end}.hbar{width:100%;min-height:1px;border-radius:2px 2px 0 0}
.hcount{text-align:center;font-size:11px;color:var(--muted)}.hlab{text-align:center;font-size:11px;color:var(--muted);
border-top:1px solid var(--ink);padding-top:2px}
.stats{color:var(--muted);font-size:12px}.note{color:var(--muted);font-size:12px}
.scroll{overflow-x:auto}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--grid);padding-top:8px}
"""


def render_index(rows: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> str:
    import workbench

    meta = meta or {}
    n = {s: sum(1 for r in rows if r.get("status") == s) for s in ("ok", "failed", "skipped")}
    parts: list[str] = []
    add = parts.append
    add(f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(L("batch.title"))}</title><style>{_CSS}</style></head><body>')
    add(f'<h1>{esc(L("batch.title"))}</h1>')
    add(f'<p class="meta">{esc(L("batch.counts", **n))}</p>')
    if meta.get("generated"):
        add(f'<p class="meta">{esc(L("batch.generated", date=meta["generated"], seconds=_fmt(meta.get("wall_seconds"))))}</p>')

    # -- clients -------------------------------------------------------------------------------
    add(f'<h2 id="clients">{esc(L("batch.clients"))}</h2><div class="scroll"><table><thead><tr>'
        f'<th>{esc(L("batch.client"))}</th><th>{esc(L("batch.industry"))}</th><th>{esc(L("batch.period"))}</th>'
        f'<th>{esc(L("batch.status"))}</th><th class="num">{esc(L("batch.seconds"))}</th>'
        f'<th>{esc(L("batch.assessment_total"))}</th><th>{esc(L("batch.contract_score"))}</th>'
        f'<th>{esc(L("batch.perspectives"))}</th><th>{esc(L("batch.report"))}</th></tr></thead><tbody>')
    for r in rows:
        status = r.get("status", "failed")
        badge = f'<span class="badge {esc(status)}">{esc(L("batch.status." + status))}</span>'
        if status == "failed":
            badge += f'<div class="reason">{esc(r.get("error"))}</div>'
        persp = "".join(
            f'<div class="persp">{esc(_persp_label(p, r.get("lang")))} '
            f'{_bar(r["perspectives"].get(p), 120, STATUS_COLOURS[band(r["perspectives"].get(p))])}</div>'
            for p in PERSPECTIVES if p in r["perspectives"]) or '<span class="na">—</span>'
        total = _bar(r["total"], 1000, NAVY) if r["total"] is not None else (
            f'<span class="na">{esc(L("batch.no_assessment"))}</span>' if r.get("has_results") else '<span class="na">—</span>')
        link = f'<a href="{esc(r["report"])}">{esc(L("batch.open_report"))}</a>' if r.get("report") else "—"
        secs = _fmt(r.get("seconds")) if status != "skipped" else "—"
        add(f'<tr id="client-{esc(r["id"])}"><td>{esc(r["name"])}<div class="id">{esc(r["id"])}</div></td>'
            f'<td>{esc(r.get("industry") or "—")}</td><td>{esc(r.get("period") or "—")}</td><td>{badge}</td>'
            f'<td class="num">{secs}</td><td>{total}</td>'
            f'<td>{_bar(r["contract_score"], 120, STATUS_COLOURS[band(r["contract_score"])])}</td>'
            f'<td>{persp}</td><td>{link}</td></tr>')
    add("</tbody></table></div>")

    # -- failures ------------------------------------------------------------------------------
    failed = [r for r in rows if r.get("status") == "failed"]
    add(f'<h2 id="failures">{esc(L("batch.failures"))}</h2>')
    if failed:
        add(f'<table><thead><tr><th>{esc(L("batch.client"))}</th><th>{esc(L("batch.reason"))}</th></tr></thead><tbody>')
        for r in failed:
            add(f'<tr><td>{esc(r["name"])}<div class="id">{esc(r["id"])}</div></td>'
                f'<td class="reason">{esc(r.get("error"))}</td></tr>')
        add("</tbody></table>")
    else:
        add(f'<p>{esc(L("batch.no_failures"))}</p>')

    add(_benchmark(rows))
    add(f'<footer>{esc(L("batch.footer", version=workbench.__version__))}</footer></body></html>\n')
    return "".join(parts)


def _benchmark(rows: list[dict[str, Any]]) -> str:
    parts: list[str] = [f'<h2 id="benchmark">{esc(L("batch.benchmark"))}</h2>',
                        f'<p class="note">{esc(L("batch.benchmark.note"))}</p>']
    add = parts.append
    with_res = [r for r in rows if r.get("has_results")]
    if not with_res:
        add(f'<p>{esc(L("batch.no_results"))}</p>')
        return "".join(parts)
    totals = [r["total"] for r in with_res if _num(r["total"])]
    contracts = [r["contract_score"] for r in with_res if _num(r["contract_score"])]

    # distribution of totals
    add(f'<h3>{esc(L("batch.distribution"))}</h3>')
    if totals:
        edges = [float(x) for x in range(0, 1001, 100)]
        add(_histogram(totals, edges, lambda lo: NAVY, [f"{int(e)}–{int(e) + 100}" for e in edges[:-1]]))
        add(_stats_line(totals))
    else:
        add(f'<p class="na">{esc(L("batch.no_data"))}</p>')

    # categories (% of points)
    cats: dict[str, dict[str, Any]] = {}
    for r in with_res:
        for cid, info in (r.get("framework_categories") or {}).items():
            cats.setdefault(cid, info)
    cat_ids = [c for c in cats if any(c in r["category_pct"] for r in with_res)]
    add(f'<h3>{esc(L("batch.categories"))}</h3>')
    if cat_ids:
        add(f'<table><thead><tr><th>{esc(L("batch.category"))}</th><th class="num">n</th>'
            f'<th>{esc(L("batch.median"))}</th><th class="num">{esc(L("batch.min"))}</th>'
            f'<th class="num">{esc(L("batch.max"))}</th></tr></thead><tbody>')
        for c in cat_ids:
            vals = [r["category_pct"][c] for r in with_res if c in r["category_pct"]]
            info = cats[c]
            add(f'<tr><td>{esc(c)} {esc(info.get("zh"))} / {esc(info.get("en"))} '
                f'<span class="id">({_fmt(info.get("points"), 0)})</span></td><td class="num">{len(vals)}</td>'
                f'<td>{_bar(_median(vals), 100, NAVY, _fmt(_median(vals), 0) + "%")}</td>'
                f'<td class="num">{_fmt(min(vals), 0)}%</td><td class="num">{_fmt(max(vals), 0)}%</td></tr>')
        add("</tbody></table>")
    else:
        add(f'<p class="na">{esc(L("batch.no_data"))}</p>')

    # contract scores
    add(f'<h3>{esc(L("batch.contracts"))}</h3>')
    if contracts:
        edges = [0.0, 60, 70, 80, 90, 100, 110, 120]
        labels = ["<60", "60–70", "70–80", "80–90", "90–100", "100–110", "≥110"]
        add(_histogram(contracts, edges, lambda lo: STATUS_COLOURS[band(lo if lo > 0 else 0)], labels))
        add(_stats_line(contracts))
    else:
        add(f'<p class="na">{esc(L("batch.no_data"))}</p>')

    # ranking table
    add(f'<h3>{esc(L("batch.ranking"))}</h3><div class="scroll"><table><thead><tr>'
        f'<th class="num">{esc(L("batch.rank"))}</th><th>{esc(L("batch.client"))}</th><th>{esc(L("batch.industry"))}</th>'
        f'<th class="num">{esc(L("batch.assessment_total"))}</th><th class="num">{esc(L("batch.percentile"))}</th>'
        f'<th class="num">{esc(L("batch.rank_in_industry"))}</th><th class="num">{esc(L("batch.contract_score"))}</th>'
        f'<th class="num">{esc(L("batch.percentile"))}</th>'
        + "".join(f'<th class="num" title="{esc(cats[c].get("zh"))} / {esc(cats[c].get("en"))}">{esc(c)}</th>'
                  for c in cat_ids) + "</tr></thead><tbody>")
    ordered = sorted(with_res, key=lambda r: (r.get("rank") or 10**9, -(r["contract_score"] or -1e9), r["id"]))
    for r in ordered:
        ind_rank = f'{r["rank_industry"]}/{r["rank_industry_of"]}' if r.get("industry") and "rank_industry" in r else "—"
        add(f'<tr><td class="num">{r.get("rank", "—")}</td><td>{esc(r["name"])}<div class="id">{esc(r["id"])}</div></td>'
            f'<td>{esc(r.get("industry") or "—")}</td><td class="num">{_fmt(r["total"])}</td>'
            f'<td class="num">{_fmt(r.get("rank_pct"), 0)}</td><td class="num">{esc(ind_rank)}</td>'
            f'<td class="num">{_fmt(r["contract_score"])}</td><td class="num">{_fmt(r.get("contract_rank_pct"), 0)}</td>'
            + "".join(_heat(r["category_pct"].get(c)) for c in cat_ids) + "</tr>")
    add("</tbody></table></div>")

    # by industry
    add(f'<h3>{esc(L("batch.by_industry"))}</h3><table><thead><tr><th>{esc(L("batch.industry"))}</th>'
        f'<th class="num">{esc(L("batch.n_clients"))}</th>'
        f'<th>{esc(L("batch.median"))} · {esc(L("batch.assessment_total"))}</th>'
        f'<th>{esc(L("batch.median"))} · {esc(L("batch.contract_score"))}</th>'
        + "".join(f'<th class="num">{esc(PERSPECTIVE_LABELS[p]["zh"])} / {esc(PERSPECTIVE_LABELS[p]["en"])}</th>'
                  for p in PERSPECTIVES) + "</tr></thead><tbody>")
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in with_res:
        groups.setdefault(r.get("industry") or "", []).append(r)
    for ind in sorted(groups, key=lambda s: (s == "", s)):
        g = groups[ind]
        tot = _median([r["total"] for r in g if _num(r["total"])])
        con = _median([r["contract_score"] for r in g if _num(r["contract_score"])])
        cells = []
        for p in PERSPECTIVES:
            vals = [r["perspectives"][p] for r in g if p in r["perspectives"]]
            m = sum(vals) / len(vals) if vals else None
            cells.append(f'<td class="num" style="background:{STATUS_FILLS[band(m)]}">{_fmt(m)}</td>')
        label = esc(ind) if ind else f'<span class="na">{esc(L("batch.no_industry"))}</span>'
        add(f'<tr><td>{label}</td><td class="num">{len(g)}</td><td>{_bar(tot, 1000, NAVY)}</td>'
            f'<td>{_bar(con, 120, STATUS_COLOURS[band(con)])}</td>{"".join(cells)}</tr>')
    add("</tbody></table>")
    return "".join(parts)
