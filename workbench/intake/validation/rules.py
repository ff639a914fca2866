"""Cross-table rules of intake.md: references, trees, the strategy map, KPI method needs, weights, actuals,
and the v2 rules (linear order, Excel percentages, feedback dimensions, reviews, findings).

Every rule adds catalogue-coded, located issues through the :class:`~.tables.Checker`; nothing raises.
"""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from workbench.core.graph import find_cycles
from workbench.core.periods import PERIOD_EXAMPLES, is_period, normalise_period
from workbench.core.yesno import YESNO_CHOICES, parse_yesno
from workbench.intake import contract
from workbench.intake.frameworks import framework_item_ids, load_framework
from workbench.intake.methods import get_method
from workbench.intake.model import Profile
from workbench.intake.validation.cells import number_problem, parse_number, percent_text, text_of
from workbench.intake.validation.tables import ROW, Checker, has_refs, ids_of, ref_ids
from workbench.core.frames import records

__all__ = ["cross_table", "prepare_raw", "ADDRESSABLE", "is_percent_unit", "EXCEL_PCT_MAX", "WEIGHT_TOLERANCE"]

Reason = tuple[str, dict[str, object]]
CLIENT_YAML = "client.yaml"
WEIGHT_TOLERANCE = Decimal("0.01")  # intake.md: weights of one owner sum to 100 (±0.01)
EXCEL_PCT_MAX = 1.5
_PERCENT_UNITS = frozenset({"%", "％", "percent", "pct", "百分比", "百分率"})
_PCT_FIELDS = ("baseline", "threshold", "target", "stretch")

# Tables whose ids an ``addresses`` list may name (besides the framework's assessment items).
ADDRESSABLE: dict[str, tuple[tuple[str, str], ...]] = {
    "actions": (("causes", "cause_id"), ("kpis", "kpi_id"), ("objectives", "objective_id")),
    "findings": (("causes", "cause_id"), ("kpis", "kpi_id"), ("objectives", "objective_id"),
                 ("actions", "action_id")),
}


def is_percent_unit(unit: object) -> bool:
    return isinstance(unit, str) and unit.strip().lower() in _PERCENT_UNITS


# ---------------------------------------------------------------- before typing


def prepare_raw(ck: Checker, raw: dict[str, pd.DataFrame | None],
                percent_cells: dict[str, set[tuple[int, str]]] | None = None) -> None:
    """Forgiving where unambiguous, on the raw cells: Excel's date for a typed ``2026-09`` period, and in a
    ``%`` KPI ``85%`` typed as text or a number Excel shows as a percentage (read as 85, with a note)."""
    pcells = percent_cells or {}
    for name in ("actuals", "reviews"):
        df = raw.get(name)
        if df is not None and "period" in df.columns:
            vals = df["period"].tolist()
            if any(isinstance(v, (datetime, date)) for v in vals):
                df["period"] = pd.Series([f"{v.year:04d}-{v.month:02d}" if isinstance(v, (datetime, date))
                                          and v.day == 1 else v for v in vals], dtype=object, index=df.index)
    kpis = raw.get("kpis")
    if kpis is None or "unit" not in kpis.columns or "kpi_id" not in kpis.columns:
        return
    rows = kpis[ROW].tolist() if ROW in kpis.columns else list(range(2, len(kpis) + 2))
    pct_ids = set()
    for i, (k, unit) in enumerate(zip(kpis["kpi_id"].tolist(), kpis["unit"].tolist())):
        if not is_percent_unit(unit):
            continue
        if k is not None:
            pct_ids.add(text_of(k))
        for f in (*_PCT_FIELDS, "actual"):
            if f in kpis.columns:
                _percent_cell(ck, "kpis", kpis, i, f, rows[i], (rows[i], f) in pcells.get("kpis", ()))
    actuals = raw.get("actuals")
    if actuals is not None and pct_ids and {"kpi_id", "actual"} <= set(actuals.columns):
        arows = actuals[ROW].tolist() if ROW in actuals.columns else list(range(2, len(actuals) + 2))
        for i, k in enumerate(actuals["kpi_id"].tolist()):
            if text_of(k) in pct_ids:
                _percent_cell(ck, "actuals", actuals, i, "actual", arows[i],
                              (arows[i], "actual") in pcells.get("actuals", ()))


