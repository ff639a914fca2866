"""The client's current state as static output (what papermill keeps and a reader without a kernel sees).

``show_state(app)`` displays it with display ids the app updates whenever the client shown changes or is saved,
so the output never shows another client than the one selected.
"""
from __future__ import annotations

from typing import Any

from workbench.core.i18n import t
from workbench.core.numfmt import fmt_points
from workbench.widgets.charts import strategy_map_figure
from workbench.widgets.common import CSS, esc
from workbench.widgets.engagement import Engagement


def state_html(eng: Engagement | None) -> str:
    """Contract scores, objective statuses and the self-assessment total as one HTML block."""
    from workbench.widgets.kpi_view import contracts_table, objectives_table

    if eng is None:
        return ""
    L = eng.lang
    a = eng.analysis
    total = "—"
    if a is not None and a.assessment is not None:
        res = a.assessment
        total = f"{fmt_points(res.total)} / {res.framework.total_points}"
        if res.unscored_points:
            total += " " + t("widgets.asm.unscored", L, points=res.unscored_points)
    return (CSS + f'<div class="wb-app wb-state-output" data-client="{esc(eng.profile.id)}">'
            f'<h3>{esc(t("widgets.state.heading", L, name=eng.profile.name, period=eng.profile.period))}</h3>'
            f'<h4>{esc(t("widgets.kpi.contracts", L))}</h4>{contracts_table(a, L)}'
            f'<h4>{esc(t("widgets.kpi.objectives", L))}</h4>{objectives_table(a, L)}'
            f'<h4>{esc(t("widgets.state.assessment", L))}: {esc(total)}</h4></div>')


def state_outputs(eng: Engagement | None, chart: bool = True) -> list[Any]:
    """The display objects of the state: the HTML block and (``chart``) the strategy map (inline SVG, or a PNG for
    a matplotlib chart)."""
    from IPython.display import HTML, Image

    out: list[Any] = [HTML(state_html(eng))]
    if chart:
        fig = strategy_map_figure(eng.analysis) if eng is not None and eng.analysis is not None else None
        if fig is not None:
            from workbench.deliverable.charts.render import native_svg, to_png

            svg = native_svg(fig)
            out.append(HTML(svg) if svg is not None else Image(data=to_png(fig)))
        else:
            out.append(HTML(""))
    return out


def show_state(target: Any, chart: bool = True) -> None:
    """Display the state of an :class:`EngagementApp`'s current client (kept in step with it) or of an Engagement."""
    from IPython.display import display

    app = target if hasattr(target, "register_state") else None
    eng = target.engagement if app is not None else target
    handles = [display(obj, display_id=True) for obj in state_outputs(eng, chart)]
    if app is not None:
        app.register_state(handles)
