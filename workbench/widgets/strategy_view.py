"""Strategy tab: the strategic objectives and the cause-effect links between them, their statuses, the map checks and
the strategy map, all recomputed as the room edits."""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from workbench.core.i18n import t
from workbench.widgets.charts import strategy_map_figure
from workbench.widgets.common import chart_image, esc, heading
from workbench.widgets.engagement import Engagement
from workbench.widgets.table_editor import RowEditor


class StrategyView:
    def __init__(self, eng: Engagement, on_edit: Any = None):
        self.eng, self.lang = eng, eng.lang
        self.on_edit = on_edit or (lambda: None)
        L = self.lang

        def objectives() -> list[tuple[str, Any]]:
            return [(f"{r['objective_id']} · {r['objective']}", str(r["objective_id"]))
                    for _, r in eng.table("objectives").iterrows()]

        self.objectives = RowEditor(eng, "objectives", ("objective_id", "perspective", "objective", "theme", "description"),
                                    title_columns=("objective",), id_column="objective_id", on_edit=self._edited)
        self.links = RowEditor(eng, "links", ("from_objective", "to_objective"),
                               choices={"from_objective": objectives, "to_objective": objectives},
                               defaults=self._new_link, on_edit=self._edited)
        self.status_html = W.HTML()
        self.status_html.add_class("wb-objectives-table")
        self.warnings_html = W.HTML()
        self.warnings_html.add_class("wb-strategy-warnings")
        self.map_box = W.Box(layout=W.Layout(width="100%"))
        self.widget = W.VBox([
            heading(t("widgets.strategy.objectives", L)), self.objectives.widget,
            heading(t("widgets.strategy.links", L)), self.links.widget,
            heading(t("widgets.kpi.objectives", L)), self.status_html,
            heading(t("widgets.strategy.warnings", L)), self.warnings_html,
            heading(t("widgets.kpi.strategy_map", L)), self.map_box,
        ])
        self.refresh(charts=True)

    def _new_link(self) -> dict[str, Any]:
        """A new link starts from the selected objective (the room usually draws several from one)."""
        ids = [str(v) for v in self.eng.table("objectives")["objective_id"]]
        src = self.objectives.idx
        start = str(self.eng.table("objectives").at[src, "objective_id"]) if src is not None else (ids[0] if ids else None)
        return {"from_objective": start, "to_objective": next((i for i in ids if i != start), start)}

    def _edited(self) -> None:
        self.objectives.reload()
        self.links.reload()
        self.refresh(charts=True)
        self.on_edit()

    def refresh(self, charts: bool = True) -> None:
        from workbench.widgets.kpi_view import objectives_table

        a = self.eng.analysis
        L = self.lang
        self.status_html.value = objectives_table(a, L)
        warns = list(getattr(a, "strategy_warnings", []) or []) if a is not None else []
        self.warnings_html.value = ("<ul>" + "".join(f"<li>{esc(getattr(w, 'message', w))}</li>" for w in warns) + "</ul>"
                                    if warns else f'<span class="wb-muted">{esc(t("widgets.strategy.no_warnings", L))}</span>')
        if charts:
            self.map_box.children = (chart_image(lambda: strategy_map_figure(self.eng.analysis), L, "900px"),)