def _percent_cell(ck: Checker, table: str, df: pd.DataFrame, i: int, column: str, row: int,
                  percent_format: bool) -> None:
    v = df[column].iat[i]
    n = percent_text(v)
    code = "percent_read_as_number"
    if n is None and percent_format and isinstance(v, (int, float)) and not isinstance(v, bool):
        n, code, v = round(float(v) * 100, 9), "percent_format_read_as_number", text_of(float(v))
    if n is not None:
        df.iat[i, df.columns.get_loc(column)] = n
        ck.warning(table, code, row=row, column=column, value=v, number=text_of(n))


# ---------------------------------------------------------------- references


class Refs:
    """Reference checks that know whether the referenced table was supplied, read, or neither.

    - supplied and read: an id that does not resolve is an error on its cell;
    - not supplied (optional table absent or empty): one warning per referencing column, the references
      are ignored (intake.md: an absent table means "no data supplied", not a failure);
    - supplied but unreadable (or a required table/column missing): not checked, and said once per table,
      since every reference would only echo the one error already reported."""

    def __init__(self, ck: Checker, tables: dict[str, pd.DataFrame | None], broken: dict[str, Reason]):
        self.ck, self.tables, self.broken = ck, tables, broken
        self.unchecked: dict[str, list[str]] = defaultdict(list)  # broken target -> "table.column" not checked

    def check(self, table: str, column: str, target: str, target_col: str) -> None:
        df = self.tables[table]
        assert df is not None
        if not has_refs(df, column):
            return
        if target in self.broken:
            self.unchecked[target].append(f"{table}.{column}")
        elif self.tables[target] is None:
            self.ck.warning(table, "refs_table_absent", row=1, column=column, ref=f"{table}.{column}", target=target)
        else:
            self.ck.refs(table, df, column, ids_of(self.tables[target], target_col) or set(), f"{target}.{target_col}")

    def skipped(self, what: str, target: str) -> None:
        self.unchecked[target].append(what)

    def report(self) -> None:
        for target, cols in self.unchecked.items():
            params = {"target": target, "columns": ", ".join(cols), "reason": self.broken[target]}
            if target in contract.TABLES:
                self.ck.warning(target, "refs_not_checked", **params)
            else:  # "framework": the assessment items of an unknown framework
                self.ck.report.issue("warning", "refs_items_not_checked", params, file=CLIENT_YAML,
                                     column="framework")


def cross_table(ck: Checker, profile: Profile | None, t: dict[str, pd.DataFrame | None],
                broken: dict[str, Reason] | None = None) -> None:
    broken = dict(broken or {})
    problems, causes, whys = t["problems"], t["causes"], t["whys"]
    objectives, links, kpis = t["objectives"], t["links"], t["kpis"]
    actuals, assessment, actions = t["actuals"], t["assessment"], t["actions"]
    findings, feedback, reviews = t["findings"], t["feedback"], t["reviews"]
    del problems
    framework = profile.framework if profile else None
    framework_items = framework_item_ids(framework) if framework else None
    if framework_items is None:
        # client.yaml unreadable or its framework unknown (already an error there): the item ids are unknown
        broken["framework"] = (("broken_yaml", {}) if profile is None
                               else ("broken_framework", {"framework": repr(framework)}))
    item_ids = set(framework_items or ())
    refs = Refs(ck, t, broken)

    if causes is not None:
        refs.check("causes", "problem_id", "problems", "problem_id")
        refs.check("causes", "parent_cause_id", "causes", "cause_id")
        ck.tree("causes", causes, "cause_id", "parent_cause_id")
        if profile is not None:
            _check_categories(ck, profile, causes)
    if whys is not None:
        refs.check("whys", "problem_id", "problems", "problem_id")
        refs.check("whys", "cause_id", "causes", "cause_id")
        _check_whys(ck, whys)
    if links is not None:
        refs.check("links", "from_objective", "objectives", "objective_id")
        refs.check("links", "to_objective", "objectives", "objective_id")
        _check_links(ck, links, objectives)
    if kpis is not None:
        refs.check("kpis", "parent_kpi_id", "kpis", "kpi_id")
        refs.check("kpis", "objective_id", "objectives", "objective_id")
        ck.tree("kpis", kpis, "kpi_id", "parent_kpi_id")
        _check_method_needs(ck, kpis)
        _check_weights(ck, kpis)
    if objectives is not None:
        _check_strategy_map(ck, objectives, links, kpis)
    if actuals is not None:
        refs.check("actuals", "kpi_id", "kpis", "kpi_id")
        _check_actuals(ck, profile, actuals, kpis if "kpis" not in broken else None)
    if assessment is not None and has_refs(assessment, "item_id"):
        if "framework" in broken:
            refs.skipped("assessment.item_id", "framework")
        else:
            ck.refs("assessment", assessment, "item_id", item_ids, f"the items of framework {framework}")
    if actions is not None:
        _check_action_dates(ck, actions)
        _check_addresses(ck, refs, t, item_ids, "actions")
    if kpis is not None:
        _check_excel_percentages(ck, kpis, actuals if "kpis" not in broken else None)
    if findings is not None:
        _check_addresses(ck, refs, t, item_ids, "findings")
    if feedback is not None and has_refs(feedback, "item_id"):
        if "framework" in broken:
            refs.skipped("feedback.item_id", "framework")
        else:
            ck.refs("feedback", feedback, "item_id", item_ids, f"the items of framework {framework}")
            _check_feedback(ck, profile, feedback)
    if reviews is not None:
        _check_reviews(ck, refs, t)
    refs.report()


