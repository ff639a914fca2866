"""One editor for the rows of any intake table: pick a row by the name the widgets give it, edit its fields, add, delete.

Every field has its message label right under it (validation and coercion messages of that row and column);
messages of the row that no shown field owns go under the whole form. "Add" is always enabled where a row can be
added: it appends a row with a fresh id (and the caller's defaults, e.g. the selected owner) and selects it, so
what is still missing shows next to the empty fields at once.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import ipywidgets as W

from workbench.core.i18n import catalogue, t
from workbench.core.status import action_label
from workbench.intake import contract as C
from workbench.widgets.common import css_id, esc, missing, msg_label, show_messages, text_value
from workbench.widgets.engagement import KEYS, Engagement, Message

Choices = Callable[[], Sequence[tuple[str, Any]]]
_LBL = {"description_width": "110px"}


def col_label(table: str, col: str, lang: str) -> str:
    """A field's label in ``lang``: the catalogue's (``widgets.col.<col>``), else the contract's help, else the name."""
    for key in (f"widgets.col.{table}.{col}", f"widgets.col.{col}"):
        if key in catalogue():
            return t(key, lang)
    try:
        c = C.TABLES[table].column(col)
        text = c.help_zh if lang == "zh" else c.help_en
        return (text.split(",")[0].split("(")[0].split("（")[0].strip() or col)[:24]
    except KeyError:
        return col


def enum_label(col: str, value: str, lang: str) -> str:
    labels = {"perspective": C.PERSPECTIVE_LABELS, "owner_level": C.OWNER_LEVEL_LABELS, "method": C.METHOD_LABELS}
    if col in labels:
        return labels[col].get(value, {}).get(lang, value)
    if col == "status":
        return action_label(value, lang)
    key = f"widgets.enum.{col}.{value}"
    return t(key, lang) if key in catalogue() else value


def enum_options(table: str, col: str, lang: str) -> list[tuple[str, Any]]:
    c = C.TABLES[table].column(col)
    opts = [(enum_label(col, v, lang), v) for v in c.enum]
    return opts if c.required or c.default is not None else [(t("widgets.none", lang), None), *opts]


