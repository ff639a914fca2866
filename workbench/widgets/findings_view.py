"""Findings tab (intake v2 ``findings``): the consultant's key findings, each a conclusion with its so-what, the
recommendation and what it addresses; they lead the executive summary by rank."""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from workbench.core.i18n import t
from workbench.widgets.common import heading
from workbench.widgets.engagement import Engagement
from workbench.widgets.table_editor import RowEditor

COLUMNS = ("finding_id", "finding", "so_what", "recommendation", "addresses", "rank")


class FindingsView:
    def __init__(self, eng: Engagement, on_edit: Any = None):
        self.eng, self.lang = eng, eng.lang
        self.on_edit = on_edit or (lambda: None)
        self.editor = RowEditor(eng, "findings", COLUMNS, title_columns=("finding",), id_column="finding_id",
                                on_edit=self.on_edit, width="460px")
        self.widget = W.VBox([heading(t("widgets.findings.heading", self.lang)), self.editor.widget])

    def refresh(self) -> None:
        self.editor.reload()
