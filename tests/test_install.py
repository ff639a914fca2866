"""A non-editable install runs from another directory: package data (notebooks, templates, frameworks,
catalogue) ships inside the package and is found through importlib.resources, not the source tree."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _install(target: Path, tmp: Path) -> None:
    """``pip install --no-deps --target`` (build isolation from the local index/cache); else build a wheel with
    ``pip wheel --no-deps`` and unpack it (a wheel is a zip of the installed tree)."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    done = subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(ROOT)], capture_output=True,
                          text=True, timeout=600)
    if done.returncode == 0:
        return
    wheels = tmp / "wheels"
    built = subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, done.stderr[-2000:] + built.stderr[-2000:]
    [wheel] = wheels.glob("workbench-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)


@pytest.mark.slow
def test_non_editable_install_runs_a_client_from_elsewhere(tmp_path: Path) -> None:
    target = tmp_path / "site"
    _install(target, tmp_path)
    assert (target / "workbench" / "data" / "notebooks" / "00_summary.ipynb").is_file()
    assert (target / "workbench" / "data" / "i18n" / "intake.yaml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    where = subprocess.run([sys.executable, "-c", "import workbench; print(workbench.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(target), where.stdout + where.stderr
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "run", str(ROOT / "clients" / "jinfeng-logistics"),
                          "--out", str(out)], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    report = out / "jinfeng-logistics" / "report.html"
    assert report.is_file() and report.stat().st_size > 100_000
    doc = json.loads((out / "jinfeng-logistics" / "results.json").read_text(encoding="utf-8"))
    assert doc["client"] == "jinfeng-logistics"
    assert not (elsewhere / "build").exists()  # nothing written relative to the working directory
