"""The engagement notebook's widgets: edit a client's tables, recompute live, save back, render.

- ``Engagement`` (engagement.py): the logic, no widgets (``set_kpi``, ``add_problem`` …, ``save``, ``render``);
- ``EngagementApp`` (app.py): the ipywidgets UI over it, one page a client (drafts kept on a switch), render in a
  background process; tabs in diagnosis_view.py, kpi_view.py, strategy_view.py, assessment_view.py, plan_view.py,
  findings_view.py, most rows edited through the one ``RowEditor`` (table_editor.py);
- ``show_state`` (state.py): the current state as static output for papermill runs.
"""
from workbench.widgets.engagement import Engagement, Message, list_clients

__all__ = ["Engagement", "EngagementApp", "Message", "list_clients", "show_state"]


def __getattr__(name: str):  # keep `import workbench.widgets` light: ipywidgets loads with the UI only
    if name == "EngagementApp":
        from workbench.widgets.app import EngagementApp

        return EngagementApp
    if name == "show_state":
        from workbench.widgets.state import show_state

        return show_state
    raise AttributeError(name)
