"""Diagnosis tab: problem list, fishbone cause editor, 5-Why chain editor and the live fishbone."""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from workbench.core.i18n import t
from workbench.widgets.charts import fishbone_figure
from workbench.core.numfmt import fmt_number
from workbench.widgets.common import (chart_image, esc, heading, missing, msg_label, show_messages, table_html,
                                      text_value)
from workbench.widgets.engagement import Engagement, Message

NEW = "__new__"
_LBL = {"description_width": "90px"}


def _text(desc: str, value: Any = "", width: str = "420px") -> W.Text:
    return W.Text(value=text_value(value), description=desc, continuous_update=False, style=_LBL,
                  layout=W.Layout(width=width))


class DiagnosisView:
    def __init__(self, eng: Engagement, on_edit: Any = None):
        self.eng, self.lang = eng, eng.lang
        self.on_edit = on_edit or (lambda: None)
        self._updating = False
        L = self.lang
        c = lambda k: t(f"widgets.col.{k}", L)  # noqa: E731
        # problems ------------------------------------------------------------------------------------
        self.problem_dd = W.Dropdown(description=c("problem"), style=_LBL, layout=W.Layout(width="560px"))
        self.problem_dd.add_class("wb-problem")
        self.p_fields = {k: _text(c(k)) for k in ("problem_id", "problem", "metric", "current", "target", "unit")}
        self.p_fields["problem"].layout.width = "740px"
        for k in ("metric", "current", "target", "unit"):
            self.p_fields[k].layout.width = "260px"
        self.p_msg = msg_label()
        self.btn_add_problem = W.Button(description=t("widgets.btn.add_problem", L), icon="plus")
        self.btn_del_problem = W.Button(description=t("widgets.btn.delete_problem", L), icon="trash")
        self.btn_add_problem.on_click(lambda _b: self._add_problem())
        self.btn_del_problem.on_click(lambda _b: self._delete_problem())
        for k, w in self.p_fields.items():
            w.observe(lambda ch, k=k: self._problem_field(k, ch["new"]), names="value")
        # causes --------------------------------------------------------------------------------------
        self.causes_html = W.HTML()
        self.cause_dd = W.Dropdown(description=c("cause"), style=_LBL, layout=W.Layout(width="560px"))
        self.c_id = _text(c("cause_id"), width="260px")
        self.c_category = W.Dropdown(options=eng.category_options(), description=c("category"), style=_LBL,
                                     layout=W.Layout(width="260px"))
        self.c_text = _text(c("cause"), width="560px")
        self.c_parent = W.Dropdown(description=c("parent_cause_id"), style=_LBL, layout=W.Layout(width="420px"))
        levels = [(t("widgets.none", L), None)] + [(str(i), i) for i in range(1, 6)]
        self.c_impact = W.Dropdown(options=levels, description=c("impact"), style=_LBL, layout=W.Layout(width="200px"))
        self.c_effort = W.Dropdown(options=levels, description=c("effort"), style=_LBL, layout=W.Layout(width="200px"))
        self.c_evidence = _text(c("evidence"), width="560px")
        self.c_verified = W.Checkbox(description=c("verified"), indent=False)
        self.c_msg = msg_label()
        self.btn_add_cause = W.Button(description=t("widgets.btn.add_cause", L), icon="plus")
        self.btn_del_cause = W.Button(description=t("widgets.btn.delete_cause", L), icon="trash")
        self.btn_add_cause.on_click(lambda _b: self._add_cause())
        self.btn_del_cause.on_click(lambda _b: self._delete_cause())
        self.cause_fields = {"category": self.c_category, "cause": self.c_text, "parent_cause_id": self.c_parent,
                             "impact": self.c_impact, "effort": self.c_effort, "evidence": self.c_evidence,
                             "verified": self.c_verified}
        for k, w in self.cause_fields.items():
            w.observe(lambda ch, k=k: self._cause_field(k, ch["new"]), names="value")
        self.cause_dd.observe(lambda ch: self._load_cause(), names="value")
        # whys ----------------------------------------------------------------------------------------
        self.chain_dd = W.Dropdown(description=c("chain_id"), style=_LBL, layout=W.Layout(width="260px"))
        self.new_chain = W.Text(placeholder="W9", layout=W.Layout(width="90px"))
        self.btn_new_chain = W.Button(description=t("widgets.btn.new_chain", L), icon="plus")
        self.btn_add_step = W.Button(description=t("widgets.btn.add_step", L), icon="plus")
        self.btn_del_step = W.Button(description=t("widgets.btn.delete_step", L), icon="minus")
        self.btn_new_chain.on_click(lambda _b: self._new_chain())
        self.btn_add_step.on_click(lambda _b: self._add_step())
        self.btn_del_step.on_click(lambda _b: self._delete_step())
        self.chain_dd.observe(lambda ch: self._build_steps(), names="value")
        self.steps_box = W.VBox()
        self.step_widgets: dict[int, dict[str, W.Widget]] = {}
        self.w_msg = msg_label()
        # fishbone ------------------------------------------------------------------------------------
        self.fishbone_box = W.Box(layout=W.Layout(width="100%"))
        self.problem_dd.observe(lambda ch: self._problem_changed(), names="value")

        self.widget = W.VBox([
            heading(t("widgets.diag.problems", L)),
            W.HBox([self.problem_dd, self.btn_add_problem, self.btn_del_problem]),
            self.p_fields["problem_id"], self.p_fields["problem"],
            W.HBox([self.p_fields["metric"], self.p_fields["unit"]]),
            W.HBox([self.p_fields["current"], self.p_fields["target"]]), self.p_msg,
            heading(t("widgets.diag.causes", L)), self.causes_html,
            heading(t("widgets.diag.cause_editor", L)),
            W.HBox([self.cause_dd, self.btn_add_cause, self.btn_del_cause]),
            W.HBox([self.c_id, self.c_category]), self.c_text, self.c_parent,
            W.HBox([self.c_impact, self.c_effort, self.c_verified], layout=W.Layout(align_items="center")),
            self.c_evidence, self.c_msg,
            heading(t("widgets.diag.whys", L)),
            W.HBox([self.chain_dd, self.new_chain, self.btn_new_chain]),
            self.steps_box, W.HBox([self.btn_add_step, self.btn_del_step]), self.w_msg,
            heading(t("widgets.diag.fishbone", L)), self.fishbone_box,
        ])
        self._set_problem_options()
        self._problem_changed()

    # ------------------------------------------------------------------ helpers
    def _quiet(self) -> Any:
        view = self

        class _Q:
            def __enter__(self) -> None:
                view._updating = True

            def __exit__(self, *a: Any) -> None:
                view._updating = False
        return _Q()

    @property
    def problem_id(self) -> str | None:
        v = self.problem_dd.value
        return None if v in (None, NEW) else str(v)

    def _set_problem_options(self, select: str | None = None) -> None:
        df = self.eng.table("problems")
        opts = [(f"{r['problem_id']} · {r['problem']}", str(r["problem_id"])) for _, r in df.iterrows()]
        opts.append((t("widgets.new", self.lang), NEW))
        with self._quiet():
            self.problem_dd.options = opts
            self.problem_dd.value = select if select in [v for _, v in opts] else opts[0][1]

    def _problem_changed(self) -> None:
        pid = self.problem_id
        df = self.eng.table("problems")
        row = df[df["problem_id"].astype(str) == pid].iloc[0] if pid else None
        with self._quiet():
            for k, w in self.p_fields.items():
                w.value = text_value(row.get(k)) if row is not None else ""
            self.p_fields["problem_id"].disabled = row is not None
        self.btn_add_problem.disabled = False  # always possible: a fresh problem when one is selected
        self.btn_del_problem.disabled = row is None
        show_messages(self.p_msg, [])
        self._set_cause_options()
        self._set_chain_options()
        self.refresh()

    def _after(self, label: W.HTML, msgs: list[Message], charts: bool = True) -> None:
        show_messages(label, msgs)
        self.refresh(charts=charts)
        self.on_edit()

    # ------------------------------------------------------------------ problems
    def _problem_field(self, field: str, value: Any) -> None:
        if self._updating or self.problem_id is None or field == "problem_id":
            return
        msgs = self.eng.edit_problem(self.problem_id, **{field: value})
        if field == "problem":
            self._set_problem_options(self.problem_id)
        self._after(self.p_msg, msgs)

    def _add_problem(self) -> None:
        """With "(new)" selected, add the problem typed into the form; with a problem selected, add a fresh one
        (next id, empty text: the message under the form says what to fill in)."""
        if self.problem_id is not None:
            pid = self.eng.next_id("problems", "problem_id")
            msgs = self.eng.add_problem(pid, "")
            self._set_problem_options(pid)
            self._problem_changed()
            self._after(self.p_msg, msgs)
            return
        f = {k: w.value for k, w in self.p_fields.items()}
        pid = f.pop("problem_id")
        msgs = self.eng.add_problem(pid, f.pop("problem"), **{k: v for k, v in f.items() if v != ""})
        if self.eng.table("problems")["problem_id"].astype(str).eq(str(pid).strip()).any():
            self._set_problem_options(str(pid).strip())
            self._problem_changed()
        self._after(self.p_msg, msgs)

    def _delete_problem(self) -> None:
        if self.problem_id is None:
            return
        msgs = self.eng.delete_problem(self.problem_id)
        self._set_problem_options()
        self._problem_changed()
        self._after(self.p_msg, [m for m in msgs if m.severity == "error"])

    # ------------------------------------------------------------------ causes
    def _causes_of_problem(self) -> Any:
        df = self.eng.table("causes")
        return df[df["problem_id"].astype(str) == str(self.problem_id)] if self.problem_id else df.iloc[0:0]

    def _set_cause_options(self, select: str | None = None) -> None:
        causes = self._causes_of_problem()
        opts = [(f"{r['cause_id']} · {r['cause']}", str(r["cause_id"])) for _, r in causes.iterrows()]
        opts.append((t("widgets.new", self.lang), NEW))
        parents = [(t("widgets.none", self.lang), None)] + [(f"{r['cause_id']} · {r['cause']}", str(r["cause_id"]))
                                                          for _, r in causes.iterrows()]
        with self._quiet():
            self.c_parent.options = parents
            self.cause_dd.options = opts
            self.cause_dd.value = select if select in [v for _, v in opts] else opts[0][1]
        self._load_cause()

    def _load_cause(self) -> None:
        cid = self.cause_dd.value
        df = self.eng.table("causes")
        row = df[df["cause_id"].astype(str) == str(cid)].iloc[0] if cid not in (None, NEW) and len(df) else None
        cats = [v for _, v in self.c_category.options]
        with self._quiet():
            self.c_id.value = "" if row is None else str(row["cause_id"])
            self.c_id.disabled = row is not None
            self.c_category.value = (row["category"] if row is not None and row["category"] in cats
                                     else (cats[0] if cats else None))
            self.c_text.value = "" if row is None else text_value(row.get("cause"))
            parent = None if row is None or missing(row.get("parent_cause_id")) else str(row.get("parent_cause_id"))
            self.c_parent.value = parent if parent in [v for _, v in self.c_parent.options] else None
            for w, col in ((self.c_impact, "impact"), (self.c_effort, "effort")):
                v = None if row is None or missing(row.get(col)) else int(row.get(col))
                w.value = v
            self.c_evidence.value = "" if row is None else text_value(row.get("evidence"))
            self.c_verified.value = bool(row.get("verified")) if row is not None and not missing(row.get("verified")) else False
        self.btn_add_cause.disabled = self.problem_id is None  # a cause needs its problem; otherwise always possible
        self.btn_del_cause.disabled = row is None
        show_messages(self.c_msg, self.eng.messages("causes", None if row is None else str(row["cause_id"])) if row is not None else [])

    def _cause_field(self, field: str, value: Any) -> None:
        cid = self.cause_dd.value
        if self._updating or cid in (None, NEW):
            return
        msgs = self.eng.edit_cause(cid, **{field: value})
        if field in ("cause",):
            self._set_cause_options(cid)
        self._after(self.c_msg, msgs)

    def _add_cause(self) -> None:
        if self.problem_id is None:
            return
        if self.cause_dd.value not in (None, NEW):  # a cause is selected: add a fresh one under the same problem
            cid = self.eng.next_id("causes", "cause_id")
            cats = [v for _, v in self.c_category.options]
            msgs = self.eng.add_cause(cid, self.problem_id, cats[0] if cats else None, "")
            self._set_cause_options(cid)
            self._after(self.c_msg, msgs)
            return
        cid = self.c_id.value.strip()
        msgs = self.eng.add_cause(cid, self.problem_id, self.c_category.value, self.c_text.value,
                                  parent_cause_id=self.c_parent.value, impact=self.c_impact.value,
                                  effort=self.c_effort.value, evidence=self.c_evidence.value or None,
                                  verified=self.c_verified.value)
        if self.eng.table("causes")["cause_id"].astype(str).eq(cid).any():
            self._set_cause_options(cid)
            self._set_chain_options(self.chain_dd.value)
        self._after(self.c_msg, msgs)

    def _delete_cause(self) -> None:
        cid = self.cause_dd.value
        if cid in (None, NEW):
            return
        msgs = self.eng.delete_cause(cid)
        self._set_cause_options()
        self._after(self.c_msg, [m for m in msgs if m.severity == "error"])

    # ------------------------------------------------------------------ whys
    def _set_chain_options(self, select: str | None = None) -> None:
        df = self.eng.table("whys")
        chains = list(dict.fromkeys(str(c) for c in df.loc[df["problem_id"].astype(str) == str(self.problem_id), "chain_id"]))
        with self._quiet():
            self.chain_dd.options = [(c, c) for c in chains] or [(t("widgets.none", self.lang), None)]
            self.chain_dd.value = select if select in chains else (chains[0] if chains else None)
        self._build_steps()

    def _cause_choices(self) -> list[tuple[str, str | None]]:
        return [(t("widgets.none", self.lang), None)] + [(f"{r['cause_id']} · {r['cause']}", str(r["cause_id"]))
                                                         for _, r in self._causes_of_problem().iterrows()]

    def _build_steps(self) -> None:
        chain = self.chain_dd.value
        L = self.lang
        self.step_widgets = {}
        rows: list[W.Widget] = []
        if chain is not None:
            for _, r in self.eng.chain(chain).iterrows():
                step = int(r["step"])
                why = W.Text(value=text_value(r.get("why")), continuous_update=False,
                             placeholder=t("widgets.col.why", L), layout=W.Layout(width="300px"))
                ans = W.Text(value=text_value(r.get("answer")), continuous_update=False,
                             placeholder=t("widgets.col.answer", L), layout=W.Layout(width="300px"))
                why.add_class(f"wb-why-{step}")
                ans.add_class(f"wb-answer-{step}")
                root = W.Checkbox(value=bool(r.get("root_cause")) if not missing(r.get("root_cause")) else False,
                                  description=t("widgets.col.root_cause", L), indent=False, layout=W.Layout(width="110px"))
                choices = self._cause_choices()
                cur = None if missing(r.get("cause_id")) else str(r.get("cause_id"))
                if cur is not None and cur not in [v for _, v in choices]:
                    choices.append((cur, cur))
                cause = W.Dropdown(options=choices, value=cur, layout=W.Layout(width="220px"))
                lab = msg_label()
                ws = {"why": why, "answer": ans, "root_cause": root, "cause_id": cause, "_msg": lab}
                for k in ("why", "answer", "root_cause", "cause_id"):
                    ws[k].observe(lambda ch, s=step, k=k: self._why_field(s, k, ch["new"]), names="value")
                self.step_widgets[step] = ws
                rows.append(W.VBox([W.HBox([W.HTML(f"<b>{esc(t('widgets.diag.step', L, n=step))}</b>",
                                                   layout=W.Layout(width="56px")), why, ans, root, cause],
                                          layout=W.Layout(align_items="center")), lab]))
        self.steps_box.children = tuple(rows)
        self.btn_add_step.disabled = chain is None
        self.btn_del_step.disabled = not self.step_widgets
        self._show_why_messages()

    def _show_why_messages(self) -> None:
        chain = self.chain_dd.value
        for step, ws in self.step_widgets.items():
            show_messages(ws["_msg"], self.eng.messages("whys", f"{chain}/{step}"))

    def _why_field(self, step: int, field: str, value: Any) -> None:
        if self._updating or self.chain_dd.value is None:
            return
        if field == "cause_id" and value is None:
            value = ""
        msgs = self.eng.set_why(self.chain_dd.value, step, **{field: value})
        self._show_why_messages()
        extra = [m for m in msgs if m not in self.eng.messages_all]
        if extra:
            show_messages(self.step_widgets[step]["_msg"], extra + self.eng.messages("whys", f"{self.chain_dd.value}/{step}"))
        self.refresh(charts=field in ("root_cause", "cause_id"))
        self.on_edit()

    def _new_chain(self) -> None:
        cid = self.new_chain.value.strip()
        if not cid or self.problem_id is None:
            show_messages(self.w_msg, [Message("whys", None, "chain_id", t("widgets.msg.required", self.lang))])
            return
        msgs = self.eng.set_why(cid, 1, why="?", answer="?", problem_id=self.problem_id)
        self.new_chain.value = ""
        self._set_chain_options(cid)
        self._after(self.w_msg, [m for m in msgs if m.column == "chain_id"], charts=False)

    def _add_step(self) -> None:
        chain = self.chain_dd.value
        if chain is None:
            return
        nxt = max(self.step_widgets or {0: None}) + 1
        self.eng.set_why(chain, nxt, why="?", answer="?", problem_id=self.problem_id)
        self._build_steps()
        self._after(self.w_msg, [], charts=False)

    def _delete_step(self) -> None:
        chain = self.chain_dd.value
        if chain is None or not self.step_widgets:
            return
        self.eng.delete_why(chain, max(self.step_widgets))
        self._set_chain_options(chain)
        self._after(self.w_msg, [], charts=True)

    # ------------------------------------------------------------------ refresh
    def refresh(self, charts: bool = True) -> None:
        self.causes_html.value = self._causes_table()
        self._show_why_messages()
        if charts:
            pid = self.problem_id
            self.fishbone_box.children = (
                chart_image(lambda: fishbone_figure(self.eng.analysis, pid) if pid else None, self.lang, "980px"),)

    def _causes_table(self) -> str:
        L = self.lang
        causes = self._causes_of_problem()
        if not len(causes):
            return f'<span class="wb-muted">{esc(t("widgets.no_data", L))}</span>'
        diag = self.eng.analysis.diagnosis if self.eng.analysis is not None else None
        labels = {c.key: c.label(L) for c in self.eng.categories}
        rows = []
        for _, r in causes.iterrows():
            cid = str(r["cause_id"])
            d = diag.loc[cid] if diag is not None and cid in getattr(diag, "index", []) else None
            flags = []
            if d is not None and bool(d.get("is_root", False)):
                flags.append(t("widgets.diag.root", L))
            if d is not None and bool(d.get("is_top", False)):
                flags.append(t("widgets.diag.top", L))
            prio = d.get("priority") if d is not None else None
            rows.append([f"<b>{esc(cid)}</b>", esc(labels.get(r.get("category"), r.get("category"))), esc(r.get("cause")),
                         esc(text_value(r.get("parent_cause_id"))), esc(fmt_number(r.get("impact"), 0)),
                         esc(fmt_number(r.get("effort"), 0)), esc(fmt_number(prio, 0)), esc(" ".join(flags))])
        c = lambda k: t(f"widgets.col.{k}", L)  # noqa: E731
        return table_html([c("cause_id"), c("category"), c("cause"), c("parent_cause_id"), c("impact"), c("effort"),
                           c("priority"), ""], rows, num_cols=(4, 5, 6))
