"""``workbench archive``: file this round's results so the next round can show the movement.

Each client's ``<out>/<id>/results.json`` is copied to ``<client folder>/history/<period>.json`` (intake v2),
atomically. Filing the same round again is a no-op; a different file already filed under that period is
refused unless ``force`` (a round is history: overwriting it silently would rewrite the programme's past).
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from workbench.core.atomic import atomic_write_bytes

__all__ = ["archive_client", "archive_command", "Filed", "ArchiveError"]

_PERIOD = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


class ArchiveError(Exception):
    """A client's round cannot be filed (no results, bad period, a different round already filed)."""


@dataclass
class Filed:
    client: str
    path: Path
    status: str  # filed | unchanged | replaced


def archive_client(folder: Path, out: Path, *, force: bool = False) -> Filed:
    """File ``<out>/<id>/results.json`` of the client at ``folder`` as ``folder/history/<period>.json``."""
    cid = folder.name
    src = out / cid / "results.json"
    try:
        data = src.read_bytes()
        doc = json.loads(data)
    except OSError:
        raise ArchiveError(f"{cid}: no results at {src} (run `workbench run` or `workbench batch` first)") from None
    except ValueError as exc:
        raise ArchiveError(f"{src}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or str(doc.get("client", "")) != cid:
        raise ArchiveError(f"{src}: results of client {doc.get('client') if isinstance(doc, dict) else '?'!r}, "
                           f"not {cid!r}")
    period = str(doc.get("period") or "")
    if not _PERIOD.match(period):
        raise ArchiveError(f"{src}: period {period!r} cannot name a history file")
    dest = folder / "history" / f"{period}.json"
    status = "filed"
    if dest.exists():
        if dest.read_bytes() == data:
            return Filed(cid, dest, "unchanged")
        if not force:
            raise ArchiveError(f"{dest} already holds a different round {period}; use --force to replace it")
        status = "replaced"
    atomic_write_bytes(dest, data)
    return Filed(cid, dest, status)


def archive_command(folders: Iterable[Path], out: Path = Path("build"), *, force: bool = False) -> int:
    """Exit 0 when every client was filed (or already was), 1 when some could not be, 2 when no client is found."""
    from workbench.build.batch import UsageError, discover

    try:
        clients = discover(list(folders))
    except UsageError as exc:
        print(f"workbench archive: {exc}", file=sys.stderr)
        return 2
    if not clients:
        print("workbench archive: no client folders found", file=sys.stderr)
        return 2
    failed = 0
    for folder in clients:
        try:
            filed = archive_client(folder, Path(out), force=force)
        except ArchiveError as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        print(f"{filed.client}: {filed.status} {filed.path}")
    return 1 if failed else 0
