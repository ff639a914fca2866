"""Charts of the deliverable: each function takes data (DataFrames + ``lang``) and returns a lazy `Chart`.

A `Chart` is drawn only when needed: ``chart.svg()`` comes from the chart cache when its inputs and the chart code
are unchanged (`cache`), ``chart.figure`` is the matplotlib Figure. Thin ``*_for(analysis)`` wrappers read the frames
from a `workbench.analysis.analyse.Analysis`. `to_svg` / `to_png` encode a figure (and close it). All charts share
`style` (palette, status colours from `workbench.core.status`, fonts: `apply_style`).
"""
from __future__ import annotations

from workbench.deliverable.charts.assessment import assessment_heatmap, assessment_heatmap_for, assessment_radar, assessment_radar_for
from workbench.deliverable.charts.diagnosis import impact_effort, impact_effort_for, pareto, pareto_for
from workbench.deliverable.charts.fishbone import fishbone, fishbone_for
from workbench.deliverable.charts.fonts import CJKFontMissing
from workbench.deliverable.charts.kpi_tree import kpi_tree, kpi_trees_for
from workbench.deliverable.charts.plan import gantt, gantt_for
from workbench.deliverable.charts.cache import Chart, chart
from workbench.deliverable.charts.render import to_png, to_svg
from workbench.deliverable.charts.strategy_map import strategy_map, strategy_map_for
from workbench.deliverable.charts.style import ACTION_COLOURS, STATUS_COLOURS, STATUS_FILLS, apply_style
from workbench.deliverable.charts.trends import contract_trends, contract_trends_for, kpi_trend_pages, kpi_trends, kpi_trends_for

__all__ = [
    "ACTION_COLOURS", "CJKFontMissing", "Chart", "chart", "STATUS_COLOURS", "STATUS_FILLS", "apply_style", "assessment_heatmap",
    "assessment_heatmap_for", "assessment_radar", "assessment_radar_for", "contract_trends", "contract_trends_for",
    "fishbone", "fishbone_for", "gantt", "gantt_for", "impact_effort", "impact_effort_for", "kpi_tree", "kpi_trees_for",
    "kpi_trend_pages", "kpi_trends", "kpi_trends_for", "pareto", "pareto_for", "strategy_map", "strategy_map_for", "to_png", "to_svg",
]
