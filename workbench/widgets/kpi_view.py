"""KPIs tab: per owner, weight, baseline and target inputs and the actuals per period of each KPI; a KPI editor
(add and remove KPIs with parent, objective and owner); live contract scores, objective statuses, strategy map."""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from workbench.intake import contract as C
from workbench.core.i18n import t
from workbench.analysis.rollup import contract_key
from workbench.widgets.charts import strategy_map_figure
from workbench.core.numfmt import fmt_number, fmt_score
from workbench.widgets.common import (band_of, chart_image, css_id, esc, heading, missing, msg_label, pill,
                                      show_messages, show_value, status_label, table_html, text_value)
from workbench.widgets.engagement import Engagement, Message
from workbench.widgets.table_editor import RowEditor

EDIT_FIELDS = ("weight", "baseline", "threshold", "target", "stretch")
ALWAYS = ("weight", "baseline")  # shown for every numeric method; the others only where the method needs them
TEXT_FIELDS = ("baseline",)
NO_BASELINE = ("qualitative", "binary")  # a grade or yes/no has no baseline to measure progress from
KPI_EDITOR_COLUMNS = ("kpi_id", "kpi", "parent_kpi_id", "objective_id", "owner_unit", "owner_level", "owner", "unit",
                      "method", "direction", "frequency", "weight", "baseline", "threshold", "target", "stretch", "step",
                      "step_points", "cap", "floor", "veto", "formula", "data_source")
_W = {"kpi": "250px", "method": "92px", "num": "88px", "actual": "78px", "score": "92px"}


def _needs(method: Any) -> set[str]:
    return set(C.METHOD_NEEDS.get(str(method), ())) & {"threshold", "target", "stretch"}


def contract_label(row: Any, lang: str) -> str:
    owner = row.get("owner")
    level = row.get("owner_level")
    lvl = C.OWNER_LEVEL_LABELS.get(str(level), {}).get(lang, "") if not missing(level) else ""
    name = f"{row.get('owner_unit')}" + (f" · {owner}" if not missing(owner) and str(owner) else "")
    return f"{name} ({lvl})" if lvl else name