def _check_addresses(ck: Checker, refs: Refs, t: dict[str, pd.DataFrame | None], item_ids: set[str],
                     table: str) -> None:
    """``<table>.addresses`` names ids of other tables or assessment items: checked only when every table
    it could point into was read; ids that could be in a table not supplied make one warning, not errors."""
    df = t[table]
    assert df is not None
    if not has_refs(df, "addresses"):
        return
    targets = ADDRESSABLE[table]
    unread = [n for n, _ in targets if n in refs.broken] + (["framework"] if "framework" in refs.broken else [])
    if unread:
        for n in unread:
            refs.skipped(f"{table}.addresses", n)
        return
    known = set(item_ids) | (ids_of(t["assessment"], "item_id") or set())
    for n, col in targets:
        known |= ids_of(t[n], col) or set()
    absent = [n for n, _ in targets if t[n] is None]
    if not absent:
        what = ", ".join(n for n, _ in targets) + " or assessment items"
        ck.refs(table, df, "addresses", known, what)
        return
    unknown = sorted({str(one) for v in df["addresses"].tolist() for one in ref_ids(v) if one not in known})
    if unknown:
        ck.warning(table, "addresses_table_absent", row=1, column="addresses", name=table, ids=", ".join(unknown),
                   absent=" or ".join(absent))


# ---------------------------------------------------------------- diagnosis


def _check_categories(ck: Checker, profile: Profile, causes: pd.DataFrame) -> None:
    if not profile.fishbone_categories:
        return  # fishbone_categories in client.yaml is bad (reported there): nothing to check against
    lookup: dict[str, str] = {}
    for c in profile.fishbone_categories:
        for label in (c.key, c.en, c.zh):
            lookup.setdefault(label.strip().lower(), c.key)
    allowed = ", ".join(f"{c.en}/{c.zh}" if c.en != c.zh else c.en for c in profile.fishbone_categories)
    out = []
    for r, v in zip(causes[ROW].tolist(), causes["category"].tolist()):
        if v is None:
            out.append(None)
            continue
        key = lookup.get(str(v).strip().lower())
        if key is None:
            ck.error("causes", "unknown_category", row=r, column="category", value=v, choices=allowed)
        out.append(key if key is not None else v)
    causes["category"] = pd.Series(out, dtype=object, index=causes.index)  # canonical category key


def _check_whys(ck: Checker, whys: pd.DataFrame) -> None:
    chains: dict[str, list[tuple[int, float, object, bool]]] = defaultdict(list)
    for r, chain, step, prob, root in zip(whys[ROW].tolist(), whys["chain_id"].tolist(), whys["step"].tolist(),
                                          whys["problem_id"].tolist(), whys["root_cause"].tolist()):
        if chain is not None:
            chains[chain].append((r, step, prob, bool(root)))
    for chain, rows in chains.items():
        first_row = min(r for r, *_ in rows)
        steps = sorted({int(s) for _, s, _, _ in rows if not math.isnan(s)})
        if steps and steps != list(range(1, len(steps) + 1)):
            ck.error("whys", "why_steps", row=first_row, column="step", value=chain, chain=repr(chain),
                     steps=", ".join(map(str, steps)))
        probs = sorted({p for _, _, p, _ in rows if p is not None})
        if len(probs) > 1:
            ck.error("whys", "why_mixed_problems", row=first_row, column="problem_id", value=chain,
                     chain=repr(chain), problems=", ".join(probs))
        roots = sorted(r for r, _, _, root in rows if root)
        for r in roots[1:]:
            ck.error("whys", "why_two_roots", row=r, column="root_cause", value=chain, chain=repr(chain),
                     first=roots[0])


