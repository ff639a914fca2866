"""The layers of docs/architecture.md: core ← intake ← analysis ← deliverable ← build ← widgets ← cli.
A lower layer never imports a higher one (not even inside a function), and module-level imports form no cycle."""
from __future__ import annotations

import ast
from pathlib import Path

from workbench.core.graph import find_cycles

ROOT = Path(__file__).resolve().parents[1]
ORDER = ("core", "intake", "analysis", "deliverable", "build", "widgets", "cli")


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "workbench" or len(parts) < 2:
        return None
    return "cli" if parts[1] in ("cli", "__main__") else parts[1]


def _modules() -> dict[str, ast.Module]:
    out = {}
    for f in sorted((ROOT / "workbench").rglob("*.py")):
        name = ".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        out[name] = ast.parse(f.read_text(encoding="utf-8"))
    return out


def _imports(tree: ast.AST, top_level_only: bool) -> list[tuple[str, int]]:
    nodes = tree.body if top_level_only else ast.walk(tree)  # type: ignore[attr-defined]
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
    return found


def test_no_layer_imports_a_higher_one() -> None:
    bad = []
    for name, tree in _modules().items():
        me = _layer(name)
        for target, line in _imports(tree, top_level_only=False):
            other = _layer(target)
            if me in ORDER and other in ORDER and ORDER.index(other) > ORDER.index(me):
                bad.append(f"{name}:{line} imports {target}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles_between_modules() -> None:
    modules = _modules()
    edges = {name: sorted({t for t, _ in _imports(tree, top_level_only=True) if t in modules and t != name})
             for name, tree in modules.items()}
    # a package importing its own submodules (re-exports) is not a cycle of concepts
    cycles = [c for c in find_cycles(edges) if not any(b.startswith(a + ".") or a.startswith(b + ".")
                                                       for a in c for b in c if a != b)]
    assert not cycles, cycles


def test_reading_never_imports_validation() -> None:
    tree = _modules()["workbench.intake.reading"]
    assert not [t for t, _ in _imports(tree, top_level_only=False) if t.startswith("workbench.intake.validation")]
