"""Finding the CJK font the charts need (Debian package ``fonts-noto-cjk``).

Every chart renders Chinese and English with one font family so that measured label sizes (the fishbone
and tree layouts are computed from text) match what is drawn. Noto Sans CJK SC covers Latin, digits and
CJK; the face index inside the .ttc collection is handled by matplotlib's font manager (>= 3.10).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import matplotlib.font_manager as fm

# Preferred families, best first. SC (simplified Chinese) glyph shapes are the right ones for GB/T deliverables.
PREFERRED_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK JP", "Noto Sans CJK TC",
)
FONT_DIRS: tuple[str, ...] = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"),
                              str(Path.home() / ".fonts"))
_FILE_HINTS = ("notosanscjk", "sourcehansans", "wqy", "notosanssc")


class CJKFontMissing(RuntimeError):
    """No font able to render Chinese is installed."""


def _registered_names() -> set[str]:
    return {f.name for f in fm.fontManager.ttflist}


def _register_from_disk() -> None:
    """Add CJK font files found on disk that matplotlib's cached font list does not know yet."""
    known = {f.fname for f in fm.fontManager.ttflist}
    for d in FONT_DIRS:
        root = Path(d)
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.suffix.lower() not in (".ttc", ".otf", ".ttf"):
                continue
            if not any(h in path.name.lower() for h in _FILE_HINTS) or str(path) in known:
                continue
            try:
                fm.fontManager.addfont(str(path))  # registers every face of a .ttc (matplotlib >= 3.10)
            except Exception:  # noqa: BLE001 - an unreadable font file must not stop the others
                continue


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """Name of the CJK font family to put first in ``font.sans-serif``.

    Raises `CJKFontMissing` naming the Debian package when none is installed.
    """
    names = _registered_names()
    for fam in PREFERRED_FAMILIES:
        if fam in names:
            return fam
    _register_from_disk()
    names = _registered_names()
    for fam in PREFERRED_FAMILIES:
        if fam in names:
            return fam
    raise CJKFontMissing(
        "No CJK font found for the charts' Chinese text. Install the Debian package fonts-noto-cjk "
        "(apt-get install fonts-noto-cjk), or put NotoSansCJK-Regular.ttc in ~/.local/share/fonts.")


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    return fm.findfont(fm.FontProperties(family=cjk_family()), fallback_to_default=False)
