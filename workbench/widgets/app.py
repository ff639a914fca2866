"""The engagement notebook's UI: client chooser, tabs (diagnosis, KPIs, strategy, self-assessment, plan, findings,
save, render).

Each client opened gets its own page (its :class:`Engagement` and its tabs). Switching client keeps the page of a
client with unsaved edits as a draft (marked ● in the chooser; switching back finds every edit and the render in
progress as they were); a clean page is dropped and re-read from disk next time. Everything shown (header, tabs,
the notebook's state output) belongs to the client selected. Render runs ``workbench run`` in a background
process with a progress bar, so the kernel keeps answering edits meanwhile.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

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
    from workbench.intake.files import client_yaml

    name = client_yaml(folder).get("name")
    return f"{folder.name} · {name}" if name else folder.name


# ---------------------------------------------------------------------------------------------- render job
class RenderJob:
    """``workbench -v run FOLDER --out OUT`` in a child process; stage lines on its stderr move the progress."""

    STAGE = re.compile(r"^(validate|analyse|nb:\S+|results|report|install|pdf\S*): ")

    def __init__(self, folder: Path, out: Path, on_change: Callable[["RenderJob"], None]):
        from workbench.build.runner import notebook_paths

        self.folder, self.out, self.on_change = folder, out, on_change
        self.total = 5 + len(notebook_paths())
        self.done_stages: list[str] = []
        self.stdout = ""
        self.errors: list[str] = []
        self.returncode: int | None = None
        self.cancelled = False
        pkg_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (pkg_root, os.environ.get("PYTHONPATH")) if p),
               "COLUMNS": "200"}
        self.proc = subprocess.Popen([sys.executable, "-m", "workbench", "-v", "run", str(folder), "--out", str(out)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                     start_new_session=True)
        self._out_thread = threading.Thread(target=self._read_out, daemon=True)
        self._thread = threading.Thread(target=self._read_err, daemon=True)
        self._out_thread.start()
        self._thread.start()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        self.stdout = self.proc.stdout.read()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            m = self.STAGE.match(line)
            if m:
                self.done_stages.append(m.group(1))
                self._notify()
            elif re.match(r"^(error|错误): ", line):
                self.errors.append(line.split(": ", 1)[1])
        self.returncode = self.proc.wait()
        self._out_thread.join(timeout=10)
        self._notify()

    def _notify(self) -> None:
        try:
            self.on_change(self)
        except Exception:  # noqa: BLE001 - a widget update must never kill the reader
            pass

    @property
    def running(self) -> bool:
        return self.returncode is None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def report(self) -> Path | None:
        m = re.search(r"-> (.+report\.html)\s*$", self.stdout.strip())
        return Path(m.group(1)) if m else None

    def wait(self, timeout: float | None = None) -> "RenderJob":
        self._thread.join(timeout)
        return self

    def cancel(self) -> None:
        """Stop the build we started (its own process group)."""
        if self.running:
            self.cancelled = True
            try:
                os.killpg(self.proc.pid, 15)
            except ProcessLookupError:
                pass


# ---------------------------------------------------------------------------------------------- one client's page
class Page:
    """One client's engagement and tabs (kept while it has unsaved edits or a build running)."""

    def __init__(self, app: "EngagementApp", eng: Engagement):
        from workbench.widgets.assessment_view import AssessmentView
        from workbench.widgets.diagnosis_view import DiagnosisView
        from workbench.widgets.findings_view import FindingsView
        from workbench.widgets.kpi_view import KpiView
        from workbench.widgets.plan_view import PlanView
        from workbench.widgets.strategy_view import StrategyView

        self.app, self.eng = app, eng
        L = eng.lang
        edited = app._edited
        self.diagnosis_view = DiagnosisView(eng, edited)
        self.kpi_view = KpiView(eng, edited)
        self.strategy_view = StrategyView(eng, edited)
        self.assessment_view = AssessmentView(eng, edited)
        self.plan_view = PlanView(eng, edited)
        self.findings_view = FindingsView(eng, edited) if eng.has_table("findings") else None
        # save
        self.save_btn = W.Button(description=t("widgets.btn.save", L), icon="save", button_style="primary",
                                 layout=W.Layout(width="auto"))
        self.save_btn.add_class("wb-save")
        self.reload_btn = W.Button(description=t("widgets.btn.reload", L), icon="undo", layout=W.Layout(width="auto"))
        self.reload_btn.add_class("wb-reload")
        self.save_out = W.HTML()
        self.save_out.add_class("wb-save-result")
        self.save_btn.on_click(lambda _b: app.save())
        self.reload_btn.on_click(lambda _b: app.discard())
        self.errors_html = W.HTML()
        save_tab = W.VBox([W.HTML(f'<p class="wb-muted">{esc(t("widgets.save.intro", L))}</p>'),
                           W.HBox([self.save_btn, self.reload_btn]), self.save_out, self.errors_html])
        # render
        self.out_text = W.Text(value=str(app._default_out()), description=t("widgets.render.out", L),
                               style={"description_width": "90px"}, layout=W.Layout(width="560px"))
        self.render_btn = W.Button(description=t("widgets.btn.render", L), icon="file", layout=W.Layout(width="auto"))
        self.render_btn.add_class("wb-render")
        self.cancel_btn = W.Button(description=t("widgets.render.cancel", L), icon="stop", layout=W.Layout(width="auto"),
                                   disabled=True)
        self.progress = W.IntProgress(value=0, min=0, max=1, layout=W.Layout(width="420px", visibility="hidden"))
        self.progress.add_class("wb-render-progress")
        self.render_out = W.HTML()
        self.render_out.add_class("wb-render-result")
        self.render_btn.on_click(lambda _b: app.render())
        self.cancel_btn.on_click(lambda _b: self.job.cancel() if self.job is not None else None)
        self.job: RenderJob | None = None
        render_tab = W.VBox([W.HTML(f'<p class="wb-muted">{esc(t("widgets.render.intro", L))}</p>'),
                             self.out_text, W.HBox([self.render_btn, self.cancel_btn, self.progress],
                                                   layout=W.Layout(align_items="center")), self.render_out])
        tabs = [("diagnosis", self.diagnosis_view.widget), ("kpis", self.kpi_view.widget),
                ("strategy", self.strategy_view.widget), ("assessment", self.assessment_view.widget),
                ("plan", self.plan_view.widget)]
        if self.findings_view is not None:
            tabs.append(("findings", self.findings_view.widget))
        tabs += [("save", save_tab), ("render", render_tab)]
        self.tab_keys = [k for k, _ in tabs]
        self.tabs = W.Tab(children=[w for _, w in tabs])
        self.tabs.titles = tuple(t(f"widgets.tab.{k}", L) for k in self.tab_keys)
        self.tabs.selected_index = self.tab_keys.index("kpis")
        # a draft of unsaved edits found on disk (a kernel that died, a notebook closed without saving)
        self.draft_html = W.HTML()
        self.restore_btn = W.Button(description=t("widgets.draft.restore", L), icon="history",
                                    button_style="warning", layout=W.Layout(width="auto"))
        self.restore_btn.add_class("wb-draft-restore")
        self.discard_draft_btn = W.Button(description=t("widgets.draft.discard", L), icon="trash",
                                          layout=W.Layout(width="auto"))
        self.discard_draft_btn.add_class("wb-draft-discard")
        self.restore_btn.on_click(lambda _b: app.restore_draft())
        self.discard_draft_btn.on_click(lambda _b: app.discard_draft())
        self.draft_bar = W.HBox([self.draft_html, self.restore_btn, self.discard_draft_btn],
                                layout=W.Layout(align_items="center"))
        self.draft_bar.add_class("wb-draft-bar")
        self.widget = W.VBox([self.draft_bar, self.tabs])
        self.show_draft()

    def show_draft(self) -> None:
        """The draft bar: what was found and when, Restore (not for a stale draft) and Discard; a draft file that
        cannot be read is reported with Discard only (it is never applied); hidden otherwise."""
        eng, L = self.eng, self.eng.lang
        draft = eng.draft
        unreadable = draft is None and not eng.dirty and eng.draft_unreadable
        self.draft_bar.layout.display = "flex" if draft is not None or unreadable else "none"
        if unreadable:
            self.draft_html.value = (f'<span class="wb-msg" style="color:#c62828;font-weight:600">'
                                     f'{esc(t("widgets.draft.unreadable", L, why=eng.draft_unreadable))}</span>')
            self.restore_btn.layout.display = "none"
            return
        if draft is None:
            return
        tables = ", ".join(sorted(draft.tables))
        key = "widgets.draft.stale" if eng.draft_stale else "widgets.draft.found"
        self.draft_html.value = (f'<span class="wb-msg" style="color:#b45309;font-weight:600">'
                                 f'{esc(t(key, L, saved=draft.saved.replace("T", " "), tables=tables))}</span>')
        self.restore_btn.layout.display = "none" if eng.draft_stale else ""

    @property
    def busy(self) -> bool:
        return self.job is not None and self.job.running

    def select(self, key: str) -> None:
        self.tabs.selected_index = self.tab_keys.index(key)


