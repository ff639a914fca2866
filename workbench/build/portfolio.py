"""The batch outputs: ``batch.json``, ``index.html`` (the programme page) and the programme exports.

index.html (Jinja template ``templates/portfolio/index.html.j2``) is in one language (``--lang``, default the
clients' majority); it lists every client (status, reason of a failure, headline scores, movement since its last
round, link to its report.html) and compares the organisations: distributions per round drawn as strip plots
(seaborn, inline SVG: one dot per organisation, honest at any n), category score rates, ranks (within an
industry only where it has at least ``MIN_INDUSTRY`` organisations, outputs.md v2), and a programme summary
over rounds (how many moved up a maturity stage, which categories improved most).

Rounds: a client's earlier results are ``clients/<id>/history/<period>.json`` (intake v2; filed by
``workbench archive``); this round is ``<out>/<id>/results.json``. ``portfolio.csv`` / ``portfolio.parquet`` hold
one row per client per round for the programme office's own analysis.

The page is self-contained (no script, no external request) and every client text is escaped (Jinja
autoescape). Building it without results needs neither pandas nor matplotlib (the unchanged re-run stays fast).
"""
from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from functools import lru_cache
from pathlib import Path
from statistics import median
from typing import Any, Iterable
from urllib.parse import quote

from workbench.core.atomic import atomic_path, atomic_write_bytes, atomic_write_text
from workbench.core.i18n import t
from workbench.core.numfmt import fmt_delta, fmt_pct, fmt_points, fmt_score
from workbench.core.resources import templates_dir
from workbench.core.status import BAND_COLOURS, BAND_FILLS, band
from workbench.intake.contract import PERSPECTIVES
from workbench.intake.files import client_yaml
from workbench.intake.frameworks import DEFAULT_FRAMEWORK, load_framework

__all__ = ["write", "collect", "render_index", "company_contract", "page_language", "export_rows", "STAGES",
           "MIN_INDUSTRY", "history"]

MIN_INDUSTRY = 3  # outputs.md v2: comparisons within an industry only where it has at least 3 clients
STAGES = ("reacting", "early_systematic", "aligned", "integrated", "role_model", "world_class")
COMPANY_UNITS = {"公司", "全公司", "本公司", "集团", "company", "the company", "group", "organisation", "organization"}
NAVY = "#1F3A5F"


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# ----------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def framework(edition: str) -> dict[str, Any]:
    """Category ids -> {points, zh, en} and the total points of an assessment framework (`intake.frameworks`,
    the one reader of the framework files). An edition no file here defines (a results.json from another
    installation) gives no categories and the default edition's total."""
    try:
        fw = load_framework(edition)
    except (KeyError, ValueError):
        return {"categories": {}, "total_points": float(load_framework(DEFAULT_FRAMEWORK).total_points)}
    return {"categories": {c.id: {"points": float(c.points), "zh": c.zh, "en": c.en} for c in fw.categories},
            "total_points": float(fw.total_points)}


def _read_json(path: Path) -> dict | None:
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        return doc if isinstance(doc, dict) else None
    except (OSError, ValueError):
        return None


def company_contract(contracts: Any, name: str | None = None) -> tuple[str | None, float | None]:
    """The company-level contract of results.json ``contracts``: the one with ``owner_level`` 'company'
    (results.json v2). Without ``owner_level`` (v1 results), the old rule: the only contract, else the one whose
    owner unit is the organisation's name or a word for "the company" (公司, 集团, company ...)."""
    if not isinstance(contracts, dict) or not contracts:
        return None, None
    items = [(k, v) for k, v in contracts.items() if isinstance(v, dict)]
    if any("owner_level" in v for _, v in items):
        company = [(k, v) for k, v in items if v.get("owner_level") == "company"]
    elif len(items) == 1:
        company = items
    else:
        unit = lambda k: str(k).split("/", 1)[0].strip()  # noqa: E731
        company = [(k, v) for k, v in items if name and unit(k) == str(name).strip()] or \
                  [(k, v) for k, v in items if unit(k).lower() in COMPANY_UNITS]
    for key, v in company:
        if _num(v.get("score")):
            return key, float(v["score"])
    return (company[0][0], None) if company else (None, None)


