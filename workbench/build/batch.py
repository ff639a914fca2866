"""`workbench batch`: many clients through the same path as `workbench run`.

- Incremental: a client whose fingerprint (inputs, notebooks, templates, package) equals the one of
  its last successful build is skipped (``workbench.build.fingerprint``); ``--force`` rebuilds.
- Warm and isolated: clients to build run in children forked from a warm zygote (``workbench.build.pool``):
  imports are paid once, nothing leaks from one client to the next, a client that hangs, runs out
  of memory or crashes fails alone.
- ``--scheduler ADDR``: the same per-client pipeline as Dask tasks; artefacts come back as bytes and
  are written here atomically.
- Always writes ``<out>/batch.json`` and ``<out>/index.html`` (``workbench.build.portfolio``).

- One batch at a time per ``--out``: an exclusive lock (``<out>/.batch.lock``, ``fcntl.flock``) held for the
  whole batch; a second batch raises ``InfrastructureError`` naming the holder (pid, host, start time).
- Client ids are the names of the *resolved* client folders (``batch .`` and ``x/sub/..`` work); everything is
  written inside ``--out``.
- ``batch.json`` entries: ``error`` is one human sentence (index.html shows it), ``traceback`` the full story
  (validation report or traceback).

Exit code: 0 every client ok (built or skipped), 1 some failed, 2 bad usage. When the batch cannot run at all
(unusable ``--out``, ``--out`` locked by another batch, unreachable ``--scheduler``, a worker pool that cannot
start) ``batch_command`` raises ``InfrastructureError`` (one line; the CLI exits 2) and marks no client failed.

The module top level imports only the standard library and light workbench modules: an unchanged
re-run hashes, skips and writes the index without importing pandas or matplotlib and without
starting the zygote.

Tuning without CLI flags (environment): ``WORKBENCH_CLIENT_TIMEOUT`` (s, whole client, default 900),
``WORKBENCH_CELL_TIMEOUT`` (s per cell, default 300), ``WORKBENCH_MEMORY_MB`` (address-space limit
per client, default 4096, 0 = none), ``WORKBENCH_NOTEBOOKS`` (notebooks folder).
"""
from __future__ import annotations

import contextlib
import json
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


class InfrastructureError(Exception):
    """The batch cannot run at all (not a client's fault): exit 2, one line, no client marked failed."""


# Failure reasons of the pool that depend on the machine, not on the inputs: never cached as a result.
RESOURCE_REASONS = frozenset({"memory", "timeout", "signal", "exit", "infrastructure"})
LOCK_NAME = ".batch.lock"


@dataclass
class Options:
    notebooks: Path | None = None  # None: the runner's default (fingerprinted as ROOT/notebooks)
    templates: Path | None = None
    time_limit: float | None = DEFAULT_CLIENT_TIMEOUT
    cell_timeout: float | None = DEFAULT_CELL_TIMEOUT
    memory_mb: int | None = DEFAULT_MEMORY_MB
    full_notebooks: bool = False  # executed notebooks keep their images (default: text only, images in report.html)
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
        o.full_notebooks = env.get("WORKBENCH_FULL_NOTEBOOKS", "").strip().lower() in ("1", "yes", "true", "on")
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
    error: str | None = None  # one human sentence
    traceback: str | None = None  # the full story behind ``error``
    extra: dict[str, Any] = field(default_factory=dict)

    def entry(self) -> dict[str, Any]:
        e = {"id": self.id, "status": self.status, "seconds": round(self.seconds, 3), "error": self.error,
             "traceback": self.traceback, "folder": str(self.folder)}
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
    for given in folders:
        if not Path(given).is_dir():
            raise UsageError(f"{given}: not a folder")
        f = Path(given).resolve()  # "." and "x/sub/.." name the folder they stand for
        if not f.name:
            raise UsageError(f"{given}: the file-system root cannot be a client or a folder of clients")
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
    ctx = fingerprint.Context(nbs, options.templates_dir,
                              extra={"notebook_images": "kept" if options.full_notebooks else "removed"})
    items = []
    for folder in clients:
        item = Item(folder.name, folder, ctx.compute(folder))
        if not force and fingerprint.up_to_date(out / item.id, item.fp) and (
                not options.pdf or (out / item.id / "report.pdf").is_file()):
            item.status = "skipped"
        elif not force and (cached := fingerprint.cached_failure(out / item.id, item.fp)):
            item.status = "failed"  # same inputs, same validation report: not re-run
            item.error, item.traceback = cached
            item.extra["unchanged"] = True
        items.append(item)
    return items


