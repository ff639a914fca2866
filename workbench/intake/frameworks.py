"""Assessment frameworks: one YAML file each, found by edition (the extension seam for a second framework).

A framework file carries its edition, name, total points, categories → items → points, the lenses with their
dimensions (``code`` is what ``feedback.dimension`` holds, e.g. A/D/L/I), the scoring bands and the maturity
stages (``maturity.stages``, read by `workbench.analysis.maturity`; kept in ``Framework.extra``). The package's
files live in ``workbench/data/frameworks``; :func:`register_framework` adds one from anywhere (a programme's
own criteria, a test's toy framework) without touching the package. Nothing else in the code names an edition's
points or title: validation, scoring, results and the deliverable read them from here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from workbench.core.resources import frameworks_dir

__all__ = ["DEFAULT_FRAMEWORK", "framework_of", "FrameworkItem", "FrameworkCategory", "Band", "Framework", "available_frameworks",
           "load_framework", "register_framework", "unregister_framework", "framework_item_ids", "known_frameworks"]

DEFAULT_FRAMEWORK = "gbt19580-2012"  # client.yaml's default edition (intake.md)
_EDITION = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_REGISTERED: dict[str, Path] = {}


@dataclass(frozen=True)
class FrameworkItem:
    id: str
    category: str
    zh: str
    en: str
    points: int
    lens: str  # e.g. "process" or "results"

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class FrameworkCategory:
    id: str
    zh: str
    en: str
    points: int
    lens: str
    items: tuple[FrameworkItem, ...]

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Band:
    min: float
    max: float
    # lens -> tuple of (dimension key, zh text, en text), in the lens's dimension order
    texts: dict[str, tuple[tuple[str, str, str], ...]] = field(hash=False, compare=False)

    @property
    def label(self) -> str:
        return f"{self.min:g}-{self.max:g}%"

    def description(self, lens: str, lang: str) -> str:
        """The band's text for a lens, one sentence per dimension, in ``lang``."""
        sep = "" if lang == "zh" else " "
        return sep.join(zh if lang == "zh" else en for _, zh, en in self.texts[lens])

    def dimensions(self, lens: str, lang: str) -> list[tuple[str, str]]:
        """(dimension key, text) pairs for a lens in ``lang``."""
        return [(k, zh if lang == "zh" else en) for k, zh, en in self.texts[lens]]


@dataclass(frozen=True)
class Framework:
    edition: str
    name_zh: str
    name_en: str
    total_points: int
    categories: tuple[FrameworkCategory, ...]
    bands: tuple[Band, ...]
    # lens -> {"zh", "en", "dimensions": ((key, zh, en), ...), "codes": {code: key}}
    lenses: dict[str, dict[str, Any]] = field(hash=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)  # other top-level keys

    @property
    def items(self) -> tuple[FrameworkItem, ...]:
        return tuple(i for c in self.categories for i in c.items)

    def item(self, item_id: str) -> FrameworkItem:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def lens_name(self, lens: str, lang: str) -> str:
        return self.lenses[lens][lang]

    def dimension_codes(self, lens: str) -> tuple[str, ...]:
        """The ``feedback.dimension`` codes that fit an item of ``lens`` (e.g. A, D, L, I)."""
        return tuple(self.lenses.get(lens, {}).get("codes", {}))


def register_framework(path: str | Path) -> str:
    """Make the framework file ``path`` loadable by its edition (it is read and checked now). Returns the edition."""
    path = Path(path)
    fw = _parse(path)
    _REGISTERED[fw.edition] = path
    load_framework.cache_clear()
    framework_item_ids.cache_clear()
    return fw.edition


def unregister_framework(edition: str) -> None:
    _REGISTERED.pop(edition, None)
    load_framework.cache_clear()
    framework_item_ids.cache_clear()


def _paths() -> dict[str, Path]:
    folder = frameworks_dir()
    found = {p.name[:-5]: p for p in folder.iterdir() if p.name.endswith(".yaml")} if folder.is_dir() else {}
    return {**found, **_REGISTERED}


def available_frameworks() -> list[str]:
    """Editions shipped in ``data/frameworks`` plus registered ones."""
    return sorted(_paths())