class RowEditor:
    """Edit ``table``'s rows through ``columns``.

    - ``choices[col]``: a dropdown of allowed values (e.g. existing objective ids) instead of a text box;
    - ``scope``: fields fixed for this editor (e.g. ``{"item_id": "4.1.2"}``): only those rows are listed, new rows
      get them;
    - ``defaults()``: extra fields of a new row (e.g. the selected owner);
    - ``id_column``: gets a fresh id on "Add" (None: the table has no single id, e.g. links);
    - ``on_edit``: called after every change (the app refreshes state, other views, charts);
    - ``extra_messages(idx)``: more messages for a row, e.g. SMART warnings, as (column, Message).
    """

    def __init__(self, eng: Engagement, table: str, columns: Sequence[str], *, title_columns: Sequence[str] = (),
                 choices: dict[str, Choices] | None = None, scope: dict[str, Any] | None = None,
                 defaults: Callable[[], dict[str, Any]] | None = None, id_column: str | None = None,
                 on_edit: Callable[[], None] | None = None, on_add: Callable[[Any], dict[str, Any]] | None = None,
                 delete: Callable[[Any], None] | None = None,
                 extra_messages: Callable[[Any], list[Message]] | None = None, width: str = "330px"):
        self.eng, self.table, self.lang = eng, table, eng.lang
        self.columns = [c for c in columns if c in C.TABLES[table].column_names]
        self.title_columns = list(title_columns)
        self.choices = choices or {}
        self.scope = dict(scope or {})
        self.defaults = defaults or (lambda: {})
        self.id_column = id_column
        self.on_edit = on_edit or (lambda: None)
        self.delete_fn = delete
        self.extra_messages = extra_messages or (lambda idx: [])
        self._quiet = False
        L = self.lang
        cls = css_id(table)
        self.row_dd = W.Dropdown(description=t("widgets.row", L), style=_LBL, layout=W.Layout(width="520px"))
        self.row_dd.add_class(f"wb-{cls}-row")
        self.btn_add = W.Button(description=t("widgets.btn.add", L), icon="plus", layout=W.Layout(width="auto"))
        self.btn_add.add_class(f"wb-{cls}-add")
        self.btn_del = W.Button(description=t("widgets.btn.delete", L), icon="trash", layout=W.Layout(width="auto"))
        self.btn_del.add_class(f"wb-{cls}-delete")
        self.fields: dict[str, W.Widget] = {}
        self.msgs: dict[str, W.HTML] = {}
        cells = []
        for col in self.columns:
            w = self._field(col, width)
            w.add_class(f"wb-{cls}-{css_id(col)}")
            w.observe(lambda ch, col=col: self._changed(col, ch["new"]), names="value")
            self.fields[col] = w
            self.msgs[col] = msg_label()
            cells.append(W.VBox([w, self.msgs[col]], layout=W.Layout(width=width, margin="0 12px 0 0")))
        self.row_msg = msg_label()
        self.empty = W.HTML()
        self.empty.add_class("wb-muted")
        self.btn_add.on_click(lambda _b: self.add())
        self.btn_del.on_click(lambda _b: self.delete())
        self.row_dd.observe(lambda ch: self._load(), names="value")
        self.form = W.Box(cells, layout=W.Layout(display="flex", flex_flow="row wrap", align_items="flex-start"))
        self.widget = W.VBox([W.HBox([self.row_dd, self.btn_add, self.btn_del], layout=W.Layout(align_items="center")),
                              self.empty, self.form, self.row_msg])
        self.widget.add_class(f"wb-editor-{cls}")
        self.reload()

    # ------------------------------------------------------------------ widgets
    def _field(self, col: str, width: str) -> W.Widget:
        c = C.TABLES[self.table].column(col)
        desc = col_label(self.table, col, self.lang)
        lay = W.Layout(width=width)
        if col in self.choices:
            return W.Dropdown(options=[], description=desc, style=_LBL, layout=lay)
        if c.type == "enum":
            return W.Dropdown(options=enum_options(self.table, col, self.lang), description=desc, style=_LBL, layout=lay)
        if c.type == "yesno":
            return W.Checkbox(description=desc, indent=True, style=_LBL, layout=lay)
        ph = "YYYY-MM-DD" if c.type == "date" else ""
        return W.Text(description=desc, continuous_update=False, placeholder=ph, style=_LBL, layout=lay)

    # ------------------------------------------------------------------ rows
    def rows(self) -> list[Any]:
        df = self.eng.table(self.table)
        mask = [all(str(df.at[i, k]) == str(v) for k, v in self.scope.items()) for i in df.index]
        return [i for i, keep in zip(df.index, mask) if keep]

    def label(self, idx: Any) -> str:
        """The row as the dropdown names it: its key (without the scope's columns) and its title columns."""
        df = self.eng.table(self.table)
        key = "/".join(text_value(df.at[idx, c]) for c in KEYS[self.table]
                       if c not in self.scope and c not in self.title_columns and c in df.columns)
        title = " · ".join(text_value(df.at[idx, c]) for c in self.title_columns if c in df.columns
                           and not missing(df.at[idx, c]) and text_value(df.at[idx, c]))
        text = " · ".join(p for p in (key, title) if p) or "—"
        return text if len(text) <= 70 else text[:69] + "…"

    @property
    def idx(self) -> Any:
        return self.row_dd.value

    def reload(self, select: Any = ...) -> None:
        """Re-list the rows (after any edit elsewhere) and re-read the selected row's values."""
        rows = self.rows()
        opts = [(self.label(i), i) for i in rows]
        cur = self.row_dd.value if select is ... else select
        self._quiet = True
        try:
            self.row_dd.options = opts
            self.row_dd.value = cur if cur in rows else (rows[0] if rows else None)
        finally:
            self._quiet = False
        self._load()

    def _load(self) -> None:
        if self._quiet:
            return
        idx = self.idx
        df = self.eng.table(self.table)
        self._quiet = True
        try:
            for col, w in self.fields.items():
                if col in self.choices:
                    opts = list(self.choices[col]())
                    v = None if idx is None else df.at[idx, col] if col in df.columns else None
                    v = None if missing(v) else str(v)
                    if v is not None and v not in [o for _, o in opts]:
                        opts.append((v, v))
                    w.options = opts
                    w.value = v if v in [o for _, o in opts] else (opts[0][1] if opts else None)
                else:
                    w.value = self._shown(col, None if idx is None else df.at[idx, col] if col in df.columns else None)
                w.disabled = idx is None or (col in KEYS[self.table] and col == self.id_column)
        finally:
            self._quiet = False
        self.btn_del.disabled = idx is None
        self.form.layout.display = "none" if idx is None else "flex"
        self.empty.value = esc(t("widgets.editor.empty", self.lang)) if idx is None else ""
        self.show_messages()

    def _shown(self, col: str, v: Any) -> Any:
        c = C.TABLES[self.table].column(col)
        if c.type == "yesno":
            return bool(v) if not missing(v) else bool(c.default)
        if c.type == "enum":
            return None if missing(v) else v
        if c.type == "date":
            return "" if missing(v) else str(v)[:10]
        if c.type == "idlist":
            return ", ".join(v) if isinstance(v, (list, tuple)) else text_value(v)
        return text_value(v)

    # ------------------------------------------------------------------ editing
    def _changed(self, col: str, value: Any) -> None:
        if self._quiet or self.idx is None:
            return
        idx = self.idx
        if isinstance(value, str) and not value.strip():
            value = None
        msgs = self.eng.set_row(self.table, idx, **{col: value})
        self._local = (idx, [m for m in msgs if m not in self.eng.messages_all])
        if col in KEYS[self.table] or col in self.title_columns:
            self.reload(idx)
        else:
            self.show_messages()
        self.on_edit()

    def add(self) -> Any:
        fields = {**self.defaults(), **self.scope}
        if self.id_column and not fields.get(self.id_column):
            fields[self.id_column] = self.eng.next_id(self.table, self.id_column)
        idx, msgs = self.eng.add_row(self.table, **fields)
        self._local = (idx, [m for m in msgs if m not in self.eng.messages_all])
        self.reload(idx)
        self.on_edit()
        return idx

    def delete(self) -> None:
        idx = self.idx
        if idx is None:
            return
        if self.delete_fn is not None:
            self.delete_fn(idx)
        else:
            self.eng.delete_row(self.table, idx)
        self._local = (None, [])
        self.reload(None)
        self.on_edit()

    def show_messages(self) -> None:
        idx = self.idx
        local_idx, local = getattr(self, "_local", (None, []))
        msgs = [*(local if local_idx == idx and idx is not None else []), *self.eng.row_messages(self.table, idx), *self.extra_messages(idx)]
        by_col: dict[str, list[Message]] = {c: [] for c in self.fields}
        rest: list[Message] = []
        for m in msgs:
            (by_col[m.column] if m.column in by_col else rest).append(m)
        for col, lab in self.msgs.items():
            show_messages(lab, by_col[col])
        show_messages(self.row_msg, rest)
