"""Chart-level cache: a chart whose inputs did not change is not drawn again, across runs, clients and processes.

Drawing and encoding are most of a client's build time, and most charts of a re-run are unchanged (one table was
edited). A chart function decorated with `chart` returns a lazy `Chart`: its key is a hash of what the chart
draws (the function's arguments: frames by content, language, sizes), the chart code's version (the source of the
chart's module and of the shared style, text, font and rendering modules, the chart catalogue, the matplotlib and
seaborn versions and the font file) and `FORMAT`. ``Chart.svg()`` returns the cached SVG or draws, encodes and
stores it; ``Chart.figure`` draws the matplotlib Figure (tests, widgets).

The cache folder (``$WORKBENCH_CHART_CACHE``, default ``$XDG_CACHE_HOME/workbench/charts``; ``off`` disables it) is
shared by forked batch workers: entries are written to a temp file and renamed (a reader sees a whole entry or
none), a read of a vanished or damaged entry is a miss, and the folder is kept under
``$WORKBENCH_CHART_CACHE_MB`` (default 256) by removing the least recently used entries (a hit refreshes its mtime).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import os
import time
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.core.atomic import atomic_path

__all__ = ["FORMAT", "Chart", "ChartCache", "chart", "default_cache", "input_key", "code_version"]

FORMAT = "svg-1"           # bump when the stored entry changes meaning
DEFAULT_MB = 256
PRUNE_EVERY = 64           # a process checks the folder's size on its first write and every PRUNE_EVERY writes


# --- keys ---------------------------------------------------------------------------------------------------
_FRAME_DIGESTS: "dict[int, tuple[Any, bytes]]" = {}  # id → (the frame, its digest): kept alive, so ids stay unique
_FRAME_MEMO = 32


def _frame_digest(obj: pd.DataFrame | pd.Series) -> bytes:
    """The content digest of a frame, memoised for the last few frames: a client's KPI frame is the input of half a
    dozen charts (value trees per perspective, trend pages), and hashing it is a tenth of a cached chart's cost.
    Analysis frames are not edited in place (a changed intake is analysed anew)."""
    hit = _FRAME_DIGESTS.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    h = hashlib.sha256()
    if isinstance(obj, pd.DataFrame):
        h.update(f"df{obj.shape}{list(map(str, obj.columns))}{[str(t) for t in obj.dtypes]}{obj.index.name};".encode())
    else:
        h.update(f"s{obj.name!r}{obj.dtype};".encode())
    try:
        h.update(pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes())
    except (TypeError, ValueError):  # unhashable cells (lists, dicts): their text
        h.update(obj.to_csv().encode())
    if len(_FRAME_DIGESTS) >= _FRAME_MEMO:
        _FRAME_DIGESTS.pop(next(iter(_FRAME_DIGESTS)))
    _FRAME_DIGESTS[id(obj)] = (obj, h.digest())
    return h.digest()


def _feed(h: "hashlib._Hash", obj: Any) -> None:
    """Feed a canonical encoding of ``obj`` (frames by content, containers element-wise) into ``h``."""
    if obj is None or isinstance(obj, (bool, int, float, str, bytes)):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, (pd.DataFrame, pd.Series)):
        h.update(_frame_digest(obj))
    elif isinstance(obj, np.ndarray):
        h.update(f"nd{obj.shape}{obj.dtype};".encode())
        h.update(obj.tobytes() if obj.dtype != object else repr(obj.tolist()).encode())
    elif isinstance(obj, (np.generic,)):
        _feed(h, obj.item())
    elif isinstance(obj, (dt.date, dt.datetime, pd.Timestamp, dt.time, enum.Enum)):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, dict) or hasattr(obj, "items") and callable(obj.items):
        h.update(b"{")
        for k, v in sorted(obj.items(), key=lambda kv: repr(kv[0])):
            _feed(h, k)
            _feed(h, v)
        h.update(b"}")
    elif isinstance(obj, (set, frozenset)):
        h.update(b"set(")
        for v in sorted(obj, key=repr):
            _feed(h, v)
        h.update(b")")
    elif isinstance(obj, (list, tuple)):
        h.update(b"[")
        for v in obj:
            _feed(h, v)
        h.update(b"]")
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(type(obj).__qualname__.encode())
        _feed(h, {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    elif hasattr(obj, "model_dump"):  # pydantic
        h.update(type(obj).__qualname__.encode())
        _feed(h, obj.model_dump())
    elif hasattr(obj, "__dict__"):
        h.update(type(obj).__qualname__.encode())
        _feed(h, {k: v for k, v in vars(obj).items() if not k.startswith("_")})
    else:
        h.update(f"{type(obj).__qualname__}:{obj!r};".encode())


def input_key(*parts: Any) -> str:
    h = hashlib.sha256()
    for p in parts:
        _feed(h, p)
    return h.hexdigest()


@lru_cache(maxsize=None)
def code_version(module: str) -> str:
    """Hash of the code that draws a chart of ``module``: the source of every chart module (they share style, text
    measurement and helpers), the chart catalogue, the matplotlib and seaborn versions and the CJK font file (a
    layout is measured with it). Read once per process."""
    import matplotlib
    import seaborn

    from workbench.core.resources import i18n_dir
    from workbench.deliverable.charts.fonts import cjk_font_path

    h = hashlib.sha256(f"{FORMAT}|{module}|{matplotlib.__version__}|{seaborn.__version__}|{cjk_font_path()}".encode())
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")) + [Path(i18n_dir()) / "charts.yaml"]:
        with contextlib.suppress(OSError):
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:16]


# --- the folder -------------------------------------------------------------------------------------------------
class ChartCache:
    """A folder of SVG entries named by key (two-level fan-out), bounded to ``max_bytes``."""

    def __init__(self, folder: str | os.PathLike[str], max_bytes: int = DEFAULT_MB * 2**20):
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)
        self.hits = 0
        self.misses = 0
        self._writes = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.svg"

    def get(self, key: str) -> str | None:
        path = self._path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self.misses += 1
            return None
        if not text.rstrip().endswith("</svg>"):  # damaged (a disk that filled up): redraw
            self.misses += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently *used* goes first
        self.hits += 1
        return text

    def put(self, key: str, svg: str) -> None:
        path = self._path(key)
        try:
            with atomic_path(path) as tmp:
                tmp.write_text(svg, encoding="utf-8")
        except OSError:  # a read-only or full cache never breaks a build
            return
        if self._writes % PRUNE_EVERY == 0:
            self.prune()
        self._writes += 1

    def entries(self) -> list[tuple[float, int, Path]]:
        out = []
        if not self.folder.is_dir():
            return out
        for sub in os.scandir(self.folder):
            if not sub.is_dir():
                continue
            for e in os.scandir(sub.path):
                if e.name.endswith(".svg"):
                    with contextlib.suppress(OSError):
                        st = e.stat()
                        out.append((st.st_mtime, st.st_size, Path(e.path)))
        return out

    def size(self) -> int:
        return sum(s for _, s, _ in self.entries())

    def prune(self) -> int:
        """Remove the least recently used entries until the folder holds at most 90 % of ``max_bytes``."""
        entries = self.entries()
        total = sum(s for _, s, _ in entries)
        if total <= self.max_bytes:
            return 0
        removed = 0
        for _, size, path in sorted(entries):
            if total <= self.max_bytes * 0.9:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
            total -= size
        return removed

    def clear(self) -> None:
        for _, _, path in self.entries():
            with contextlib.suppress(OSError):
                path.unlink()


_DEFAULT: dict[str, ChartCache | None] = {}


def default_cache() -> ChartCache | None:
    """The process's cache (from the environment, read again when it changes); None when switched off."""
    spec = os.environ.get("WORKBENCH_CHART_CACHE")
    mb = os.environ.get("WORKBENCH_CHART_CACHE_MB", str(DEFAULT_MB))
    token = f"{spec}|{mb}"
    if token not in _DEFAULT:
        if spec is not None and spec.strip().lower() in ("", "0", "off", "no", "false", "none"):
            cache = None
        else:
            folder = Path(spec) if spec else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "workbench" / "charts"
            try:
                limit = int(float(mb) * 2**20)
            except ValueError:
                limit = DEFAULT_MB * 2**20
            cache = ChartCache(folder, limit)
        _DEFAULT.clear()
        _DEFAULT[token] = cache
    return _DEFAULT[token]


