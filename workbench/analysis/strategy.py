"""Strategy-map checks (docs/intake.md, cross-table warnings), reported as findings in the client's language.

Codes (``Finding.code``) and what triggers them:

- ``no_link``: an objective that appears in no link (neither cause nor effect). refs: (objective_id,)
- ``link_down``: a link whose cause sits higher in the perspective order than its effect
  (order, effect ← cause: financial ← customer ← process ← learning; same-perspective links are fine).
  refs: (from_objective, to_objective)
- ``no_kpi``: an objective no KPI is linked to. refs: (objective_id,)
- ``perspective_kpis``: a perspective whose KPI count is outside 4-7. refs: (perspective,)
- ``total_kpis``: a scorecard whose KPI count is outside 16-25. refs: ()
- ``link_cycle``: links forming a cycle (an intake error; reported here too so nothing breaks). refs: the cycle.

"Has a KPI" means any KPI (company or cascaded) names the objective. The scorecard size counts the company
scorecard (scoring.md v2): KPIs with ``owner_level`` company (the default) linked to an objective, per perspective
of that objective, so KPIs cascaded to divisions and departments do not inflate it; the size checks are skipped
when no company KPI is linked at all (``no_kpi`` already says so). Links or KPIs naming unknown objectives are skipped (intake errors).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.intake.contract import PERSPECTIVE_LABELS, PERSPECTIVES
from workbench.core.i18n import t
from workbench.core.graph import find_cycles as _find_cycles
from workbench.core.missing import is_missing

__all__ = ["Finding", "check_strategy", "find_cycles", "PERSPECTIVE_KPI_RANGE", "TOTAL_KPI_RANGE"]

PERSPECTIVE_KPI_RANGE = (4, 7)
TOTAL_KPI_RANGE = (16, 25)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    refs: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


def find_cycles(edges: list[tuple[str, str]]) -> list[list[str]]:
    """Elementary cycles of the links (each reported once, as the node sequence): `workbench.core.graph`."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    return _find_cycles(graph)


def _plabel(p: str, lang: str) -> str:
    return PERSPECTIVE_LABELS.get(p, {}).get(lang, p)


def check_strategy(objectives: pd.DataFrame | None, links: pd.DataFrame | None, kpis: pd.DataFrame | None,
                   lang: str = "zh") -> list[Finding]:
    """Every strategy-map finding (module docstring), messages in ``lang``. No objectives table → []."""
    if objectives is None or len(objectives) == 0:
        return []
    obj_ids = [str(o) for o in objectives["objective_id"]]
    persp = dict(zip(obj_ids, objectives["perspective"]))
    rank = {p: i for i, p in enumerate(PERSPECTIVES)}
    out: list[Finding] = []
    edges: list[tuple[str, str]] = []
    if links is not None and len(links):
        edges = [(str(a), str(b)) for a, b in zip(links["from_objective"], links["to_objective"])
                 if str(a) in persp and str(b) in persp]
    linked = {n for e in edges for n in e}
    for o in obj_ids:
        if o not in linked:
            out.append(Finding("no_link", t("scoring.strategy.no_link", lang, objective=o), (o,)))
    for a, b in edges:
        ra, rb = rank.get(persp[a], -1), rank.get(persp[b], -1)
        if ra >= 0 and rb >= 0 and ra < rb:
            out.append(Finding("link_down", t("scoring.strategy.link_down", lang, source=a, target=b,
                                              source_perspective=_plabel(persp[a], lang),
                                              target_perspective=_plabel(persp[b], lang)), (a, b)))
    for cyc in find_cycles(edges):
        out.append(Finding("link_cycle", t("scoring.strategy.link_cycle", lang,
                                           cycle=" → ".join([*cyc, cyc[0]])), tuple(cyc)))
    # KPI counts: any linked KPI satisfies "has a KPI"; the scorecard size counts company KPIs only.
    measured: set[str] = set()
    per_obj: dict[str, int] = {o: 0 for o in obj_ids}
    if kpis is not None and len(kpis) and "objective_id" in kpis.columns:
        levels = kpis["owner_level"] if "owner_level" in kpis.columns else [None] * len(kpis)
        for obj, level in zip(kpis["objective_id"], levels):
            if is_missing(obj) or str(obj) not in per_obj:
                continue
            measured.add(str(obj))
            if is_missing(level) or str(level) == "company":
                per_obj[str(obj)] += 1
    for o in obj_ids:
        if o not in measured:
            out.append(Finding("no_kpi", t("scoring.strategy.no_kpi", lang, objective=o), (o,)))
    if not any(per_obj.values()):
        return out
    lo, hi = PERSPECTIVE_KPI_RANGE
    total = 0
    for p in PERSPECTIVES:
        n = sum(per_obj[o] for o in obj_ids if persp[o] == p)
        total += n
        if not lo <= n <= hi:
            out.append(Finding("perspective_kpis", t("scoring.strategy.perspective_kpis", lang,
                                                     perspective=_plabel(p, lang), count=n, low=lo, high=hi), (p,)))
    lo, hi = TOTAL_KPI_RANGE
    if not lo <= total <= hi:
        out.append(Finding("total_kpis", t("scoring.strategy.total_kpis", lang, count=total, low=lo, high=hi), ()))
    return out
