"""Plan tab: the improvement actions with every v2 column (``reason`` too where the contract has it), and the SMART
warnings (goal without a number, no due date, no owner, no acceptance) next to the field they are about."""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from workbench.core.i18n import t
from workbench.core.numfmt import fmt_number
from workbench.core.status import action_label
from workbench.widgets.common import esc, heading, table_html, text_value
from workbench.widgets.engagement import SMART_FIELDS, Engagement, Message, smart_warnings
from workbench.widgets.table_editor import RowEditor

COLUMNS = ("action_id", "action", "addresses", "goal", "owner_unit", "owner", "start", "due", "resources", "acceptance",
           "status", "pdca", "reason")


class PlanView:
    def __init__(self, eng: Engagement, on_edit: Any = None):
        self.eng, self.lang = eng, eng.lang
        self.on_edit = on_edit or (lambda: None)
        L = self.lang
        self.editor = RowEditor(eng, "actions", COLUMNS, title_columns=("action",), id_column="action_id",
                                on_edit=self._edited, extra_messages=self._smart_messages)
        self.overview_html = W.HTML()
        self.overview_html.add_class("wb-actions-table")
        self.widget = W.VBox([heading(t("widgets.plan.actions", L)), self.editor.widget,
                              heading(t("widgets.plan.overview", L)), self.overview_html])
        self.refresh()

    def _smart_messages(self, idx: Any) -> list[Message]:
        if idx is None:
            return []
        key = self.eng.key_of("actions", idx)
        return [Message("actions", key, SMART_FIELDS[code], t(f"widgets.smart.{code}", self.lang), "warning")
                for code in self.eng.smart(idx)]

    def _edited(self) -> None:
        self.refresh()
        self.on_edit()

    def refresh(self) -> None:
        L = self.lang
        df = self.eng.table("actions")
        rows = []
        prio = getattr(self.eng.analysis, "action_priority", None) or {}
        for _, r in df.iterrows():
            codes = smart_warnings(r.to_dict())
            rows.append([f"<b>{esc(r['action_id'])}</b>", esc(text_value(r.get("action"))),
                         esc(fmt_number(prio.get(str(r["action_id"])), 0)),
                         esc(text_value(r.get("owner_unit"))), esc(str(r.get("due"))[:10] if text_value(r.get("due")) else "—"),
                         esc(action_label(str(r.get("status") or "planned"), L)),
                         f'<span style="color:#9a6700">{esc(", ".join(t(f"widgets.smart.short.{c}", L) for c in codes))}</span>'])
        c = lambda k: t(f"widgets.col.{k}", L)  # noqa: E731
        self.overview_html.value = (table_html([c("action_id"), c("action"), c("priority_short"), c("owner_unit"),
                                                c("due"), c("status"), c("smart")], rows, num_cols=(2,)) if rows
                                    else f'<span class="wb-muted">{esc(t("widgets.no_data", L))}</span>')
        self.editor.show_messages()
