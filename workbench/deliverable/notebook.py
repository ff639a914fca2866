"""The one import of the deliverable notebooks: ``from workbench.deliverable import notebook as wb``.

Notebooks stay thin (load, call, show). This module holds the little glue they need:

- ``load(client_folder)``: the client's ``Analysis``, cached per process on the folder and its files'
  sizes and mtimes, so the six notebooks of one client (in one in-process worker) analyse once. It also
  sets the language of the display helpers.
- ``text(a)``: a function ``T(key, **fields)`` for the fixed texts ``report.<key>`` in the client's language.
- ``figure(chart, data, *args, empty=...)``: call a chart function with data unless the data is absent,
  in which case say "no data supplied" for that section. A chart may return one figure or a list of figures.
- ``save_results(a, output_folder)``: write ``<output_folder>/results.json`` (docs/outputs.md) atomically with
  ``workbench.analysis.results.write_results``: the one writer of results.json (the notebooks call it, so a plain
  ``papermill ... -p output_folder X`` run produces it; ``workbench run`` relies on it).
- the display helpers of ``workbench.deliverable.html`` and the tables of ``workbench.deliverable.tables``.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

from workbench.deliverable import tables as tables  # noqa: F401  (re-exported for notebooks)
from workbench.deliverable.html import (heading, key_figures, no_data, note, paragraph, set_language, show_figure,  # noqa: F401
                               show_html, show_table)
from workbench.core.i18n import t

__all__ = ["load", "load_client", "text", "figure", "figures", "table", "tables", "heading", "show_figure",
           "show_table", "show_html", "note", "no_data", "paragraph", "key_figures", "bullets", "captioned", "remember",
           "block", "sentences",
           "clear_cache", "folder_key", "save_results", "RESULTS_NAME"]

RESULTS_NAME = "results.json"

_CACHE_SIZE = 4
_cache: "OrderedDict[tuple, Any]" = OrderedDict()
_clients: "OrderedDict[tuple, Any]" = OrderedDict()
_lock = threading.RLock()


def folder_key(folder: str | os.PathLike[str]) -> tuple:
    """(resolved folder, (name, size, mtime_ns) of every file in it): changes when an input changes."""
    root = Path(folder).resolve()
    entries = []
    try:
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if entry.is_file() and not entry.name.startswith((".", "~$")):
                st = entry.stat()
                entries.append((entry.name, st.st_size, st.st_mtime_ns))
    except FileNotFoundError:
        pass
    return (str(root), tuple(entries))


def _put(cache: OrderedDict, key: tuple, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


def remember(folder: str | os.PathLike[str], client: Any) -> None:
    """Seed the cache with a client already loaded (the runner validates first; do not read twice)."""
    with _lock:
        _put(_clients, folder_key(folder), client)


def load_client(folder: str | os.PathLike[str]) -> Any:
    """The validated ``Client`` (cached like ``load``); raises ``model.IntakeError`` on bad input."""
    key = folder_key(folder)
    with _lock:
        if key in _clients:
            return _clients[key]
    from workbench.intake.loading import load_client as _load

    client = _load(folder)
    with _lock:
        _put(_clients, key, client)
    return client


def load(client_folder: str | os.PathLike[str]) -> Any:
    """The client's ``Analysis`` (cached per process on folder + file mtimes); sets the display language."""
    key = folder_key(client_folder)
    with _lock:
        a = _cache.get(key)
    if a is None:
        from workbench.analysis.analyse import analyse

        a = analyse(load_client(client_folder))
        with _lock:
            _put(_cache, key, a)
    set_language(a.client.lang)
    return a


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _clients.clear()


def save_results(a: Any, output_folder: str | os.PathLike[str] | None) -> Path | None:
    """Write ``results.json`` for the Analysis ``a`` into ``output_folder`` (created if needed), atomically.

    The single code path of results.json: every deliverable notebook calls it with its ``output_folder``
    parameter, and ``workbench run`` only calls it itself when its notebooks did not (a custom notebook set).
    Returns the path written; None (nothing written) when ``output_folder`` is empty.
    """
    if output_folder is None or str(output_folder).strip() == "":
        return None
    from workbench.analysis.results import write_results

    path = Path(output_folder) / RESULTS_NAME
    if getattr(a, "_results_written", None) == path and path.is_file():  # every notebook asks; one write is enough
        return path
    write_results(a, path)
    try:
        a._results_written = path  # the analysis is cached per process (`load`): the next notebook skips the write
    except AttributeError:
        pass
    return path


