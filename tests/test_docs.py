"""The contracts in docs/ are copies of the product's: they must not drift from the originals, and the docs
name what the registries hold.

The originals live beside the clone (``<repo>/../shared/contract``, as in CI). From a git worktree the
clone's main checkout is found through git; ``WORKBENCH_CONTRACTS`` may point elsewhere. Not finding them is
a failure, never a skip: a contract check that quietly does not run checks nothing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.intake import contract
from workbench.intake.methods import methods

ROOT = Path(__file__).resolve().parents[1]


def _shared_contract() -> Path | None:
    candidates = []
    if os.environ.get("WORKBENCH_CONTRACTS"):
        candidates.append(Path(os.environ["WORKBENCH_CONTRACTS"]))
    candidates.append(ROOT.parent / "shared" / "contract")
    git = ROOT / ".git"
    if git.is_file():  # a worktree: ".git" names <main>/.git/worktrees/<name>
        text = git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.split(":", 1)[1].strip())
            for parent in gitdir.parents:
                if parent.name == ".git":
                    candidates.append(parent.parent.parent / "shared" / "contract")
                    break
    return next((c for c in candidates if c.is_dir()), None)


@pytest.mark.parametrize("name", ["intake.md", "scoring.md", "outputs.md"])
def test_contract_copy_in_step(name: str) -> None:
    shared = _shared_contract()
    assert shared is not None, (f"the product contracts are not reachable ({ROOT.parent / 'shared' / 'contract'}); "
                                "check out shared/ beside the repository or set WORKBENCH_CONTRACTS")
    ours = (ROOT / "docs" / name).read_text(encoding="utf-8")
    assert ours == (shared / name).read_text(encoding="utf-8"), f"docs/{name} differs from {shared / name}"


def test_docs_name_every_table_and_method() -> None:
    intake = (ROOT / "docs" / "intake.md").read_text(encoding="utf-8")
    scoring = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for table in contract.TABLE_ORDER:
        assert f"**{table}**" in intake, table
    rows = {line.split("|")[1].strip().strip("`"): line.split("|")[3] for line in scoring.splitlines()
            if line.startswith("| `")}
    for m in methods():
        assert m.name in rows, m.name  # every registered built-in is in the scoring contract ...
        needs = [part.split("(")[0].strip() for part in rows[m.name].split(",") if part.strip() not in ("—", "")]
        assert tuple(needs) == m.needs, (m.name, needs)  # ... with the fields it declares it needs
    for seam in ("register_method", "register_framework", "data/frameworks", "data/i18n/intake.yaml"):
        assert seam in architecture, seam
