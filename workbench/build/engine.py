"""A papermill engine that executes a notebook in-process, in an IPython ``InteractiveShell``.

Why: a batch worker forked from a warm parent (workbench, pandas and matplotlib already imported)
can run hundreds of notebooks without starting a kernel or talking ZMQ. The notebook sees the same
Python it would see in a kernel: IPython syntax and magics, ``display()``, the last expression of a
cell as ``execute_result``. What a kernel would send as messages is captured into the cell's outputs:

- ``print`` / ``sys.stdout`` / ``sys.stderr``     -> ``stream`` outputs (consecutive writes merged);
- ``IPython.display.display`` / ``publish_display_data`` -> ``display_data`` with the full mimebundle;
- the value of a cell's last expression        -> ``execute_result`` (``execution_count`` set);
- an exception                                 -> an ``error`` output (ename, evalue, traceback), execution
  stops there; through papermill it is raised as ``PapermillExecutionError`` naming the cell.

Each execution starts from a FRESH user namespace (imported modules stay warm in ``sys.modules``).
A per-cell timeout uses ``signal.setitimer`` (only in the main thread; elsewhere it is not enforced).

Two ways in:
- papermill: ``papermill.execute_notebook(inp, out, parameters=..., engine_name="workbench-inprocess")``
  (entry point declared in pyproject.toml);
- plain: ``execute_notebook(nb, parameters, cwd, timeout)`` for callers that hold a ``NotebookNode``.

The engine cannot run inside a foreign IPython session (a Jupyter kernel): ``display()`` there talks to
that session's shell. ``in_foreign_ipython()`` tells callers to pick ``nbclient`` instead.
"""
from __future__ import annotations

import contextlib
import copy
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

os.environ.setdefault("MPLBACKEND", "Agg")

import nbformat  # noqa: E402
from nbformat import NotebookNode, from_dict  # noqa: E402

# NB: no papermill import at module level. Importing papermill loads its engine entry points, i.e. this
# module; importing papermill from here at import time would be circular. papermill only needs the
# engine interface (execute_notebook / nb_kernel_name / nb_language), not its base class.

ENGINE_NAME = "workbench-inprocess"

__all__ = ["ENGINE_NAME", "InProcessEngine", "CellTimeoutError", "execute_notebook", "get_shell",
           "in_foreign_ipython", "first_error"]


class CellTimeoutError(TimeoutError):
    """A cell ran longer than its timeout."""


# --------------------------------------------------------------------------------------------------
# The shell and its capture objects
# --------------------------------------------------------------------------------------------------
def _output(output_type: str, **fields: Any) -> NotebookNode:
    """One cell output, as ``nbformat.v4.new_output`` makes it, without its per-output JSON-schema validation
    (a tenth of a notebook's execution time here): the fields are ours, and the whole notebook is validated
    when it is written."""
    return NotebookNode(output_type=output_type, **fields)


def _copy(d: dict) -> dict:
    """A copy of a display's data or metadata that later edits by the cell cannot reach: strings (SVG, HTML,
    text, the bulk of it) are immutable and shared, containers are copied (``from_dict`` builds new ones)."""
    return NotebookNode({k: v if isinstance(v, (str, bytes, int, float, bool, type(None))) else from_dict(v)
                         for k, v in d.items()})


