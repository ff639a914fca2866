"""The in-process papermill engine (workbench.build.engine)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

from workbench.build.engine import ENGINE_NAME, execute_notebook

ROOT = Path(__file__).resolve().parents[1]


def make_nb(*cells: str, params: str = "client_folder = 'default'\nn = 1") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.language_info = {"name": "python"}
    p = nbformat.v4.new_code_cell(params)
    p.metadata.tags = ["parameters"]
    nb.cells = [p, *(nbformat.v4.new_code_cell(c) for c in cells)]
    return nb


def outputs(nb: nbformat.NotebookNode, index: int) -> list:
    return nb.cells[index].outputs


def test_parameters_streams_display_and_result() -> None:
    nb = make_nb(
        "import sys\nprint('hello', client_folder, n)\nprint('careful', file=sys.stderr)",
        "from IPython.display import display, HTML\ndisplay(HTML('<b>bold</b>'))\nn * 21",
        "from workbench.deliverable.html import heading\nheading('标题 <x>', 2)",
    )
    out = execute_notebook(nb, {"client_folder": "clients/x", "n": 2}, cwd=None, timeout=30)
    tags = [c.metadata.get("tags", []) for c in out.cells]
    assert tags[1] == ["injected-parameters"]  # papermill's injection, as papermill writes it
    assert "client_folder = \"clients/x\"" in out.cells[1].source
    stream = outputs(out, 2)
    assert [(o.output_type, o.name, o.text) for o in stream] == [("stream", "stdout", "hello clients/x 2\n"),
                                                                 ("stream", "stderr", "careful\n")]
    disp, res = outputs(out, 3)
    assert disp.output_type == "display_data" and disp.data["text/html"] == "<b>bold</b>"
    assert res.output_type == "execute_result" and res.data["text/plain"] == "42"
    assert res.execution_count == out.cells[3].execution_count
    (head,) = outputs(out, 4)
    assert head.metadata["workbench"] == {"kind": "heading", "level": 2, "text": "标题 <x>"}
    assert "&lt;x&gt;" in head.data["text/html"]  # escaped
    assert nb.cells[1].source != out.cells[1].source  # the input notebook is not modified


def test_error_is_recorded_and_raised_with_cell() -> None:
    nb = make_nb("x = 1", "{}['missing']", "print('never')")
    with pytest.raises(PapermillExecutionError) as info:
        execute_notebook(nb, {"n": 3})
    err = info.value
    assert err.ename == "KeyError" and "missing" in err.evalue
    assert err.cell_index == 3  # 0 parameters, 1 injected, 2 x = 1, 3 the failing one
    executed = err.nb
    (out,) = executed.cells[3].outputs
    assert out.output_type == "error" and out.ename == "KeyError" and out.traceback
    assert executed.cells[4].outputs == []  # execution stopped


def test_fresh_namespace_per_execution() -> None:
    execute_notebook(make_nb("secret = 42\nimport json"))
    out = execute_notebook(make_nb("seen = 'secret' in dir() or 'json' in dir()\nseen"))
    assert out.cells[1].outputs[0].data["text/plain"] == "False"


def test_timeout_per_cell() -> None:
    nb = make_nb("import time\ntime.sleep(10)")
    with pytest.raises(PapermillExecutionError) as info:
        execute_notebook(nb, timeout=0.5)
    assert info.value.ename == "CellTimeoutError"


def test_matplotlib_is_agg_and_syntax_errors_are_errors() -> None:
    out = execute_notebook(make_nb("import matplotlib\nmatplotlib.get_backend()"))
    assert out.cells[1].outputs[0].data["text/plain"].strip("'").lower() == "agg"
    with pytest.raises(PapermillExecutionError) as info:
        execute_notebook(make_nb("def broken(:\n  pass"))
    assert info.value.ename == "SyntaxError"


def test_papermill_api_with_the_entry_point(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(make_nb("print(client_folder)"), src)
    papermill.execute_notebook(str(src), str(dst), parameters={"client_folder": "abc"}, engine_name=ENGINE_NAME,
                               kernel_name="python3", progress_bar=False, log_output=False)
    out = nbformat.read(dst, as_version=4)
    assert out.cells[1].metadata.tags == ["injected-parameters"]
    assert out.cells[2].outputs[0].text == "abc\n"
    assert out.metadata.papermill.parameters == {"client_folder": "abc"}

    nbformat.write(make_nb("1/0"), src)
    with pytest.raises(PapermillExecutionError) as info:
        papermill.execute_notebook(str(src), str(dst), engine_name=ENGINE_NAME, kernel_name="python3",
                                   progress_bar=False, log_output=False)
    assert info.value.ename == "ZeroDivisionError"


@pytest.mark.slow
def test_papermill_cli_with_a_real_kernel(tmp_path: Path) -> None:
    """A deliverable notebook also runs with plain papermill and an ipykernel (no in-process engine)."""
    client = ROOT / "clients" / "huaxin-steel"
    if not client.is_dir():
        pytest.fail("demo clients missing")
    dst = tmp_path / "00_summary.ipynb"
    proc = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "00_summary.ipynb"), str(dst),
                           "-p", "client_folder", str(client), "-p", "output_folder", str(tmp_path / "build"),
                           "--kernel", "python3", "--no-progress-bar"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = nbformat.read(dst, as_version=4)
    kinds = [o.metadata.get("workbench", {}).get("kind") for c in out.cells if c.cell_type == "code"
             for o in c.get("outputs", []) if o.output_type == "display_data"]
    assert "heading" in kinds and "key_figures" in kinds
    assert not [o for c in out.cells for o in c.get("outputs", []) if o.output_type == "error"]
