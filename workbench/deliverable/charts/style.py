"""One visual style for every chart: palette, status colours, font sizes, A4 widths, font setup.

`STATUS_COLOURS` (hex) keys are the ``band`` values of the analysis (``good`` ≥100, ``ok`` 60-100,
``bad`` <60, ``none`` unscored); HTML tables use the same dicts so a cell and a bar agree.
"""
from __future__ import annotations

import matplotlib as mpl
from matplotlib.figure import Figure

from workbench.deliverable.charts.fonts import cjk_family
from workbench.analysis.rollup import band as _band

# --- palette -------------------------------------------------------------------------------------------
NAVY = "#1F3A5F"        # primary: spines, bones, headings
NAVY_LIGHT = "#DCE4EE"
TEAL = "#2A7F8E"        # secondary series
INK = "#222831"         # body text
MUTED = "#6B7280"       # secondary text, axes
GRID = "#E5E7EB"
PAPER = "#FFFFFF"
ROOT = "#B4232A"        # root cause (5-Why)
TOP = "#D97706"         # top-priority cause
WARN = "#E8A317"        # strategy-map warning triangle

STATUS_COLOURS: dict[str, str] = {
    "good": "#2E7D32",   # ≥ 100: target met
    "ok": "#E0A100",     # 60-100
    "bad": "#C62828",    # < 60
    "none": "#9AA0A6",   # unscored / no data
}
# Light tints of the status colours for box fills and table cells (text stays INK on them).
STATUS_FILLS: dict[str, str] = {
    "good": "#DCEFDC",
    "ok": "#FCEFC7",
    "bad": "#F8D7D7",
    "none": "#EEEFF1",
}
# Action status (improvement plan).
ACTION_COLOURS: dict[str, str] = {
    "planned": "#8DA9C4",
    "in_progress": "#2F6DB5",
    "done": "#2E7D32",
    "deferred": "#A8A8A8",
}
# Categorical series (themes, contracts); colour-blind safe-ish, muted for print.
SERIES: tuple[str, ...] = ("#2F6DB5", "#D97706", "#2A7F8E", "#8E44AD", "#C0392B", "#5D6D7E", "#7CB342",
                           "#B7950B", "#1ABC9C", "#AD1457")

# --- sizes (points) ------------------------------------------------------------------------------------
FS_TITLE = 12.0
FS_LABEL = 9.0
FS_SMALL = 8.0
FS_TINY = 7.0
# Figure widths in inches: the deliverable's A4 portrait text width, and landscape for wide charts.
A4_WIDTH = 7.5
A4_WIDE = 10.0
DPI = 120


def band_of(score: float | None) -> str:
    """Status key for a 0-120 score: the analysis' ``rollup.band``; ``none`` for a value that is not a number."""
    try:
        return _band(score)
    except (TypeError, ValueError):
        return "none"


def fmt_score(score: object, missing: str = "—", *, whole: bool = False) -> str:
    """A 0-120 score as printed next to its status colour, never rounded across a band boundary (bands start at
    their lower bound: ≥100, ≥60): one decimal unless the score is a whole number (87.3 → "87.3", 87.0 → "87");
    with ``whole`` a whole number whenever rounding keeps the band (87.3 → "87"). A score that would round up into
    the next band keeps one decimal, rounded *down* if need be (99.6 → "99.6", 99.96 → "99.9", 59.97 → "59.9").
    ``missing`` for a non-number."""
    import math

    try:
        f = float(score)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return missing
    if math.isnan(f):
        return missing
    b = band_of(f)
    if (whole or abs(f - round(f)) < 0.05) and band_of(float(f"{f:.0f}")) == b:
        return f"{f:.0f}"
    one = f"{f:.1f}"
    if band_of(float(one)) == b:
        return one
    return f"{math.floor(f * 10) / 10:.1f}"


def status_colour(band: object) -> str:
    return STATUS_COLOURS.get(str(band), STATUS_COLOURS["none"])


def status_fill(band: object) -> str:
    return STATUS_FILLS.get(str(band), STATUS_FILLS["none"])


_APPLIED: dict[str, object] = {}


def rc() -> dict[str, object]:
    fam = cjk_family()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [fam, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": FS_LABEL,
        "axes.titlesize": FS_LABEL + 1,
        "axes.titleweight": "bold",
        "axes.titlecolor": INK,
        "axes.labelsize": FS_LABEL,
        "axes.labelcolor": INK,
        "axes.edgecolor": "#9CA3AF",
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "grid.color": GRID,
        "grid.linewidth": 0.7,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "xtick.labelcolor": INK,
        "ytick.labelcolor": INK,
        "xtick.labelsize": FS_SMALL,
        "ytick.labelsize": FS_SMALL,
        "legend.fontsize": FS_SMALL,
        "legend.frameon": False,
        "text.color": INK,
        "figure.facecolor": PAPER,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "savefig.facecolor": PAPER,
        "svg.fonttype": "none",
        "pdf.fonttype": 42,
        # client text is drawn literally: a "$" (US$5, cause text "$\foo$") is never parsed as mathtext
        "text.parse_math": False,
    }


def apply_style() -> None:
    """Configure matplotlib for the charts (idempotent and cheap: only re-applies when something reset rcParams)."""
    if _APPLIED:
        if all(mpl.rcParams.get(k) == v for k, v in _APPLIED.items()):
            return
    params = rc()
    mpl.rcParams.update(params)
    _APPLIED.clear()
    _APPLIED.update({k: mpl.rcParams[k] for k in params})


class ChartFigure(Figure):
    """A Figure whose text is always drawn literally.

    Client text may contain ``$`` (``US$5``, ``$\\foo$``); mathtext would render it in italics with CJK as empty
    boxes, or raise ``ValueError: Unknown symbol``. ``text.parse_math`` is off in `rc`, and because a Text reads
    that setting when it is created (tick labels may be created while drawing, after someone reset rcParams),
    every draw also switches math parsing off on each Text and draws with ``text.parse_math`` off.
    """

    def draw(self, renderer):  # type: ignore[override]
        literal_text(self)
        with mpl.rc_context({"text.parse_math": False}):
            return super().draw(renderer)


def literal_text(fig: Figure) -> None:
    """Switch mathtext parsing off for every Text of ``fig``."""
    from matplotlib.text import Text

    for txt in fig.findobj(Text):
        txt.set_parse_math(False)


def new_figure(width: float, height: float) -> Figure:
    """A figure outside pyplot (no global state, nothing to leak in a batch worker)."""
    apply_style()
    fig = ChartFigure(figsize=(width, height), dpi=DPI)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    return fig


def title(fig: Figure, text: str, subtitle: str | None = None, *, y_in: float = 0.12) -> None:
    """Figure title at the top-left, `y_in` inches from the top."""
    h = fig.get_figheight()
    fig.text(0.2 / fig.get_figwidth(), 1 - y_in / h, text, ha="left", va="top", fontsize=FS_TITLE,
             fontweight="bold", color=NAVY)
    if subtitle:
        fig.text(0.2 / fig.get_figwidth(), 1 - (y_in + 0.26) / h, subtitle, ha="left", va="top",
                 fontsize=FS_SMALL, color=MUTED)
