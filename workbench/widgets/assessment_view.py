"""Self-assessment tab: item selector with name, points, bands and lens; a score input per assessor; totals."""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from workbench.core.i18n import t
from workbench.core.numfmt import fmt_number, fmt_points
from workbench.widgets.common import css_id, esc, heading, missing, msg_label, show_messages, table_html, text_value
from workbench.widgets.engagement import Engagement
from workbench.widgets.table_editor import RowEditor

FEEDBACK_COLUMNS = ("kind", "comment", "key", "dimension", "evidence")
DIMENSIONS = {"results": ("Le", "T", "C", "I"), "process": ("A", "D", "L", "I")}


class AssessmentView:
    def __init__(self, eng: Engagement, on_edit: Any = None):
        self.eng, self.lang = eng, eng.lang
        self.on_edit = on_edit or (lambda: None)
        self._updating = False
        L = self.lang
        from workbench.intake.frameworks import framework_of

        self.framework = framework_of(eng.profile)
        self.item_dd = W.Dropdown(
            options=[(f"{i.id} {i.name(L)} ({i.points})", i.id) for i in self.framework.items] if self.framework else [],
            description=t("widgets.col.item", L), style={"description_width": "60px"}, layout=W.Layout(width="520px"))
        self.item_dd.add_class("wb-item")
        self.info_html = W.HTML()
        self.bands_html = W.HTML()
        self.scores_box = W.VBox()
        self.score_inputs: dict[str, W.Text] = {}
        self.score_msgs: dict[str, W.HTML] = {}
        self.consensus_html = W.HTML()
        self.new_assessor = W.Text(placeholder=t("widgets.asm.new_assessor", L), layout=W.Layout(width="180px"))
        self.btn_add = W.Button(description=t("widgets.btn.add_assessor", L), icon="plus")
        self.btn_add.on_click(lambda _b: self._add_assessor())
        self.extra_assessors: list[str] = []
        self.total_html = W.HTML()
        self.total_html.add_class("wb-assessment-total")
        self.total_html.add_class("wb-score")
        self.categories_html = W.HTML()
        self.item_dd.observe(lambda ch: self._build_item(), names="value")
        if self.framework is None:
            self.widget = W.HTML(esc(t("widgets.asm.no_framework", L, edition=eng.profile.framework)))
            return
        self.feedback: RowEditor | None = None
        feedback: list[W.Widget] = []
        if eng.has_table("feedback"):
            self.feedback = RowEditor(eng, "feedback", FEEDBACK_COLUMNS, title_columns=("kind", "comment"),
                                      scope={"item_id": self.item_dd.value}, choices={"dimension": self._dimensions},
                                      defaults=lambda: {"kind": "strength"}, on_edit=self.on_edit, width="420px")
            feedback = [heading(t("widgets.asm.feedback", L)), self.feedback.widget]
        self.widget = W.VBox([
            W.HBox([self.item_dd, self.total_html], layout=W.Layout(align_items="center", grid_gap="16px")),
            self.info_html,
            heading(t("widgets.asm.scores", L)), self.scores_box,
            W.HBox([self.new_assessor, self.btn_add]), self.consensus_html, *feedback,
            heading(t("widgets.asm.bands", L)), self.bands_html,
            heading(t("widgets.asm.categories", L)), self.categories_html,
        ])
        self._build_item()

    def _dimensions(self) -> list[tuple[str, Any]]:
        """The dimensions that fit the selected item: A/D/L/I for process items (4.1-4.6), Le/T/C/I for results (4.7)."""
        item = str(self.item_dd.value or "")
        keys = DIMENSIONS["results" if item.startswith("4.7") else "process"]
        return [(t("widgets.none", self.lang), None)] + [(k, k) for k in keys]

    def assessors(self) -> list[str]:
        return list(dict.fromkeys([*self.eng.assessors(), *self.extra_assessors]))

    def _current_pcts(self, item_id: str) -> dict[str, Any]:
        df = self.eng.table("assessment")
        sub = df[df["item_id"].astype(str) == item_id]
        return {str(r["assessor"]): r["score_pct"] for _, r in sub.iterrows()}

    def _build_item(self) -> None:
        item_id = self.item_dd.value
        if item_id is None or self.framework is None:
            return
        L = self.lang
        item = self.framework.item(item_id)
        cat = next(c for c in self.framework.categories if c.id == item.category)
        dims = " · ".join(d[2] if L == "en" else d[1] for d in self.framework.lenses[item.lens].get("dimensions", ()))
        lens = self.framework.lens_name(item.lens, L)
        cat_name = f"{cat.id} {cat.zh if L == 'zh' else cat.en}"
        self.info_html.value = (f'<div class="wb-h"><b>{esc(item.id)} {esc(item.name(L))}</b></div>'
                                f'<div>{esc(t("widgets.asm.item_points", L, category=cat_name, points=item.points))}</div>'
                                f'<div class="wb-muted">{esc(t("widgets.asm.lens", L, lens=lens))}'
                                f'{" (" + esc(dims) + ")" if dims and dims != lens else ""}</div>')
        pcts = self._current_pcts(item_id)
        self.score_inputs, self.score_msgs = {}, {}
        rows = []
        for a in self.assessors():
            v = pcts.get(a)
            box = W.Text(value=text_value(v), continuous_update=False, description=a,
                         style={"description_width": "120px"}, layout=W.Layout(width="230px"))
            box.add_class("wb-score-pct")
            box.add_class(f"wb-score-pct-{css_id(a)}")
            box.observe(lambda ch, a=a: self._edited(a, ch["new"]), names="value")
            lab = msg_label()
            self.score_inputs[a], self.score_msgs[a] = box, lab
            rows.append(W.VBox([box, lab]))
        self.scores_box.children = tuple(rows)
        if getattr(self, "feedback", None) is not None:
            self.feedback.scope = {"item_id": item_id}
            self.feedback.reload(None)
        self.refresh()

    def _edited(self, assessor: str, value: Any) -> None:
        if self._updating:
            return
        item_id = self.item_dd.value
        v = None if str(value).strip() == "" else value
        msgs = self.eng.set_assessment(item_id, assessor, score_pct=v)
        self._local = {assessor: [m for m in msgs if m not in self.eng.messages_all]}
        self.refresh()
        self.on_edit()

    def _add_assessor(self) -> None:
        name = self.new_assessor.value.strip()
        if name and name not in self.assessors():
            self.extra_assessors.append(name)
        self.new_assessor.value = ""
        self._build_item()

    def refresh(self) -> None:
        L = self.lang
        item_id = self.item_dd.value
        a = self.eng.analysis
        res = a.assessment if a is not None else None
        local = getattr(self, "_local", {})
        for asr, lab in self.score_msgs.items():
            show_messages(lab, [*local.get(asr, []), *self.eng.messages("assessment", f"{item_id}/{asr}")])
        row = res.items.loc[item_id] if res is not None and item_id in res.items.index else None
        if row is not None and bool(row.get("scored")):
            txt = esc(t("widgets.asm.consensus", L, pct=fmt_number(row["consensus_pct"]), score=fmt_points(row["score"]),
                        points=int(row["points"])))
            if bool(row.get("flagged")):
                txt += f'<br><span class="wb-msg" style="color:#9a6700">{esc(t("widgets.asm.flagged", L, spread=fmt_number(row["spread"])))}</span>'
        else:
            txt = f'<span class="wb-muted">{esc(t("widgets.asm.unscored_item", L))}</span>'
        self.consensus_html.value = txt
        self.bands_html.value = self._bands_table(item_id, None if row is None else row.get("band_min"))
        if res is not None:
            unscored = f' <span class="wb-muted">{esc(t("widgets.asm.unscored", L, points=res.unscored_points))}</span>' \
                if res.unscored_points else ""
            self.total_html.value = (f'{esc(t("widgets.asm.total", L, total=f"<b>{fmt_points(res.total)}</b>", max=self.framework.total_points))}'
                                     .replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>") + unscored)
            self.categories_html.value = self._categories_table(res)
        else:
            self.total_html.value = esc(t("widgets.asm.total", L, total="—", max=self.framework.total_points))
            self.categories_html.value = esc(t("widgets.no_data", L))

    def _bands_table(self, item_id: str, band_min: Any) -> str:
        L = self.lang
        item = self.framework.item(item_id)
        rows = []
        for b in self.framework.bands:
            cur = not missing(band_min) and float(band_min) == float(b.min)
            dims = "<br>".join(f"<b>{esc(k_label)}</b> {esc(text)}" for k_label, text in
                               ((self._dim_label(item.lens, k), txt) for k, txt in b.dimensions(item.lens, L)))
            label = f"<b>▶ {esc(b.label)}</b>" if cur else esc(b.label)
            rows.append([label, dims])
        return table_html([t("widgets.col.band", L), self.framework.lens_name(item.lens, L)], rows)

    def _dim_label(self, lens: str, key: str) -> str:
        for d in self.framework.lenses[lens].get("dimensions", ()):
            if d[0] == key:
                return d[2] if self.lang == "en" else d[1]
        return key

    def _categories_table(self, res: Any) -> str:
        L = self.lang
        rows = []
        for cid, c in res.categories.iterrows():
            name = c.get("name_en") if L == "en" else c.get("name_zh")
            rows.append([esc(cid), esc(name), esc(fmt_points(c.get("score"))), esc(int(c.get("points")))])
        rows.append(["", f"<b>{esc(t('widgets.state.assessment', L))}</b>", f"<b>{esc(fmt_points(res.total))}</b>",
                     esc(self.framework.total_points)])
        return table_html(["", t("widgets.col.item", L), t("widgets.col.score", L), t("widgets.col.points", L)], rows,
                          num_cols=(2, 3))