class KpiView:
    """The KPIs tab. ``weight_inputs[kpi_id]`` etc. are the live controls of the selected owner."""

    def __init__(self, eng: Engagement, on_edit: Any = None):
        self.eng, self.lang = eng, eng.lang
        self.on_edit = on_edit or (lambda: None)
        self._updating = False
        self.inputs: dict[str, dict[str, W.FloatText]] = {}
        self.msg_labels: dict[str, W.HTML] = {}
        self.kpi_scores: dict[str, W.HTML] = {}
        L = self.lang
        self.owner_dd = W.Dropdown(options=self._owner_options(), description=t("widgets.col.owner", L),
                                   layout=W.Layout(width="460px"), style={"description_width": "70px"})
        self.owner_dd.add_class("wb-owner")
        self.score_html = W.HTML()
        self.score_html.add_class("wb-contract-score")
        self.score_html.add_class("wb-score")
        self.sum_html = W.HTML()
        self.sum_html.add_class("wb-weight-sum")
        self.rows_box = W.VBox()
        self.contracts_html = W.HTML()
        self.contracts_html.add_class("wb-contracts-table")
        self.objectives_html = W.HTML()
        self.objectives_html.add_class("wb-objectives-table")
        self.map_box = W.Box(layout=W.Layout(width="100%"))
        self.owner_dd.observe(lambda ch: self._owner_changed(), names="value")
        self.actuals_box = W.VBox()
        self.actual_inputs: dict[tuple[str, str], W.Text] = {}
        self.actual_msgs: dict[str, W.HTML] = {}
        self.new_period = W.Text(placeholder=str(eng.profile.period), layout=W.Layout(width="120px"))
        self.btn_period = W.Button(description=t("widgets.btn.add_period", L), icon="plus", layout=W.Layout(width="auto"))
        self.btn_period.add_class("wb-add-period")
        self.btn_period.on_click(lambda _b: self._add_period())
        self.extra_periods: list[str] = []
        ids = lambda: [(t("widgets.none", L), None)] + [  # noqa: E731
            (f"{r['kpi_id']} · {r['kpi']}", str(r["kpi_id"])) for _, r in eng.table("kpis").iterrows()]
        objs = lambda: [(t("widgets.none", L), None)] + [  # noqa: E731
            (f"{r['objective_id']} · {r['objective']}", str(r["objective_id"])) for _, r in eng.table("objectives").iterrows()]
        self.editor = RowEditor(eng, "kpis", KPI_EDITOR_COLUMNS, title_columns=("kpi",), id_column="kpi_id",
                                choices={"parent_kpi_id": ids, "objective_id": objs}, defaults=self._new_kpi_defaults,
                                delete=lambda idx: eng.delete_kpi(str(eng.table("kpis").at[idx, "kpi_id"])),
                                on_edit=self._editor_edited, width="300px")
        self.widget = W.VBox([
            W.HBox([self.owner_dd, self.score_html], layout=W.Layout(align_items="center", grid_gap="16px")),
            self.rows_box, self.sum_html,
            heading(t("widgets.kpi.actuals", L)), self.actuals_box,
            W.HBox([self.new_period, self.btn_period]),
            heading(t("widgets.kpi.editor", L)), self.editor.widget,
            W.HBox([W.VBox([heading(t("widgets.kpi.contracts", L)), self.contracts_html]),
                    W.VBox([heading(t("widgets.kpi.objectives", L)), self.objectives_html])],
                   layout=W.Layout(grid_gap="24px", flex_flow="row wrap")),
            heading(t("widgets.kpi.strategy_map", L)), self.map_box,
        ])
        self._build_rows()
        self._build_actuals()
        self.refresh(charts=True)

    # ------------------------------------------------------------------ structure
    def _owner_options(self) -> list[tuple[str, str]]:
        kpis = self.eng.table("kpis")
        out: dict[str, str] = {}
        for _, row in kpis.iterrows():
            key = contract_key(row.get("owner_unit"), row.get("owner"))
            out.setdefault(key, contract_label(row, self.lang))
        return [(label, key) for key, label in out.items()]

    def kpis_of(self, contract: str) -> list[Any]:
        kpis = self.eng.table("kpis")
        rows = []
        for _, row in kpis.iterrows():
            key = contract_key(row.get("owner_unit"), row.get("owner"))
            if key == contract:
                rows.append(row)
        return rows

    def _build_rows(self) -> None:
        L = self.lang
        contract = self.owner_dd.value
        self.inputs, self.msg_labels, self.kpi_scores = {}, {}, {}
        head = W.HBox([self._col(t("widgets.col.kpi", L), _W["kpi"]), self._col(t("widgets.col.method", L), _W["method"]),
                       *(self._col(t(f"widgets.col.{f}", L), _W["num"]) for f in EDIT_FIELDS),
                       self._col(t("widgets.col.actual", L), _W["actual"]), self._col(t("widgets.col.score", L), _W["score"])])
        rows: list[W.Widget] = [head]
        for row in self.kpis_of(contract) if contract else []:
            kid = str(row["kpi_id"])
            needs = _needs(row.get("method"))
            cells: list[W.Widget] = [
                W.HTML(f"<b>{esc(kid)}</b> {esc(row.get('kpi'))}", layout=W.Layout(width=_W["kpi"])),
                W.HTML(esc(C.METHOD_LABELS.get(str(row.get("method")), {}).get(L, row.get("method"))),
                       layout=W.Layout(width=_W["method"])),
            ]
            self.inputs[kid] = {}
            for f in EDIT_FIELDS:
                if (f not in ALWAYS and f not in needs) or (f == "baseline" and str(row.get("method")) in NO_BASELINE):
                    cells.append(W.HTML("", layout=W.Layout(width=_W["num"])))
                    continue
                v = row.get(f)
                if f in TEXT_FIELDS:  # optional: blank stays blank (a FloatText would show and save 0)
                    box = W.Text(value=text_value(v), continuous_update=False, layout=W.Layout(width=_W["num"]))
                else:
                    box = W.FloatText(value=0.0 if missing(v) else float(v), step=1 if f == "weight" else None,
                                      continuous_update=False, layout=W.Layout(width=_W["num"]))
                box.add_class(f"wb-{f}")
                box.add_class(f"wb-{f}-{css_id(kid)}")
                box.observe(lambda ch, k=kid, fld=f: self._edited(k, fld, ch["new"]), names="value")
                self.inputs[kid][f] = box
                cells.append(box)
            actual = W.HTML(layout=W.Layout(width=_W["actual"]))
            score = W.HTML(layout=W.Layout(width=_W["score"]))
            score.add_class(f"wb-kpi-score-{css_id(kid)}")
            self.kpi_scores[kid] = score
            cells += [actual, score]
            self.inputs[kid]["_actual"] = actual  # type: ignore[assignment]
            lab = msg_label()
            self.msg_labels[kid] = lab
            rows.append(W.VBox([W.HBox(cells, layout=W.Layout(align_items="center")), lab]))
        self.rows_box.children = tuple(rows)
        self.refresh(charts=False)

    def _owner_changed(self) -> None:
        self._build_rows()
        self._build_actuals()

    def _new_kpi_defaults(self) -> dict[str, Any]:
        """A new KPI belongs to the selected owner and, like its siblings, to their parent and objective."""
        rows = self.kpis_of(self.owner_dd.value) if self.owner_dd.value else []
        if not rows:
            return {}
        first = rows[0]
        out = {k: first.get(k) for k in ("owner_unit", "owner", "owner_level") if not missing(first.get(k))}
        return out

    def _editor_edited(self) -> None:
        """A KPI added, removed or re-owned: owners, rows and actuals are rebuilt around the same owner."""
        cur = self.owner_dd.value
        opts = self._owner_options()
        idx = self.editor.idx
        if idx is not None and idx in self.eng.table("kpis").index:
            row = self.eng.table("kpis").loc[idx]
            cur = contract_key(row.get("owner_unit"), row.get("owner"))
        self._updating = True
        try:
            self.owner_dd.options = opts
            self.owner_dd.value = cur if cur in [v for _, v in opts] else (opts[0][1] if opts else None)
        finally:
            self._updating = False
        self._build_rows()
        self._build_actuals()
        self.refresh(charts=True)
        self.on_edit()

    # ------------------------------------------------------------------ actuals per period
    def periods(self) -> list[str]:
        return sorted(set(self.eng.periods()) | set(self.extra_periods))

    def _add_period(self) -> None:
        p = self.new_period.value.strip()
        if p and p not in self.periods():
            self.extra_periods.append(p)
        self.new_period.value = ""
        self._build_actuals()

    def _build_actuals(self) -> None:
        L = self.lang
        periods = self.periods()
        self.actual_inputs, self.actual_msgs = {}, {}
        head = W.HBox([self._col(t("widgets.col.kpi", L), _W["kpi"]),
                       *(self._col(p + (" ●" if p == str(self.eng.profile.period) else ""), _W["num"]) for p in periods)])
        rows: list[W.Widget] = [head]
        for row in self.kpis_of(self.owner_dd.value) if self.owner_dd.value else []:
            kid = str(row["kpi_id"])
            cells: list[W.Widget] = [W.HTML(f"<b>{esc(kid)}</b> {esc(row.get('kpi'))}", layout=W.Layout(width=_W["kpi"]))]
            for p in periods:
                box = W.Text(value=_actual_text(self.eng.actual(kid, p), L), continuous_update=False,
                             layout=W.Layout(width=_W["num"]))
                box.add_class(f"wb-actual-{css_id(kid)}-{css_id(p)}")
                box.observe(lambda ch, k=kid, per=p: self._actual_edited(k, per, ch["new"]), names="value")
                self.actual_inputs[(kid, p)] = box
                cells.append(box)
            lab = msg_label()
            self.actual_msgs[kid] = lab
            rows.append(W.VBox([W.HBox(cells, layout=W.Layout(align_items="center")), lab]))
        self.actuals_box.children = tuple(rows)
        self._show_actual_messages()

    def _actual_edited(self, kpi_id: str, period: str, value: Any) -> None:
        if self._updating:
            return
        msgs = self.eng.set_actual(kpi_id, period, value)
        self._actual_local = {kpi_id: [m for m in msgs if m not in self.eng.messages_all]}
        self._show_actual_messages()
        self.refresh(charts=False)
        self.on_edit()
        self.refresh_charts()

    def _show_actual_messages(self) -> None:
        local = getattr(self, "_actual_local", {})
        for kid, lab in self.actual_msgs.items():
            msgs = [m for m in self.eng.messages("actuals") if m.key and m.key.split("/")[0] == kid]
            msgs += [m for m in self.eng.messages("kpis", kid) if m.column == "actual"]
            named = [Message(m.table, m.key, m.column, f"{m.key.split('/', 1)[-1]}: {m.text}" if m.key and "/" in m.key
                             else m.text, m.severity) for m in [*local.get(kid, []), *msgs]]
            show_messages(lab, named)  # each names its period, as the column above does

    @staticmethod
    def _col(text: str, width: str) -> W.HTML:
        h = W.HTML(esc(text), layout=W.Layout(width=width))
        h.add_class("wb-colhead")
        return h

    # ------------------------------------------------------------------ editing
    def _edited(self, kpi_id: str, field: str, value: Any) -> None:
        if self._updating:
            return
        if isinstance(value, str) and not value.strip():
            value = None
        msgs = self.eng.set_kpi(kpi_id, **{field: value})
        self._local = {kpi_id: [m for m in msgs if m not in self.eng.messages_all]}
        self.editor.reload()
        self.refresh(charts=False)
        self.on_edit()  # the header's state first, the (slower) strategy map after
        self.refresh_charts()

    # ------------------------------------------------------------------ refresh
    def refresh(self, charts: bool = True) -> None:
        eng, L = self.eng, self.lang
        a = eng.analysis
        kpis = a.kpis if a is not None else None
        contracts = a.contracts if a is not None else None
        local = getattr(self, "_local", {})
        for kid, lab in self.msg_labels.items():
            msgs = [m for m in eng.messages("kpis", kid) if m.column in (*EDIT_FIELDS, None, "method")]
            show_messages(lab, [*local.get(kid, []), *msgs])
            if kpis is not None and kid in kpis.index:
                k = kpis.loc[kid]
                self.kpi_scores[kid].value = pill(fmt_score(k.get("score")), k.get("band", band_of(k.get("score"))))
                self.inputs[kid]["_actual"].value = esc(show_value(k.get("actual")))  # type: ignore[union-attr]
        contract = self.owner_dd.value
        if contract is not None:
            score = vetoed = None
            if contracts is not None and contract in contracts.index:
                score = contracts.loc[contract, "score"]
                vetoed = contracts.loc[contract, "vetoed_by"]
            veto = f' <span class="wb-muted">({esc(t("widgets.kpi.vetoed", L, kpi=vetoed))})</span>' if not missing(vetoed) else ""
            self.score_html.value = (f'{esc(t("widgets.kpi.owner_score", L))}: '
                                     f'<span class="wb-score-value">{pill(fmt_score(score), band_of(score))}</span>{veto}')
            total = eng.weight_sum(contract)
            ok = abs(total - 100) <= 0.01
            colour = "#1b5e20" if ok else "#c62828"
            self.sum_html.value = f'<span style="color:{colour}">{esc(t("widgets.kpi.weight_sum", L, total=fmt_number(total)))}</span>'
        self.contracts_html.value = contracts_table(eng.analysis, L)
        self.objectives_html.value = objectives_table(eng.analysis, L)
        if charts:
            self.refresh_charts()
        if eng.analysis_error:
            self.sum_html.value += f'<br><span class="wb-msg">{esc(t("widgets.analysis_error", L, error=eng.analysis_error))}</span>'


    def refresh_charts(self) -> None:
        self.map_box.children = (chart_image(lambda: strategy_map_figure(self.eng.analysis), self.lang, "900px"),)