def _round(doc: dict, fw_cache: dict[str, Any] | None = None) -> dict[str, Any]:
    """The headline numbers of one results.json (this round or a filed earlier one)."""
    fw = framework(str(doc.get("framework") or DEFAULT_FRAMEWORK))
    assess = doc.get("assessment")
    total = float(assess["total"]) if isinstance(assess, dict) and _num(assess.get("total")) else None
    cats: dict[str, float] = {}
    if isinstance(assess, dict) and isinstance(assess.get("categories"), dict):
        for cat, score in assess["categories"].items():
            pts = fw["categories"].get(str(cat), {}).get("points")
            if _num(score) and pts:
                cats[str(cat)] = 100.0 * float(score) / pts
    maturity = doc.get("maturity") if isinstance(doc.get("maturity"), dict) else {}
    stage = maturity.get("stage") if maturity.get("stage") in STAGES else None
    key, contract = company_contract(doc.get("contracts"), doc.get("name"))
    persp = doc.get("perspectives")
    return {"period": str(doc.get("period") or ""), "total": total, "stage": stage, "category_pct": cats,
            "contract_key": key, "contract_score": contract, "framework_categories": fw["categories"],
            "total_points": fw["total_points"],
            "perspectives": {k: float(v) for k, v in persp.items() if _num(v)} if isinstance(persp, dict) else {}}


def history(folder: str | Path | None, client_id: str, before: str | None = None) -> list[dict[str, Any]]:
    """A client's filed earlier rounds (``<folder>/history/<period>.json``), oldest first; files of another
    client, unreadable ones and rounds not before ``before`` (this round's period) are left out."""
    if not folder:
        return []
    rounds = []
    for path in sorted((Path(folder) / "history").glob("*.json")):
        doc = _read_json(path)
        if not doc or str(doc.get("client", client_id)) != client_id:
            continue
        r = _round(doc)
        r["period"] = r["period"] or path.stem
        if before and not r["period"] < before:
            continue
        rounds.append(r)
    rounds.sort(key=lambda r: r["period"])
    return rounds