class _Capture:
    """Where the outputs of the cell being executed go (one per cell)."""

    def __init__(self, execution_count: int | None):
        self.outputs: list[NotebookNode] = []
        self.execution_count = execution_count
        self._clear_pending = False
        self.error: NotebookNode | None = None

    def _maybe_clear(self) -> None:
        if self._clear_pending:
            self.outputs.clear()
            self._clear_pending = False

    def stream(self, name: str, text: str) -> None:
        if not text:
            return
        self._maybe_clear()
        last = self.outputs[-1] if self.outputs else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            self.outputs.append(_output("stream", name=name, text=text))

    def display(self, data: dict, metadata: dict | None, transient: dict | None = None,
                update: bool = False) -> None:
        self._maybe_clear()
        display_id = (transient or {}).get("display_id")
        if update and display_id:
            for out in self.outputs:
                if out.get("_display_id") == display_id:
                    out.data = _copy(data)
                    out.metadata = _copy(metadata or {})
            return
        out = _output("display_data", data=_copy(data), metadata=_copy(metadata or {}))
        if display_id:
            out["_display_id"] = display_id  # dropped before the notebook is returned
        self.outputs.append(out)

    def result(self, data: dict, metadata: dict | None) -> None:
        self._maybe_clear()
        self.outputs.append(_output("execute_result", data=_copy(data), metadata=_copy(metadata or {}),
                                    execution_count=self.execution_count))

    def clear(self, wait: bool = False) -> None:
        if wait:
            self._clear_pending = True
        else:
            self.outputs.clear()

    def error_output(self, ename: str, evalue: str, traceback: list[str]) -> None:
        self._maybe_clear()
        out = _output("error", ename=ename, evalue=evalue, traceback=list(traceback))
        self.outputs.append(out)
        self.error = out

    def finished_outputs(self) -> list[NotebookNode]:
        for out in self.outputs:
            out.pop("_display_id", None)
        return self.outputs


class _StreamWriter:
    """File-like object standing in for sys.stdout / sys.stderr during a cell."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, shell: Any, name: str):
        self._shell = shell
        self.name = name

    def write(self, text: str) -> int:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        cap = self._shell._wb_capture
        if cap is not None:
            cap.stream(self.name, text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:  # some libraries probe it; there is no real descriptor behind us
        raise OSError("captured stream has no file descriptor")


_shell_cls: type | None = None


def _shell_class() -> type:
    """Build the shell class lazily (importing IPython is the slow part of importing this module)."""
    global _shell_cls
    if _shell_cls is not None:
        return _shell_cls
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class CapturingPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):  # type: ignore[override]
            cap = self.shell._wb_capture if self.shell is not None else None
            if cap is None:
                return
            cap.display(data, metadata, transient, update)

        def clear_output(self, wait=False):  # type: ignore[override]
            cap = self.shell._wb_capture if self.shell is not None else None
            if cap is not None:
                cap.clear(wait)

    class CapturingDisplayHook(DisplayHook):
        def write_output_prompt(self):  # no "Out[n]:" text
            pass

        def write_format_data(self, format_dict, md_dict=None):
            cap = self.shell._wb_capture
            if cap is not None:
                cap.result(format_dict, md_dict)

        def finish_displayhook(self):
            self._is_active = False

        def log_output(self, format_dict):  # no history
            pass

    class WorkbenchShell(InteractiveShell):
        """InteractiveShell whose outputs land in the current cell's capture."""

        display_pub_class = CapturingPublisher
        displayhook_class = CapturingDisplayHook

        _wb_capture: _Capture | None = None

        def _showtraceback(self, etype, evalue, stb):  # type: ignore[override]
            cap = self._wb_capture
            if cap is None:
                return super()._showtraceback(etype, evalue, stb)
            cap.error_output(getattr(etype, "__name__", str(etype)), str(evalue), stb)

        def enable_gui(self, gui=None):  # there is no GUI loop here
            pass

    _shell_cls = WorkbenchShell
    return WorkbenchShell


def in_foreign_ipython() -> bool:
    """True when an IPython shell other than ours is already running (e.g. inside a Jupyter kernel)."""
    if "IPython" not in sys.modules:
        return False
    from IPython.core.interactiveshell import InteractiveShell
    return InteractiveShell.initialized() and not isinstance(InteractiveShell.instance(), _shell_class())


_shell_lock = threading.RLock()