# ---------------------------------------------------------------- strategy


def _check_links(ck: Checker, links: pd.DataFrame, objectives: pd.DataFrame | None) -> None:
    edges: dict[str, list[str]] = defaultdict(list)
    row_of_edge: dict[tuple[str, str], int] = {}
    for r, a, b in zip(links[ROW].tolist(), links["from_objective"].tolist(), links["to_objective"].tolist()):
        if a is None or b is None:
            continue
        edges[a].append(b)
        row_of_edge.setdefault((a, b), r)
    for cycle in find_cycles(edges):
        closed = [*cycle, cycle[0]]
        text = " → ".join(closed)
        row = min(row_of_edge[(closed[k], closed[k + 1])] for k in range(len(cycle)))
        ck.error("links", "links_cycle", row=row, column="from_objective", value=text, cycle=text)
    if objectives is None:
        return
    persp = dict(zip(objectives["objective_id"].tolist(), objectives["perspective"].tolist()))
    rank = {p: i for i, p in enumerate(reversed(contract.PERSPECTIVES))}  # learning 0 … financial 3
    for r, a, b in zip(links[ROW].tolist(), links["from_objective"].tolist(), links["to_objective"].tolist()):
        pa, pb = persp.get(a), persp.get(b)
        if pa in rank and pb in rank and rank[pa] > rank[pb]:
            ck.warning("links", "link_runs_down", row=r, column="to_objective", value=f"{a} → {b}", a=a, b=b, pa=pa,
                       pb=pb)


def _check_strategy_map(ck: Checker, objectives: pd.DataFrame, links: pd.DataFrame | None,
                        kpis: pd.DataFrame | None) -> None:
    ids = objectives["objective_id"].tolist()
    rows = objectives[ROW].tolist()
    if links is None:
        if ids:
            ck.warning("objectives", "no_links_table")
    else:
        linked = set(links["from_objective"].tolist()) | set(links["to_objective"].tolist())
        for r, o in zip(rows, ids):
            if o is not None and o not in linked:
                ck.warning("objectives", "objective_no_link", row=r, column="objective_id", value=o, objective=o)
    if kpis is None:
        return
    measured = set(kpis["objective_id"].tolist())
    for r, o in zip(rows, ids):
        if o is not None and o not in measured:
            ck.warning("objectives", "objective_no_kpi", row=r, column="objective_id", value=o, objective=o)
    # Scorecard size (Kaplan & Norton): counted over top-level KPIs linked to an objective, so that
    # KPIs cascaded to departments (which have a parent) do not inflate the company scorecard.
    persp = dict(zip(ids, objectives["perspective"].tolist()))
    counts = dict.fromkeys(contract.PERSPECTIVES, 0)
    for o, parent in zip(kpis["objective_id"].tolist(), kpis["parent_kpi_id"].tolist()):
        if o is not None and parent is None and persp.get(o) in counts:
            counts[persp[o]] += 1
    if not any(counts.values()):
        return
    for p, n in counts.items():
        if not 4 <= n <= 7:
            ck.warning("kpis", "perspective_kpi_count", column="objective_id", value=n, perspective=p, n=n)
    total = sum(counts.values())
    if not 16 <= total <= 25:
        ck.warning("kpis", "scorecard_kpi_count", column="objective_id", value=total, n=total)


# ---------------------------------------------------------------- KPIs


def _check_method_needs(ck: Checker, kpis: pd.DataFrame) -> None:
    """Fields each KPI's method needs (the method registry), and the method's own row check."""
    for row in records(kpis):
        r, k, m = row[ROW], row["kpi_id"], row["method"]
        method = get_method(m) if m else None
        if method is None:
            continue
        for f in method.needs:
            v = row.get(f)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                ck.error("kpis", "method_needs_field", row=r, column=f, kpi=k, method=m, field=f)
        if method.check_row is not None:
            for code, column, params in method.check_row(row):
                ck.error("kpis", code, row=r, column=column, value=text_of(row.get(column)), kpi=k, method=m,
                         **params)


