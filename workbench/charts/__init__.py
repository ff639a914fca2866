"""Charts of the deliverable: each function takes data (DataFrames + ``lang``) and returns a matplotlib Figure.

Thin ``*_for(analysis)`` wrappers read the frames from a `workbench.analysis.Analysis`. `to_png` turns a figure
into PNG bytes (and closes it). All charts share `style` (palette, `STATUS_COLOURS`, fonts: `apply_style`).
"""
from __future__ import annotations

from workbench.charts.fishbone import fishbone, fishbone_for
from workbench.charts.render import to_png
from workbench.charts.style import ACTION_COLOURS, STATUS_COLOURS, STATUS_FILLS, apply_style

__all__ = [
    "ACTION_COLOURS", "STATUS_COLOURS", "STATUS_FILLS", "apply_style", "fishbone", "fishbone_for", "to_png",
]