def get_shell() -> Any:
    """The process-wide capturing shell (created on first use; fork-friendly: create it in the warm parent)."""
    cls = _shell_class()
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    if InteractiveShell.initialized() and not isinstance(InteractiveShell.instance(), cls):
        raise RuntimeError("the in-process engine cannot run inside another IPython session "
                           "(a Jupyter kernel); use papermill's default engine ('nbclient') there")
    if not cls.initialized():
        cfg = Config()
        cfg.HistoryManager.enabled = False  # no sqlite history: forked workers must not share a DB
        cfg.InteractiveShell.colors = "nocolor"  # plain tracebacks in outputs and error reports
        cfg.InteractiveShell.autocall = 0
        cfg.InteractiveShell.cache_size = 0  # no Out[n] cache keeping results alive between notebooks
        cls.instance(config=cfg)
    return cls.instance()


def _use_agg() -> None:
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and mpl.get_backend().lower() != "agg":
        mpl.use("Agg", force=True)


def _close_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


@contextlib.contextmanager
def _cell_timeout(seconds: float | None) -> Iterator[None]:
    """Raise CellTimeoutError in the cell after ``seconds`` (main thread only; otherwise not enforced)."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def _on_alarm(signum: int, frame: Any) -> None:
        raise CellTimeoutError(f"cell timed out after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _chdir(cwd: Path | str | None) -> Iterator[None]:
    if cwd is None:
        yield
        return
    old = os.getcwd()
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(old)


@contextlib.contextmanager
def _session(shell: Any) -> Iterator[None]:
    """One notebook execution: fresh namespace, captured std streams, restored afterwards."""
    old_out, old_err = sys.stdout, sys.stderr
    shell.reset(new_session=False)
    shell.execution_count = 1
    shell.user_ns["__name__"] = "__main__"
    _use_agg()
    sys.stdout, sys.stderr = _StreamWriter(shell, "stdout"), _StreamWriter(shell, "stderr")
    try:
        yield
    finally:
        sys.stdout, sys.stderr = old_out, old_err
        shell._wb_capture = None
        _close_figures()
        # drop user objects now (a worker runs many notebooks; do not keep the last one's data alive)
        shell.reset(new_session=False)


def _run_cell(shell: Any, cell: NotebookNode, timeout: float | None) -> _Capture:
    cap = _Capture(shell.execution_count)
    shell._wb_capture = cap
    cell.execution_count = shell.execution_count
    try:
        with _cell_timeout(timeout):
            result = shell.run_cell(cell.source, store_history=True, silent=False)
    except CellTimeoutError as exc:  # raised outside user code (e.g. during transformation)
        cap.error_output("CellTimeoutError", str(exc), [f"CellTimeoutError: {exc}"])
        result = None
    finally:
        shell._wb_capture = None
    if cap.error is None and result is not None and not result.success:
        err = result.error_before_exec or result.error_in_exec
        if err is not None:  # an error IPython did not show (should not happen): record it anyway
            cap.error_output(type(err).__name__, str(err), [f"{type(err).__name__}: {err}"])
    cell.outputs = cap.finished_outputs()
    return cap


def _is_sys_exit_ok(err: NotebookNode) -> bool:
    return err.ename == "SystemExit" and err.evalue in ("", "0", "None")


def _execute_cells(nb: NotebookNode, timeout: float | None,
                   on_start: Callable[[NotebookNode, int], None] | None = None,
                   on_error: Callable[[NotebookNode, int], None] | None = None,
                   on_complete: Callable[[NotebookNode, int], None] | None = None) -> None:
    shell = get_shell()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if on_start:
            on_start(cell, index)
        try:
            if not cell.source.strip():
                cell.outputs = []
                continue
            cap = _run_cell(shell, cell, timeout)
            failed = cap.error is not None and not _is_sys_exit_ok(cap.error)
            allowed = "raises-exception" in cell.metadata.get("tags", [])
            if failed and not allowed:
                if on_error:
                    on_error(cell, index)
                break
        finally:
            if on_complete:
                on_complete(cell, index)


# --------------------------------------------------------------------------------------------------
# papermill engine
# --------------------------------------------------------------------------------------------------
class InProcessEngine:
    """papermill engine ``workbench-inprocess``: run the cells in this process's capturing shell.

    Implements papermill's engine interface (same as ``papermill.engines.Engine``): cell and notebook
    bookkeeping go through papermill's ``NotebookExecutionManager``. Honours ``execution_timeout`` (or
    ``timeout``) per cell; papermill itself does the ``cwd`` chdir. Errors are recorded in the notebook and
    papermill then raises ``PapermillExecutionError`` (as with its nbclient engine).
    """

    @classmethod
    def execute_notebook(cls, nb: NotebookNode, kernel_name: str, output_path: str | None = None,
                         progress_bar: bool = False, log_output: bool = False, autosave_cell_every: int = 30,
                         **kwargs: Any) -> NotebookNode:
        from papermill.engines import NotebookExecutionManager

        nb_man = NotebookExecutionManager(nb, output_path=output_path, progress_bar=progress_bar,
                                          log_output=log_output, autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 execution_timeout: float | None = None, **kwargs: Any) -> NotebookNode:
        timeout = execution_timeout or kwargs.get("timeout")
        shell = get_shell()
        with _session(shell):
            _execute_cells(
                nb_man.nb, timeout,
                on_start=lambda cell, i: nb_man.cell_start(cell, i),
                on_error=lambda cell, i: nb_man.cell_exception(cell, cell_index=i),
                on_complete=lambda cell, i: nb_man.cell_complete(cell, cell_index=i),
            )
        return nb_man.nb

    @classmethod
    def nb_kernel_name(cls, nb: NotebookNode, name: str | None = None) -> str:
        from papermill.utils import nb_kernel_name

        try:
            return nb_kernel_name(nb, name)
        except ValueError:  # no kernelspec metadata: we run Python in-process anyway
            return name or "python3"

    @classmethod
    def nb_language(cls, nb: NotebookNode, language: str | None = None) -> str:
        from papermill.utils import nb_language

        try:
            return nb_language(nb, language)
        except ValueError:
            return language or "python"


def first_error(nb: NotebookNode) -> Any:
    """The first cell error of an executed notebook as papermill's ``PapermillExecutionError`` (None when clean)."""
    from papermill.exceptions import PapermillExecutionError

    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error" and not _is_sys_exit_ok(out):
                return PapermillExecutionError(cell_index=index, exec_count=cell.execution_count,
                                               source=cell.source, ename=out.ename, evalue=out.evalue,
                                               traceback=out.traceback)
    return None