# ----------------------------------------------------------------------------------------------
# The per-client job (runs in a forked child or on a Dask worker)
# ----------------------------------------------------------------------------------------------

def _call_runner(folder: Path, out: Path, notebooks: str | None, cell_timeout: float | None,
                 full_notebooks: bool = False, pdf: bool = False) -> dict[str, Any]:
    from workbench.build.runner import DEFAULT_ENGINE, run_client

    res = run_client(folder, out, engine=DEFAULT_ENGINE, timeout=cell_timeout,
                     notebooks=Path(notebooks) if notebooks else None, full_notebooks=full_notebooks, pdf=pdf)
    out_doc: dict[str, Any] = {"status": "ok" if res.status == "ok" else "failed", "seconds": float(res.seconds),
                               "error": (res.reason or res.error) if res.status != "ok" else None,
                               "traceback": res.error if res.status != "ok" else None, "stage": res.stage,
                               "timings": {k: round(v, 3) for k, v in (res.timings or {}).items()}}
    if res.limit:
        out_doc["reason"] = res.limit
    return out_doc


def job(folder: str, out: str, notebooks: str | None = None, cell_timeout: float | None = None,
        full_notebooks: bool = False, pdf: bool = False) -> dict[str, Any]:
    """One client, end to end, exactly like `workbench run` (called in a forked child)."""
    return _call_runner(Path(folder), Path(out), notebooks, cell_timeout, full_notebooks, pdf)


def rehearse(folder: str, notebooks: str | None = None, pdf: bool = False) -> None:
    """Build ``folder`` once into a throw-away folder, drawing every chart (chart cache off): the warm pool's
    rehearsal (`workbench.build.pool.WarmPool`). Measured with an empty chart cache on 12 synthetic clients: a forked
    child then spends about 0.25 CPU-s less on its client than one that starts from the plain warm-up."""
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="wb-rehearse-"))
    try:
        _call_runner(Path(folder), tmp, notebooks, None, False, pdf)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def rehearsal(folder: str, notebooks: str | None, pdf: bool) -> Any:
    """The warm pool's rehearsal task (`rehearse`) for a batch whose first client is ``folder``."""
    from workbench.build.pool import Task

    return Task("rehearse", "workbench.build.batch:rehearse", {"folder": folder, "notebooks": notebooks, "pdf": pdf},
                env={"WORKBENCH_CHART_CACHE": "off"})


# ----------------------------------------------------------------------------------------------
# Executors
# ----------------------------------------------------------------------------------------------
Callback = Callable[[Item], None]


def _finish(item: Item, res: dict[str, Any], out: Path, t0: float) -> None:
    item.status = "ok" if res.get("status") == "ok" else "failed"
    item.error = None if item.status == "ok" else headline(res.get("error") or "failed (no reason given)", 400)
    item.traceback = None if item.status == "ok" else (res.get("traceback") or res.get("detail") or
                                                       (res.get("error") if "\n" in (res.get("error") or "") else None))
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
        if res.get("stage") == "validate" and item.fp and res.get("reason") not in RESOURCE_REASONS:
            fingerprint.write_failure(client_out, item.fp, item.error or "", item.traceback)
        else:
            fingerprint.remove_failure(client_out)
        _clean_stale(out, [item.id])  # the runner's temp build folder of a killed/timed-out child