def text(a: Any) -> Callable[..., str]:
    """``T(key, **fields)``: the fixed text ``report.<key>`` in the client's language. ``{framework}`` (the
    client's assessment framework, named as its file names it) is always available to a text."""
    from workbench.intake.frameworks import framework_of

    lang = tables.lang_of(a)
    profile = getattr(getattr(a, "client", None), "profile", None)
    known = {"framework": framework_of(profile).name(lang)}
    return lambda key, **fields: t(f"report.{key}", lang, **{**known, **fields})


def _empty(data: Any) -> bool:
    if data is None:
        return True
    if hasattr(data, "empty"):
        return bool(data.empty)
    try:
        return len(data) == 0
    except TypeError:
        return False


def _figure_list(result: Any) -> list[Any]:
    """A chart's result as a list of figures: one Figure, or a list/tuple of them (Nones dropped)."""
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return [f for f in result if f is not None]
    return [result]


def figure(chart: Callable[..., Any], data: Any, *args: Any, empty: str | None = None, alt: str | None = None,
           when: Any = ..., **kwargs: Any) -> None:
    """Show ``chart(data, *args, **kwargs)``: one figure or a list of figures (e.g. KPI trends, 12 KPIs per figure).
    When ``data`` (or ``when``, if given) is absent or empty, or the chart returns nothing, say "no data supplied"
    for ``empty`` instead."""
    if _empty(data if when is ... else when):
        no_data(empty)
        return
    figs = _figure_list(chart(data, *args, **kwargs))
    if not figs:
        no_data(empty)
        return
    for fig in figs:
        show_figure(fig, alt=alt)


def figures(figs: Any, empty: str | None = None) -> None:
    """Show a list of figures (e.g. one KPI value tree per company KPI); "no data" when there are none."""
    figs = _figure_list(figs)
    if not figs:
        no_data(empty)
        return
    for fig in figs:
        show_figure(fig)


def table(html: str | None, empty: str | None = None, caption: str | None = None, *, nothing: str | None = None,
          when: Any = ..., keep: bool | None = None) -> None:
    """Show a table built by ``workbench.deliverable.tables``.

    Without a table: when the data behind it is absent (``when`` given and absent/empty, or ``nothing`` not given)
    say "no data supplied" for ``empty``; when the data is there but nothing qualifies, state ``nothing`` (e.g.
    "nothing carried over this period": a finding, not missing data)."""
    if html:
        show_table(html, caption=caption, keep=keep)
        return
    if nothing and (when is ... or not _empty(when)):
        note(nothing)
        return
    no_data(empty)


def block(html: str | None, empty: str | None = None, kind: str = "html", *, nothing: str | None = None) -> None:
    """Show trusted HTML built by ``workbench.deliverable.tables`` (findings, contract sheets); without it say
    ``nothing`` (a finding, e.g. "no finding recorded") or else "no data supplied" for ``empty``."""
    if html:
        show_html(html, kind)
    elif nothing:
        note(nothing)
    else:
        no_data(empty)


def sentences(items: list[str] | None, lang: str | None = None) -> str:
    """Sentences joined as one paragraph (no space between Chinese sentences)."""
    from workbench.deliverable.html import language

    sep = "" if (lang or language()) == "zh" else " "
    return sep.join(items or [])


def captioned(parts: list[tuple[str, str]] | None, empty: str | None = None) -> None:
    """Show (caption, table) pairs, e.g. one 5-Why table per chain; "no data supplied" when there are none."""
    if not parts:
        no_data(empty)
        return
    for caption, html in parts:
        show_table(html, caption=caption)


def bullets(items: list[str] | None, empty: str | None = None, tone: str | None = None, unless: Any = None) -> None:
    """A bulleted list of sentences (escaped); ``empty`` is said when there are none (None: say nothing).
    Nothing is shown when ``unless`` is present and not empty (what already says them, e.g. the strategy map, which
    lists its warnings under itself)."""
    if not _empty(unless):
        return
    html = tables.html_list(items or [])
    if html is None:
        if empty:
            note(empty)
        return
    if tone:
        html = html.replace('class="wb-list"', f'class="wb-list wb-list-{tone}"', 1)
    show_html(html, "list")
