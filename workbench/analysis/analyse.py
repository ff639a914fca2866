"""``analyse(client) -> Analysis``: every score of a client, computed once (docs/architecture.md).

Runs, in order: the KPI roll-up for ``profile.period`` and every period in actuals (rollup.py), objective and
perspective scores, the self-assessment (assessment.py), the strategy-map checks (strategy.py), the diagnosis
(diagnosis.py) and the plan gaps (plan.py). An absent table leaves its fields None (or empty lists) instead of
failing. ``warnings`` holds, in the client's language, what the analysis itself found (actuals that could not be
scored, assessment items unknown to the framework, 5-Why root causes not linked to a fishbone cause, an unknown
framework) followed by the intake warnings, minus the strategy-map ones that ``strategy_warnings`` already holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from workbench.analysis import actions as _actions
from workbench.analysis import diagnosis as _diagnosis
from workbench.analysis import maturity as _maturity
from workbench.analysis import plan as _plan
from workbench.analysis import progress as _progress
from workbench.analysis import review as _review
from workbench.analysis.assessment import AssessmentResult, assess
from workbench.core.i18n import t
from workbench.intake.frameworks import DEFAULT_FRAMEWORK
from workbench.intake.model import Client, Issue
from workbench.analysis.rollup import objective_scores, perspective_scores, rollup
from workbench.analysis.strategy import Finding, check_strategy
from workbench.core.frames import records

__all__ = ["Analysis", "analyse"]


@dataclass
class Analysis:
    """All scores of one client as DataFrames (field meanings: docs/architecture.md, "Analysis")."""

    client: Client
    kpis: pd.DataFrame | None
    kpi_history: pd.DataFrame | None
    contracts: pd.DataFrame | None
    contract_history: pd.DataFrame | None
    objectives: pd.DataFrame | None
    perspectives: pd.DataFrame | None
    assessment: AssessmentResult | None
    strategy_warnings: list[Finding] = field(default_factory=list)
    diagnosis: pd.DataFrame | None = None
    root_causes: list[str] = field(default_factory=list)
    top_causes: list[str] = field(default_factory=list)
    gaps: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    # Derived views, computed on first use (not part of the field contract).
    @property
    def lang(self) -> str:
        return self.client.lang

    @property
    def period(self) -> str:
        return self.client.profile.period

    @cached_property
    def why_chains(self) -> pd.DataFrame | None:
        """One row per 5-Why chain (diagnosis.why_chains)."""
        return _diagnosis.why_chains(self.client.table("whys"))

    @cached_property
    def unlinked_root_chains(self) -> list[str]:
        return _diagnosis.unlinked_root_chains(self.client.table("whys"))

    @cached_property
    def carried_over(self) -> pd.DataFrame | None:
        """Deferred actions (plan.carried_over)."""
        return _plan.carried_over(self.client.table("actions"))

    @cached_property
    def actions_by_owner(self) -> pd.DataFrame | None:
        return _plan.actions_by_owner(self.client.table("actions"), self.client.profile.period_end)

    # ---- Judgement (v2, scoring.md): what the deliverable concludes
    def setting(self, key: str) -> Any:
        """A client.yaml key: a Profile attribute, else the profile's extra keys (v2 keys on a v1 Profile)."""
        prof = self.client.profile
        value = getattr(prof, key, None)
        return (getattr(prof, "extra", None) or {}).get(key) if value is None else value

    @cached_property
    def maturity(self) -> _maturity.Maturity | None:
        """Stage and target gap of the self-assessment total (None without an assessment)."""
        r = self.assessment
        if r is None:
            return None
        return _maturity.maturity(r.total, r.unscored_points, r.framework.edition, self.setting("target_score"),
                                  self.lang, r.framework.total_points)

    @cached_property
    def readiness(self) -> pd.DataFrame | None:
        r = self.assessment
        if r is None:
            return None
        return _maturity.readiness(r.categories, self.setting("target_score"), r.framework.total_points)

    @cached_property
    def key_gaps(self) -> pd.DataFrame | None:
        return None if self.assessment is None else _maturity.key_gaps(self.assessment.items)

    @cached_property
    def action_priority(self) -> dict[str, float]:
        items = None if self.assessment is None else self.assessment.items
        return _actions.priorities(self.client.table("actions"), self.diagnosis, self.kpis, items)

    @cached_property
    def priority_actions(self) -> list[str]:
        return _actions.priority_actions(self.client.table("actions"), self.action_priority,
                                         self.gaps.get("overdue_actions", []))

    @cached_property
    def smart_warnings(self) -> dict[str, list[str]]:
        acts = self.client.table("actions")
        if acts is None:
            return {}
        return {str(r["action_id"]): _actions.smart_warnings(r) for r in records(acts)}

    @cached_property
    def action_effects(self) -> dict[str, dict[str, dict[str, Any]] | None]:
        ids = [] if self.kpis is None else list(self.kpis.index)
        return _actions.action_effects(self.client.table("actions"), self.kpi_history, ids, self.period)

    @cached_property
    def review(self) -> pd.DataFrame | None:
        """The quarterly review rows (review.quarterly_review)."""
        return _review.quarterly_review(self.kpis, self.client.table("reviews"), self.period)

    @cached_property
    def scorecard(self) -> dict[str, Any] | None:
        return _review.scorecard_counts(self.client.table("kpis"), self.client.table("objectives"))

    @cached_property
    def problem_kpis(self) -> dict[str, list[str]]:
        c = self.client
        return _review.problem_kpis(self.kpis, c.table("problems"), c.table("causes"),
                                    [c.table("findings"), c.table("actions")])

    @cached_property
    def contradictions(self) -> list[_review.Contradiction]:
        return _review.contradictions(self.contracts, self.kpis, self.objectives, self.problem_kpis)

    @cached_property
    def history(self) -> list[dict[str, Any]]:
        """Earlier rounds' results.json documents (``Client.history``, validated by intake), chronological."""
        docs = getattr(self.client, "history", None) or {}
        return _progress.read_history_docs(list(docs.values()) if isinstance(docs, dict) else list(docs))

    @cached_property
    def progress(self) -> _progress.Progress | None:
        return _progress.progress_since(self.history, self.period, self.assessment, self.kpis, self.contracts,
                                        self.client.table("actions"))


