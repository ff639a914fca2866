"""The contracts in docs/ are copies of the product's: they must not drift from the originals."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "contract"


@pytest.mark.parametrize("name", ["intake.md", "scoring.md", "outputs.md"])
def test_contract_copy_in_step(name: str) -> None:
    ours = (ROOT / "docs" / name).read_text(encoding="utf-8")
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not reachable from this checkout")
    assert ours == (SHARED / name).read_text(encoding="utf-8"), f"docs/{name} differs from {SHARED / name}"