def run_pool(items: list[Item], out: Path, jobs: int, options: Options, done: Callback,
             started: Callable[[str], None] | None = None, pool: Any = None) -> dict[str, Any]:
    """Build ``items`` in warm forked children. Returns the pool's warm-up report."""
    from workbench.build.pool import Task, WarmPool

    own = pool is None
    pool = pool or WarmPool(min(jobs, max(1, len(items))), rehearse=rehearsal(
        str(items[0].folder.resolve()), str(options.notebooks.resolve()) if options.notebooks else None, options.pdf)
        if items else None)
    try:
        by_key = {it.id: it for it in items}
        t0 = time.perf_counter()
        tasks = [Task(it.id, "workbench.build.batch:job",
                      {"folder": str(it.folder.resolve()), "out": str(out.resolve()),
                       "notebooks": str(options.notebooks.resolve()) if options.notebooks else None,
                       "cell_timeout": options.cell_timeout, "full_notebooks": options.full_notebooks,
                       "pdf": options.pdf},
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


MAX_SHIPPED_INPUT = 64 * 1024 * 1024  # bytes of one client's inputs sent to a Dask worker


def pack_folder(folder: Path, suffixes: tuple[str, ...] | None = None) -> dict[str, bytes]:
    """The input files of a folder as ``{relative path: bytes}`` (the files the fingerprint hashes: no backups,
    lock or hidden files), to send to a worker that does not share this file system."""
    files: dict[str, bytes] = {}
    total = 0
    for rel in fingerprint.tree_files(folder, suffixes=suffixes):
        data = (folder / rel).read_bytes()
        total += len(data)
        if total > MAX_SHIPPED_INPUT:
            raise ValueError(f"the inputs of {folder.name} exceed {MAX_SHIPPED_INPUT // 2**20} MB")
        files[rel] = data
    return files


def _unpack(files: dict[str, bytes], dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise ValueError(f"unsafe input path {rel!r}")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    return dest


def dask_task(inputs: dict[str, bytes] | str, client_id: str, notebooks: dict[str, bytes] | str | None,
              cell_timeout: float | None, time_limit: float | None, memory_mb: int | None,
              full_notebooks: bool = False, pdf: bool = False) -> dict[str, Any]:
    """On a Dask worker: build one client into a private temp folder through the worker's own warm
    pool (forked children, same isolation and limits as locally) and return the artefacts as bytes.

    ``inputs`` (and ``notebooks``) come as ``{relative path: bytes}``, so the worker needs no shared file
    system; a path string is used as it is (a file system the worker shares)."""
    global _worker_pool, _worker_lock
    import threading

    from workbench.build.pool import Task, WarmPool

    if _worker_lock is None:
        _worker_lock = threading.Lock()
    tmp = tempfile.mkdtemp(prefix=f"wb-dask-{client_id}-")
    try:
        folder = inputs if isinstance(inputs, str) else str(_unpack(inputs, Path(tmp) / "in" / client_id))
        nbs = notebooks if notebooks is None or isinstance(notebooks, str) else str(_unpack(notebooks, Path(tmp) / "nb"))
        out = Path(tmp) / "out"
        with _worker_lock:  # one zygote per worker process, started on first use
            if _worker_pool is None or _worker_pool.proc.poll() is not None:  # rehearses with its first client
                _worker_pool = WarmPool(1, rehearse=rehearsal(folder, nbs, pdf))
            task = Task(client_id, "workbench.build.batch:job",
                        {"folder": folder, "out": str(out), "notebooks": nbs, "cell_timeout": cell_timeout,
                         "full_notebooks": full_notebooks, "pdf": pdf},
                        time_limit=time_limit, memory_mb=memory_mb)
            res = next(iter(_worker_pool.run([task])))[1]
        files: dict[str, bytes] = {}
        base = out / client_id
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


def release_worker_pool() -> bool:
    """On a Dask worker: stop this worker's warm pool (its zygote) so nothing stays resident after a batch."""
    global _worker_pool
    pool, _worker_pool = _worker_pool, None
    if pool is None:
        return False
    pool.close()
    return True


DASK_CONNECT_TIMEOUT = 10.0  # s to reach the scheduler
DASK_WORKER_WAIT = 60.0  # s to wait for a first worker


def _dask_client(address: str) -> Any:
    try:
        from dask.distributed import Client
    except ImportError:
        raise InfrastructureError("--scheduler needs Dask: pip install 'workbench[dask]'") from None
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT)
    except Exception as exc:  # OSError, TimeoutError, ValueError (a malformed address), ...
        raise InfrastructureError(f"cannot reach the Dask scheduler at {address}: "
                                  f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None
    try:
        client.wait_for_workers(1, timeout=DASK_WORKER_WAIT)
    except Exception:
        client.close()
        raise InfrastructureError(f"the Dask scheduler at {address} has no worker "
                                  f"(waited {DASK_WORKER_WAIT:g} s); start `dask worker {address}`") from None
    return client


def run_dask(items: list[Item], out: Path, address: str, options: Options, done: Callback) -> dict[str, Any]:
    from dask.distributed import as_completed

    try:
        from distributed import KilledWorker
    except ImportError:  # pragma: no cover
        KilledWorker = ()  # type: ignore[assignment]  # noqa: N806

    client = _dask_client(address)
    try:
        notebooks = None
        if options.notebooks:  # custom notebooks travel with the tasks (scattered once)
            nb = options.notebooks.resolve()
            notebooks = client.scatter(pack_folder(nb, (".ipynb", ".py")) if nb.is_dir()
                                       else {nb.name: nb.read_bytes()}, broadcast=True)
        futures = {}
        t0 = time.perf_counter()
        for it in items:
            try:
                inputs = pack_folder(it.folder.resolve())
            except (OSError, ValueError) as exc:
                _finish(it, {"status": "failed", "error": f"The client's inputs could not be sent to a worker: {exc}."},
                        out, t0)
                done(it)
                continue
            fut = client.submit(dask_task, inputs, it.id, notebooks,
                                options.cell_timeout, options.time_limit, options.memory_mb, options.full_notebooks, options.pdf,
                                key=f"workbench-{it.id}-{(it.fp or {}).get('digest', '')}-{time.time_ns()}",
                                pure=False, retries=0)
            futures[fut] = it
        for fut in as_completed(list(futures)):
            it = futures[fut]
            try:
                res = fut.result()
            except KilledWorker as exc:  # this client's task took its worker down (memory, crash)
                res = {"status": "failed", "reason": "signal",
                       "error": "The Dask worker running this client died (e.g. out of memory).",
                       "traceback": f"{type(exc).__name__}: {exc}"}
            except Exception as exc:  # the cluster itself failed: not this client's fault
                raise InfrastructureError(f"the Dask cluster at {address} failed: {type(exc).__name__}: "
                                          f"{' '.join(str(exc).split())[:200]}") from exc
            if res.get("status") == "ok":
                try:
                    _install_dir(out / it.id, res.pop("files", {}))
                except Exception as exc:
                    res = {"status": "failed", "reason": "infrastructure",
                           "error": f"Writing the artefacts into the output folder failed: {type(exc).__name__}: {exc}."}
            res.pop("files", None)
            if res.get("worker_host"):
                it.extra["worker_host"] = res["worker_host"]
            _finish(it, res, out, t0)
            done(it)
        return {"scheduler": address}
    finally:
        with contextlib.suppress(Exception):
            client.run(release_worker_pool)  # the workers' warm pools are not left resident
        with contextlib.suppress(Exception):
            client.close()


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
    out = usable_out(out)
    for c in clients:
        if out == c or c in out.parents:
            console.print(f"[red]workbench batch: --out {out} is inside the client folder {c}[/red]")
            return 2
    with out_lock(out):
        return _locked_batch(clients, out, jobs, force, scheduler, options, console, progress, pool, started_at, lang)


def usable_out(out: Path) -> Path:
    """``out`` created and resolved, or ``InfrastructureError`` saying in one line why it cannot be used."""
    given = Path(out)
    try:
        resolved = given.resolve()
        if resolved.exists() and not resolved.is_dir():
            raise InfrastructureError(f"--out {given} is a file, not a folder; choose another --out")
        resolved.mkdir(parents=True, exist_ok=True)
        probe = resolved / f".batch-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except InfrastructureError:
        raise
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            why = "a part of the path is a file"
        raise InfrastructureError(f"--out {given} cannot be used ({why}): it must be a folder this user can "
                                  "create and write; choose another --out") from None
    return resolved


class out_lock:
    """Exclusive lock on ``<out>/.batch.lock`` for the whole batch; the file records the holder."""

    def __init__(self, out: Path):
        self.path = out / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> "out_lock":
        import fcntl
        import json
        import socket

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InfrastructureError(f"--out {self.path.parent} cannot be locked: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            try:
                holder = json.loads(os.read(fd, 4096) or b"{}")
            except ValueError:
                holder = {}
            os.close(fd)
            who = (f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')}, started {holder.get('started', '?')}"
                   if holder else "a process that has not recorded itself yet")
            raise InfrastructureError(f"another batch is writing into {self.path.parent} ({who}); "
                                      "wait for it to finish or choose another --out") from None
        doc = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
               "argv": sys.argv[:8]}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(doc).encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the flock
            self.fd = None


def _locked_batch(clients: list[Path], out: Path, jobs: int | None, force: bool, scheduler: str | None,
                  options: Options, console: Any, progress: bool, pool: Any, started_at: float,
                  lang: str | None = None) -> int:
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
            except InfrastructureError:
                raise
            except Exception as exc:  # the pool or the cluster itself failed: not the clients' fault
                raise InfrastructureError(f"the batch could not go on: {type(exc).__name__}: "
                                          f"{' '.join(str(exc).split())[:300]}") from exc
            bar.update(task, description="done" if not interrupted else "interrupted")
        for it in todo:
            if it.status == "pending":
                it.status, it.error = "failed", "interrupted (not built)" if interrupted else "not built"

    from workbench.build import portfolio

    wall = time.perf_counter() - started_at
    meta = {"wall_seconds": round(wall, 3), "jobs": jobs, "scheduler": scheduler, "force": force,
            "warm_seconds": info.get("seconds"), "generated": time.strftime("%Y-%m-%d %H:%M:%S")}
    entries = [it.entry() for it in items]
    state = _portfolio_state(items, lang, options)
    if not todo and _portfolio_unchanged(out, state):
        # nothing built and the same clients as last time: index.html, batch.json and the exports (charts,
        # parquet) would come out the same, so they are kept (the unchanged re-run stays light)
        rows = portfolio.collect(out, entries) if len(entries) <= SUMMARY_ROWS else entries
    else:
        rows = portfolio.write(out, entries, meta, lang=lang)
        fingerprint.write_bytes_atomic(out / PORTFOLIO_STATE, json.dumps({"state": state}).encode())
    _summary(console, rows, wall)
    if interrupted:
        return 130
    return 1 if any(it.status == "failed" for it in items) else 0


PORTFOLIO_STATE = ".portfolio-state.json"


def _portfolio_state(items: list[Item], lang: str | None, options: Options) -> str:
    """A digest of everything the portfolio outputs are made from: each client's id, status, reason and
    fingerprint (inputs, notebooks, templates, package), the language and the options."""
    import hashlib

    doc = [[it.id, it.status, it.error, (it.fp or {}).get("digest")] for it in items]
    doc.append([lang, options.pdf if hasattr(options, "pdf") else None, options.full_notebooks])
    return hashlib.blake2b(json.dumps(doc, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()


def _portfolio_unchanged(out: Path, state: str) -> bool:
    try:
        old = json.loads((out / PORTFOLIO_STATE).read_text(encoding="utf-8")).get("state")
    except (OSError, ValueError, AttributeError):
        return False
    return old == state and (out / "index.html").is_file() and (out / "batch.json").is_file()


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


SUMMARY_ROWS = 40  # rows of the terminal summary table; index.html lists every client


def _summary(console: Any, rows: list[dict[str, Any]], wall: float) -> None:
    from workbench.core.numfmt import fmt_points, fmt_score

    from rich.markup import escape
    from rich.table import Table

    table = Table(title="workbench batch", show_lines=False)
    for col, kw in (("client", {}), ("status", {}), ("s", {"justify": "right"}), ("assessment", {"justify": "right"}),
                    ("contract", {"justify": "right"}), ("error", {"overflow": "fold"})):
        table.add_column(col, **kw)
    colour = {"ok": "green", "failed": "red", "skipped": "dim"}
    shown = rows
    if len(rows) > SUMMARY_ROWS:  # a programme round: the failures first, then what was built; never 1,000 lines
        order = {"failed": 0, "ok": 1, "skipped": 2}
        shown = sorted(rows, key=lambda r: order.get(r["status"], 3))[:SUMMARY_ROWS]
        shown = [r for r in shown if r["status"] != "skipped"] or shown[:0]
    for r in shown:
        total = r.get("total")
        contract = r.get("contract_score")
        table.add_row(escape(r["id"]), f"[{colour.get(r['status'], 'white')}]{r['status']}[/]",
                      f"{r.get('seconds') or 0:.1f}" if r["status"] != "skipped" else "",
                      # scoring.md v2: points exactly, of the client's framework total
                      f"{fmt_points(total, '')} / {fmt_points(r.get('total_points'), '')}".rstrip(" /")
                      if isinstance(total, (int, float)) else "",
                      fmt_score(contract, "") if isinstance(contract, (int, float)) else "",
                      escape(headline(r.get("error"), 160)))
    if shown:
        console.print(table)
    if len(shown) < len(rows):
        console.print(f"({len(rows) - len(shown)} more clients not listed here: see index.html)", highlight=False)
    n = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "failed", "skipped")}
    console.print(f"{n['ok']} built, {n['failed']} failed, {n['skipped']} skipped (unchanged) in {wall:.1f} s",
                  highlight=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(batch_command([Path(a) for a in sys.argv[1:]] or [Path("clients")]))