# ---------------------------------------------------------------------------------------------- the app
class EngagementApp:
    """``EngagementApp(client_folder, clients_root).show()``: edit a client live, save back, render.

    ``engagement`` is the current client's logic object (:class:`Engagement`); ``kpi_view``, ``diagnosis_view``,
    ``strategy_view``, ``assessment_view``, ``plan_view``, ``findings_view`` its tabs' views.
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
        self.pages: dict[str, Page] = {}
        self.current: str | None = None
        self._state_handles: list[Any] = []
        self._switching = False
        self._folders = [str(f.resolve()) for f in folders]
        current = str(Path(client_folder).resolve()) if client_folder else None
        if current and current not in self._folders:
            self._folders.append(current)
        self.chooser = W.Dropdown(options=self._chooser_options(), value=current, layout=W.Layout(width="420px"))
        self.chooser.add_class("wb-client")
        self.header = W.HTML()
        self.header.add_class("wb-head")
        self.state_html = W.HTML()
        self.state_html.add_class("wb-state")
        self.drafts_html = W.HTML()
        self.drafts_html.add_class("wb-drafts")
        self.body = W.VBox()
        self.widget = W.VBox([W.HTML(CSS), W.HBox([self.chooser, self.header, self.state_html],
                                                   layout=W.Layout(align_items="center", grid_gap="14px")),
                              self.drafts_html, self.body])
        self.widget.add_class("wb-app")
        self.chooser.observe(lambda ch: None if self._switching else self.load(ch["new"]), names="value")
        if current:
            self.load(current)
        else:
            self.body.children = (W.HTML(esc(t("widgets.client.none", "en", root=self.clients_root))),)

    # ------------------------------------------------------------------ the current page
    @property
    def page(self) -> Page | None:
        return self.pages.get(self.current) if self.current else None

    @property
    def engagement(self) -> Engagement | None:
        return self.page.eng if self.page else None

    def __getattr__(self, name: str) -> Any:
        # kpi_view, diagnosis_view, …, save_out, render_out, tabs: the current page's
        if name in ("kpi_view", "diagnosis_view", "strategy_view", "assessment_view", "plan_view", "findings_view",
                    "save_out", "render_out", "errors_html", "out_text", "tabs", "progress", "job"):
            page = self.__dict__.get("pages", {}).get(self.__dict__.get("current"))
            return getattr(page, name) if page is not None else None
        raise AttributeError(name)

    def _chooser_options(self) -> list[tuple[str, str]]:
        out = []
        for f in self._folders:
            label = _client_label(Path(f))
            page = self.__dict__.get("pages", {}).get(f)
            if page is not None and (page.eng.dirty or page.busy) and f != self.__dict__.get("current"):
                label = "● " + label
            out.append((label, f))
        return out

    def _refresh_chooser(self) -> None:
        self._switching = True
        try:
            self.chooser.options = self._chooser_options()
            self.chooser.value = self.current
        finally:
            self._switching = False

    # ------------------------------------------------------------------ loading and switching
    def load(self, folder: str | Path) -> None:
        """Show ``folder``: its kept page (unsaved edits, a build running) or a fresh one from disk."""
        key = str(Path(folder).resolve())
        prev = self.page
        if prev is not None and self.current != key and not (prev.eng.dirty or prev.busy):
            self.pages.pop(self.current, None)  # a clean page is re-read from disk next time
        if key not in self._folders:
            self._folders.append(key)
        self.current = key
        page = self.pages.get(key)
        if page is None:
            try:
                eng = Engagement(key)
            except IntakeError as exc:
                self._show_load_error(key, exc)
                return
            page = self.pages[key] = Page(self, eng)
        self._show(page)

    def _show_load_error(self, key: str, exc: IntakeError) -> None:
        from workbench.widgets.engagement import issue_text

        from workbench.intake.files import client_yaml

        lang = client_yaml(key).get("language") or "zh"
        rows = [[esc(t("cli.error" if i.severity == "error" else "cli.warning", lang)), esc(i.location(lang)),
                 esc(issue_text(i, lang))] for i in exc.report.issues]
        self.header.value = esc(Path(key).name)
        self.state_html.value = ""
        self.body.children = (W.HTML(f'<p class="wb-msg">{esc(t("widgets.client.load_error", lang))}</p>'
                                     + table_html(["", "", ""], rows)),)
        self._refresh_chooser()
        self._update_state_outputs()

    def _show(self, page: Page) -> None:
        eng = page.eng
        L = eng.lang
        self.chooser.description = t("widgets.client", L)
        self.chooser.style = {"description_width": "50px"}
        self.header.value = esc(t("widgets.client.header", L, name=eng.profile.name, period=eng.profile.period))
        self.body.children = (page.widget,)
        self._refresh_chooser()
        self._edited()
        self._update_state_outputs()

    def discard(self) -> None:
        """Drop the current client's unsaved edits (and their draft on disk) and read it again from disk."""
        if self.current is None:
            return
        page = self.pages.pop(self.current, None)
        if page is not None and page.busy:
            page.job.cancel()  # type: ignore[union-attr]
        if page is not None:
            page.eng.discard_draft()
        self.load(self.current)

    def restore_draft(self) -> bool:
        """Apply the draft of unsaved edits found for the current client; its tabs are built again on them."""
        page = self.page
        if page is None or not page.eng.restore_draft():
            return False
        fresh = self.pages[self.current] = Page(self, page.eng)  # type: ignore[index]
        fresh.job = page.job
        self._show(fresh)
        return True

    def discard_draft(self) -> None:
        """Delete the draft found for the current client (its edits are not applied)."""
        page = self.page
        if page is not None:
            page.eng.discard_draft()
            page.show_draft()

    def _default_out(self) -> Path:
        if self.out is not None:
            return self.out
        return self.clients_root.resolve().parent / "build"

    # ------------------------------------------------------------------ after every edit
    def _edited(self) -> None:
        page = self.page
        if page is None:
            return
        eng, L = page.eng, page.eng.lang
        n = len(eng.errors)
        parts = [f'<span style="color:#b45309;font-weight:600">{esc(t("widgets.state.dirty", L))}</span>' if eng.dirty
                 else f'<span class="wb-muted" style="color:#666">{esc(t("widgets.state.clean", L))}</span>']
        if n:
            parts.append(f'<span style="color:#c62828">{esc(t("widgets.state.errors", L, n=n))}</span>')
        if eng.dirty and eng.draft_problem:  # the draft could not be written: say so, editing goes on
            parts.append(f'<span style="color:#c62828">{esc(t("widgets.draft.not_kept", L, why=eng.draft_problem))}</span>')
        self.state_html.value = " · ".join(parts)
        page.show_draft()
        drafts = [Path(k).name for k, p in self.pages.items() if k != self.current and (p.eng.dirty or p.busy)]
        self.drafts_html.value = (f'<span class="wb-muted">{esc(t("widgets.client.drafts_kept", L, clients=", ".join(drafts)))}</span>'
                                  if drafts else "")
        page.errors_html.value = self._issues_table([m for m in eng.messages_all if m.severity == "error"],
                                                    t("widgets.save.current_errors", L)) if n else ""
        page.assessment_view.refresh()
        page.strategy_view.refresh(charts=False)
        page.plan_view.refresh()

    def _issues_table(self, msgs: list[Any], title: str) -> str:
        rows = [[esc(m.table or ""), esc(m.key or ""), esc(m.column or ""), esc(m.text)] for m in msgs]
        return f"<b>{esc(title)}</b>" + table_html(["", "", "", ""], rows)

    # ------------------------------------------------------------------ save / render
    def save(self) -> Any:
        page = self.page
        if page is None:
            return None
        eng, L = page.eng, page.eng.lang
        if not eng.dirty:
            page.save_out.value = esc(t("widgets.save.nothing", L))
            return None
        from workbench.intake.writeback import SaveError

        try:
            res = eng.save()
        except SaveError as exc:  # lock, concurrent change, permission, full disk: the user's file and what to do
            self.save_out.value = f'<span class="wb-msg" style="color:#c62828;font-weight:600">{esc(str(exc))}</span>'
            return exc
        if res.ok:
            files = ", ".join(p.name for p in res.files)
            msg = f'<span style="color:#1b5e20;font-weight:600">{esc(t("widgets.save.ok", L, files=files, path=res.backup))}</span>'
            job = page.job
            fresh = self.pages[self.current] = Page(self, eng)  # fresh rows (_row) after the reload
            fresh.job = job
            self._show(fresh)
            fresh.select("save")
            fresh.save_out.value = msg
        else:
            from workbench.widgets.engagement import issue_text

            # named as the widgets name rows (table, key, column); what no row owns (files changed on disk) as is
            errors = eng.errors
            rows = [[esc(m.table or ""), esc(m.key or ""), esc(m.column or ""), esc(m.text)] for m in errors]
            if not errors:
                rows = [["", "", esc(i.column or ""), esc(issue_text(i, L))] for i in res.report.errors]
            page.save_out.value = (f'<span class="wb-msg" style="color:#c62828;font-weight:600">'
                                   f'{esc(t("widgets.save.refused", L, n=len(rows)))}</span>'
                                   + table_html(["", "", "", ""], rows))
        return res

    def render(self) -> RenderJob | None:
        """Build the deliverable from the saved intake in a background process; returns the job (``job.wait()``)."""
        page = self.page
        if page is None or page.busy:
            return page.job if page is not None else None
        eng, L = page.eng, page.eng.lang
        def note() -> str:  # edits unsaved at the start or made since are not in the deliverable
            return (f'<p class="wb-msg" style="color:#9a6700">{esc(t("widgets.render.unsaved", L))}</p>'
                    if eng.dirty else "")

        out = Path(page.out_text.value)
        page.progress.value, page.progress.layout.visibility = 0, "visible"
        page.render_btn.disabled, page.cancel_btn.disabled = True, False
        page.render_out.value = note() + esc(t("widgets.render.busy", L))

        def changed(job: RenderJob) -> None:
            page.progress.max = job.total
            page.progress.value = min(len(job.done_stages), job.total)
            if job.running:
                stage = job.done_stages[-1] if job.done_stages else "…"
                page.render_out.value = note() + esc(t("widgets.render.progress", L, stage=stage,
                                                     n=len(job.done_stages), total=job.total))
                return
            page.render_btn.disabled, page.cancel_btn.disabled = False, True
            if job.cancelled:
                page.render_out.value = esc(t("widgets.render.cancelled", L))
            elif job.ok and job.report is not None:
                page.progress.value = job.total
                path = job.report.resolve()
                try:
                    href = os.path.relpath(path, Path.cwd())
                except ValueError:
                    href = str(path)
                page.render_out.value = note() + (f'{esc(t("widgets.render.done", L, path=path))} '
                                                f'<a href="{esc(href)}" target="_blank">report.html</a>')
            else:
                err = "; ".join(job.errors) or f"exit {job.returncode}"
                page.render_out.value = note() + f'<span class="wb-msg">{esc(t("widgets.render.failed", L, error=err))}</span>'
            self._refresh_chooser()

        page.job = RenderJob(eng.folder, out, changed)
        return page.job

    # ------------------------------------------------------------------ the notebook's static state output
    def register_state(self, handles: list[Any]) -> None:
        """Display handles of the notebook's state cell: updated whenever the client shown changes or is saved."""
        self._state_handles = handles

    def _update_state_outputs(self) -> None:
        if not self._state_handles:
            return
        from workbench.widgets.state import state_outputs

        for handle, obj in zip(self._state_handles, state_outputs(self.engagement, chart=len(self._state_handles) > 1)):
            handle.update(obj)

    # ------------------------------------------------------------------ display
    def show(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kw: Any) -> Any:
        return self.widget._repr_mimebundle_(**kw)
