"""How the `workbench` command talks: results on stdout, every error and warning on stderr in one format.

One line a problem, ``error: <where>: <what>`` or ``warning: <where>: <what>``, in the client's language where a
client is known. Warnings that repeat with only a word or two changed (four "perspective X has 1 KPI" lines)
fold into one line with a count, unless ``--verbose``. ``--quiet`` drops warnings and notes, never errors or results.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from rich.console import Console
from rich.text import Text

from workbench.core.i18n import t

__all__ = ["Output", "Folded", "fold", "issue_location", "issue_text", "default_lang"]

_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def default_lang() -> str:
    """The language of messages not tied to a client: Chinese when the locale says so, else English."""
    for var in ("WORKBENCH_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        v = os.environ.get(var, "")
        if v:
            return "zh" if v.lower().startswith("zh") else "en"
    return "en"


def issue_location(issue: Any, lang: str, rows: Sequence[int] | None = None) -> str:
    """Where an intake issue is, as the user sees it (file, sheet, Excel row, column), in ``lang``;
    ``rows`` names several rows (a folded line) instead of the issue's own."""
    parts: list[str] = []
    file = getattr(issue, "file", None)
    sheet = getattr(issue, "sheet", None)
    if file:
        parts.append(str(file))
    if sheet and file and not str(file).endswith(".csv"):
        parts.append(t("cli.where.sheet", lang, sheet=sheet))
    if rows is None:
        rows = [issue.row] if getattr(issue, "row", None) is not None else []
    rows = sorted(set(rows))
    if len(rows) == 1:
        parts.append(t("cli.where.row", lang, row=rows[0]))
    elif rows:
        parts.append(t("cli.where.rows", lang, rows=_ranges(rows)))
    column = getattr(issue, "column", None)
    if column:
        parts.append(t("cli.where.column", lang, column=column))
    return ", ".join(parts)


def issue_text(issue: Any, lang: str) -> str:
    """The issue's message in ``lang`` (intake's catalogue rendering, ``Issue.text``) and what was typed."""
    render = getattr(issue, "text", None)
    text = str(render(lang)) if callable(render) else str(getattr(issue, "message", issue))
    value = getattr(issue, "value", None)
    if value is not None and repr(value) not in text and str(value) not in text:
        got = getattr(issue, "got", None)
        text += str(got(lang)) if callable(got) else " " + t("cli.got", lang, value=repr(value))
    return text


@dataclass
class Folded:
    """One printed line standing for ``count`` issues that differ only in a few words and their rows."""

    severity: str
    where: str
    words: list[list[str]]
    rows: list[int] = field(default_factory=list)
    count: int = 1

    @property
    def text(self) -> str:
        return "".join("/".join(dict.fromkeys(alts)) for alts in self.words)


_TOKEN = re.compile(r"(\s+|[,;:()，；：（）])")


def fold(items: Iterable[tuple[str, str, str, int | None]], *, enabled: bool = True) -> list[Folded]:
    """Fold (severity, where-without-row, text, row) items: same severity and place, same wording but for at most
    two words -> one :class:`Folded` whose differing words read ``a/b/c``."""
    out: list[Folded] = []
    for severity, where, text, row in items:
        tokens = _TOKEN.split(text)
        target = None
        if enabled:
            for f in out:
                if f.severity != severity or f.where != where or len(f.words) != len(tokens):
                    continue
                varying = sum(1 for alts, tok in zip(f.words, tokens) if len(set(alts)) > 1 or tok not in alts)
                n_words = sum(1 for tok in tokens if tok.strip() and not _TOKEN.fullmatch(tok))
                if varying <= min(2, n_words // 4):
                    target = f
                    break
        if target is None:
            out.append(Folded(severity, where, [[tok] for tok in tokens], [row] if row is not None else []))
        else:
            for alts, tok in zip(target.words, tokens):
                alts.append(tok)
            target.count += 1
            if row is not None:
                target.rows.append(row)
    return out


class Output:
    """The two streams of one command run. ``out`` is stdout (results), ``err`` is stderr (errors, warnings, notes)."""

    def __init__(self, quiet: bool = False, verbose: bool = False, lang: str | None = None,
                 out: Console | None = None, err: Console | None = None):
        self.quiet, self.verbose = quiet, verbose
        self.lang = lang or default_lang()
        self.out = out or Console(highlight=False)
        self.err = err or Console(stderr=True, highlight=False, soft_wrap=True)
        self.counts = {"error": 0, "warning": 0}

    # ------------------------------------------------------------------ single lines
    def _line(self, severity: str, text: str, where: str = "", count: int = 1) -> None:
        line = Text()
        line.append(t(f"cli.{severity}", self.lang) + ":", style=_STYLE.get(severity, ""))
        if where:
            line.append(" " + where + ":")
        line.append(" " + text)
        if count > 1:
            line.append(" " + t("cli.times", self.lang, n=count), style="dim")
        self.err.print(line)

    def error(self, text: str, where: str = "") -> None:
        self.counts["error"] += 1
        self._line("error", text, where)

    def warning(self, text: str, where: str = "") -> None:
        self.counts["warning"] += 1
        if not self.quiet:
            self._line("warning", text, where)

    def note(self, text: str, where: str = "") -> None:
        """Progress and hints: stderr, hidden by --quiet."""
        if not self.quiet:
            self._line("note", text, where)

    def debug(self, text: str) -> None:
        if self.verbose:
            self.err.print(Text(text, style="dim"))

    def result(self, renderable: Any = "", **kw: Any) -> None:
        """A result on stdout (plain text is never read as rich markup)."""
        if isinstance(renderable, str):
            renderable = Text(renderable)
            kw.setdefault("soft_wrap", True)  # a sentence or a URL is never broken at the terminal's edge
        self.out.print(renderable, **kw)

    def raw(self, text: str) -> None:
        """Machine-readable output (JSON) on stdout, byte for byte."""
        import sys

        sys.stdout.write(text)
        sys.stdout.flush()

    # ------------------------------------------------------------------ a validation report
    def issues(self, issues: Sequence[Any], lang: str, prefix: str = "") -> None:
        """Print intake issues (errors first), located, folded unless --verbose; prefix names the client."""
        ordered = [i for i in issues if i.severity == "error"] + [i for i in issues if i.severity != "error"]
        if self.quiet:
            ordered = [i for i in ordered if i.severity == "error"]
        items = []
        for i in ordered:
            key = (i.severity, getattr(i, "file", None), getattr(i, "sheet", None), getattr(i, "column", None))
            items.append((i.severity, repr(key), issue_text(i, lang), getattr(i, "row", None)))
        folded = fold(items, enabled=not self.verbose)
        by_where = {repr((i.severity, getattr(i, "file", None), getattr(i, "sheet", None), getattr(i, "column", None))): i
                    for i in ordered}
        for f in folded:
            where = issue_location(by_where[f.where], lang, rows=[r for r in f.rows if r is not None])
            where = ": ".join(p for p in (prefix, where) if p)
            self.counts["error" if f.severity == "error" else "warning"] += f.count
            sev_lang, self.lang = self.lang, lang
            try:
                self._line("error" if f.severity == "error" else "warning", f.text, where, f.count)
            finally:
                self.lang = sev_lang


def _ranges(rows: list[int]) -> str:
    """3, 4, 5, 9 -> '3-5, 9'."""
    out: list[str] = []
    start = prev = rows[0]
    for r in rows[1:] + [None]:  # type: ignore[list-item]
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return ", ".join(out)