def _check_weights(ck: Checker, kpis: pd.DataFrame) -> None:
    """One owner's weights sum to 100 ± 0.01, compared in Decimal from the values as typed (no float drift:
    99.99 and 100.01 pass). Weights that sum to 1 were typed as percentages: say what they meant."""
    groups: dict[tuple[object, str], list[tuple[int, float]]] = defaultdict(list)
    for r, unit, owner, w in zip(kpis[ROW].tolist(), kpis["owner_unit"].tolist(), kpis["owner"].tolist(),
                                 kpis["weight"].tolist()):
        if unit is None:
            continue
        groups[(unit, owner or "")].append((r, w))
    for (unit, owner), rows in groups.items():
        if any(math.isnan(w) for _, w in rows):
            continue  # an empty or bad weight is already reported on its row
        total = sum((Decimal(repr(float(w))) for _, w in rows), Decimal(0))
        if abs(total - 100) <= WEIGHT_TOLERANCE:
            continue
        who = f"{unit}/{owner}" if owner else f"{unit}"
        shown = text_of(float(round(total, 4)))
        rws = ", ".join(str(r) for r, _ in rows)
        if abs(total - 1) <= WEIGHT_TOLERANCE / 100:
            meant = "/".join(text_of(float(Decimal(repr(float(w))) * 100)) or "" for _, w in rows)
            ck.error("kpis", "weights_as_fractions", row=rows[0][0], column="weight", value=float(shown or 0),
                     owner=who, total=shown, rows=rws, meant=meant)
        else:
            ck.error("kpis", "weights_sum", row=rows[0][0], column="weight", value=float(shown or 0), owner=who,
                     total=shown, rows=rws)


def _normalise_periods(ck: Checker, table: str, df: pd.DataFrame) -> list[object]:
    periods: list[object] = []
    for r, p in zip(df[ROW].tolist(), df["period"].tolist()):
        raw = p
        if isinstance(p, str):
            p = normalise_period(p)
        if p is not None and not is_period(p):
            ck.error(table, "expected_period", row=r, column="period", value=raw, examples=PERIOD_EXAMPLES)
        periods.append(p)
    df["period"] = pd.Series(periods, dtype=object, index=df.index)
    return periods


def _check_actuals(ck: Checker, profile: Profile | None, actuals: pd.DataFrame, kpis: pd.DataFrame | None) -> None:
    methods = dict(zip(kpis["kpi_id"].tolist(), kpis["method"].tolist())) if kpis is not None else {}
    grades = profile.grades if profile else None  # None: client.yaml unreadable, its grades unknown
    # Grades match regardless of case and become the key as the client wrote it ("good" → "Good").
    grade_of = {str(g).casefold(): g for g in grades} if grades is not None else {}
    periods = _normalise_periods(ck, "actuals", actuals)
    out: list[object] = []
    for r, k, v in zip(actuals[ROW].tolist(), actuals["kpi_id"].tolist(), actuals["actual"].tolist()):
        m = methods.get(k)
        method = get_method(m) if m else None
        if v is None or method is None:
            out.append(v)
            continue
        if method.actual == "grade":
            text = text_of(v) or ""
            g = grade_of.get(text.casefold())
            if g is None and grades is not None:
                ck.error("actuals", "actual_expected_grade", row=r, column="actual", value=v, kpi=k,
                         grades=", ".join(grades))
            out.append(text if g is None else g)
        elif method.actual == "yesno":
            b = parse_yesno(v)
            if b is None:
                ck.error("actuals", "actual_expected_yesno", row=r, column="actual", value=v, kpi=k,
                         choices=YESNO_CHOICES)
            out.append(b)
        else:
            f = parse_number(v)
            if f is None:
                pct = percent_text(v)
                if pct is not None:
                    ck.error("actuals", "actual_percent_not_pct_kpi", row=r, column="actual", value=v, kpi=k,
                             method=m, number=text_of(pct))
                else:
                    ck.error("actuals", "actual_expected_number", row=r, column="actual", value=v, kpi=k, method=m)
            elif number_problem(f):
                code, params = number_problem(f)  # type: ignore[misc]
                ck.error("actuals", code, row=r, column="actual", value=v, **params)
                f = None
            elif method.actual == "count" and f < 0:
                ck.error("actuals", "actual_expected_count", row=r, column="actual", value=v, kpi=k, method=m)
            out.append(f)
    actuals["actual"] = pd.Series(out, dtype=object, index=actuals.index)
    if profile is not None and profile.period and len(actuals) and profile.period not in set(periods):
        ck.warning("actuals", "no_actuals_for_period", period=profile.period)


