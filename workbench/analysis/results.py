"""results.json (docs/outputs.md) and ``workbench score``.

``results_document(analysis)`` returns exactly the outputs.md keys; absent sections are None (null), NaN is None,
numbers are unrounded Python floats/ints (numpy scalars converted), so ``json.dumps`` always works.

Absent sections: ``assessment`` null without an assessment table (or with an unknown framework); ``kpis`` and
``contracts`` null without a kpis table; ``objectives`` and ``perspectives`` null without an objectives table;
``strategy_map`` null without an objectives table; ``diagnosis`` null without causes and whys tables. ``gaps`` is
always present (no actions table means nothing addresses anything, and nothing is overdue).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.analyse import Analysis, analyse
from workbench.analysis.plan import GAP_KEYS
from workbench.core.i18n import t
from workbench.core.missing import is_missing
from workbench.core.numfmt import fmt_delta, fmt_points, fmt_score
from workbench.core.frames import records

__all__ = ["RESULT_KEYS", "results_document", "to_json", "write_results", "score_command", "jsonable"]

RESULT_KEYS = ("client", "name", "period", "framework", "assessment", "kpis", "contracts", "objectives",
               "perspectives", "strategy_map", "diagnosis", "gaps", "maturity", "actions", "previous", "warnings")


def jsonable(v: Any) -> Any:
    """A JSON-safe copy: NaN/NaT/NA → None, numpy scalars → Python, Timestamps/dates → ISO text, containers recursed."""
    if v is None:
        return None
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, np.ndarray, pd.Index, pd.Series)):
        return [jsonable(x) for x in (list(v) if not isinstance(v, pd.Series) else v.tolist())]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
        return None if pd.isna(v) else v.isoformat()
    if isinstance(v, str):
        return v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _assessment(a: Analysis) -> dict[str, Any] | None:
    r = a.assessment
    if r is None:
        return None
    items = {iid: {"points": int(row.points), "consensus_pct": row.consensus_pct, "score": row.score,
                   "spread": row.spread, "flagged": bool(row.flagged)}
             for iid, row in zip(r.items.index, r.items.itertuples(index=False))}
    return {"total": r.total, "unscored_points": int(r.unscored_points),
            "categories": {cid: s for cid, s in r.categories["score"].items()}, "items": items}


def _actions(a: Analysis) -> dict[str, Any] | None:
    """Per action: priority, SMART codes and (done actions only) the effect on the KPIs it addresses."""
    acts = a.client.table("actions")
    if acts is None:
        return None
    effects = a.action_effects
    out = {}
    for aid in acts["action_id"].astype(str):
        eff = effects.get(aid)
        out[aid] = {"priority": a.action_priority.get(aid, 0.0), "smart_warnings": a.smart_warnings.get(aid, []),
                    "effect": None if eff is None else {k: {f: v[f] for f in EFFECT_KEYS} for k, v in eff.items()}}
    return out


EFFECT_KEYS = ("before", "after", "before_score", "after_score")


def results_document(a: Analysis) -> dict[str, Any]:
    """The results.json document of an Analysis (outputs.md keys, in that order)."""
    prof = a.client.profile
    tables = a.client.tables
    kpis = contracts = objectives = perspectives = strategy = diag = None
    if a.kpis is not None:
        kpis = {kid: {"score": s, "progress": p, "actual": act, "status": st}
                for kid, s, p, act, st in zip(a.kpis.index, a.kpis["score"], a.kpis["progress"], a.kpis["actual"],
                                              a.kpis["status"])}
    if a.contracts is not None:
        contracts = {key: {"score": s, "vetoed_by": v, "excluded": list(ex), "owner_level": "company" if is_missing(lvl) else str(lvl)}
                     for key, s, v, ex, lvl in zip(a.contracts.index, a.contracts["score"], a.contracts["vetoed_by"],
                                                   a.contracts["excluded"], a.contracts["owner_level"])}
    if a.objectives is not None:
        objectives = dict(a.objectives["score"].items())
    if a.perspectives is not None:
        perspectives = dict(a.perspectives["score"].items())
    if tables.get("objectives") is not None:
        strategy = {"warnings": [f.message for f in a.strategy_warnings]}
    if tables.get("causes") is not None or tables.get("whys") is not None:
        diag = {"root_causes": list(a.root_causes), "top_causes": list(a.top_causes)}
    doc = {
        "client": prof.id, "name": prof.name, "period": prof.period, "framework": prof.framework,
        "assessment": _assessment(a), "kpis": kpis, "contracts": contracts, "objectives": objectives,
        "perspectives": perspectives, "strategy_map": strategy, "diagnosis": diag,
        "gaps": {k: list(a.gaps.get(k, [])) for k in GAP_KEYS},
        "maturity": None if a.maturity is None else a.maturity.document(),
        "actions": _actions(a), "previous": None if a.progress is None else a.progress.document(),
        "warnings": list(a.warnings),
    }
    return jsonable(doc)


def to_json(doc: dict[str, Any]) -> str:
    """UTF-8 friendly, indented JSON text (ensure_ascii=False, indent 2, trailing newline)."""
    return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_results(analysis: Analysis, path: str | os.PathLike[str]) -> Path:
    """Write results.json atomically (temp file + rename: a reader never sees half a document)."""
    from workbench.core.atomic import atomic_write_text

    target = Path(path)
    atomic_write_text(target, to_json(results_document(analysis)))
    return target


# --------------------------------------------------------------------------- workbench score

def _f(v: Any, nd: int = 2) -> str:
    """Display a number rounded to ``nd`` decimals (display only); '—' for missing."""
    if v is None:
        return "—"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "—"
        return f"{f:.{nd}f}".rstrip("0").rstrip(".") if nd else f"{f:.0f}"
    try:
        if pd.isna(v):
            return "—"
    except (TypeError, ValueError):
        pass
    return str(v)


def _inputs(row: Any, lang: str) -> str:
    m = row.get("method")
    parts = []
    fields = {"ratio": ("target",), "linear": ("threshold", "target", "stretch"),
              "steps": ("target", "step", "step_points"), "deduction": ("step_points",)}.get(m, ())
    for f in ("baseline", *fields):
        v = row.get(f)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            parts.append(f"{f}={_f(v, 6)}{'%' if f == 'step' else ''}")
    cap, floor = row.get("cap"), row.get("floor")
    parts.append(f"cap={_f(120.0 if cap is None or pd.isna(cap) else cap, 6)}")
    parts.append(f"floor={_f(0.0 if floor is None or pd.isna(floor) else floor, 6)}")
    veto = row.get("veto")
    if isinstance(veto, (bool, np.bool_)) and veto:
        parts.append(t("scoring.summary.veto_flag", lang))
    return ", ".join(parts)


def print_summary(a: Analysis, console: Any = None) -> None:
    """A readable, line-by-line auditable summary of every score (rich tables, client's language)."""
    from rich.console import Console
    from rich.table import Table as _Table
    from rich.text import Text

    from rich import box

    if console is None:
        width = Console().width
        console = Console(width=max(width, 180), soft_wrap=False)
    narrow = console.width < 150  # a terminal narrower than the KPI table: no inner rules, text columns wrap

    class Table(_Table):  # every cell is plain text: ids such as "[x]" are never read as rich markup
        def __init__(self, *args: Any, **kw: Any) -> None:
            if narrow:
                kw.setdefault("box", box.SIMPLE_HEAD)
                kw.setdefault("pad_edge", False)
            super().__init__(*args, **kw)

        def add_row(self, *cells: Any, **kw: Any) -> None:  # type: ignore[override]
            super().add_row(*(Text(_f(c)) for c in cells), **kw)

    from workbench.intake.contract import METHOD_LABELS, PERSPECTIVE_LABELS

    con = console
    lang = a.lang
    prof = a.client.profile
    tr = lambda k, **kw: t(f"scoring.summary.{k}", lang, **kw)  # noqa: E731
    con.print(Text(f"{prof.name} ({prof.id}) · {tr('period')} {prof.period} · "
                   f"{tr('missing_policy')} {prof.missing_actuals}", style="bold"))

    if a.kpis is not None:
        tb = Table(title=tr("kpis"), show_lines=False)
        for c in ("kpi_id", "kpi", "contract", "method", "direction", "inputs", "actual", "score", "status",
                  "progress"):  # at a narrow terminal the text columns wrap, the short ones keep their width
            short = c in ("kpi_id", "direction", "actual", "score", "progress")
            tb.add_column(tr(f"col.{c}"), overflow="fold", no_wrap=short)
        for kid, row in zip(a.kpis.index, records(a.kpis)):
            method = row.get("method")
            mlabel = f"{method} {METHOD_LABELS.get(method, {}).get('zh', '')}".strip()
            indent = "  " * int(row.get("depth") or 0)
            status = row["status"] + (f" ({tr('missing_zero')})" if row.get("missing") and row["status"] != "excluded" else "")
            tb.add_row(indent + str(kid), str(row.get("kpi") or ""), row["contract"], mlabel,
                       str(row.get("direction") or "higher"), _inputs(row, lang), _f(row["actual"], 6),
                       fmt_score(row["score"]), status, _f(row["progress"], 3))
        con.print(tb)
        con.print(tr("kpi_rules"), markup=False)

    if a.contracts is not None:
        tb = Table(title=tr("contracts"))
        for c in ("contract", "owner_level", "n_kpis", "weight_included", "score", "vetoed_by", "excluded"):
            tb.add_column(tr(f"col.{c}"))
        for key, row in zip(a.contracts.index, records(a.contracts)):
            tb.add_row(key, str(row.get("owner_level") or ""), str(row["n_kpis"]), _f(row["weight_included"]),
                       fmt_score(row["score"]), ", ".join(row["vetoes"]) or "—", ", ".join(row["excluded"]) or "—")
        con.print(tb)
        con.print(tr("contract_rules"), markup=False)

    if a.objectives is not None:
        tb = Table(title=tr("objectives"))
        for c in ("objective_id", "perspective", "objective", "counted_kpis", "score"):
            tb.add_column(tr(f"col.{c}"))
        for oid, row in zip(a.objectives.index, records(a.objectives)):
            tb.add_row(oid, PERSPECTIVE_LABELS.get(row["perspective"], {}).get(lang, str(row["perspective"])),
                       str(row.get("objective") or ""), ", ".join(row["kpis"]) or "—", fmt_score(row["score"]))
        con.print(tb)
    if a.perspectives is not None:
        tb = Table(title=tr("perspectives"))
        for c in ("perspective", "n_objectives", "score"):
            tb.add_column(tr(f"col.{c}"))
        for p, row in zip(a.perspectives.index, records(a.perspectives)):
            tb.add_row(PERSPECTIVE_LABELS[p][lang], f"{row['n_scored']}/{row['n_objectives']}", fmt_score(row["score"]))
        con.print(tb)

    r = a.assessment
    if r is not None:
        tb = Table(title=f"{tr('assessment')} · {r.framework.name(lang)}")
        for c in ("item", "name", "scores", "median", "consensus", "points", "item_score", "spread", "band"):
            tb.add_column(tr(f"col.{c}"))
        for iid, row in zip(r.items.index, records(r.items)):
            scores = ", ".join(f"{who} {_f(s)}" for who, s in zip(row["assessors"], row["scores"])) or tr("unscored")
            flag = " ⚑" if row["flagged"] else ""
            tb.add_row(iid, row["name_zh"] if lang == "zh" else row["name_en"], scores, _f(row["median"]),
                       _f(row["consensus_pct"]), str(row["points"]), fmt_points(row["score"]), _f(row["spread"]) + flag,
                       row["band"] or "—")
        con.print(tb)
        cats = "; ".join(f"{cid} {fmt_points(s)}/{p}" for cid, s, p in zip(r.categories.index, r.categories["score"],
                                                                  r.categories["points"]))
        con.print(tr("categories", categories=cats), markup=False)
        con.print(tr("total", total=fmt_points(r.total), max=r.framework.total_points, unscored=r.unscored_points),
                  markup=False)
        con.print(tr("assessment_rules"), markup=False)

    if a.client.table("objectives") is not None:
        con.print(f"[bold]{tr('strategy')}[/bold]")
        for f in a.strategy_warnings:
            con.print(f"  - {f.message}", markup=False)
        if not a.strategy_warnings:
            con.print(f"  {tr('none')}")
    if a.diagnosis is not None or a.client.table("whys") is not None:
        con.print(f"[bold]{tr('diagnosis')}[/bold]")
        con.print("  " + tr("root_causes", ids=", ".join(a.root_causes) or "—"), markup=False)
        if a.diagnosis is not None:
            pr = a.diagnosis["priority"]
            tops = ", ".join(f"{c} ({_f(pr.get(c))})" for c in a.top_causes) or "—"
            con.print("  " + tr("top_causes", ids=tops, total=_f(pr.sum(skipna=True))), markup=False)
    _print_judgement(a, con, tr)
    con.print(f"[bold]{tr('gaps')}[/bold]")
    for k in GAP_KEYS:
        con.print(f"  {tr('gap.' + k)}: {', '.join(a.gaps.get(k, [])) or '—'}", markup=False)
    if a.warnings:
        con.print(f"[bold]{tr('warnings')}[/bold]")
        for w in a.warnings:
            con.print(f"  - {w}", markup=False)


def _print_judgement(a: Analysis, con: Any, tr: Any) -> None:
    """Stage, readiness, key gaps, scorecard counts, priority actions and progress (scoring.md "Judgement")."""
    m = a.maturity
    if m is not None:
        con.print(f"[bold]{tr('maturity')}[/bold]")
        con.print("  " + tr("stage", stage=m.label, total=fmt_points(m.total), unscored=m.unscored_points),
                  markup=False)
        if m.target_score is not None:
            con.print("  " + tr("target", target=fmt_points(m.target_score), gap=fmt_points(m.gap)), markup=False)
        if a.readiness is not None and len(a.readiness):
            con.print("  " + tr("readiness", categories="; ".join(
                f"{c} +{fmt_points(n)}" for c, n in a.readiness["need"].round(2).items())), markup=False)
        if a.key_gaps is not None and len(a.key_gaps):
            con.print("  " + tr("key_gaps", items="; ".join(
                f"{i} −{fmt_points(r.lost)}" for i, r in a.key_gaps.iterrows())), markup=False)
    sc = a.scorecard
    if sc is not None:
        from workbench.intake.contract import PERSPECTIVE_LABELS

        per = ", ".join(f"{PERSPECTIVE_LABELS[p][a.lang]} {n}" for p, n in sc["perspectives"].items())
        con.print("  " + tr("scorecard", perspectives=per, total=sc["total"]), markup=False)
    if a.priority_actions:
        con.print("  " + tr("priority_actions", actions=", ".join(
            f"{x} ({fmt_score(a.action_priority.get(x))})" for x in a.priority_actions[:5])), markup=False)
    p = a.progress
    if p is not None:
        con.print("  " + tr("previous", period=p.period, delta=fmt_delta(p.delta, points=True)), markup=False)


def score_command(folder: str | os.PathLike[str], as_json: bool = False) -> int:
    """``workbench score FOLDER [--json]``: 0 when scored, 1 when the client has intake errors."""
    from workbench.intake.loading import check_client

    client, report = check_client(Path(folder))
    if client is None:
        print(report.format(), file=sys.stderr if as_json else sys.stdout)
        return 1
    a = analyse(client)
    if as_json:
        sys.stdout.write(to_json(results_document(a)))
    else:
        print_summary(a)
    return 0