def contracts_table(a: Any, L: str) -> str:
    """Every owner's contract score with its status colour (HTML)."""
    if a is None or a.contracts is None or not len(a.contracts):
        return esc(t("widgets.no_data", L))
    rows = []
    for _key, c in a.contracts.iterrows():
        rows.append([esc(contract_label(c, L)), str(int(c.get("n_kpis") or 0)),
                     pill(fmt_score(c.get("score")), c.get("band", band_of(c.get("score")))),
                     esc("" if missing(c.get("vetoed_by")) else c.get("vetoed_by"))])
    return table_html([t("widgets.col.owner", L), "KPI", t("widgets.col.score", L), t("widgets.col.vetoed_by", L)],
                      rows, num_cols=(1,))


def objectives_table(a: Any, L: str) -> str:
    """Every strategic objective's score and status (HTML)."""
    if a is None or a.objectives is None or not len(a.objectives):
        return esc(t("widgets.no_data", L))
    rows = []
    for oid, o in a.objectives.iterrows():
        band = o.get("band", band_of(o.get("score")))
        persp = C.PERSPECTIVE_LABELS.get(str(o.get("perspective")), {}).get(L, o.get("perspective"))
        rows.append([esc(oid), esc(persp), esc(o.get("objective")), esc(fmt_score(o.get("score"))),
                     pill(status_label(band, L), band)])
    return table_html(["", t("widgets.col.perspective", L), t("widgets.col.objective", L), t("widgets.col.score", L),
                       t("widgets.col.status", L)], rows, num_cols=(3,))


def _actual_text(v: Any, lang: str) -> str:
    """An actual as typed: a number, a grade, or yes/no in the client's language."""
    if isinstance(v, bool):
        return t("widgets.yes" if v else "widgets.no", lang)
    from workbench.widgets.common import text_value

    return text_value(v)
