"""Content fingerprints for incremental batch builds.

A client is rebuilt only when something that can change its deliverable changed since its last
*successful* build: the files of its client folder, the notebooks, the report templates, or the
workbench package itself (version and a hash of every file of the package: code, frameworks, i18n).

The fingerprint is stored beside the outputs as ``<out>/<id>/.fingerprint.json``; it is written
last, atomically, and only on success, so a killed or failed build never looks up to date.

Hashing is by content (BLAKE2b): the inputs are small files and reading them is cheap (a few ms per
client), and content hashes are immune to the mtime races and clock skews of stat-based checks.

This module must stay light: it runs on the skip path, before anything heavy is imported
(standard library only).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = 1
FILENAME = ".fingerprint.json"
_CHUNK = 1 << 20

# Names inside a client folder that are not inputs: backups written by the engagement widgets,
# editor/Excel lock files, caches and hidden files.
_IGNORED_DIRS = {"backups", "__pycache__", ".ipynb_checkpoints"}


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$") or name.endswith((".pyc", ".tmp", "~"))


def hash_file(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def tree_files(root: Path, *, suffixes: tuple[str, ...] | None = None) -> dict[str, str]:
    """``{relative posix path: content hash}`` of every input file under ``root`` (sorted, recursive)."""
    files: dict[str, str] = {}
    if not root.exists():
        return files
    if root.is_file():
        return {root.name: hash_file(root)}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _IGNORED_DIRS and not _ignored(d))
        for name in sorted(filenames):
            if _ignored(name) or (suffixes and not name.endswith(suffixes)):
                continue
            p = Path(dirpath) / name
            files[p.relative_to(root).as_posix()] = hash_file(p)
    return files


def combine(files: dict[str, str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for rel, digest in sorted(files.items()):
        h.update(rel.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
        h.update(digest.encode())
        h.update(b"\n")
    return h.hexdigest()


def package_root() -> Path:
    return Path(__file__).resolve().parent


@dataclass
class Context:
    """What every client of one batch shares: hashed once per batch, not per client."""

    notebooks: Path | list[Path]  # a folder, or the exact notebook files the runner will execute
    templates: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)  # options that change outputs (e.g. engine)

    def __post_init__(self) -> None:
        from workbench import __version__# the package __init__ is tiny

        self.version = __version__
        self.package = combine(tree_files(package_root(), suffixes=(".py", ".yaml", ".yml", ".json", ".j2", ".css",
                                                                     ".tpl", ".html", ".txt", ".csv", ".ttf", ".otf")))
        if isinstance(self.notebooks, (list, tuple)):
            self.notebooks_hash = combine({f"{i:03d}:{Path(p).name}": hash_file(Path(p)) for i, p in enumerate(self.notebooks)})
        else:
            self.notebooks_hash = combine(tree_files(self.notebooks, suffixes=(".ipynb", ".py")))
        self.templates_hash = combine(tree_files(self.templates)) if self.templates else ""

    def compute(self, client_folder: Path) -> dict:
        inputs = tree_files(client_folder)
        doc = {
            "schema": SCHEMA,
            "version": self.version,
            "package": self.package,
            "notebooks": self.notebooks_hash,
            "templates": self.templates_hash,
            "extra": dict(sorted(self.extra.items())),
            "inputs": combine(inputs),
            "files": inputs,
        }
        doc["digest"] = _digest(doc)
        return doc


def _digest(doc: dict) -> str:
    core = {k: doc[k] for k in ("schema", "version", "package", "notebooks", "templates", "extra", "inputs")}
    return hashlib.blake2b(json.dumps(core, sort_keys=True).encode(), digest_size=16).hexdigest()


def path_for(client_out: Path) -> Path:
    return client_out / FILENAME


def read(client_out: Path) -> dict | None:
    try:
        with open(path_for(client_out), encoding="utf-8") as f:
            doc = json.load(f)
        return doc if isinstance(doc, dict) else None
    except (OSError, ValueError):
        return None


REQUIRED_OUTPUTS = ("report.html", "results.json")


def up_to_date(client_out: Path, fp: dict) -> bool:
    """True when the recorded fingerprint equals ``fp`` and the outputs it vouches for are present."""
    old = read(client_out)
    if not old or old.get("digest") != fp["digest"] or old.get("digest") != _digest_or_none(old):
        return False
    return all((client_out / name).is_file() for name in REQUIRED_OUTPUTS)


def _digest_or_none(doc: dict) -> str | None:
    try:
        return _digest(doc)
    except KeyError:
        return None


def write(client_out: Path, fp: dict) -> None:
    """Record a successful build: atomic (temp file in the same folder, fsync, rename)."""
    data = json.dumps(fp, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    write_bytes_atomic(path_for(client_out), data)


def remove(client_out: Path) -> None:
    """Forget a build (called when a rebuild failed, so the next batch retries it)."""
    try:
        os.unlink(path_for(client_out))
    except FileNotFoundError:
        pass


FAILURE_FILENAME = ".failure.json"


def write_failure(client_out: Path, fp: dict, error: str, traceback: str | None = None) -> None:
    """Record that these exact inputs fail validation: an unchanged re-run reports the same failure without
    starting a worker. Only deterministic (validation) failures are recorded; crashes, timeouts and resource
    limits (memory) are retried."""
    doc = {"digest": fp.get("digest"), "error": error, "traceback": traceback}
    write_bytes_atomic(client_out / FAILURE_FILENAME, json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def cached_failure(client_out: Path, fp: dict) -> tuple[str, str | None] | None:
    """The recorded validation failure of these exact inputs as ``(sentence, full report)``, or None."""
    try:
        with open(client_out / FAILURE_FILENAME, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    if isinstance(doc, dict) and doc.get("digest") and doc.get("digest") == fp.get("digest"):
        tb = doc.get("traceback")
        return str(doc.get("error") or "failed validation"), (str(tb) if tb else None)
    return None


def remove_failure(client_out: Path) -> None:
    try:
        os.unlink(client_out / FAILURE_FILENAME)
    except FileNotFoundError:
        pass


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
