"""One client end to end: validate -> execute the notebooks (papermill) -> results.json -> report.html.

results.json has one writer, ``workbench.deliverable.notebook.save_results`` (``workbench.analysis.results.write_results``, atomic):
the deliverable notebooks call it with their ``output_folder`` parameter (here the build folder), so the plain
``papermill notebooks/00_summary.ipynb out.ipynb -p client_folder ... -p output_folder ...`` produces the same
file; the runner calls the same function only when its notebooks did not write it.

``run_command(folder, out)`` is ``workbench run``. ``run_client(folder, out, ...)`` is the reusable per-client
pipeline (the batch calls it in warm forked workers); ``warm_up()`` imports and initialises everything
heavy once, in the parent, so that forked workers start hot.

Atomicity: everything is built in ``<out>/<id>.tmp-XXXX`` and swapped in as ``<out>/<id>`` only when every
step succeeded (on Linux with one ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames). A failing
cell, a failing render or a crash leaves the previous good build untouched and no half-written deliverable.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from workbench.core.resources import notebooks_dir

DEFAULT_ENGINE = "workbench-inprocess"
DEFAULT_TIMEOUT = 300.0  # seconds per cell
EXCLUDED_NOTEBOOKS = {"engagement.ipynb"}  # the interactive engagement notebook is not part of the deliverable

Hook = Callable[[str, float], None]

__all__ = ["RunResult", "run_client", "run_command", "notebook_paths", "warm_up", "DEFAULT_ENGINE", "swap_in"]


@dataclass
class RunResult:
    """What one client run did. ``status`` is ``ok`` or ``failed``; ``stage`` says where it stopped."""

    client_id: str
    status: str
    seconds: float
    error: str | None = None  # the full story: validation report, or the traceback
    stage: str | None = None  # validate | analyse | execute | results | report | install
    out_dir: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    engine: str = DEFAULT_ENGINE
    reason: str | None = None  # one human sentence (what index.html shows)
    limit: str | None = None  # "memory" when the failure was a resource limit, not the client's input

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ----------------------------------------------------------------------------------------------
# Notebooks
# ----------------------------------------------------------------------------------------------
def notebook_paths(notebooks: Path | str | Sequence[Path | str] | None = None) -> list[Path]:
    """The deliverable notebooks in order: a folder (its ``NN_*.ipynb``), a list of files, or the default folder
    (``$WORKBENCH_NOTEBOOKS`` if set, else ``notebooks/`` of the project)."""
    if notebooks is None:
        notebooks = os.environ.get("WORKBENCH_NOTEBOOKS") or notebooks_dir()
    if isinstance(notebooks, (str, Path)):
        folder = Path(notebooks)
        if folder.is_file():
            return [folder]
        found = sorted(p for p in folder.glob("*.ipynb") if p.name not in EXCLUDED_NOTEBOOKS
                       and not p.name.startswith((".", "_")))
        if not found:
            raise FileNotFoundError(f"no notebooks in {folder}")
        return found
    return [Path(p) for p in notebooks]


# ----------------------------------------------------------------------------------------------
# Executed notebooks without a second copy of every image
# ----------------------------------------------------------------------------------------------
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "application/pdf")


def keep_full_notebooks() -> bool:
    """``$WORKBENCH_FULL_NOTEBOOKS`` set to 1/yes/true: executed notebooks keep their images."""
    return os.environ.get("WORKBENCH_FULL_NOTEBOOKS", "").strip().lower() in ("1", "yes", "true", "on")


def _is_image_html(html: Any, figure: bool) -> bool:
    """An HTML output that is a picture: an inline SVG chart or an <img> with a data: URI."""
    text = "".join(html) if isinstance(html, list) else str(html)
    head = text.lstrip()[:200].lower()
    return head.startswith(("<svg", "<?xml")) or (figure and ("<svg" in text or "data:image/" in text))


def slim_notebook(nb: Any) -> Any:
    """A copy of an executed notebook whose outputs keep their text (streams, HTML tables, markdown, errors)
    but not their images: report.html holds each chart once; the audit copy says where it went.

    Only the outputs that lose an image are copied; the rest is shared with ``nb``, which is left as it was."""
    import copy as _copy

    from nbformat import NotebookNode

    def slim_output(out: Any) -> Any:
        data = out.get("data")
        if not data:
            return out
        meta = out.get("metadata", {})
        figure = (meta.get("workbench") or {}).get("kind") == "figure"
        dropped = {k for k in data if k in _IMAGE_TYPES or (k == "text/html" and _is_image_html(data[k], figure))}
        if not dropped:
            return out
        alt = (meta.get("workbench") or {}).get("alt") or data.get("text/plain") or ""
        new = NotebookNode(out)
        new["data"] = NotebookNode({k: v for k, v in data.items() if k not in dropped})
        new["data"]["text/plain"] = f"[figure{': ' + str(alt) if alt else ''} (shown in report.html)]"
        if "metadata" in out:
            new["metadata"] = NotebookNode({k: v for k, v in meta.items() if k not in dropped})
        return new

    cells = []
    for cell in nb.cells:
        if "outputs" in cell:
            cell = NotebookNode(cell)
            cell["outputs"] = [slim_output(o) for o in cell["outputs"]]
        cells.append(cell)
    slim = NotebookNode(nb)
    slim["cells"] = cells
    slim["metadata"] = _copy.deepcopy(nb.metadata)
    slim.metadata.setdefault("workbench", {})["images"] = "removed (see report.html)"
    return slim


def write_notebook(nb: Any, path: Path) -> None:
    """Write an executed notebook as nbformat writes it (v4 JSON, split lines, sorted keys), without its JSON-schema
    validation: the notebook came from a valid one through the engine, and validating every notebook of every
    client cost more than writing it."""
    from nbformat.v4.nbjson import writes

    path.write_text(writes(nb) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# Install: swap the new build in
# ----------------------------------------------------------------------------------------------
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2). False when not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def swap_in(build: Path, target: Path) -> None:
    """Make ``build`` become ``target``; the previous ``target`` (if any) is removed afterwards."""
    if not target.exists():
        os.rename(build, target)
        return
    if _exchange(build, target):
        shutil.rmtree(build, ignore_errors=True)  # ``build`` now holds the old tree
        return
    old = target.with_name(f"{target.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    os.rename(target, old)
    try:
        os.rename(build, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# Warm-up (for forked workers)
# ----------------------------------------------------------------------------------------------
def warm_up() -> None:
    """Import and initialise what every run needs (pandas, matplotlib Agg + fonts, IPython shell, nbconvert
    exporter and templates, i18n), so that forked workers start hot. Safe to call more than once."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401
    import papermill  # noqa: F401

    from workbench.analysis import analyse as analysis, results; from workbench.deliverable import html as display, notebook, render as report, tables as report_tables; from workbench.build import engine; from workbench.core import i18n; from workbench.intake import reading as intake# noqa: F401

    i18n.catalogue()
    with contextlib.suppress(Exception):
        from workbench.deliverable import charts

        charts.apply_style()
    if not engine.in_foreign_ipython():
        engine.get_shell()
    report.warm()