# --- lazy charts ---------------------------------------------------------------------------------------------------
class Chart:
    """A chart not drawn yet: ``svg()`` (cached), ``figure`` (drawn on first use), ``alt``."""

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self._alt: str | None = None

    def __repr__(self) -> str:
        return f"<Chart {self.fn.__name__}>"

    def __getattr__(self, name: str) -> Any:
        """Read a Figure attribute (``axes``, ``canvas``, ``get_figwidth`` ...) from the drawn figure."""
        if name.startswith("__") or name in ("fn", "args", "kwargs", "_alt"):
            raise AttributeError(name)
        return getattr(self.figure, name)

    @cached_property
    def key(self) -> str:
        return input_key(self.fn.__module__, self.fn.__qualname__, code_version(self.fn.__module__), self.args, self.kwargs)

    @cached_property
    def figure(self) -> Any:
        from workbench.deliverable.charts.render import gc_paused

        with gc_paused():
            return self.fn(*self.args, **self.kwargs)

    @property
    def alt(self) -> str:
        if self._alt is None:
            from workbench.deliverable.charts.render import alt_of

            self._alt = alt_of(self.figure)
        return self._alt

    def svg(self, cache: ChartCache | None | bool = True) -> str:
        """The inline SVG (`render.to_svg`), from ``cache`` (True: `default_cache`) when it holds this chart."""
        from workbench.deliverable.charts.render import svg_alt, to_svg

        store = default_cache() if cache is True else (cache or None)
        if store is not None:
            hit = store.get(self.key)
            if hit is not None:
                self._alt = svg_alt(hit)
                return hit
        svg = to_svg(self.figure, self.alt)
        self.__dict__.pop("figure", None)  # to_svg closed it
        if store is not None:
            store.put(self.key, svg)
        return svg

    def _repr_svg_(self) -> str:  # a Chart left as a cell's value shows itself in Jupyter
        return self.svg()


def chart(fn: Callable[..., Any]) -> Callable[..., Chart]:
    """Decorator: ``fn(...)`` returns a lazy `Chart` of ``fn``'s Figure, cached by its arguments."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Chart:
        return Chart(fn, args, kwargs)

    wrapper.draw = fn  # type: ignore[attr-defined]
    return wrapper


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out
