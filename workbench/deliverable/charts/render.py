"""Turning a Figure into PNG bytes for the notebooks and the deliverable."""
from __future__ import annotations

import io

from matplotlib.figure import Figure

from workbench.deliverable.charts.style import DPI


def to_png(fig: Figure, dpi: int = DPI, *, close: bool = True) -> bytes:
    """PNG bytes of ``fig`` (white background, no extra layout pass) and close the figure.

    Charts are sized for A4 (7.5-10 in wide), so 110-130 dpi keeps one PNG around 100-200 KB.
    """
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white",
                    metadata={"Software": None}, pil_kwargs={"compress_level": 6})
    finally:
        if close:
            close_figure(fig)
    return buf.getvalue()


def close_figure(fig: Figure) -> None:
    """Release a figure (charts are created outside pyplot; close it there too if pyplot adopted it)."""
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close(fig)
        except Exception:  # noqa: BLE001
            pass
    fig.clear()


def save_png(fig: Figure, path: str, dpi: int = DPI) -> int:
    """Write ``fig`` to ``path`` as PNG; returns the size in bytes."""
    data = to_png(fig, dpi)
    with open(path, "wb") as fh:
        fh.write(data)
    return len(data)