# ----------------------------------------------------------------------------------------------
# One client
# ----------------------------------------------------------------------------------------------
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _strip(text: str) -> str:
    return _ANSI.sub("", text)


def _cell_error(nb_name: str, exc: Any) -> str:
    """'03_kpis.ipynb, cell 5 (In [4]): KeyError: 'x'' plus the last lines of the traceback."""
    head = f"{nb_name}, cell {exc.cell_index} (In [{exc.exec_count}]): {exc.ename}: {exc.evalue}"
    tb = _strip("\n".join(exc.traceback or [])).strip().splitlines()
    tail = "\n".join(tb[-12:])
    return f"{head}\n{tail}" if tail else head


_STAGE_WORDS = {"validate": "Reading the intake", "analyse": "Analysing the client", "results": "Writing results.json",
                "report": "Rendering report.html", "pdf": "Writing report.pdf", "install": "Installing the build into the output folder"}


def _sentence(text: str, limit: int = 300) -> str:
    """One line, ending with a full stop, not longer than ``limit``."""
    line = " ".join(str(text).split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return line if line.endswith((".", "。", "…", "!", "?")) else line + "."


def validation_sentence(report: Any) -> str:
    """'The intake has 2 errors; first: kpis.csv, row 2, column method: …' in the client's language."""
    from workbench.core.i18n import t

    lang = getattr(report, "lang", None) or "en"
    lang = lang if lang in ("zh", "en") else "en"
    errors = report.errors
    if not errors:
        return t("run.reason.unreadable", lang)
    first = errors[0]
    if hasattr(first, "line"):
        loc, text, got = first.location(lang), first.text(lang), first.got(lang)
    else:  # an issue without the catalogue (older reports)
        loc, text, got = first.location(), first.message, "" if first.value is None else f" (got {first.value!r})"
    n = len(errors)
    line = " ".join(f"{loc + ': ' if loc else ''}{text}{got}".split()).rstrip("。.")
    if len(line) > 280:
        line = line[:279] + "…"
    return t("run.reason.invalid", lang, n=n, s="s" if n != 1 else "", first=line)


def _exception_sentence(stage: str, exc: BaseException) -> str:
    what = _STAGE_WORDS.get(stage.split()[0], stage.capitalize())
    return _sentence(f"{what} failed: {type(exc).__name__}: {exc}")


def _exception_text(stage: str, exc: BaseException) -> str:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-6))
    return f"{stage}: {type(exc).__name__}: {exc}\n{_strip(tb).strip()}"


