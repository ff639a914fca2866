"""Warm worker pool: pay the imports once, run every job in a fresh forked child.

Design ("zygote")::

    main process (rich progress thread, maybe dask threads)
        │  JSON lines over stdin/stdout pipes
        ▼
    zygote  ── a fresh interpreter started with subprocess (fork+exec: safe whatever threads the main
        │      process has). It imports workbench, pandas, matplotlib (Agg), IPython, papermill,
        │      nbconvert and the charts, compiles the HTMLExporter templates, renders one tiny CJK
        │      chart, then gc.freeze()s and stays single-threaded (BLAS pinned to one thread).
        │      It forks one child per job, runs at most ``jobs`` children at a time, enforces the
        │      per-job deadline (SIGKILL of the child's process group) and reaps children (wait4 gives
        │      each child's CPU time and peak RSS).
        ▼
    child  ── own process group, own temporary working folder, stdout/stderr to a log file,
              RLIMIT_AS memory limit; calls ``module:function(**kwargs)``, sends back one small JSON
              dict over a pipe and ``os._exit``s. Nothing it does (module globals, rcParams, open
              figures, cwd, environment) can reach the next job: each child is forked from the same
              warm, untouched zygote.

The zygote exits (killing its children) when its stdin closes: when the main process ends, is
interrupted or is killed. Only the standard library is imported here in the main process.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

# Imported by the zygote before it forks. Missing ones are reported, not fatal (optional extras).
DEFAULT_PRELOAD: tuple[str, ...] = (
    "numpy", "pandas", "matplotlib", "matplotlib.pyplot", "yaml", "openpyxl", "jinja2",
    "IPython", "IPython.core.interactiveshell", "nbformat", "nbclient", "papermill", "papermill.execute",
    "nbconvert", "nbconvert.exporters.html", "bs4", "mistune", "pygments", "pygments.lexers.python",
    "pygments.formatters.html",
    "workbench", "workbench.core.i18n", "workbench.intake.contract", "workbench.intake.model", "workbench.intake.reading",
    "workbench.intake.validation", "workbench.analysis.analyse", "workbench.analysis.results", "workbench.deliverable.charts",
    "workbench.deliverable.charts.style", "workbench.build.engine", "workbench.deliverable.render", "workbench.deliverable.tables",
    "workbench.deliverable.html", "workbench.deliverable.notebook", "workbench.build.runner", "workbench.core.atomic", "workbench.build.portfolio",
    "workbench.build.batch", "workbench.build.fingerprint",
)
# Environment for the zygote: one BLAS/OpenMP thread (the zygote must have no threads when it forks,
# and with -j children on the cores more threads per child only contend).
# pandas 3 imports pyarrow, whose jemalloc starts a background thread unless told not to.
SINGLE_THREAD_ENV = {**{k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                         "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")},
                     "JE_ARROW_MALLOC_CONF": "background_thread:false"}
_LOG_TAIL = 2000


@dataclass
class Task:
    key: str
    func: str  # "package.module:function"; called as function(**kwargs) -> JSON-able dict
    kwargs: dict[str, Any] = field(default_factory=dict)
    time_limit: float | None = None  # seconds of wall time for the whole job
    memory_mb: int | None = None  # RLIMIT_AS of the child (its whole address space)
    env: dict[str, str] = field(default_factory=dict)


class PoolError(RuntimeError):
    pass


class WarmPool:
    """Client side: starts the zygote, feeds it tasks, yields results as they complete."""

    def __init__(self, jobs: int = 1, *, preload: Iterable[str] | None = None, warm: bool = True,
                 env: dict[str, str] | None = None, python: str | None = None, rehearse: Task | None = None):
        """``rehearse``: a task the zygote runs once, in itself, before it forks any child (its result is dropped,
        its failure is a warning). A child starts from the zygote's memory, so whatever the first real job would
        compute lazily (font metrics, template and regex caches, code hashes, first-call imports) is then paid
        once per pool instead of once per child."""
        self.jobs = max(1, int(jobs))
        spec = {"jobs": self.jobs, "preload": list(DEFAULT_PRELOAD if preload is None else preload), "warm": warm,
                "rehearse": None if rehearse is None else {"func": rehearse.func, "kwargs": rehearse.kwargs,
                                                           "env": rehearse.env}}
        full_env = {**os.environ, **SINGLE_THREAD_ENV, "MPLBACKEND": "Agg", **(env or {})}
        self.proc = subprocess.Popen(
            [python or sys.executable, "-c", "import sys; from workbench.build.pool import _zygote_main; _zygote_main(sys.argv[1])",
             json.dumps(spec)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=full_env, start_new_session=True, close_fds=True)
        self.info: dict[str, Any] | None = None
        self._closed = False

    # -- protocol -------------------------------------------------------------------------------
    def _send(self, msg: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(msg) + "\n").encode())
        self.proc.stdin.flush()

    def _recv(self) -> dict | None:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            return None
        return json.loads(line)

    def wait_ready(self) -> dict:
        """Block until the zygote has imported and warmed up; returns its report (seconds, threads, ...)."""
        if self.info is None:
            msg = self._recv()
            if msg is None or msg.get("ev") != "ready":
                code = self.proc.wait()
                raise PoolError(f"worker pool failed to start (exit code {code})")
            self.info = msg
        return self.info

    def run(self, tasks: Iterable[Task], on_start: Callable[[str], None] | None = None) -> Iterator[tuple[str, dict]]:
        """Run tasks, at most ``jobs`` at a time; yield ``(key, result)`` in completion order.

        ``result`` is the job's dict plus ``wall`` (s), ``cpu`` (user+sys of the child, s) and
        ``maxrss_mb``; a job that raised, timed out, ran out of memory or died has ``status`` 'failed'
        and an ``error`` saying why. Tasks are fed lazily (a small window), so the pipes never fill.
        """
        self.wait_ready()
        pending = deque(tasks)
        outstanding: dict[str, Task] = {}
        window = self.jobs * 2
        while pending or outstanding:
            while pending and len(outstanding) < window:
                t = pending.popleft()
                if t.key in outstanding:
                    raise ValueError(f"duplicate task key {t.key!r}")
                outstanding[t.key] = t
                self._send({"op": "run", "key": t.key, "func": t.func, "kwargs": t.kwargs,
                            "time_limit": t.time_limit, "memory_mb": t.memory_mb, "env": t.env})
            msg = self._recv()
            if msg is None:  # the zygote itself is gone: the machine's fault, not the jobs'
                code = self.proc.wait()
                raise PoolError(f"the worker pool exited unexpectedly (exit code {code}) with "
                                f"{len(outstanding) + len(pending)} job(s) not done")
            if msg["ev"] == "start":
                if on_start:
                    on_start(msg["key"])
            elif msg["ev"] == "done":
                outstanding.pop(msg["key"], None)
                yield msg["key"], msg["result"]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.proc.stdin:
                self.proc.stdin.close()  # EOF: the zygote kills any running child and exits
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> "WarmPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.close()
        except Exception:
            pass


# ------------------------------------------------------------------------------------------------
# Zygote side
# ------------------------------------------------------------------------------------------------

def _thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # pragma: no cover - not Linux
        import threading
        return threading.active_count()


def _vm_mb() -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover
        pass
    return None


def _warm_up() -> list[str]:
    """Do once what every job would otherwise do first: fonts, chart style, exporter templates."""
    notes: list[str] = []
    try:
        from workbench.build import runner
        runner.warm_up()  # matplotlib Agg + fonts + style, pandas, papermill, the IPython shell, the exporter
    except Exception as exc:
        notes.append(f"runner.warm_up: {type(exc).__name__}: {exc}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        try:
            from workbench.deliverable.charts import style
            style.apply_style()
        except Exception as exc:  # charts not there (yet): plain matplotlib still warms the fonts
            notes.append(f"charts.style: {type(exc).__name__}: {exc}")
        import io
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.bar(["财务", "客户"], [1, 2])
        ax.set_title("绩效 Performance")
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    except Exception as exc:
        notes.append(f"matplotlib warm-up: {type(exc).__name__}: {exc}")
    try:
        import nbformat
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题\n*text*"),
                                             nbformat.v4.new_code_cell("x = 1\nprint(x)")])
        exporter = None
        try:
            from workbench.deliverable import render as report
            for name in ("exporter", "get_exporter", "html_exporter", "_exporter"):
                fn = getattr(report, name, None)
                if callable(fn):
                    exporter = fn()
                    break
        except Exception as exc:
            notes.append(f"report exporter: {type(exc).__name__}: {exc}")
        if exporter is None:
            from nbconvert import HTMLExporter
            exporter = HTMLExporter()
        exporter.from_notebook_node(nb)
    except Exception as exc:
        notes.append(f"nbconvert warm-up: {type(exc).__name__}: {exc}")
    return notes


@dataclass
class _Running:
    key: str
    pid: int
    rfd: int
    tmp: str
    started: float
    deadline: float | None
    time_limit: float | None
    memory_mb: int | None
    buf: bytearray = field(default_factory=bytearray)
    killed_for_time: bool = False


def _rehearse(task: dict) -> list[str]:
    """Run ``task`` once in the zygote (see `WarmPool`), with its environment, and drop its result."""
    import importlib

    saved = {k: os.environ.get(k) for k in task.get("env") or {}}
    try:
        os.environ.update(task.get("env") or {})
        module, name = task["func"].split(":")
        getattr(importlib.import_module(module), name)(**task.get("kwargs", {}))
        return []
    except Exception as exc:  # noqa: BLE001 - a warm-up: the real jobs still run and report for themselves
        return [f"rehearsal {task['func']}: {type(exc).__name__}: {exc}"]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _zygote_main(spec_json: str) -> None:
    try:
        _zygote(spec_json)
    except (BrokenPipeError, KeyboardInterrupt):  # the owner went away: nothing to report to
        pass


def _zygote(spec_json: str) -> None:
    import gc
    import importlib
    import selectors
    import shutil
    import tempfile

    spec = json.loads(spec_json)
    jobs = int(spec["jobs"])
    # Protocol on private fds; fd 0 -> /dev/null and fd 1 -> stderr, so stray prints cannot corrupt it.
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides; EOF on stdin stops us

    t0 = time.perf_counter()
    warnings: list[str] = []
    for mod in spec["preload"]:
        try:
            importlib.import_module(mod)
        except Exception as exc:
            warnings.append(f"{mod}: {type(exc).__name__}: {exc}")
    if spec.get("warm", True):
        warnings += _warm_up()
    if spec.get("rehearse"):
        warnings += _rehearse(spec["rehearse"])
    gc.collect()
    gc.freeze()  # keep the warm heap out of the children's garbage collections: fewer copy-on-write faults
    warm_seconds = time.perf_counter() - t0

    def send(msg: dict) -> None:
        data = (json.dumps(msg) + "\n").encode()
        view = memoryview(data)
        while view:
            n = os.write(proto_out, view)
            view = view[n:]

    send({"ev": "ready", "seconds": warm_seconds, "threads": _thread_count(), "pid": os.getpid(),
          "vm_mb": _vm_mb(), "warnings": warnings})

    # SIGCHLD wakes the selector (set_wakeup_fd writes the signal number to a pipe).
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)

    sel = selectors.DefaultSelector()
    sel.register(proto_in, selectors.EVENT_READ, "in")
    sel.register(wake_r, selectors.EVENT_READ, "wake")
    queue: deque[dict] = deque()
    running: dict[int, _Running] = {}
    inbuf = bytearray()
    stdin_open = True

    def start(req: dict) -> None:
        tmp = tempfile.mkdtemp(prefix=f"wb-{req['key'][:40].replace('/', '_')}-")
        rfd, wfd = os.pipe()
        if threads := _thread_count() - 1:  # pragma: no cover - a preload started a thread: say so
            sys.stderr.write(f"workbench.build.pool: warning: zygote has {threads} extra thread(s) at fork\n")
        pid = os.fork()
        if pid == 0:  # child
            code = 70
            try:
                os.close(rfd)
                _child(req, wfd, tmp, close=[proto_in, proto_out, wake_r, wake_w, devnull, sel.fileno()]
                       + [r.rfd for r in running.values()])
                code = 0
            finally:
                os._exit(code)
        os.close(wfd)
        os.set_blocking(rfd, False)
        now = time.monotonic()
        limit = req.get("time_limit")
        r = _Running(req["key"], pid, rfd, tmp, now, now + limit if limit else None, limit, req.get("memory_mb"))
        running[pid] = r
        sel.register(rfd, selectors.EVENT_READ, r)
        send({"ev": "start", "key": r.key, "pid": pid})

    def drain(r: _Running) -> None:
        while True:
            try:
                chunk = os.read(r.rfd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                try:
                    sel.unregister(r.rfd)
                except (KeyError, ValueError):
                    pass
                return
            r.buf += chunk

    def finish(pid: int, status: int, ru: Any) -> None:
        r = running.pop(pid)
        drain(r)
        try:
            sel.unregister(r.rfd)
        except (KeyError, ValueError):
            pass
        os.close(r.rfd)
        try:
            os.killpg(pid, signal.SIGKILL)  # anything the child left behind in its group
        except (ProcessLookupError, PermissionError):
            pass
        result: dict[str, Any]
        payload = None
        if r.buf:
            try:
                payload = json.loads(bytes(r.buf))
            except ValueError:
                payload = None
        log_tail = _read_tail(os.path.join(r.tmp, "child.log"))
        if r.killed_for_time:
            result = {"status": "failed", "error": f"Timed out after {r.time_limit:g} s (the time limit of one client).",
                      "reason": "timeout", "traceback": log_tail or None}
        elif payload is not None and os.WIFEXITED(status):
            result = payload
        elif os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = f"signal {sig}"
            error = f"The worker process died with {name} ({sig})"
            if sig == signal.SIGKILL:
                error += ", killed from outside the pool (e.g. by the system's out-of-memory killer)"
            result = {"status": "failed", "error": error + ".", "traceback": log_tail or None,
                      "reason": "signal", "signal": sig}
        else:
            code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
            result = {"status": "failed", "error": f"The worker process exited with code {code} without a result.",
                      "traceback": log_tail or None, "reason": "exit", "exit_code": code}
        result.setdefault("status", "failed")
        result["wall"] = time.monotonic() - r.started
        if ru is not None:
            result["cpu"] = ru.ru_utime + ru.ru_stime
            result["cpu_sys"] = ru.ru_stime  # page faults of copy-on-write memory show here
            result["maxrss_mb"] = ru.ru_maxrss / 1024
        shutil.rmtree(r.tmp, ignore_errors=True)
        send({"ev": "done", "key": r.key, "result": result})

    def kill_all() -> None:
        for r in running.values():
            try:
                os.killpg(r.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    try:
        while stdin_open or queue or running:
            while stdin_open and queue and len(running) < jobs:
                start(queue.popleft())
            now = time.monotonic()
            deadlines = [r.deadline for r in running.values() if r.deadline and not r.killed_for_time]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            if running:  # belt and braces against a lost SIGCHLD
                timeout = 1.0 if timeout is None else min(timeout, 1.0)
            for key, _ in sel.select(timeout):
                if key.data == "in":
                    chunk = os.read(proto_in, 65536)
                    if not chunk:
                        stdin_open = False
                        sel.unregister(proto_in)
                        queue.clear()
                        kill_all()
                        continue
                    inbuf += chunk
                    while b"\n" in inbuf:
                        line, _, rest = inbuf.partition(b"\n")
                        inbuf = bytearray(rest)
                        req = json.loads(line)
                        if req.get("op") == "run":
                            queue.append(req)
                        elif req.get("op") == "quit":
                            stdin_open = False
                elif key.data == "wake":
                    try:
                        while os.read(wake_r, 4096):
                            pass
                    except BlockingIOError:
                        pass
                else:
                    drain(key.data)
            now = time.monotonic()
            for r in running.values():
                if r.deadline and not r.killed_for_time and now >= r.deadline:
                    r.killed_for_time = True
                    try:
                        os.killpg(r.pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            while running:
                try:
                    pid, status, ru = os.wait4(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                if pid in running:
                    finish(pid, status, ru)
    finally:
        kill_all()
        for r in list(running.values()):
            shutil.rmtree(r.tmp, ignore_errors=True)


def _read_tail(path: str) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - _LOG_TAIL))
            return f.read().decode("utf-8", "replace").strip().replace("\n", " | ")[-_LOG_TAIL:]
    except OSError:
        return ""


def _out_of_memory(memory_mb: int | None) -> str:
    return (f"Ran out of memory (the limit of one client is {memory_mb} MB)." if memory_mb
            else "Ran out of memory.")


def _child(req: dict, wfd: int, tmp: str, close: list[int]) -> None:
    """In the forked child: isolate, limit, run the job, report one JSON dict on ``wfd``."""
    import importlib
    import traceback

    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.setpgid(0, 0)  # own process group: the deadline kill reaches anything it starts
    for fd in close:
        try:
            os.close(fd)
        except OSError:
            pass
    log = os.open(os.path.join(tmp, "child.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.close(devnull)
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    os.chdir(work)
    os.environ.update({k: str(v) for k, v in (req.get("env") or {}).items()})
    os.environ["TMPDIR"] = tmp
    import tempfile
    tempfile.tempdir = None  # re-read TMPDIR

    memory_mb = req.get("memory_mb")
    out: dict[str, Any]
    try:
        if memory_mb:
            import resource
            limit = int(memory_mb) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        module, _, name = req["func"].partition(":")
        fn = getattr(importlib.import_module(module), name)
        out = fn(**(req.get("kwargs") or {}))
        if not isinstance(out, dict):
            out = {"status": "ok", "value": out}
        out.setdefault("status", "ok")
        if out.get("status") != "ok" and (out.get("reason") == "memory" or "MemoryError" in str(out.get("error") or "")):
            out["traceback"] = out.get("traceback") or out.get("error")
            out["error"] = _out_of_memory(memory_mb)
            out["reason"] = "memory"
    except MemoryError:
        out = {"status": "failed", "reason": "memory", "error": _out_of_memory(memory_mb),
               "traceback": traceback.format_exc()[-4000:]}
    except BaseException as exc:  # noqa: BLE001 - report everything, the child exits anyway
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
        text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        out = {"status": "failed", "reason": "exception", "error": f"The job raised {text}{where}.",
               "traceback": traceback.format_exc()[-8000:]}
    try:
        data = json.dumps(out, default=str).encode()
    except Exception as exc:  # pragma: no cover
        data = json.dumps({"status": "failed", "error": f"result not JSON-serialisable: {exc}"}).encode()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    view = memoryview(data)
    while view:
        n = os.write(wfd, view)
        view = view[n:]
    os.close(wfd)
