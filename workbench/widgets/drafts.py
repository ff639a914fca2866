"""Unsaved edits of the engagement notebook, kept on disk so a crashed kernel or a closed laptop loses nothing.

After every edit the edited tables are written to ``<client>/.workbench/draft.json`` (atomically: temp file, then
rename), with the fingerprint of the intake files they were edited from. When the client is opened again the
notebook offers to restore them; a draft whose intake changed on disk since (someone saved in Excel) can only be
discarded, because restoring it would silently overwrite that change. A save or an explicit discard removes it.

The file is JSON (never pickle: a client folder may come from anywhere), typed cell by cell so that a restored
table equals the edited one: numbers, text, yes/no, empty, dates (``{"t": "ts"}``) and id lists
(``{"t": "list"}``), plus each column's dtype. A draft that is too large, damaged or of another version is
ignored (and said so), never trusted.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.atomic import atomic_write_text

__all__ = ["DRAFT", "Draft", "read_draft", "write_draft", "remove_draft", "encode_frame", "decode_frame"]

DRAFT = Path(".workbench") / "draft.json"
VERSION = 1
MAX_BYTES = 64 * 2**20  # a real draft is a few hundred kB


@dataclass(frozen=True)
class Draft:
    """A draft found on disk: when it was written, its tables (typed frames) and the intake it was edited from."""

    saved: str  # ISO time, local
    base: str  # writeback.fingerprint of the intake files the edits started from
    tables: dict[str, pd.DataFrame]

    def stale(self, fingerprint: str) -> bool:
        """The intake changed on disk since the edits began."""
        return fingerprint != self.base


# --- cells ------------------------------------------------------------------------------------------------
def _enc(v: Any) -> Any:
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
        return {"t": "ts", "v": pd.Timestamp(v).isoformat()}
    if isinstance(v, (list, tuple)):
        return {"t": "list", "v": [_enc(x) for x in v]}
    return {"t": "str", "v": str(v)}


def _dec(v: Any) -> Any:
    if isinstance(v, dict):
        kind, val = v.get("t"), v.get("v")
        if kind == "ts":
            return pd.Timestamp(val)
        if kind == "list":
            return [_dec(x) for x in val or []]
        return str(val)
    return v


def encode_frame(df: pd.DataFrame) -> dict[str, Any]:
    """A typed table as JSON-able data: columns, dtypes, cells."""
    return {"columns": [str(c) for c in df.columns], "dtypes": [str(t) for t in df.dtypes],
            "index": [_enc(i) for i in df.index], "index_name": df.index.name,
            "rows": [[_enc(v) for v in row] for row in df.itertuples(index=False, name=None)]}


def decode_frame(doc: dict[str, Any]) -> pd.DataFrame:
    """The inverse of `encode_frame`: each column gets its dtype back (a column that cannot stays object)."""
    cols = list(doc["columns"])
    rows = [[_dec(v) for v in row] for row in doc["rows"]]
    df = pd.DataFrame({c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(cols)})
    for c, dtype in zip(cols, doc["dtypes"]):
        if dtype in ("object",):
            continue
        try:
            df[c] = df[c].astype(dtype)
        except (TypeError, ValueError):
            pass
    df.index = pd.Index([_dec(i) for i in doc.get("index", range(len(df)))], name=doc.get("index_name"))
    return df


# --- the file ---------------------------------------------------------------------------------------------
def write_draft(folder: Path, base: str, tables: dict[str, pd.DataFrame]) -> Path:
    """Write the edited ``tables`` of the client in ``folder`` (atomically), edited from intake ``base``."""
    path = Path(folder) / DRAFT
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"version": VERSION, "saved": dt.datetime.now().isoformat(timespec="seconds"), "base": base,
           "tables": {name: encode_frame(df) for name, df in sorted(tables.items())}}
    atomic_write_text(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    return path


def read_draft(folder: Path) -> tuple[Draft | None, str | None]:
    """The draft of ``folder``: (draft, None), (None, None) when there is none, or (None, why) when the file is
    there but cannot be used (too large, not JSON, another version, a table that does not decode)."""
    path = Path(folder) / DRAFT
    try:
        if not path.is_file():
            return None, None
        if path.stat().st_size > MAX_BYTES:
            return None, f"{DRAFT} is larger than {MAX_BYTES // 2**20} MB"
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or doc.get("version") != VERSION:
            return None, f"{DRAFT} is not a draft of this version"
        tables = {str(name): decode_frame(t) for name, t in (doc.get("tables") or {}).items()}
        return Draft(str(doc.get("saved") or ""), str(doc.get("base") or ""), tables), None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        return None, f"{DRAFT}: {type(exc).__name__}: {exc}"


def remove_draft(folder: Path) -> None:
    try:
        (Path(folder) / DRAFT).unlink()
    except FileNotFoundError:
        pass
