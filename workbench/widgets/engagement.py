"""The engagement's editing logic, without any widget: pytest drives this directly.

An :class:`Engagement` holds a client's tables as edited, typed DataFrames (the validated shape:
contract columns, extra columns, ``_row``; a new row has ``_row`` NaN). Every edit

1. coerces the value to the column's contract type (a value that cannot be coerced is refused, with a message);
2. re-validates the edited tables through the one validation layer (``validation.validate_raw`` on frames
   built in memory, no file written) and keeps the issues as :class:`Message` s located by table, row key
   and column, so the view can show each under its control;
3. recomputes ``workbench.analysis.analyse.analyse`` on a ``Client`` built from the edited frames (even while
   validation has errors, e.g. weights not summing to 100, so the scores move as the consultant types).

``save()`` writes the edits back (``workbench.intake.writeback``), ``render(out)`` builds the deliverable from the
saved data (``workbench.build.runner``). Unsaved edits are kept on disk as a draft after every edit
(``workbench.widgets.drafts``): ``draft`` is the one found when the client was opened, ``restore_draft()`` and
``discard_draft()`` settle it.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.intake import contract as C
from workbench.core.i18n import t
from workbench.analysis.kpi_methods import is_missing
from workbench.intake.model import Client, IntakeError, ValidationReport
from workbench.analysis.actions import smart_warnings  # noqa: F401 - the one SMART check, re-exported for the views
from workbench.analysis.rollup import contract_key

__all__ = ["Engagement", "Message", "KEYS", "SMART_FIELDS", "list_clients", "smart_warnings", "issue_text"]

ROW = "_row"
# How a row of each table is named in messages (its key columns).
KEYS: dict[str, tuple[str, ...]] = {
    "problems": ("problem_id",), "causes": ("cause_id",), "whys": ("chain_id", "step"),
    "objectives": ("objective_id",), "links": ("from_objective", "to_objective"), "kpis": ("kpi_id",),
    "actuals": ("kpi_id", "period"), "assessment": ("item_id", "assessor"), "actions": ("action_id",),
    # intake v2 tables
    "findings": ("finding_id",), "feedback": ("item_id", "kind", "comment"), "reviews": ("kpi_id", "period", "cause"),
}
# SMART warning codes of an action (outputs.md v2 ``smart_warnings``) and the field each one is shown under.
SMART_FIELDS: dict[str, str] = {"goal_not_measurable": "goal", "no_due": "due", "no_owner": "owner",
                                "no_acceptance": "acceptance"}


@dataclass(frozen=True)
class Message:
    """A validation message placed next to one field: ``table``/``key`` (row key, as a str) / ``column``."""

    table: str | None
    key: str | None
    column: str | None
    text: str
    severity: str = "error"

    def __str__(self) -> str:
        where = "/".join(p for p in (self.table, self.key, self.column) if p)
        return f"{self.severity}: {where}: {self.text}" if where else f"{self.severity}: {self.text}"


def list_clients(root: str | Path) -> list[Path]:
    """Client folders (those holding a client.yaml) under ``root``, by name."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "client.yaml").is_file())


def _key_str(values: tuple[Any, ...]) -> str:
    parts = []
    for v in values:
        if isinstance(v, float) and not math.isnan(v) and v.is_integer():
            v = int(v)
        parts.append("" if is_missing(v) else str(v))
    return "/".join(parts)


def issue_text(issue: Any, lang: str) -> str:
    """A validation issue's message in the client's language (intake's catalogue rendering, ``Issue.text``)."""
    render = getattr(issue, "text", None)
    return str(render(lang)) if callable(render) else str(getattr(issue, "message", issue))


_ROWS = re.compile(r"(\brows? |第\s*)(\d+(?:\s*(?:,|，|、|-)\s*\d+)*)(\s*行)?")


def rows_as_keys(text: str, keys: dict[int, str]) -> str:
    """Excel row numbers in a message ("already on row 5", "rows 3, 4") replaced by the row keys the widgets show."""
    def sub(m: re.Match[str]) -> str:
        nums = re.findall(r"\d+", m.group(2))
        named = [keys.get(int(n)) for n in nums]
        if not nums or any(k is None for k in named):
            return m.group(0)
        return ", ".join(str(k) for k in named)
    return _ROWS.sub(sub, text)