def collect(out: Path, entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per batch entry: its headline scores (when it has results), its earlier rounds and its movement."""
    rows = []
    for e in entries:
        row = dict(e)
        cid = str(e["id"])
        res = _read_json(out / cid / "results.json") if e.get("status") in ("ok", "skipped") else None
        prof = client_yaml(e.get("folder"))  # also the client's language (results.json does not hold it)
        row["name"] = (res or {}).get("name") or prof.get("name") or cid
        ind = (res or {}).get("industry", prof.get("industry"))
        row["industry"] = str(ind).strip() if ind not in (None, "") else None
        lang = (res or {}).get("language") or prof.get("language") or "zh"
        row["lang"] = str(lang) if lang in ("zh", "en") else "zh"
        row["has_results"] = res is not None
        row["report"] = f"{quote(cid)}/report.html" if res is not None and (out / cid / "report.html").is_file() else None
        row["pdf"] = f"{quote(cid)}/report.pdf" if res is not None and (out / cid / "report.pdf").is_file() else None
        cur = _round(res or {})
        if res is None:
            cur.update(total=None, stage=None, category_pct={}, contract_key=None, contract_score=None, perspectives={})
        cur["period"] = cur["period"] or str(prof.get("period") or "")
        row.update(cur)
        row["period"] = cur["period"] or None
        row["rounds"] = history(e.get("folder"), cid, before=cur["period"] or None) if res is not None else []
        row["movement"] = _movement(row["rounds"][-1], cur) if row["rounds"] else None
        rows.append(row)
    _rank(rows)
    return rows


def _movement(prev: dict[str, Any], cur: dict[str, Any]) -> dict[str, Any]:
    """This round against the client's last filed round."""
    d = lambda a, b: (b - a) if _num(a) and _num(b) else None  # noqa: E731
    cats = {c: d(prev["category_pct"].get(c), v) for c, v in cur["category_pct"].items()}
    cats = {c: v for c, v in cats.items() if v is not None}
    step = None
    if prev.get("stage") in STAGES and cur.get("stage") in STAGES:
        step = STAGES.index(cur["stage"]) - STAGES.index(prev["stage"])
    return {"period": prev["period"], "total_before": prev["total"], "total_delta": d(prev["total"], cur["total"]),
            "stage_before": prev.get("stage"), "stage_step": step, "category_delta": cats,
            "contract_before": prev["contract_score"], "contract_delta": d(prev["contract_score"], cur["contract_score"])}


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
    """Ranks among all; ranks within an industry only where it has at least MIN_INDUSTRY scored clients."""
    for key, prefix in (("total", "rank"), ("contract_score", "contract_rank")):
        for r in rows:
            for suffix in ("", "_pct", "_of", "_industry", "_industry_of"):
                r.setdefault(prefix + suffix, None)
        scored = [r for r in rows if _num(r.get(key))]
        for r, (rank, pct) in zip(scored, _percentiles([r[key] for r in scored])):
            r[prefix], r[prefix + "_pct"], r[prefix + "_of"] = rank, pct, len(scored)
        by_ind: dict[str, list[dict[str, Any]]] = {}
        for r in scored:
            if r.get("industry"):
                by_ind.setdefault(r["industry"], []).append(r)
        for group in by_ind.values():
            if len(group) < MIN_INDUSTRY:
                continue
            for r, (rank, _pct) in zip(group, _percentiles([r[key] for r in group])):
                r[prefix + "_industry"], r[prefix + "_industry_of"] = rank, len(group)


# ----------------------------------------------------------------------------------------------
# Programme: rounds, movement, exports
# ----------------------------------------------------------------------------------------------
def page_language(rows: list[dict[str, Any]], lang: str | None = None) -> str:
    """``lang`` when given, else the language most clients have (zh on a tie)."""
    if lang in ("zh", "en"):
        return lang
    count = Counter(r.get("lang") or "zh" for r in rows)
    return "en" if count["en"] > count["zh"] else "zh"


def periods(rows: list[dict[str, Any]]) -> list[str]:
    found = {r["period"] for r in rows if r.get("has_results") and r.get("period")}
    found |= {h["period"] for r in rows for h in r.get("rounds", [])}
    return sorted(found)


def programme(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """How the programme moved: stage steps, the median change of the total, categories improved most."""
    moved = [r for r in rows if r.get("movement")]
    steps = [r["movement"]["stage_step"] for r in moved if r["movement"]["stage_step"] is not None]
    deltas = [r["movement"]["total_delta"] for r in moved if _num(r["movement"]["total_delta"])]
    per_cat: dict[str, list[float]] = {}
    for r in moved:
        for c, v in r["movement"]["category_delta"].items():
            per_cat.setdefault(c, []).append(v)
    cats = _categories(rows)
    improved = sorted(((c, sum(v) / len(v), len(v)) for c, v in per_cat.items()), key=lambda x: (-x[1], x[0]))
    return {"n_moved": len(moved), "up": sum(1 for s in steps if s > 0), "down": sum(1 for s in steps if s < 0),
            "same": sum(1 for s in steps if s == 0), "median_delta": median(deltas) if deltas else None,
            "improved": [{"id": c, "label": _cat_label(cats.get(c, {}), c, lang), "mean": m, "n": n,
                          "mean_text": fmt_delta(m)} for c, m, n in improved[:5]]}


def _categories(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    cats: dict[str, dict[str, Any]] = {}
    for r in rows:
        for cid, info in (r.get("framework_categories") or {}).items():
            cats.setdefault(cid, info)
    return cats


def _cat_label(info: dict[str, Any], cid: str, lang: str) -> str:
    return f"{cid} {info.get(lang) or ''}".strip()


def export_rows(rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """One record per client per round (earlier rounds first): the programme exports' columns and rows."""
    cats = sorted({c for r in rows for rd in [r, *r.get("rounds", [])] for c in rd.get("category_pct", {})},
                  key=lambda c: [int(x) if x.isdigit() else x for x in c.split(".")])
    persp = [p for p in PERSPECTIVES if any(p in rd.get("perspectives", {}) for r in rows
                                           for rd in [r, *r.get("rounds", [])])]
    columns = (["client", "name", "industry", "period", "round", "latest", "assessment_total", "stage",
                "stage_index", "contract_company", "contract_score"]
               + [f"category_{c}_pct" for c in cats] + [f"perspective_{p}" for p in persp]
               + ["total_delta", "stage_step"])
    all_periods = periods(rows)
    out = []
    for r in rows:
        if not r.get("has_results"):
            continue
        rounds = [*r.get("rounds", []), r]
        for i, rd in enumerate(rounds):
            latest = rd is r
            rec: dict[str, Any] = {
                "client": r["id"], "name": r["name"], "industry": r.get("industry"), "period": rd["period"],
                "round": all_periods.index(rd["period"]) + 1 if rd["period"] in all_periods else None,
                "latest": latest,
                "assessment_total": rd["total"], "stage": rd.get("stage"),
                "stage_index": STAGES.index(rd["stage"]) + 1 if rd.get("stage") in STAGES else None,
                "contract_company": rd.get("contract_key"), "contract_score": rd.get("contract_score")}
            rec.update({f"category_{c}_pct": rd["category_pct"].get(c) for c in cats})
            rec.update({f"perspective_{p}": rd.get("perspectives", {}).get(p) for p in persp})
            prev = rounds[i - 1] if i else None
            rec["total_delta"] = (rd["total"] - prev["total"]) if prev and _num(prev["total"]) and _num(rd["total"]) else None
            rec["stage_step"] = (STAGES.index(rd["stage"]) - STAGES.index(prev["stage"])
                                 if prev and rd.get("stage") in STAGES and prev.get("stage") in STAGES else None)
            out.append(rec)
    return columns, out


CACHE_DIR = ".portfolio"  # inside <out>: chart SVGs and the exports' digest, so an unchanged re-run stays light


def _digest(*parts: Any) -> str:
    import hashlib

    return hashlib.blake2b(json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False).encode(),
                           digest_size=12).hexdigest()


def write_exports(out: Path, rows: list[dict[str, Any]]) -> None:
    """``portfolio.csv`` (UTF-8 with BOM, so Excel reads Chinese) and ``portfolio.parquet`` (typed), atomically.
    Skipped when the records are those of the files already there (no pyarrow import on an unchanged re-run)."""
    columns, records = export_rows(rows)
    stamp = out / CACHE_DIR / "exports.digest"
    digest = _digest(EXPORTS_VERSION, columns, records)
    try:
        if stamp.read_text(encoding="utf-8") == digest and all(
                (out / n).is_file() for n in ("portfolio.csv", "portfolio.parquet")):
            return
    except OSError:
        pass
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for rec in records:
        w.writerow({k: ("" if v is None else v) for k, v in rec.items()})
    atomic_write_bytes(out / "portfolio.csv", ("\ufeff" + buf.getvalue()).encode("utf-8"))
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a declared dependency
        return
    strings = {"client", "name", "industry", "period", "stage", "contract_company"}
    ints = {"round", "stage_index", "stage_step"}
    fields = [pa.field(c, pa.string() if c in strings else pa.int32() if c in ints else
                       pa.bool_() if c == "latest" else pa.float64()) for c in columns]
    table = pa.Table.from_pylist([{c: rec.get(c) for c in columns} for rec in records], schema=pa.schema(fields))
    with atomic_path(out / "portfolio.parquet") as tmp:
        pq.write_table(table, tmp)
    atomic_write_text(stamp, digest)


EXPORTS_VERSION = 1


# ----------------------------------------------------------------------------------------------
# Charts: strip plots per round (seaborn, SVG text kept as text)
# ----------------------------------------------------------------------------------------------
CHART_VERSION = 1  # bump when strip_svg draws differently


def cached_strip_svg(out: Path, used: set[str], groups: list[tuple[str, list[float]]], ylabel: str, ymax: float,
                     bands: bool = False) -> str:
    """``strip_svg`` through ``<out>/.portfolio/<digest>.svg``: the same numbers are not drawn again (nor is
    matplotlib imported on an unchanged re-run)."""
    key = _digest(CHART_VERSION, groups, ylabel, ymax, bands)
    path = out / CACHE_DIR / f"strip-{key}.svg"
    used.add(path.name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        svg = strip_svg(groups, ylabel, ymax, bands=bands)
        atomic_write_text(path, svg)
        return svg


def _prune_charts(out: Path, used: set[str]) -> None:
    for p in (out / CACHE_DIR).glob("strip-*.svg"):
        if p.name not in used:
            p.unlink(missing_ok=True)


def strip_svg(groups: list[tuple[str, list[float]]], ylabel: str, ymax: float, colour_of: Any = None,
              bands: bool = False) -> str:
    """One dot per organisation for each group (round), a bar at the median; SVG markup without prolog."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    xs = [g for g, vals in groups for _ in vals]
    ys = [v for _, vals in groups for v in vals]
    with plt.rc_context({"svg.fonttype": "none", "font.family": ["Noto Sans CJK SC", "DejaVu Sans"],
                         "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}):
        fig, ax = plt.subplots(figsize=(max(3.2, 1.3 * len(groups) + 1.6), 2.6), dpi=100)
        if bands:
            for lo, hi, key in ((0, 60, "bad"), (60, 100, "ok"), (100, ymax, "good")):
                ax.axhspan(lo, hi, color=BAND_FILLS[key], zorder=0, lw=0)
        n = max((len(v) for _, v in groups), default=0)
        sns.stripplot(x=xs, y=ys, ax=ax, order=[g for g, _ in groups], color=NAVY, size=5 if n <= 60 else 3,
                      alpha=0.85 if n <= 60 else 0.35, jitter=0.12 if n > 1 else False, zorder=3)
        for i, (_, vals) in enumerate(groups):
            if vals:
                m = median(vals)
                ax.plot([i - 0.3, i + 0.3], [m, m], color="#C62828", lw=2, zorder=4)
                ax.annotate(f"n = {len(vals)}", (i, 0), xytext=(0, -26), textcoords="offset points", ha="center",
                            va="top", fontsize=8, color="#6B7280", annotation_clip=False)
        ax.set_ylim(0, ymax)
        ax.set_ylabel("")
        ax.set_title(ylabel, loc="left", fontsize=9.5, color="#222831", pad=8)  # horizontal: never clipped
        ax.set_xlabel("")
        ax.grid(axis="y", color="#E5E7EB", lw=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------
def write(out: Path, entries: list[dict[str, Any]], meta: dict[str, Any] | None = None,
          lang: str | None = None) -> list[dict[str, Any]]:
    """Write batch.json, index.html and the programme exports (all atomically); return the collected rows."""
    meta = dict(meta or {})
    rows = collect(out, entries)
    keep = ("rank", "rank_pct", "rank_industry", "contract_rank", "contract_rank_pct")
    doc_entries = []
    for e, r in zip(entries, rows):
        d = dict(e)
        d.update({"name": r["name"], "industry": r["industry"], "report": r["report"],
                  "assessment_total": r["total"], "contract_score": r["contract_score"],
                  "perspectives": r["perspectives"] or None})
        d.update({k: r[k] for k in keep if r.get(k) is not None})
        doc_entries.append(d)
    atomic_write_text(out / "batch.json", json.dumps(doc_entries, ensure_ascii=False, indent=1) + "\n")
    used: set[str] = set()
    atomic_write_text(out / "index.html", render_index(rows, meta, lang, out=out, used=used))
    _prune_charts(out, used)
    if any(r.get("has_results") for r in rows):
        write_exports(out, rows)
    return rows


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir() / "portfolio")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(score=fmt_score, points=fmt_points, pct=lambda v: fmt_pct(v, 0), delta=fmt_delta,
                       pdelta=lambda v: fmt_delta(v, points=True))
    return env


def _heat(pct: float | None) -> str:
    """Cell style for a % score rate: white (0) to navy (100)."""
    if not _num(pct):
        return f"background:{BAND_FILLS['none']}"
    a = max(0.0, min(1.0, pct / 100.0))
    r, g, b = (int(255 + (c - 255) * a) for c in (0x1F, 0x3A, 0x5F))
    return f"background:rgb({r},{g},{b});color:{'#fff' if a > 0.55 else '#222831'}"


def render_index(rows: list[dict[str, Any]], meta: dict[str, Any] | None = None, lang: str | None = None, *,
                 out: Path | None = None, used: set[str] | None = None) -> str:
    """The page; with ``out``, its charts come from (and go to) the chart cache in ``out``."""
    import workbench

    meta = meta or {}
    lang = page_language(rows, lang or meta.get("lang"))
    T = lambda key, **kw: t(key, lang, **kw)  # noqa: E731
    n = {s: sum(1 for r in rows if r.get("status") == s) for s in ("ok", "failed", "skipped")}
    with_res = [r for r in rows if r.get("has_results")]
    cats = _categories(with_res)
    cat_ids = sorted({c for r in with_res for c in r["category_pct"]},
                     key=lambda c: [int(x) if x.isdigit() else x for x in c.split(".")])
    all_periods = periods(rows)
    default_total = framework(DEFAULT_FRAMEWORK)["total_points"]
    points = max((r.get("total_points") or default_total for r in with_res), default=default_total)

    def by_round(key: str) -> list[tuple[str, list[float]]]:
        groups = []
        for p in all_periods:
            vals = [rd[key] for r in with_res for rd in [*r["rounds"], r] if rd["period"] == p and _num(rd[key])]
            if vals:
                groups.append((p, vals))
        return groups

    used = used if used is not None else set()

    def chart(groups: list[tuple[str, list[float]]], label: str, ymax: float, bands: bool = False) -> str:
        if out is None:
            return strip_svg(groups, label, ymax, bands=bands)
        return cached_strip_svg(out, used, groups, label, ymax, bands)

    charts = {}
    totals, contracts = by_round("total"), by_round("contract_score")
    if totals:
        charts["total"] = chart(totals, T("portfolio.dist_total", points=fmt_points(points)), points)
    if contracts:
        charts["contract"] = chart(contracts, T("portfolio.dist_contract"),
                                   max(120.0, max(v for _, vs in contracts for v in vs)), bands=True)

    ranked = sorted(with_res, key=lambda r: (r.get("rank") or 10**9, -(r["contract_score"] or -1e9), r["id"]))
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in with_res:
        ind = r.get("industry")
        big = ind and sum(1 for x in with_res if x.get("industry") == ind) >= MIN_INDUSTRY
        groups.setdefault(ind if big else "", []).append(r)
    industries = []
    for ind in sorted(groups, key=lambda s: (s == "", s)):
        g = groups[ind]
        tot = [r["total"] for r in g if _num(r["total"])]
        con = [r["contract_score"] for r in g if _num(r["contract_score"])]
        industries.append({"label": ind or T("portfolio.small_industries", min=MIN_INDUSTRY), "n": len(g),
                           "total": median(tot) if tot else None, "contract": median(con) if con else None})

    median_cat = {c: median(v) for c in cat_ids if (v := [r["category_pct"][c] for r in with_res if c in r["category_pct"]])}
    ctx = {
        "lang": lang, "html_lang": "zh-CN" if lang == "zh" else "en", "meta": meta, "counts": n,
        "T": lambda key, **kw: T(key, **{"points": fmt_points(points), **kw}),  # "of 1000": the framework's total
        "rows": rows, "with_res": with_res, "ranked": ranked, "cat_ids": cat_ids,
        "cat_label": {c: _cat_label(cats.get(c, {}), c, lang) for c in cat_ids}, "median_cat": median_cat,
        "heat": _heat, "band": band, "colours": BAND_COLOURS, "fills": BAND_FILLS, "charts": charts,
        "periods": all_periods, "programme": programme(rows, lang), "industries": industries,
        "min_industry": MIN_INDUSTRY, "stage_label": lambda s: T(f"portfolio.stage.{s}") if s in STAGES else "—",
        "version": workbench.__version__, "num": _num, "exports": bool(with_res), "total_points": points,
    }
    return _environment().get_template("index.html.j2").render(**ctx)
