"""The engagement notebook's UI: client chooser, tabs (Diagnosis, KPIs, Self-assessment, Save, Render)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ipywidgets as W

from workbench.core.i18n import t
from workbench.intake.model import IntakeError
from workbench.widgets.common import CSS, esc, table_html
from workbench.widgets.engagement import Engagement, list_clients


def resolve(path: str | Path) -> Path:
    """A path as given, or, when it does not exist relative to the working directory, relative to one of its
    parents (a notebook's kernel runs in notebooks/, the defaults name project-relative folders)."""
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p
    for base in Path.cwd().parents[:2]:
        if (base / p).exists():
            return base / p
    return p


def _client_label(folder: Path) -> str:
    try:
        import yaml

        data = yaml.safe_load((folder / "client.yaml").read_text(encoding="utf-8-sig")) or {}
        name = data.get("name") if isinstance(data, dict) else None
    except Exception:
        name = None
    return f"{folder.name} · {name}" if name else folder.name


class EngagementApp:
    """``EngagementApp(client_folder, clients_root).show()``: edit a client live, save back, render.

    ``engagement`` is the logic object (:class:`Engagement`); ``kpi_view``, ``diagnosis_view``,
    ``assessment_view`` hold the tabs' widgets (``kpi_view.inputs[kpi_id]["weight"]`` …).
    """

    def __init__(self, client_folder: str | Path | None = None, clients_root: str | Path | None = None,
                 out: str | Path | None = None):
        client_folder = resolve(client_folder) if client_folder else None
        self.clients_root = resolve(clients_root) if clients_root else (
            Path(client_folder).parent if client_folder else resolve("clients"))
        folders = list_clients(self.clients_root)
        if client_folder is None and folders:
            client_folder = folders[0]
        self.out = Path(out) if out else None
        self.engagement: Engagement | None = None
        self.kpi_view = self.diagnosis_view = self.assessment_view = None  # type: ignore[assignment]
        opts = [(_client_label(f), str(f.resolve())) for f in folders]
        current = str(Path(client_folder).resolve()) if client_folder else None
        if current and current not in [v for _, v in opts]:
            opts.append((_client_label(Path(current)), current))
        self.chooser = W.Dropdown(options=opts, value=current, layout=W.Layout(width="420px"))
        self.chooser.add_class("wb-client")
        self.header = W.HTML()
        self.header.add_class("wb-head")
        self.state_html = W.HTML()
        self.body = W.VBox()
        self.widget = W.VBox([W.HTML(CSS), W.HBox([self.chooser, self.header, self.state_html],
                                                   layout=W.Layout(align_items="center", grid_gap="14px")), self.body])
        self.widget.add_class("wb-app")
        self.chooser.observe(lambda ch: self.load(ch["new"]), names="value")
        if current:
            self.load(current)
        else:
            self.body.children = (W.HTML(esc(t("widgets.client.none", "en", root=self.clients_root))),)

    # ------------------------------------------------------------------ loading
    def load(self, folder: str | Path) -> None:
        try:
            eng = Engagement(folder)
        except IntakeError as exc:
            self.engagement = None
            lang = "zh"
            rows = [[esc(i.severity), esc(i.location()), esc(i.message)] for i in exc.report.issues]
            self.header.value = esc(Path(folder).name)
            self.state_html.value = ""
            self.body.children = (W.HTML(f'<p class="wb-msg">{esc(t("widgets.client.load_error", lang))}</p>'
                                         + table_html(["", "", ""], rows)),)
            return
        self.engagement = eng
        self._build()

    def _build(self) -> None:
        eng = self.engagement
        assert eng is not None
        from workbench.widgets.assessment_view import AssessmentView
        from workbench.widgets.diagnosis_view import DiagnosisView
        from workbench.widgets.kpi_view import KpiView

        L = eng.lang
        self.chooser.description = t("widgets.client", L)
        self.chooser.style = {"description_width": "50px"}
        self.header.value = esc(t("widgets.client.header", L, name=eng.profile.name, period=eng.profile.period))
        self.diagnosis_view = DiagnosisView(eng, self._edited)
        self.kpi_view = KpiView(eng, self._edited)
        self.assessment_view = AssessmentView(eng, self._edited)
        self.save_btn = W.Button(description=t("widgets.btn.save", L), icon="save", button_style="primary",
                                 layout=W.Layout(width="auto"))
        self.save_btn.add_class("wb-save")
        self.reload_btn = W.Button(description=t("widgets.btn.reload", L), icon="undo", layout=W.Layout(width="auto"))
        self.save_out = W.HTML()
        self.save_out.add_class("wb-save-result")
        self.save_btn.on_click(lambda _b: self.save())
        self.reload_btn.on_click(lambda _b: self.load(eng.folder))
        self.errors_html = W.HTML()
        save_tab = W.VBox([W.HTML(f'<p class="wb-muted">{esc(t("widgets.save.intro", L))}</p>'),
                           W.HBox([self.save_btn, self.reload_btn]), self.save_out, self.errors_html])
        self.out_text = W.Text(value=str(self._default_out()), description=t("widgets.render.out", L),
                               style={"description_width": "90px"}, layout=W.Layout(width="560px"))
        self.render_btn = W.Button(description=t("widgets.btn.render", L), icon="file", layout=W.Layout(width="auto"))
        self.render_out = W.HTML()
        self.render_out.add_class("wb-render-result")
        self.render_btn.on_click(lambda _b: self.render())
        render_tab = W.VBox([W.HTML(f'<p class="wb-muted">{esc(t("widgets.render.intro", L))}</p>'),
                             self.out_text, self.render_btn, self.render_out])
        self.tabs = W.Tab(children=[self.diagnosis_view.widget, self.kpi_view.widget, self.assessment_view.widget,
                                    save_tab, render_tab])
        self.tabs.titles = tuple(t(f"widgets.tab.{k}", L) for k in ("diagnosis", "kpis", "assessment", "save", "render"))
        self.tabs.selected_index = 1
        self.body.children = (self.tabs,)
        self._edited()

    def _default_out(self) -> Path:
        if self.out is not None:
            return self.out
        return (self.clients_root.resolve().parent / "build")

    # ------------------------------------------------------------------ after every edit
    def _edited(self) -> None:
        eng = self.engagement
        if eng is None:
            return
        L = eng.lang
        n = len(eng.errors)
        parts = [f'<span style="color:#b45309;font-weight:600">{esc(t("widgets.state.dirty", L))}</span>' if eng.dirty
                 else f'<span class="wb-muted" style="color:#666">{esc(t("widgets.state.clean", L))}</span>']
        if n:
            parts.append(f'<span style="color:#c62828">{esc(t("widgets.state.errors", L, n=n))}</span>')
        self.state_html.value = " · ".join(parts)
        if hasattr(self, "errors_html"):
            self.errors_html.value = self._issues_table([m for m in eng.messages_all if m.severity == "error"],
                                                        t("widgets.save.current_errors", L)) if n else ""
        if hasattr(self, "assessment_view") and self.assessment_view is not None and hasattr(self.assessment_view, "total_html"):
            self.assessment_view.refresh()

    def _issues_table(self, msgs: list[Any], title: str) -> str:
        rows = [[esc(m.table or ""), esc(m.key or ""), esc(m.column or ""), esc(m.text)] for m in msgs]
        return f"<b>{esc(title)}</b>" + table_html(["", "", "", ""], rows)

    # ------------------------------------------------------------------ save / render
    def save(self) -> Any:
        eng = self.engagement
        if eng is None:
            return None
        L = eng.lang
        if not eng.dirty:
            self.save_out.value = esc(t("widgets.save.nothing", L))
            return None
        from workbench.intake.writeback import SaveError

        try:
            res = eng.save()
        except SaveError as exc:  # lock, concurrent change, permission, full disk: the user's file and what to do
            self.save_out.value = f'<span class="wb-msg" style="color:#c62828;font-weight:600">{esc(str(exc))}</span>'
            return exc
        if res.ok:
            files = ", ".join(p.name for p in res.files)
            self.save_out.value = f'<span style="color:#1b5e20;font-weight:600">{esc(t("widgets.save.ok", L, files=files, path=res.backup))}</span>'
            msg = self.save_out.value
            self._build()  # fresh rows (_row) after reload
            self.tabs.selected_index = 3
            self.save_out.value = msg
        else:
            rows = [[esc(i.location()), esc(i.message)] for i in res.report.errors]
            self.save_out.value = (f'<span class="wb-msg" style="color:#c62828;font-weight:600">'
                                   f'{esc(t("widgets.save.refused", L, n=len(res.report.errors)))}</span>'
                                   + table_html(["", ""], rows))
        return res

    def render(self) -> Any:
        eng = self.engagement
        if eng is None:
            return None
        L = eng.lang
        note = f'<p class="wb-msg" style="color:#9a6700">{esc(t("widgets.render.unsaved", L))}</p>' if eng.dirty else ""
        self.render_out.value = note + esc(t("widgets.render.running", L))
        try:
            result = eng.render(Path(self.out_text.value))
        except Exception as exc:  # show, never crash the UI
            self.render_out.value = note + f'<span class="wb-msg">{esc(t("widgets.render.failed", L, error=f"{type(exc).__name__}: {exc}"))}</span>'
            return None
        if getattr(result, "ok", True) is False:
            err = getattr(result, "error", None) or getattr(result, "status", "failed")
            self.render_out.value = note + f'<span class="wb-msg">{esc(t("widgets.render.failed", L, error=err))}</span>'
            return result
        path = _report_path(result, Path(self.out_text.value), eng.profile.id)
        try:
            href = os.path.relpath(path, Path.cwd())
        except ValueError:
            href = str(path)
        self.render_out.value = note + (f'{esc(t("widgets.render.done", L, path=path))} '
                                        f'<a href="{esc(href)}" target="_blank">report.html</a>')
        return result

    # ------------------------------------------------------------------ display
    def show(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kw: Any) -> Any:
        return self.widget._repr_mimebundle_(**kw)


def _report_path(result: Any, out: Path, client_id: str) -> Path:
    out_dir = getattr(result, "out_dir", None)
    if out_dir:
        return Path(out_dir) / "report.html"
    if isinstance(result, (str, Path)) and str(result).endswith(".html"):
        return Path(result)
    return out / client_id / "report.html"
