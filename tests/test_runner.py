"""workbench.build.runner: one client end to end, atomically."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from workbench.core.resources import notebooks_dir
from workbench.build import runner
from workbench.build.runner import run_client, run_command


def write_nb(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = nbformat.v4.new_code_cell("client_folder = ''\noutput_folder = ''")
    p.metadata.tags = ["parameters"]
    nb.cells = [p, *(nbformat.v4.new_code_cell(c) for c in cells)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


SMALL = ("from workbench.deliverable import notebook as wb\na = wb.load(client_folder)\nT = wb.text(a)",
         "wb.heading(T('kpis.title'), 1)\nwb.heading(T('kpis.scores'), 2)\nwb.table(wb.tables.kpi_scores(a))")


@pytest.fixture
def small_notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "nbs"
    write_nb(folder / "00_kpis.ipynb", *SMALL)
    return folder


def test_run_writes_results_notebooks_and_report(demo_client: Path, tmp_path: Path, small_notebooks: Path) -> None:
    out = tmp_path / "build"
    stages: list[str] = []
    res = run_client(demo_client, out, notebooks=small_notebooks, hook=lambda stage, s: stages.append(stage))
    assert res.status == "ok", res.error
    target = out / "demo"
    assert res.out_dir == target
    assert sorted(p.name for p in target.iterdir()) == ["00_kpis.ipynb", "report.html", "results.json"]
    doc = json.loads((target / "results.json").read_text(encoding="utf-8"))
    assert doc["client"] == "demo"
    nb = nbformat.read(target / "00_kpis.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    html = (target / "report.html").read_text(encoding="utf-8")
    assert "Schedule adherence" in html and '<html lang="en">' in html
    assert stages[:2] == ["validate", "analyse"] and "nb:00_kpis" in stages and stages[-1] == "install"
    assert not [p for p in out.iterdir() if ".tmp-" in p.name], "no build folder left behind"
    assert (target.stat().st_mode & 0o755) == 0o755


def test_failing_cell_keeps_the_previous_build(demo_client: Path, tmp_path: Path, small_notebooks: Path) -> None:
    out = tmp_path / "build"
    assert run_client(demo_client, out, notebooks=small_notebooks).ok
    before = (out / "demo" / "report.html").read_bytes()

    write_nb(small_notebooks / "01_broken.ipynb", "from workbench.deliverable import html as d\nd.heading('half', 1)",
             "raise RuntimeError('boom in the notebook')")
    res = run_client(demo_client, out, notebooks=small_notebooks)
    assert res.status == "failed" and res.stage == "execute"
    assert "01_broken.ipynb" in res.error and "cell 3" in res.error and "RuntimeError: boom in the notebook" in res.error
    assert (out / "demo" / "report.html").read_bytes() == before
    assert sorted(p.name for p in (out / "demo").iterdir()) == ["00_kpis.ipynb", "report.html", "results.json"]
    assert [p.name for p in out.iterdir()] == ["demo"]


def test_rebuild_replaces_the_previous_build(demo_client: Path, tmp_path: Path, small_notebooks: Path) -> None:
    out = tmp_path / "build"
    assert run_client(demo_client, out, notebooks=small_notebooks).ok
    (out / "demo" / "stale.txt").write_text("old")
    assert run_client(demo_client, out, notebooks=small_notebooks).ok
    assert not (out / "demo" / "stale.txt").exists()
    assert [p.name for p in out.iterdir()] == ["demo"]


def test_bad_input_exits_1_before_execution(make_client, tmp_path: Path, capsys, monkeypatch) -> None:
    from conftest import base_tables

    tables = base_tables()
    tables["kpis"][0]["weight"] = 90  # Company's weights no longer sum to 100
    folder = make_client(tables, client_id="broken")
    import papermill

    def never(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("executed despite bad input")

    monkeypatch.setattr(papermill, "execute_notebook", never)
    out = tmp_path / "build"
    assert run_command(folder, out) == 1
    err = capsys.readouterr().err
    assert "error" in err.lower() and "weight" in err.lower()
    assert not out.exists() or not any(out.iterdir())


def test_run_command_ok(demo_client: Path, tmp_path: Path, small_notebooks: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WORKBENCH_NOTEBOOKS", str(small_notebooks))
    assert run_command(demo_client, tmp_path / "out") == 0
    assert "report.html" in capsys.readouterr().out
    assert (tmp_path / "out" / "demo" / "report.html").is_file()


def test_default_notebooks_are_the_deliverable_ones() -> None:
    names = [p.name for p in runner.notebook_paths(notebooks_dir())]
    assert names == ["00_summary.ipynb", "00a_profile.ipynb", "01_diagnosis.ipynb", "02_strategy.ipynb",
                     "03_kpis.ipynb", "03a_contracts.ipynb", "03b_review.ipynb", "04_assessment.ipynb",
                     "04a_progress.ipynb", "05_plan.ipynb"]
    for path in runner.notebook_paths(notebooks_dir()):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[0].metadata.get("tags") == ["parameters"]
        assert "client_folder" in code[0].source and "output_folder" in code[0].source
        assert len(code) <= 8, "keep notebooks thin"


@pytest.mark.slow
def test_full_deliverable_for_the_fixture_client(demo_client: Path, tmp_path: Path) -> None:
    res = run_client(demo_client, tmp_path / "build")
    assert res.ok, res.error
    assert (tmp_path / "build" / "demo" / "report.html").stat().st_size < 3 * 1024 * 1024


def test_results_json_has_one_writer(demo_client: Path, tmp_path: Path, small_notebooks: Path, monkeypatch) -> None:
    """The notebooks write results.json (notebook.save_results -> results.write_results); the runner does not write
    it again, and only falls back to the same function when its notebooks did not write it."""
    from workbench.analysis import results

    calls: list[Path] = []
    real = results.write_results

    def counting(analysis, path):
        calls.append(Path(path))
        return real(analysis, path)

    monkeypatch.setattr(results, "write_results", counting)
    assert run_client(demo_client, tmp_path / "a", notebooks=small_notebooks).ok  # SMALL does not write it
    assert len(calls) == 1 and calls[0].name == "results.json"

    calls.clear()
    writes = tmp_path / "writes"
    write_nb(writes / "00_kpis.ipynb", SMALL[0] + "\nwb.save_results(a, output_folder)", SMALL[1])
    res = run_client(demo_client, tmp_path / "b", notebooks=writes)
    assert res.ok, res.error
    assert len(calls) == 1 and calls[0].parent.name.startswith("demo.tmp-"), calls  # written in the build folder
    doc = json.loads((tmp_path / "b" / "demo" / "results.json").read_text(encoding="utf-8"))
    assert doc["client"] == "demo" and set(doc) >= {"kpis", "gaps"}


def test_deliverable_notebooks_write_results_json() -> None:
    for path in runner.notebook_paths(notebooks_dir()):
        nb = nbformat.read(path, as_version=4)
        assert any("wb.save_results(a, output_folder)" in c.source for c in nb.cells if c.cell_type == "code"), path


CHART = ("import matplotlib.pyplot as plt\nfrom workbench.deliverable import notebook as wb\na = wb.load(client_folder)",
         "print('chart follows')\nfig, ax = plt.subplots(figsize=(3, 2))\nax.bar(['财务', '客户'], [1, 2])\nwb.show_figure(fig)",
         "wb.table(wb.tables.kpi_scores(a))")


@pytest.mark.parametrize("full", [False, True])
def test_executed_notebooks_keep_text_and_images_only_when_asked(demo_client: Path, tmp_path: Path, full: bool) -> None:
    nbs = tmp_path / "nbs"
    write_nb(nbs / "00_chart.ipynb", *CHART)
    out = tmp_path / "build"
    res = run_client(demo_client, out, notebooks=nbs, full_notebooks=full)
    assert res.ok, res.error
    nb = nbformat.read(out / "demo" / "00_chart.ipynb", as_version=4)
    nbformat.validate(nb)  # written without nbformat's validation: still a valid notebook
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any(o.get("text", "").startswith("chart follows") for o in outputs)  # text outputs kept
    assert any("text/html" in o.get("data", {}) for o in outputs)
    def picture(o: dict) -> bool:
        d = o.get("data", {})
        return "image/png" in d or "image/svg+xml" in d or "<svg" in str(d.get("text/html", ""))

    html = (out / "demo" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html or "data:image/png;base64," in html  # the chart is in the deliverable either way
    figs = [o for o in outputs if o.get("metadata", {}).get("workbench", {}).get("kind") == "figure"]
    assert figs
    if full:
        assert all(picture(o) for o in figs)
    else:
        assert not [o for o in outputs if picture(o)]
        assert all("shown in report.html" in o["data"]["text/plain"] for o in figs)  # says where the picture went
        assert (out / "demo" / "00_chart.ipynb").stat().st_size < 20_000