def _normalise(nb: NotebookNode) -> None:
    """What papermill's ``load_notebook_node`` does to a notebook read from disk."""
    from papermill import __version__

    if "papermill" not in nb.metadata:
        nb.metadata["papermill"] = {"default_parameters": {}, "parameters": {}, "environment_variables": {},
                                    "version": __version__}
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})


def execute_notebook(nb: NotebookNode, parameters: dict | None = None, cwd: Path | str | None = None,
                     timeout: float | None = None, *, kernel_name: str = "python3") -> NotebookNode:
    """Execute ``nb`` in-process without papermill's file handling, injecting ``parameters`` as papermill does.

    Returns the executed copy (``nb`` itself is not modified). Raises ``PapermillExecutionError`` (naming
    the cell index, execution count, exception name and value) when a cell fails; the error output is
    recorded in the notebook first, so ``exc.nb`` holds the partial notebook for inspection.
    """
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.v4.upgrade(copy.deepcopy(nb)) or nb
    _normalise(nb)
    if parameters:
        nb = parameterize_notebook(nb, parameters, report_mode=False, kernel_name=kernel_name,
                                   language="python", engine_name=ENGINE_NAME)
    nb.metadata.papermill["parameters"] = dict(parameters or {})
    nb.metadata.papermill.update(input_path=None, output_path=None)
    started = time.perf_counter()
    with _chdir(cwd):
        executed = InProcessEngine.execute_notebook(nb, kernel_name, output_path=None, progress_bar=False,
                                                    log_output=False, execution_timeout=timeout)
    executed.metadata.papermill["duration"] = time.perf_counter() - started
    err = first_error(executed)
    if err is not None:
        err.nb = executed  # type: ignore[attr-defined]
        raise err
    return executed
