"""`workbench batch`: many clients through the same path as `workbench run`.

- Incremental: a client whose fingerprint (inputs, notebooks, templates, package) equals the one of
  its last successful build is skipped (``workbench.build.fingerprint``); ``--force`` rebuilds.
- Warm and isolated: clients to build run in children forked from a warm zygote (``workbench.build.pool``):
  imports are paid once, nothing leaks from one client to the next, a client that hangs, runs out
  of memory or crashes fails alone.
- ``--scheduler ADDR``: the same per-client pipeline as Dask tasks; artefacts come back as bytes and
  are written here atomically.
- Always writes ``<out>/batch.json`` and ``<out>/index.html`` (``workbench.build.portfolio``).

Exit code: 0 every client ok (built or skipped), 1 some failed, 2 bad usage.

The module top level imports only the standard library and light workbench modules: an unchanged
re-run hashes, skips and writes the index without importing pandas or matplotlib and without
starting the zygote.

Tuning without CLI flags (environment): ``WORKBENCH_CLIENT_TIMEOUT`` (s, whole client, default 900),
``WORKBENCH_CELL_TIMEOUT`` (s per cell, default 300), ``WORKBENCH_MEMORY_MB`` (address-space limit
per client, default 4096, 0 = none), ``WORKBENCH_NOTEBOOKS`` (notebooks folder).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from workbench.build import fingerprint
from workbench.core.resources import notebooks_dir, templates_dir

DEFAULT_CLIENT_TIMEOUT = 900.0
DEFAULT_CELL_TIMEOUT = 300.0
DEFAULT_MEMORY_MB = 4096


class UsageError(Exception):
    pass


@dataclass
class Options:
    notebooks: Path | None = None  # None: the runner's default (fingerprinted as ROOT/notebooks)
    templates: Path | None = None
    time_limit: float | None = DEFAULT_CLIENT_TIMEOUT
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT
    memory_mb: int | None = DEFAULT_MEMORY_MB
    pdf: bool = False  # also report.pdf (an unchanged client built without one is rebuilt)

    @classmethod
    def from_env(cls, **overrides: Any) -> "Options":
        env = os.environ

        def num(name: str, default: float | None) -> float | None:
            v = env.get(name)
            if v in (None, ""):
                return default
            f = float(v)
            return f if f > 0 else None

        o = cls(notebooks=Path(env["WORKBENCH_NOTEBOOKS"]) if env.get("WORKBENCH_NOTEBOOKS") else None,
                time_limit=num("WORKBENCH_CLIENT_TIMEOUT", DEFAULT_CLIENT_TIMEOUT),
                cell_timeout=num("WORKBENCH_CELL_TIMEOUT", DEFAULT_CELL_TIMEOUT))
        mem = num("WORKBENCH_MEMORY_MB", DEFAULT_MEMORY_MB)
        o.memory_mb = int(mem) if mem else None
        for k, v in overrides.items():
            setattr(o, k, v)
        return o

    @property
    def notebooks_dir(self) -> Path:
        return (self.notebooks or notebooks_dir()).resolve()

    @property
    def templates_dir(self) -> Path:
        return (self.templates or templates_dir()).resolve()


@dataclass
class Item:
    id: str
    folder: Path
    fp: dict | None = None
    status: str = "pending"  # ok / failed / skipped
    seconds: float = 0.0
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def entry(self) -> dict[str, Any]:
        e = {"id": self.id, "status": self.status, "seconds": round(self.seconds, 3), "error": self.error,
             "folder": str(self.folder)}
        e.update(self.extra)
        return e


# ----------------------------------------------------------------------------------------------
# Discovery and planning
# ----------------------------------------------------------------------------------------------
_INTAKE_HINTS = ("client.yaml", "intake.xlsx", "kpis.csv")


def _is_client(folder: Path) -> bool:
    return any((folder / name).is_file() for name in _INTAKE_HINTS)


def discover(folders: Iterable[Path]) -> list[Path]:
    """Client folders named directly, or the client folders inside a folder of clients (sorted)."""
    found: list[Path] = []
    for f in folders:
        f = Path(f)
        if not f.is_dir():
            raise UsageError(f"{f}: not a folder")
        if _is_client(f):
            found.append(f)
            continue
        subs = sorted(p for p in f.iterdir() if p.is_dir() and not p.name.startswith(".") and _is_client(p))
        if not subs:
            raise UsageError(f"{f}: neither a client folder (client.yaml) nor a folder of client folders")
        found += subs
    seen: dict[str, Path] = {}
    unique: list[Path] = []
    for p in found:
        key = p.name
        if key in seen:
            if seen[key].resolve() == p.resolve():
                continue
            raise UsageError(f"two client folders share the id {key!r}: {seen[key]} and {p}")
        seen[key] = p
        unique.append(p)
    if not unique:
        raise UsageError("no client folders found")
    return unique


def plan(clients: list[Path], out: Path, force: bool, options: Options) -> list[Item]:
    from workbench.build.runner import notebook_paths  # light: the runner imports its heavy parts lazily

    try:
        nbs: Path | list[Path] = notebook_paths(options.notebooks)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    ctx = fingerprint.Context(nbs, options.templates_dir)
    items = []
    for folder in clients:
        item = Item(folder.name, folder, ctx.compute(folder))
        if not force and fingerprint.up_to_date(out / item.id, item.fp) and (
                not options.pdf or (out / item.id / "report.pdf").is_file()):
            item.status = "skipped"
        elif not force and (error := fingerprint.cached_failure(out / item.id, item.fp)):
            item.status, item.error = "failed", error  # same inputs, same validation report: not re-run
            item.extra["unchanged"] = True
        items.append(item)
    return items


# ----------------------------------------------------------------------------------------------
# The per-client job (runs in a forked child or on a Dask worker)
# ----------------------------------------------------------------------------------------------

def _call_runner(folder: Path, out: Path, notebooks: str | None, cell_timeout: float | None,
                 pdf: bool = False) -> dict[str, Any]:
    from workbench.build.runner import DEFAULT_ENGINE, run_client

    res = run_client(folder, out, engine=DEFAULT_ENGINE, timeout=cell_timeout,
                     notebooks=Path(notebooks) if notebooks else None, pdf=pdf)
    return {"status": "ok" if res.status == "ok" else "failed", "seconds": float(res.seconds),
            "error": res.error or None, "stage": res.stage,
            "timings": {k: round(v, 3) for k, v in (res.timings or {}).items()}}


def job(folder: str, out: str, notebooks: str | None = None, cell_timeout: float | None = None,
        pdf: bool = False) -> dict[str, Any]:
    """One client, end to end, exactly like `workbench run` (called in a forked child)."""
    return _call_runner(Path(folder), Path(out), notebooks, cell_timeout, pdf)


# ----------------------------------------------------------------------------------------------
# Executors
# ----------------------------------------------------------------------------------------------
Callback = Callable[[Item], None]


def _finish(item: Item, res: dict[str, Any], out: Path, t0: float) -> None:
    item.status = "ok" if res.get("status") == "ok" else "failed"
    item.error = None if item.status == "ok" else (res.get("error") or "failed (no reason given)")
    item.seconds = float(res.get("wall") or res.get("seconds") or (time.perf_counter() - t0))
    for k in ("cpu", "maxrss_mb", "reason", "timings"):
        if res.get(k) is not None:
            item.extra[k] = round(res[k], 3) if isinstance(res[k], float) else res[k]
    client_out = out / item.id
    if item.status == "ok":
        if not all((client_out / n).is_file() for n in fingerprint.REQUIRED_OUTPUTS):
            item.status, item.error = "failed", "the run reported success but left no report.html/results.json"
            fingerprint.remove(client_out)
        else:
            fingerprint.remove_failure(client_out)
            fingerprint.write(client_out, item.fp or {})  # last, atomically, only on success
    else:
        fingerprint.remove(client_out)
        if res.get("stage") == "validate" and item.fp:
            fingerprint.write_failure(client_out, item.fp, item.error or "")
        else:
            fingerprint.remove_failure(client_out)
        _clean_stale(out, [item.id])  # the runner's temp build folder of a killed/timed-out child


def run_pool(items: list[Item], out: Path, jobs: int, options: Options, done: Callback,
             started: Callable[[str], None] | None = None, pool: Any = None) -> dict[str, Any]:
    """Build ``items`` in warm forked children. Returns the pool's warm-up report."""
    from workbench.build.pool import Task, WarmPool

    own = pool is None
    pool = pool or WarmPool(min(jobs, max(1, len(items))))
    try:
        by_key = {it.id: it for it in items}
        t0 = time.perf_counter()
        tasks = [Task(it.id, "workbench.build.batch:job",
                      {"folder": str(it.folder.resolve()), "out": str(out.resolve()),
                       "notebooks": str(options.notebooks.resolve()) if options.notebooks else None,
                       "cell_timeout": options.cell_timeout, "pdf": options.pdf},
                      time_limit=options.time_limit, memory_mb=options.memory_mb) for it in items]
        for key, res in pool.run(tasks, on_start=started):
            item = by_key[key]
            _finish(item, res, out, t0)
            done(item)
        return dict(pool.info or {})
    finally:
        if own:
            pool.close()


