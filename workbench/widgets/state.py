"""The client's current state as static output (what papermill keeps when no browser runs the widgets)."""
from __future__ import annotations


from workbench.core.i18n import t
from workbench.widgets.charts import strategy_map_figure
from workbench.widgets.common import CSS, esc, fmt
from workbench.widgets.engagement import Engagement


def state_html(eng: Engagement) -> str:
    """Contract scores, objective statuses and the self-assessment total as one HTML block."""
    from workbench.widgets.kpi_view import contracts_table, objectives_table

    L = eng.lang
    a = eng.analysis
    total = "—"
    if a is not None and a.assessment is not None:
        res = a.assessment
        total = f"{fmt(res.total, 1)} / {res.framework.total_points}"
        if res.unscored_points:
            total += " " + t("widgets.asm.unscored", L, points=res.unscored_points)
    return (CSS + '<div class="wb-app">'
            f'<h3>{esc(t("widgets.state.heading", L, name=eng.profile.name, period=eng.profile.period))}</h3>'
            f'<h4>{esc(t("widgets.kpi.contracts", L))}</h4>{contracts_table(a, L)}'
            f'<h4>{esc(t("widgets.kpi.objectives", L))}</h4>{objectives_table(a, L)}'
            f'<h4>{esc(t("widgets.state.assessment", L))}: {esc(total)}</h4></div>')


def show_state(eng: Engagement, chart: bool = True) -> None:
    """Display the state tables and the strategy map (a PNG) as ordinary outputs."""
    from IPython.display import HTML, Image, display

    display(HTML(state_html(eng)))
    if chart:
        fig = strategy_map_figure(eng.analysis) if eng.analysis is not None else None
        if fig is not None:
            from workbench.deliverable.charts.render import to_png

            display(Image(data=to_png(fig)))