class Engagement:
    """Edited tables of one client, with live analysis and inline validation messages."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).resolve()
        self.timings: dict[str, float] = {}
        self.reload()

    # ------------------------------------------------------------------ state
    def reload(self) -> None:
        """(Re)load the client from disk, dropping unsaved edits. Raises IntakeError when it has errors."""
        from workbench.intake.loading import check_client
        from workbench.intake.writeback import fingerprint

        self._fingerprint = fingerprint(self.folder)
        client, report = check_client(self.folder)
        if client is None:
            raise IntakeError(report)
        self.original: Client = client
        self.profile = client.profile
        self.lang: str = client.lang
        self.tables: dict[str, pd.DataFrame | None] = {k: (v.copy() if v is not None else None)
                                                       for k, v in client.tables.items()}
        self.edited: set[str] = set()
        self._versions: dict[str, int] = {}
        self._raw_cache: dict[str, tuple[Any, int, Any, Any]] = {}
        self._last_weight_edit: dict[str, str] = {}
        self.messages_all: list[Message] = []
        self.report: ValidationReport = report
        self.analysis: Any = None
        self.analysis_error: str | None = None
        from workbench.widgets.drafts import read_draft

        self.draft, self.draft_problem = read_draft(self.folder)  # offered, not applied: the user decides
        self.draft_unreadable = self.draft_problem  # a draft file found on opening that cannot be used (until discarded)
        self._recompute()

    @property
    def dirty(self) -> bool:
        return bool(self.edited)

    @property
    def categories(self) -> list[Any]:
        """The client's fishbone categories (``model.Category``)."""
        return list(self.profile.fishbone_categories)

    def table(self, name: str) -> pd.DataFrame:
        """The edited frame of ``name`` (an empty frame with the contract's columns when the client has none)."""
        df = self.tables.get(name)
        if df is None:
            cols = C.TABLES[name].column_names + [ROW]
            df = pd.DataFrame({c: pd.Series([], dtype=_dtype(name, c)) for c in cols})
            self.tables[name] = df
        return df

    def client(self) -> Client:
        """A ``Client`` holding the edited frames (for analysis and charts)."""
        return Client(self.folder, self.profile, {k: (v.copy() if v is not None else None) for k, v in self.tables.items()},
                      self.original.source, list(self.original.warnings))

    # ------------------------------------------------------------------ coercion
    def _coerce(self, table: str, column: str, value: Any) -> tuple[Any, str | None]:
        """Typed value for a cell, or (None, message) when ``value`` cannot be one."""
        try:
            col = C.TABLES[table].column(column)
        except KeyError:
            return value, None
        L = self.lang
        if col.type in ("number", "int"):
            if is_missing(value):
                return float("nan"), None
            try:
                f = float(str(value).strip().rstrip("%")) if isinstance(value, str) else float(value)
            except (TypeError, ValueError):
                return None, t("widgets.msg.not_number", L, value=value)
            if math.isnan(f) or math.isinf(f):
                return None, t("widgets.msg.not_number", L, value=value)
            if col.type == "int" and not f.is_integer():
                return None, t("widgets.msg.not_whole", L, value=value)
            return f, None
        if col.type == "yesno":
            if isinstance(value, bool):
                return value, None
            if is_missing(value):
                return bool(col.default), None
            s = str(value).strip().lower()
            if s in C.YES:
                return True, None
            if s in C.NO:
                return False, None
            return None, t("widgets.msg.not_yesno", L, value=value)
        if col.type == "enum":
            if is_missing(value):
                return col.default, None
            aliases = C.ENUM_ALIASES.get(column, {})
            s = str(value).strip()
            canon = aliases.get(s.lower(), aliases.get(s))
            if canon is None:
                return None, t("widgets.msg.not_enum", L, value=value, allowed=", ".join(col.enum))
            return canon, None
        if col.type == "date":
            if is_missing(value):
                return pd.NaT, None
            try:
                return pd.Timestamp(value).normalize(), None
            except (TypeError, ValueError):
                return None, t("widgets.msg.not_date", L, value=value)
        if col.type == "idlist":
            if is_missing(value):
                return [], None
            if isinstance(value, (list, tuple)):
                return [str(v).strip() for v in value if str(v).strip()], None
            return [p.strip() for p in re.split(r"[,，、;；]", str(value)) if p.strip()], None
        if col.type == "id":
            if is_missing(value):
                return None, None
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip(), None
        if col.type == "text":
            return (None if is_missing(value) else str(value).strip()), None
        return value, None

    def _category_key(self, value: Any) -> Any:
        """A fishbone category as validation gives it: the category's key (matched on key, en or zh label)."""
        if is_missing(value):
            return None
        s = str(value).strip()
        for cat in self.categories:
            if s.lower() in (cat.key.lower(), cat.en.lower(), cat.zh.lower()):
                return cat.key
        return s

    # ------------------------------------------------------------------ rows
    def _locate(self, table: str, key: tuple[Any, ...]) -> Any | None:
        df = self.table(table)
        mask = pd.Series(True, index=df.index)
        for col, v in zip(KEYS[table], key):
            if col == "step":
                mask &= pd.to_numeric(df[col], errors="coerce") == float(v)
            else:
                mask &= df[col].astype(object).map(lambda x: "" if is_missing(x) else str(x)) == str(v)
        hits = df.index[mask]
        return hits[0] if len(hits) else None

    def _set_fields(self, table: str, idx: Any, fields: dict[str, Any]) -> list[Message]:
        df = self.table(table)
        bad: list[Message] = []
        key = _key_str(tuple(df.at[idx, c] for c in KEYS[table]))
        for col, value in fields.items():
            if table == "causes" and col == "category":
                v, err = self._category_key(value), None
            else:
                v, err = self._coerce(table, col, value)
            if err:
                bad.append(Message(table, key, col, err))
                continue
            if col not in df.columns:
                df[col] = pd.Series([None] * len(df), index=df.index, dtype=object)
            if isinstance(v, list) or (df[col].dtype != object and not _fits(df[col].dtype, v)):
                df[col] = df[col].astype(object)
            df.at[idx, col] = v
        self._touch(table)
        return bad

    def _touch(self, table: str) -> None:
        self.edited.add(table)
        self._versions[table] = self._versions.get(table, 0) + 1

    def _add_row(self, table: str, fields: dict[str, Any]) -> Any:
        df = self.table(table)
        row: dict[str, Any] = {}
        for c in C.TABLES[table].columns:
            if c.type == "yesno":
                row[c.name] = bool(c.default)
            elif c.type in ("number", "int"):
                row[c.name] = float(c.default) if c.default is not None else float("nan")
            elif c.type == "idlist":
                row[c.name] = []
            elif c.type == "date":
                row[c.name] = pd.NaT
            else:
                row[c.name] = c.default
        row[ROW] = float("nan")
        new = pd.DataFrame([row], dtype=object)
        idx = (df.index.max() + 1) if len(df) else 0
        new.index = [idx]
        if ROW in df.columns and df[ROW].dtype != float:
            df[ROW] = df[ROW].astype(float)
        combined = pd.concat([df, new[[c for c in new.columns if c in df.columns or True]]], axis=0)
        for c in df.columns:  # keep the original dtypes where the new row fits them
            if c in combined and df[c].dtype != object:
                try:
                    combined[c] = combined[c].astype(df[c].dtype)
                except (TypeError, ValueError):
                    pass
        self.tables[table] = combined
        self._touch(table)
        return idx

    def _delete_rows(self, table: str, mask: pd.Series) -> int:
        df = self.table(table)
        n = int(mask.sum())
        if n:
            self.tables[table] = df[~mask].copy()
            self._touch(table)
        return n

    def _finish(self, table: str, key: str, columns: list[str], extra: list[Message] | None = None) -> list[Message]:
        self._recompute()
        out = list(extra or [])
        out += [m for m in self.messages_all if m.table == table and m.key == key and (m.column in columns or m.column is None)]
        return out

    # ------------------------------------------------------------------ any table, by row (DataFrame index)
    def has_table(self, name: str) -> bool:
        """Whether the intake contract (this version) has the table."""
        return name in C.TABLES

    def key_of(self, table: str, idx: Any) -> str:
        """The row's name as the widgets show it (its key columns, e.g. ``K01`` or ``K01/2026Q3``)."""
        df = self.table(table)
        return _key_str(tuple(df.at[idx, c] if c in df.columns else None for c in KEYS[table]))

    def next_id(self, table: str, column: str, prefix: str = "") -> str:
        """A fresh id in the table's own style: the most common prefix, the next number, the same zero padding."""
        df = self.table(table)
        ids = [str(v) for v in df[column].tolist() if not is_missing(v)] if column in df.columns else []
        pat = re.compile(r"^(.*?)(\d+)$")
        parsed = [m.groups() for m in (pat.match(i) for i in ids) if m]
        if parsed and not prefix:
            prefixes = [p for p, _ in parsed]
            prefix = max(set(prefixes), key=prefixes.count)
        nums = [n for p, n in parsed if p == prefix]
        width = max((len(n) for n in nums), default=2)
        n = max((int(x) for x in nums), default=0) + 1
        while f"{prefix}{n:0{width}d}" in ids:
            n += 1
        return f"{prefix}{n:0{width}d}"

    def add_row(self, table: str, **fields: Any) -> tuple[Any, list[Message]]:
        """Append a row with ``fields`` (contract defaults elsewhere); returns (its index, messages of the row)."""
        idx = self._add_row(table, {})
        bad = self._set_fields(table, idx, fields)
        return idx, self._finish(table, self.key_of(table, idx), list(C.TABLES[table].column_names), bad)

    def set_row(self, table: str, idx: Any, **fields: Any) -> list[Message]:
        """Edit one row; returns the messages of that row (coercion refusals first)."""
        if idx not in self.table(table).index:
            return [Message(table, None, None, t("widgets.msg.unknown_id", self.lang, id=idx))]
        bad = self._set_fields(table, idx, fields)
        return self._finish(table, self.key_of(table, idx), list(C.TABLES[table].column_names), bad)

    def delete_row(self, table: str, idx: Any) -> None:
        df = self.table(table)
        self._delete_rows(table, pd.Series(df.index == idx, index=df.index))
        self._recompute()

    def row_messages(self, table: str, idx: Any) -> list[Message]:
        if idx not in self.table(table).index:
            return []
        return self.messages(table, self.key_of(table, idx))

    # ------------------------------------------------------------------ actuals
    def periods(self) -> list[str]:
        """Periods with actuals, and the client's own period, in order."""
        df = self.table("actuals")
        ps = {str(p) for p in df["period"].tolist() if not is_missing(p)} | {str(self.profile.period)}
        return sorted(ps)

    def actual(self, kpi_id: str, period: str) -> Any:
        idx = self._locate("actuals", (kpi_id, period))
        return None if idx is None else self.table("actuals").at[idx, "actual"]

    def set_actual(self, kpi_id: str, period: str, value: Any) -> list[Message]:
        """Create, change or (blank value) remove the actual of a KPI for a period."""
        key = f"{kpi_id}/{period}"
        idx = self._locate("actuals", (kpi_id, period))
        if is_missing(value) or (isinstance(value, str) and not value.strip()):
            if idx is not None:
                self._delete_rows("actuals", self.table("actuals").index == idx)
            return self._finish("actuals", key, ["actual"])
        if isinstance(value, str):
            value = value.strip()
        kidx = self._locate("kpis", (kpi_id,))
        method = str(self.table("kpis").at[kidx, "method"]) if kidx is not None else ""
        if method not in ("qualitative", "binary"):  # a measured KPI: a number, stored as one (not as text)
            value, err = self._coerce("kpis", "target", value)
            if err:
                return [Message("actuals", key, "actual", err)]
        if idx is None:
            idx = self._add_row("actuals", {})
            bad = self._set_fields("actuals", idx, {"kpi_id": kpi_id, "period": period, "actual": value})
        else:
            bad = self._set_fields("actuals", idx, {"actual": value})
        return self._finish("actuals", key, ["actual", "period", "kpi_id"], bad)

    # ------------------------------------------------------------------ KPIs: add / remove
    def add_kpi(self, kpi_id: str | None = None, **fields: Any) -> tuple[str, list[Message]]:
        """Add a KPI (``parent_kpi_id``, ``objective_id``, ``owner_unit``, ``owner`` … as given); a fresh id when
        none is given. The messages say what is still missing (kpi, method, weight …)."""
        kid = str(kpi_id).strip() if kpi_id else self.next_id("kpis", "kpi_id")
        if self._locate("kpis", (kid,)) is not None:
            return kid, [Message("kpis", kid, "kpi_id", t("widgets.msg.duplicate_id", self.lang, id=kid))]
        _idx, msgs = self.add_row("kpis", kpi_id=kid, **fields)
        return kid, msgs

    def delete_kpi(self, kpi_id: str) -> list[Message]:
        """Remove a KPI and its actuals; children that named it as parent then show the broken reference."""
        kid = str(kpi_id)
        self._delete_rows("kpis", self.table("kpis")["kpi_id"].astype(str) == kid)
        if self.tables.get("actuals") is not None:
            self._delete_rows("actuals", self.table("actuals")["kpi_id"].astype(str) == kid)
        self._recompute()
        return [m for m in self.messages_all if m.table == "kpis"]

    # ------------------------------------------------------------------ actions
    def smart(self, idx: Any) -> list[str]:
        """SMART warning codes of the action at ``idx`` (as edited)."""
        df = self.table("actions")
        return smart_warnings(df.loc[idx].to_dict()) if idx in df.index else []

    # ------------------------------------------------------------------ KPIs
    def set_kpi(self, kpi_id: str, **fields: Any) -> list[Message]:
        """Edit a KPI (``weight``, ``target``, ``threshold``, ``stretch``, any kpis column). Returns the field messages."""
        idx = self._locate("kpis", (kpi_id,))
        if idx is None:
            return [Message("kpis", str(kpi_id), None, t("widgets.msg.unknown_id", self.lang, id=kpi_id))]
        if "weight" in fields:
            self._last_weight_edit[self.contract_of(kpi_id)] = str(kpi_id)
        bad = self._set_fields("kpis", idx, fields)
        return self._finish("kpis", str(kpi_id), list(fields), bad)

    def contract_of(self, kpi_id: str) -> str:
        df = self.table("kpis")
        row = df.loc[self._locate("kpis", (kpi_id,))]
        return contract_key(row.get("owner_unit"), row.get("owner"))

    def weight_sum(self, contract: str) -> float:
        df = self.table("kpis")
        keys = pd.Series([contract_key(u, o) for u, o in zip(df["owner_unit"], df["owner"])], index=df.index, dtype=object)
        return float(pd.to_numeric(df.loc[keys == contract, "weight"], errors="coerce").fillna(0).sum())

    # ------------------------------------------------------------------ problems
    def add_problem(self, problem_id: str, problem: str, **fields: Any) -> list[Message]:
        pid = str(problem_id).strip()
        if not pid:
            return [Message("problems", "", "problem_id", t("widgets.msg.required", self.lang))]
        if self._locate("problems", (pid,)) is not None:
            return [Message("problems", pid, "problem_id", t("widgets.msg.duplicate_id", self.lang, id=pid))]
        idx = self._add_row("problems", {})
        bad = self._set_fields("problems", idx, {"problem_id": pid, "problem": problem, **fields})
        return self._finish("problems", pid, ["problem_id", "problem", *fields], bad)

    def edit_problem(self, problem_id: str, **fields: Any) -> list[Message]:
        idx = self._locate("problems", (problem_id,))
        if idx is None:
            return [Message("problems", str(problem_id), None, t("widgets.msg.unknown_id", self.lang, id=problem_id))]
        bad = self._set_fields("problems", idx, fields)
        return self._finish("problems", str(problem_id), list(fields), bad)

    def delete_problem(self, problem_id: str, cascade: bool = True) -> list[Message]:
        """Delete a problem; with ``cascade`` also its causes and 5-Why chains."""
        pid = str(problem_id)
        self._delete_rows("problems", self.table("problems")["problem_id"].astype(str) == pid)
        if cascade:
            for name in ("causes", "whys"):
                if self.tables.get(name) is not None:
                    self._delete_rows(name, self.table(name)["problem_id"].astype(str) == pid)
        self._recompute()
        return [m for m in self.messages_all if m.table in ("problems", "causes", "whys")]

    # ------------------------------------------------------------------ causes
    def add_cause(self, cause_id: str, problem_id: str, category: str, cause: str, parent_cause_id: str | None = None,
                  impact: Any = None, effort: Any = None, **fields: Any) -> list[Message]:
        cid = str(cause_id).strip()
        if not cid:
            return [Message("causes", "", "cause_id", t("widgets.msg.required", self.lang))]
        if self._locate("causes", (cid,)) is not None:
            return [Message("causes", cid, "cause_id", t("widgets.msg.duplicate_id", self.lang, id=cid))]
        idx = self._add_row("causes", {})
        values = {"cause_id": cid, "problem_id": problem_id, "category": category, "cause": cause,
                  "parent_cause_id": parent_cause_id, "impact": impact, "effort": effort, **fields}
        bad = self._set_fields("causes", idx, values)
        return self._finish("causes", cid, list(values), bad)

    def edit_cause(self, cause_id: str, **fields: Any) -> list[Message]:
        idx = self._locate("causes", (cause_id,))
        if idx is None:
            return [Message("causes", str(cause_id), None, t("widgets.msg.unknown_id", self.lang, id=cause_id))]
        bad = self._set_fields("causes", idx, fields)
        return self._finish("causes", str(cause_id), list(fields), bad)

    def delete_cause(self, cause_id: str) -> list[Message]:
        self._delete_rows("causes", self.table("causes")["cause_id"].astype(str) == str(cause_id))
        self._recompute()
        return [m for m in self.messages_all if m.table == "causes"]

    def category_options(self) -> list[tuple[str, str]]:
        """(label in the client's language, value) for the category dropdown."""
        return [(c.label(self.lang), self._category_key(c.key)) for c in self.categories]

    # ------------------------------------------------------------------ 5-Why
    def set_why(self, chain_id: str, step: int, why: Any = None, answer: Any = None, root_cause: Any = None,
                cause_id: Any = None, problem_id: str | None = None) -> list[Message]:
        """Create or edit one step of a 5-Why chain (``None`` leaves a field as it is)."""
        step = int(step)
        fields = {k: v for k, v in (("why", why), ("answer", answer), ("root_cause", root_cause),
                                    ("cause_id", cause_id)) if v is not None}
        idx = self._locate("whys", (chain_id, step))
        if idx is None:
            if problem_id is None:
                df = self.table("whys")
                same = df[df["chain_id"].astype(str) == str(chain_id)]
                problem_id = str(same["problem_id"].iloc[0]) if len(same) else None
            if problem_id is None:
                return [Message("whys", f"{chain_id}/{step}", "problem_id", t("widgets.msg.required", self.lang))]
            idx = self._add_row("whys", {})
            fields = {"problem_id": problem_id, "chain_id": chain_id, "step": step, **fields}
        elif problem_id is not None:
            fields["problem_id"] = problem_id
        if fields.get("cause_id") == "":
            fields["cause_id"] = None
        bad = self._set_fields("whys", idx, fields)
        return self._finish("whys", f"{chain_id}/{step}", list(fields), bad)

    def delete_why(self, chain_id: str, step: int) -> list[Message]:
        df = self.table("whys")
        self._delete_rows("whys", (df["chain_id"].astype(str) == str(chain_id)) &
                          (pd.to_numeric(df["step"], errors="coerce") == float(step)))
        self._recompute()
        return [m for m in self.messages_all if m.table == "whys"]

    def chain(self, chain_id: str) -> pd.DataFrame:
        df = self.table("whys")
        out = df[df["chain_id"].astype(str) == str(chain_id)].copy()
        return out.sort_values("step", key=lambda s: pd.to_numeric(s, errors="coerce"))

    # ------------------------------------------------------------------ assessment
    def set_assessment(self, item_id: str, assessor: str, score_pct: Any = ..., **fields: Any) -> list[Message]:
        """Create or edit one assessor's score of an item; ``score_pct=None`` (or blank) removes the score."""
        item_id, assessor = str(item_id).strip(), str(assessor).strip()
        key = f"{item_id}/{assessor}"
        idx = self._locate("assessment", (item_id, assessor))
        if score_pct is not ... and is_missing(score_pct):
            if idx is not None:
                self._delete_rows("assessment", self.table("assessment").index == idx)
            return self._finish("assessment", key, ["score_pct"])
        if score_pct is not ...:
            fields["score_pct"] = score_pct
        if idx is None:
            if "score_pct" not in fields:
                return [Message("assessment", key, "score_pct", t("widgets.msg.required", self.lang))]
            v, err = self._coerce("assessment", "score_pct", fields["score_pct"])
            if err:
                return [Message("assessment", key, "score_pct", err)]
            idx = self._add_row("assessment", {})
            fields = {"item_id": item_id, "assessor": assessor, **fields}
        bad = self._set_fields("assessment", idx, fields)
        return self._finish("assessment", key, list(fields), bad)

    def assessors(self) -> list[str]:
        df = self.tables.get("assessment")
        if df is None or not len(df):
            return []
        return list(dict.fromkeys(str(a) for a in df["assessor"].dropna()))

    # ------------------------------------------------------------------ recompute
    def _raw_tables(self) -> tuple[dict[str, pd.DataFrame | None], dict[str, dict[int, str]]]:
        """The edited frames as raw cells (what a user could have typed), with row numbers for new rows.

        Cached per table: only the tables touched since the last call are converted again."""
        out: dict[str, pd.DataFrame | None] = {}
        keys: dict[str, dict[int, str]] = {}
        for name, df in self.tables.items():
            if df is None:
                out[name] = None
                continue
            hit = self._raw_cache.get(name)
            if hit is not None and hit[0] is df and hit[1] == self._versions.get(name, 0):
                out[name], keys[name] = hit[2], hit[3]
                continue
            rows = pd.to_numeric(df[ROW], errors="coerce").tolist() if ROW in df else [float("nan")] * len(df)
            known = [r for r in rows if not pd.isna(r)]
            nxt = int(max(known)) + 1 if known else 2
            filled = []
            for r in rows:
                if pd.isna(r):
                    filled.append(nxt)
                    nxt += 1
                else:
                    filled.append(int(r))
            data: dict[str, list[Any]] = {}
            for col in df.columns:
                if col == ROW:
                    continue
                data[col] = [_to_raw(v) for v in df[col].tolist()]
            raw = pd.DataFrame(data, dtype=object)
            raw[ROW] = pd.Series(filled, dtype="int64")
            kc = KEYS[name]
            kcols = [df[c].tolist() if c in df else [None] * len(df) for c in kc]
            keys[name] = {r: _key_str(tuple(col[i] for col in kcols)) for i, r in enumerate(filled)}
            out[name] = raw
            self._raw_cache[name] = (df, self._versions.get(name, 0), raw, keys[name])
        return out, keys

    def _validate(self) -> None:
        from workbench.intake.validation import validate_frames

        tables, keys = self._raw_tables()
        _client, report = validate_frames(self.folder, self.profile, tables, self.original.source)
        self.report = report
        msgs: list[Message] = []
        for issue in report.issues:
            table = issue.sheet if issue.sheet in C.TABLES else _table_of_file(issue.file)
            key = keys.get(table or "", {}).get(issue.row) if issue.row is not None else None
            if table == "kpis" and issue.column == "weight" and key is not None and "weights of owner" in issue.message:
                key = self._last_weight_edit.get(self.contract_of(key), key)
            text = rows_as_keys(issue_text(issue, self.lang), keys.get(table or "", {}))
            msgs.append(Message(table, key, issue.column, text, issue.severity))
        self.messages_all = msgs

    def _recompute(self) -> None:
        t0 = time.perf_counter()
        self._validate()
        t1 = time.perf_counter()
        try:
            from workbench.analysis.analyse import analyse

            self.analysis = analyse(self.client())
            self.analysis_error = None
        except Exception as exc:  # keep the last good analysis; say why it could not be recomputed
            self.analysis_error = f"{type(exc).__name__}: {exc}"
        t2 = time.perf_counter()
        self.timings = {"validate": t1 - t0, "analyse": t2 - t1}
        if self.edited:
            self._keep_draft()

    # ------------------------------------------------------------------ drafts
    def _keep_draft(self) -> None:
        """Write the edited tables as this client's draft. The first edit after opening settles a draft that was
        offered and not restored: it is replaced by the new edits."""
        from workbench.widgets.drafts import write_draft

        self.draft = None
        try:
            write_draft(self.folder, self._fingerprint, {k: self.tables[k] for k in sorted(self.edited)
                                                         if self.tables.get(k) is not None})
            self.draft_problem = self.draft_unreadable = None  # the unreadable file, if any, is replaced
        except OSError as exc:  # a read-only folder: editing goes on, the notebook says edits are not kept
            self.draft_problem = f"{type(exc).__name__}: {exc}"

    @property
    def draft_stale(self) -> bool:
        """The draft offered was edited from intake files that changed on disk since."""
        return self.draft is not None and self.draft.stale(self._fingerprint)

    def restore_draft(self) -> bool:
        """Apply the draft offered (not a stale one: it would overwrite what changed on disk). True when applied."""
        if self.draft is None or self.draft_stale:
            return False
        for name, df in self.draft.tables.items():
            if name in C.TABLES:
                self.tables[name] = df
                self._touch(name)
        self._recompute()
        return True

    def discard_draft(self) -> None:
        from workbench.widgets.drafts import remove_draft

        remove_draft(self.folder)
        self.draft = None
        self.draft_unreadable = None

    # ------------------------------------------------------------------ messages
    def messages(self, table: str | None = None, key: str | None = None, column: str | None = None,
                 severity: str | None = None) -> list[Message]:
        """Current messages, filtered."""
        return [m for m in self.messages_all
                if (table is None or m.table == table) and (key is None or m.key == str(key))
                and (column is None or m.column == column) and (severity is None or m.severity == severity)]

    @property
    def errors(self) -> list[Message]:
        return self.messages(severity="error")

    # ------------------------------------------------------------------ save / render
    def save(self) -> Any:
        """Write the edits back to the intake (``writeback.save_tables``); reload on success. Returns the SaveResult."""
        from workbench.intake.writeback import save_tables

        result = save_tables(self.folder, {k: self.tables[k] for k in sorted(self.edited)}, original=self.original,
                             expected_fingerprint=self._fingerprint)
        if result.ok:
            from workbench.widgets.drafts import remove_draft

            remove_draft(self.folder)  # saved: nothing left to keep
            self.reload()
        return result

    def render(self, out: str | Path) -> Any:
        """Build the deliverable from the *saved* intake (``runner.run_client``); returns what the runner returns."""
        from workbench.build.runner import run_client

        return run_client(self.folder, Path(out))


def _table_of_file(file: str | None) -> str | None:
    if file and file.endswith(".csv"):
        name = file[:-4]
        return name if name in C.TABLES else None
    return None


def _dtype(table: str, column: str) -> Any:
    try:
        ctype = C.TABLES[table].column(column).type
    except KeyError:
        return "float64" if column == ROW else object
    return "float64" if ctype in ("number", "int") else object


def _fits(dtype: Any, v: Any) -> bool:
    if pd.api.types.is_float_dtype(dtype):
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if pd.api.types.is_bool_dtype(dtype):
        return isinstance(v, bool)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return v is pd.NaT or isinstance(v, pd.Timestamp)
    return False


def _to_raw(v: Any) -> Any:
    """A typed value as a cell would hold it (None for empty, lists joined, Timestamps as datetimes)."""
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v) if v else None
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes, pd.Timestamp)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, str):
        return v.strip() or None
    return v