def _choose_engine(engine: str) -> str:
    if engine == DEFAULT_ENGINE:
        from workbench.build.engine import in_foreign_ipython

        if in_foreign_ipython():  # e.g. called from the engagement notebook's kernel
            return "nbclient"
    return engine


def run_client(folder: Path | str, out: Path | str = Path("build"), *, engine: str = DEFAULT_ENGINE,
               timeout: float | None = DEFAULT_TIMEOUT, notebooks: Path | str | Sequence[Path | str] | None = None,
               hook: Hook | None = None, checked: tuple[Any, Any] | None = None,
               full_notebooks: bool | None = None, pdf: bool = False) -> RunResult:
    """Build ``<out>/<id>/`` (report.html, results.json, the executed notebooks) for one client folder.

    - ``engine``: papermill engine name (``workbench-inprocess`` by default; ``nbclient`` for a real kernel).
    - ``timeout``: seconds per cell (None: no limit).
    - ``notebooks``: a folder or list of notebooks (default: the project's ``notebooks/``).
    - ``hook(stage, seconds)``: called after each stage (``validate``, ``analyse``, ``nb:<name>``, ``results``,
      ``report``, ``install``) for timing; also collected in ``RunResult.timings``.
    - ``checked``: ``(client, report)`` from ``intake.check_client`` when the caller has validated already.
    - ``full_notebooks``: keep every image in the executed notebooks too (default: ``$WORKBENCH_FULL_NOTEBOOKS``,
      else no: the images are in report.html; the notebooks keep their text outputs, see ``slim_notebook``).
    - ``pdf``: also write ``report.pdf`` (stage ``pdf``).

    Never raises for a client's problem: the result says ``failed`` with the validation report or the
    notebook, cell index and exception. The previous build is left intact on failure.
    """
    t0 = time.perf_counter()
    folder = Path(folder).resolve()
    out = Path(out)
    timings: dict[str, float] = {}
    engine = _choose_engine(engine)
    client_id = folder.name

    def mark(stage: str, since: float) -> float:
        now = time.perf_counter()
        timings[stage] = now - since
        if hook is not None:
            with contextlib.suppress(Exception):
                hook(stage, now - since)
        return now

    def result(status: str, error: str | None = None, stage: str | None = None, out_dir: Path | None = None,
               reason: str | None = None, exc: BaseException | None = None) -> RunResult:
        if exc is not None:
            reason = reason or _exception_sentence(stage or "build", exc)
        limit = "memory" if isinstance(exc, MemoryError) or (error and "MemoryError" in error.splitlines()[0]) else None
        return RunResult(client_id, status, time.perf_counter() - t0, error, stage, out_dir, timings, engine,
                         reason, limit)

    # 1. validate
    if checked is None:
        from workbench.intake.reading import check_client

        try:
            checked = check_client(folder)
        except Exception as exc:  # noqa: BLE001 - a broken reader must not kill a batch
            return result("failed", _exception_text("validate", exc), "validate", exc=exc)
    client, vreport = checked
    t = mark("validate", t0)
    if client is None or not vreport.ok:
        return result("failed", vreport.format(), "validate", reason=validation_sentence(vreport))
    client_id = client.id
    if client_id != folder.name or client_id in ("", ".", "..") or "/" in client_id or "\\" in client_id:
        client_id = folder.name  # the build folder is named after the folder, never a path from client.yaml

    # 2. analyse (cached per process: in-process notebooks reuse it)
    from workbench.deliverable import notebook as nbhelp

    try:
        nbhelp.remember(folder, client)
        analysis = nbhelp.load(folder)
    except Exception as exc:  # noqa: BLE001
        return result("failed", _exception_text("analyse", exc), "analyse", exc=exc)
    t = mark("analyse", t)

    out.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f"{client_id}.tmp-", dir=out))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)  # mkdtemp makes 0700; the installed folder should look like any other
    try:
        # 3. execute
        import papermill
        from papermill.exceptions import PapermillExecutionError

        executed = []
        for path in notebook_paths(notebooks):
            target = build / path.name
            try:
                nb = papermill.execute_notebook(
                    str(path), str(target),
                    parameters={"client_folder": str(folder), "output_folder": str(build)},
                    engine_name=engine, kernel_name="python3", progress_bar=False, log_output=False,
                    request_save_on_cell_execute=False, execution_timeout=timeout)
            except PapermillExecutionError as exc:
                return result("failed", _cell_error(path.name, exc), "execute",
                              reason=_sentence(f"Notebook {path.name} stopped at cell {exc.cell_index}: "
                                               f"{exc.ename}: {exc.evalue}"))
            except Exception as exc:  # noqa: BLE001 - kernel died, bad notebook file, ...
                return result("failed", _exception_text(f"execute {path.name}", exc), "execute",
                              reason=_sentence(f"Notebook {path.name} could not run: {type(exc).__name__}: {exc}"),
                              exc=exc)
            executed.append(nb)
            t = mark(f"nb:{path.stem}", t)

        # 4. results.json: written by the notebooks themselves (``notebook.save_results(a, output_folder)``, the
        #    one writer); only a notebook set that does not write it (a custom one) gets it from the same function.
        try:
            if not (build / nbhelp.RESULTS_NAME).is_file():
                nbhelp.save_results(analysis, build)
        except Exception as exc:  # noqa: BLE001
            return result("failed", _exception_text("results", exc), "results", exc=exc)
        t = mark("results", t)

        # 5. report.html
        from workbench.deliverable.render import render_report

        try:
            render_report(executed, client, build / "report.html")
        except Exception as exc:  # noqa: BLE001
            return result("failed", _exception_text("report", exc), "report", exc=exc)
        t = mark("report", t)
        if pdf:
            from workbench.deliverable.pdf import write_pdf

            try:
                write_pdf((build / "report.html").read_text(encoding="utf-8"), build / "report.pdf")
            except Exception as exc:  # noqa: BLE001
                return result("failed", _exception_text("pdf", exc), "pdf", exc=exc)
            t = mark("pdf", t)

        # 5b. the executed notebooks keep their text; their images are already in report.html
        if not (full_notebooks if full_notebooks is not None else keep_full_notebooks()):
            try:
                for path, nb in zip(notebook_paths(notebooks), executed):
                    write_notebook(slim_notebook(nb), build / path.name)
            except Exception as exc:  # noqa: BLE001
                return result("failed", _exception_text("report", exc), "report", exc=exc)
            t = mark("slim", t)

        # 6. install
        final = out / client_id
        try:
            swap_in(build, final)
        except Exception as exc:  # noqa: BLE001
            return result("failed", _exception_text("install", exc), "install", exc=exc)
        mark("install", t)
        return result("ok", out_dir=final)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def _print(text: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    print(text, file=stream, flush=True)


def run_command(folder: Path | str, out: Path | str = Path("build"), pdf: bool = False) -> int:
    """``workbench run``: 0 on success; 1 on bad input (validation report printed, nothing executed) or failure."""
    from workbench.intake.reading import check_client

    folder = Path(folder)
    try:
        client, vreport = check_client(folder)
    except Exception as exc:  # noqa: BLE001
        _print(f"{folder}: cannot read the client folder: {type(exc).__name__}: {exc}", err=True)
        return 1
    if client is None or not vreport.ok:
        _print(vreport.format(), err=True)
        return 1
    if vreport.warnings:
        _print(vreport.format())
    res = run_client(folder, out, checked=(client, vreport), pdf=pdf)
    if res.ok:
        _print(f"{res.client_id}: ok in {res.seconds:.1f} s -> {res.out_dir / 'report.html'}"
               + (f", {res.out_dir / 'report.pdf'}" if pdf else ""))
        return 0
    _print(f"{res.client_id}: failed at {res.stage} after {res.seconds:.1f} s\n{res.error}", err=True)
    return 1