def _is_strategy_issue(issue: Issue) -> bool:
    """Intake warnings that strategy.check_strategy re-derives (kept once, in strategy_warnings)."""
    if issue.sheet in ("objectives", "links"):
        return True
    return issue.sheet == "kpis" and issue.column == "objective_id" and issue.row is None


def analyse(client: Client) -> Analysis:
    """Run every analysis once (module docstring)."""
    prof = client.profile
    lang = client.lang
    warnings: list[str] = []
    kpis_t, actuals_t = client.table("kpis"), client.table("actuals")

    kpis = kpi_history = contracts = contract_history = objectives = perspectives = None
    if kpis_t is not None:
        r = rollup(kpis_t, actuals_t, prof.period, prof.grades or None, prof.missing_actuals or "exclude")
        kpis, kpi_history, contracts, contract_history = r.kpis, r.kpi_history, r.contracts, r.contract_history
        for kid, per, reason in r.unscorable:
            warnings.append(t("scoring.warning.unscorable", lang, kpi=kid, period=per, reason=reason))
        objectives = objective_scores(kpis, client.table("objectives"))
        perspectives = perspective_scores(objectives)

    assessment = None
    if client.table("assessment") is not None:
        try:
            assessment = assess(client.table("assessment"), prof.framework or DEFAULT_FRAMEWORK)
        except ValueError as exc:
            warnings.append(t("scoring.warning.framework", lang, error=str(exc)))
        else:
            for iid in assessment.unknown_items:
                warnings.append(t("scoring.warning.unknown_item", lang, item=iid, framework=assessment.framework.edition))

    strategy_warnings = check_strategy(client.table("objectives"), client.table("links"), kpis_t, lang)

    whys = client.table("whys")
    causes = _diagnosis.analyse_causes(client.table("causes"), whys)
    roots = _diagnosis.root_causes(whys)
    tops = _diagnosis.top_causes(causes) if causes is not None else []
    for ch in _diagnosis.unlinked_root_chains(whys):
        warnings.append(t("scoring.warning.unlinked_root", lang, chain=ch))

    gaps = _plan.gaps(kpis, roots, client.table("actions"), prof.period_end)
    gaps["red_kpis_without_review"] = _review.red_kpis_without_review(
        _review.quarterly_review(kpis, client.table("reviews"), prof.period))
    warnings.extend(i.line(lang) for i in client.warnings if not _is_strategy_issue(i))
    return Analysis(client=client, kpis=kpis, kpi_history=kpi_history, contracts=contracts,
                    contract_history=contract_history, objectives=objectives, perspectives=perspectives,
                    assessment=assessment, strategy_warnings=strategy_warnings, diagnosis=causes,
                    root_causes=roots, top_causes=tops, gaps=gaps, warnings=warnings)
