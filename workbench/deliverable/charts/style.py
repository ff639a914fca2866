"""One visual style for every chart: palette, status colours, font sizes, A4 widths, font setup.

`STATUS_COLOURS` (hex) keys are the bands of `workbench.core.status` (``good`` ≥100, ``ok`` 60-100, ``bad`` <60,
``none`` unscored), the same dicts the HTML tables and the CSS variables use, so a cell and a bar agree.
"""
from __future__ import annotations

import matplotlib as mpl
from matplotlib.figure import Figure

from workbench.deliverable.charts.fonts import cjk_family
from workbench.core.numfmt import fmt_score as _fmt_score
from workbench.core.status import ACTION_COLOURS as _ACTION_COLOURS
from workbench.core.status import BAND_COLOURS, BAND_FILLS
from workbench.core.status import band as _band

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

# Status colours, fills and action colours live in `workbench.core.status` (one source for charts, tables, CSS).
STATUS_COLOURS: dict[str, str] = BAND_COLOURS
STATUS_FILLS: dict[str, str] = BAND_FILLS
ACTION_COLOURS: dict[str, str] = _ACTION_COLOURS
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
    """Status key of a 0-120 score (`workbench.core.status.band`; ``none`` for a value that is not a number)."""
    return _band(score)


def fmt_score(score: object, missing: str = "—", *, whole: bool = False) -> str:
    """A score as printed next to its status colour: `workbench.core.numfmt.fmt_score` (scoring.md v2: one decimal,
    half up, never across a band boundary: 59.97 → "59.9"). ``whole`` is accepted for old callers and ignored."""
    return _fmt_score(score, missing)


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
    """Switch mathtext parsing off for every Text of ``fig`` that exists before drawing.

    A plain ``findobj`` walk would ask each Axis for its ticks and so create every lazy tick of every axes (a third
    of a small-multiples chart's CPU time); ticks not yet created are created while drawing, under ``rc_context``
    with math off, so only the ones that exist are visited."""
    from matplotlib.axis import Axis
    from matplotlib.text import Text

    stack: list = [fig]
    while stack:
        a = stack.pop()
        if isinstance(a, Text):
            a.set_parse_math(False)
        if isinstance(a, Axis):
            stack += [a.label, a.offsetText]
            for name in ("majorTicks", "minorTicks"):
                ticks = a.__dict__.get(name)  # a list once created; until then the class's lazy descriptor
                if isinstance(ticks, list):
                    stack += [t for tick in ticks for t in (tick.label1, tick.label2)]
        else:
            stack += a.get_children()


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