def _check_excel_percentages(ck: Checker, kpis: pd.DataFrame, actuals: pd.DataFrame | None) -> None:
    """A value typed as 90% in Excel is stored as 0.9: in a ``%`` KPI whose other values are above 1.5, a value
    between 0 and 1.5 is most likely that, so say which cell and what it probably meant."""
    cells: dict[str, list[tuple[str, int, str, float]]] = defaultdict(list)  # kpi -> (table, row, column, value)
    pct_kpis: set[str] = set()
    fields = {f: kpis[f].tolist() for f in _PCT_FIELDS}
    for i, (r, k, unit) in enumerate(zip(kpis[ROW].tolist(), kpis["kpi_id"].tolist(), kpis["unit"].tolist())):
        if k is None or not is_percent_unit(unit):
            continue
        pct_kpis.add(k)
        for f in _PCT_FIELDS:
            v = float(fields[f][i])
            if not math.isnan(v):
                cells[k].append(("kpis", r, f, v))
    if actuals is not None:
        for r, k, v in zip(actuals[ROW].tolist(), actuals["kpi_id"].tolist(), actuals["actual"].tolist()):
            if k in pct_kpis and isinstance(v, float) and not math.isnan(v):
                cells[k].append(("actuals", r, "actual", float(v)))
    for k, vals in cells.items():
        for table, r, col, v in vals:
            if not 0 < v <= EXCEL_PCT_MAX:
                continue
            others = [o for (_, _, c2, o) in vals if not (c2 == col and o == v)]
            if others and all(o > EXCEL_PCT_MAX for o in others):
                ck.warning(table, "excel_percentage", row=r, column=col, value=v, kpi=k, v=text_of(v),
                           likely=text_of(round(v * 100, 6)))


# ---------------------------------------------------------------- plan, assessment, v2 tables


def _check_action_dates(ck: Checker, actions: pd.DataFrame) -> None:
    for r, a, start, due in zip(actions[ROW].tolist(), actions["action_id"].tolist(), actions["start"].tolist(),
                                actions["due"].tolist()):
        if pd.notna(start) and pd.notna(due) and start > due:
            ck.error("actions", "action_start_after_due", row=r, column="start", value=start.date().isoformat(),
                     action=a, start=start.date().isoformat(), due=due.date().isoformat())


def _check_feedback(ck: Checker, profile: Profile | None, feedback: pd.DataFrame) -> None:
    """``dimension`` must fit the item: the codes of its lens (A/D/L/I for 4.1-4.6, Le/T/C/I for 4.7)."""
    if profile is None or framework_item_ids(profile.framework) is None:
        return
    fw = load_framework(profile.framework)
    lens_of = {i.id: i.lens for i in fw.items}
    for r, item, dim in zip(feedback[ROW].tolist(), feedback["item_id"].tolist(), feedback["dimension"].tolist()):
        lens = lens_of.get(item)
        if dim is None or lens is None:
            continue
        codes = fw.dimension_codes(lens)
        if dim not in codes:
            ck.error("feedback", "dimension_misfit", row=r, column="dimension", value=dim, dim=dim, item=item,
                     lens=fw.lens_name(lens, "en"), lens_zh=fw.lens_name(lens, "zh"), choices=", ".join(codes))


def _check_reviews(ck: Checker, refs: Refs, t: dict[str, pd.DataFrame | None]) -> None:
    """A review explains the actual of a KPI in a period: that actual must exist."""
    reviews = t["reviews"]
    assert reviews is not None
    refs.check("reviews", "kpi_id", "kpis", "kpi_id")
    _normalise_periods(ck, "reviews", reviews)
    actuals = t["actuals"]
    if "actuals" in refs.broken:
        refs.skipped("reviews.period", "actuals")
        return
    if actuals is None:
        ck.warning("reviews", "reviews_no_actuals", row=1, column="period")
        return
    have = set(zip(actuals["kpi_id"].tolist(), actuals["period"].tolist()))
    for r, k, p in zip(reviews[ROW].tolist(), reviews["kpi_id"].tolist(), reviews["period"].tolist()):
        if k is not None and p is not None and (k, p) not in have:
            ck.error("reviews", "review_without_actual", row=r, column="period", value=p, kpi=k, period=p)