known_frameworks = available_frameworks


@lru_cache(maxsize=None)
def load_framework(edition: str = DEFAULT_FRAMEWORK) -> Framework:
    """The framework of ``edition`` (cached). Unknown edition → ``ValueError`` naming the available ones;
    a file whose items do not add up to their categories and total → ``ValueError``."""
    paths = _paths()
    if not isinstance(edition, str) or not _EDITION.match(edition) or edition not in paths:
        raise ValueError(f"unknown assessment framework {edition!r}; available: {', '.join(sorted(paths))}")
    fw = _parse(paths[edition])
    if fw.edition != edition:
        raise ValueError(f"framework file {paths[edition].name} declares edition {fw.edition!r}")
    return fw


def framework_of(profile: Any) -> Framework:
    """The framework a client's profile names (``framework`` in client.yaml); the default edition when it names
    none, or one no file defines (validation has said so already)."""
    try:
        return load_framework(getattr(profile, "framework", None) or DEFAULT_FRAMEWORK)
    except (KeyError, ValueError):
        return load_framework(DEFAULT_FRAMEWORK)


@lru_cache(maxsize=16)
def framework_item_ids(edition: str) -> tuple[str, ...] | None:
    """Scored item ids of an edition, or None for an unknown (or broken) one."""
    try:
        return tuple(i.id for i in load_framework(edition).items)
    except ValueError:
        return None


def _parse(path: Path) -> Framework:
    """Read and check one framework file; every inconsistency is a ValueError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _build(data)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"framework file {path}: {type(exc).__name__}: {exc}") from exc


def _build(data: dict[str, Any]) -> Framework:
    edition = str(data["edition"])
    if not _EDITION.match(edition):
        raise ValueError(f"edition {edition!r} is not a slug")
    lenses: dict[str, dict[str, Any]] = {}
    for lens, spec in data["lenses"].items():
        dims = tuple((d["key"], d["zh"], d["en"]) for d in spec["dimensions"])
        codes = {str(d.get("code") or d["key"]): d["key"] for d in spec["dimensions"]}
        lenses[lens] = {"zh": spec["name"]["zh"], "en": spec["name"]["en"], "dimensions": dims, "codes": codes}
    cats = []
    for c in data["categories"]:
        if c["lens"] not in lenses:
            raise ValueError(f"category {c['id']} uses lens {c['lens']!r}, not one of {', '.join(lenses)}")
        items = []
        for i in c["items"]:
            if set(i) != {"id", "zh", "en", "points"}:
                raise ValueError(f"item {i.get('id')!r} has keys {sorted(i)}; expected id, zh, en, points")
            items.append(FrameworkItem(str(i["id"]), str(c["id"]), i["zh"], i["en"], int(i["points"]), c["lens"]))
        if sum(i.points for i in items) != int(c["points"]):
            raise ValueError(f"items of {c['id']} do not sum to {c['points']}")
        cats.append(FrameworkCategory(str(c["id"]), c["zh"], c["en"], int(c["points"]), c["lens"], tuple(items)))
    if sum(c.points for c in cats) != int(data["total_points"]):
        raise ValueError(f"categories do not sum to {data['total_points']}")
    ids = [i.id for c in cats for i in c.items]
    if len(ids) != len(set(ids)):
        raise ValueError("an item id appears twice")
    bands = []
    for b in data["bands"]:
        texts = {lens: tuple((k, b[lens][k]["zh"], b[lens][k]["en"]) for k, _, _ in spec["dimensions"])
                 for lens, spec in lenses.items()}
        bands.append(Band(float(b["min"]), float(b["max"]), texts))
    bands.sort(key=lambda b: b.min)
    stages = (data.get("maturity") or {}).get("stages") or []
    if stages and (float(stages[0]["min"]) != 0 or float(stages[-1]["max"]) != float(data["total_points"])):
        raise ValueError(f"maturity stages must run from 0 to total_points ({data['total_points']})")
    known = {"edition", "name", "total_points", "lenses", "categories", "bands"}
    return Framework(edition, data["name"]["zh"], data["name"]["en"], int(data["total_points"]), tuple(cats),
                     tuple(bands), lenses, {k: v for k, v in data.items() if k not in known})