# -- Dask ---------------------------------------------------------------------------------------
_worker_pool: Any = None
_worker_lock: Any = None


def dask_task(folder: str, client_id: str, notebooks: str | None, cell_timeout: float | None,
              time_limit: float | None, memory_mb: int | None, pdf: bool = False) -> dict[str, Any]:
    """On a Dask worker: build one client into a private temp folder through the worker's own warm
    pool (forked children, same isolation and limits as locally) and return the artefacts as bytes."""
    global _worker_pool, _worker_lock
    import threading

    from workbench.build.pool import Task, WarmPool

    if _worker_lock is None:
        _worker_lock = threading.Lock()
    tmp = tempfile.mkdtemp(prefix=f"wb-dask-{client_id}-")
    try:
        with _worker_lock:  # one zygote per worker process, started on first use
            if _worker_pool is None or _worker_pool.proc.poll() is not None:
                _worker_pool = WarmPool(1)
            task = Task(client_id, "workbench.build.batch:job",
                        {"folder": folder, "out": tmp, "notebooks": notebooks, "cell_timeout": cell_timeout,
                         "pdf": pdf},
                        time_limit=time_limit, memory_mb=memory_mb)
            res = next(iter(_worker_pool.run([task])))[1]
        files: dict[str, bytes] = {}
        base = Path(tmp) / client_id
        if res.get("status") == "ok" and base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.is_file() and not p.name.startswith("."):
                    files[p.relative_to(base).as_posix()] = p.read_bytes()
        res["files"] = files
        import socket
        res["worker_host"] = socket.gethostname()
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _install_dir(client_out: Path, files: dict[str, bytes]) -> None:
    """Atomically replace ``client_out`` by a folder holding ``files`` (build beside it, then swap)."""
    parent = client_out.parent
    parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{client_out.name}.new-", dir=parent))
    try:
        for rel, data in files.items():
            dest = new / rel
            if ".." in Path(rel).parts or Path(rel).is_absolute():
                raise ValueError(f"unsafe artefact path {rel!r}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(dest, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        os.chmod(new, 0o755)
        old = None
        if client_out.exists():
            old = parent / f".{client_out.name}.old-{os.getpid()}-{time.monotonic_ns()}"
            os.replace(client_out, old)
        os.replace(new, client_out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def run_dask(items: list[Item], out: Path, address: str, options: Options, done: Callback) -> dict[str, Any]:
    from dask.distributed import Client, as_completed

    with Client(address) as client:
        futures = {}
        for it in items:
            fut = client.submit(dask_task, str(it.folder.resolve()), it.id,
                                str(options.notebooks.resolve()) if options.notebooks else None,
                                options.cell_timeout, options.time_limit, options.memory_mb, pdf=options.pdf,
                                key=f"workbench-{it.id}-{(it.fp or {}).get('digest', '')}-{time.time_ns()}",
                                pure=False, retries=0)
            futures[fut] = it
        t0 = time.perf_counter()
        for fut in as_completed(list(futures)):
            it = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # the task itself failed (worker lost, ...)
                res = {"status": "failed", "error": f"dask task failed: {type(exc).__name__}: {exc}"}
            if res.get("status") == "ok":
                try:
                    _install_dir(out / it.id, res.pop("files", {}))
                except Exception as exc:
                    res = {"status": "failed", "error": f"writing artefacts: {type(exc).__name__}: {exc}"}
            res.pop("files", None)
            if res.get("worker_host"):
                it.extra["worker_host"] = res["worker_host"]
            _finish(it, res, out, t0)
            done(it)
    return {"scheduler": address}


# ----------------------------------------------------------------------------------------------
# Command
# ----------------------------------------------------------------------------------------------

def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover
        return max(1, os.cpu_count() or 1)


def batch_command(folders: list[Path], out: Path = Path("build"), jobs: int | None = None, force: bool = False,
                  scheduler: str | None = None, *, options: Options | None = None, console: Any = None,
                  progress: bool = True, pool: Any = None, lang: str | None = None) -> int:
    from rich.console import Console

    console = console or Console()
    options = options or Options.from_env()
    started_at = time.perf_counter()
    try:
        clients = discover(folders or [])
        if jobs is not None and jobs < 1:
            raise UsageError("-j must be at least 1")
    except UsageError as exc:
        console.print(f"[red]workbench batch: {exc}[/red]")
        return 2
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        items = plan(clients, out, force, options)
    except UsageError as exc:
        console.print(f"[red]workbench batch: {exc}[/red]")
        return 2
    todo = [it for it in items if it.status == "pending"]
    _clean_stale(out, [it.id for it in todo])
    n_skipped = sum(it.status == "skipped" for it in items)
    jobs = jobs or default_jobs()
    info: dict[str, Any] = {}
    interrupted = False

    if todo:
        from rich.markup import escape
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        counts = {"ok": 0, "failed": 0}
        columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("[green]ok {task.fields[ok]}[/] [red]failed {task.fields[failed]}[/] "
                              f"[dim]skipped {n_skipped}[/]"),
                   TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn()]
        with Progress(*columns, console=console, disable=not progress, transient=False) as bar:
            task = bar.add_task("building", total=len(todo), ok=0, failed=0, rate="")
            t0 = time.perf_counter()

            def done(item: Item) -> None:
                counts["ok" if item.status == "ok" else "failed"] += 1
                n = counts["ok"] + counts["failed"]
                el = time.perf_counter() - t0
                bar.update(task, advance=1, ok=counts["ok"], failed=counts["failed"],
                           rate=f"{n / el * 60:.1f}/min" if el > 0 else "", description=item.id)
                if item.status != "ok":
                    from rich.markup import escape

                    bar.console.print(f"[red]✗ {escape(item.id)}[/red]: {escape(headline(item.error))}", markup=True,
                                      highlight=False)

            try:
                if scheduler:
                    info = run_dask(todo, out, scheduler, options, done)
                else:
                    info = run_pool(todo, out, jobs, options, done, pool=pool)
            except KeyboardInterrupt:
                interrupted = True
            except Exception as exc:  # the pool or the cluster itself failed: say so for every client left
                crash = f"batch infrastructure error: {type(exc).__name__}: {exc}"
                for it in todo:
                    if it.status == "pending":
                        it.status, it.error = "failed", crash
                bar.console.print(f"[red]{escape(crash)}[/red]")
            bar.update(task, description="done" if not interrupted else "interrupted")
        for it in todo:
            if it.status == "pending":
                it.status, it.error = "failed", "interrupted (not built)" if interrupted else "not built"

    from workbench.build import portfolio

    wall = time.perf_counter() - started_at
    meta = {"wall_seconds": round(wall, 3), "jobs": jobs, "scheduler": scheduler, "force": force,
            "warm_seconds": info.get("seconds"), "generated": time.strftime("%Y-%m-%d %H:%M:%S")}
    rows = portfolio.write(out, [it.entry() for it in items], meta, lang=lang)
    _summary(console, rows, wall)
    if interrupted:
        return 130
    return 1 if any(it.status == "failed" for it in items) else 0


def _clean_stale(out: Path, ids: list[str]) -> None:
    """Remove build folders a killed run left behind (``<id>.tmp-*`` of the runner, ``.<id>.new-*`` / ``.old-*``)."""
    wanted = set(ids)
    for p in out.iterdir():
        name = p.name
        for marker in (".tmp-", ".new-", ".old-"):
            if marker in name and p.is_dir():
                cid = name.split(marker, 1)[0].lstrip(".")
                if cid in wanted:
                    shutil.rmtree(p, ignore_errors=True)
                break


def headline(text: str | None, limit: int = 240) -> str:
    """The first line of a failure reason (plus the first issue of a validation report), one line."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return ""
    head = lines[0]
    if len(lines) > 1 and ("error(s)" in head or head.endswith(":")):
        head = f"{head} {lines[1]}"
    head = " ".join(head.split())
    return head if len(head) <= limit else head[: limit - 1] + "…"


def _summary(console: Any, rows: list[dict[str, Any]], wall: float) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="workbench batch", show_lines=False)
    for col, kw in (("client", {}), ("status", {}), ("s", {"justify": "right"}), ("assessment /1000", {"justify": "right"}),
                    ("contract", {"justify": "right"}), ("error", {"overflow": "fold"})):
        table.add_column(col, **kw)
    colour = {"ok": "green", "failed": "red", "skipped": "dim"}
    for r in rows:
        total = r.get("total")
        contract = r.get("contract_score")
        table.add_row(escape(r["id"]), f"[{colour.get(r['status'], 'white')}]{r['status']}[/]",
                      f"{r.get('seconds') or 0:.1f}" if r["status"] != "skipped" else "",
                      f"{total:.1f}" if isinstance(total, (int, float)) else "",
                      f"{contract:.1f}" if isinstance(contract, (int, float)) else "",
                      escape(headline(r.get("error"), 160)))
    console.print(table)
    n = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "failed", "skipped")}
    console.print(f"{n['ok']} built, {n['failed']} failed, {n['skipped']} skipped (unchanged) in {wall:.1f} s",
                  highlight=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(batch_command([Path(a) for a in sys.argv[1:]] or [Path("clients")]))
