"""The one catalogue of fixed text, in Chinese and English.

Entries live in ``workbench/data/i18n/*.yaml`` (one file per area: report, charts, scoring, cli, ...),
each mapping ``key: {zh: ..., en: ...}``. Keys are global, so prefix them with the area
(``report.cover.title``). ``t(key, lang, **fields)`` formats with ``str.format``.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from workbench.core.resources import i18n_dir

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = i18n_dir()
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"i18n key {key!r} defined twice (second time in {entry.name})")
            if not isinstance(texts, dict) or set(texts) != set(LANGS):
                raise ValueError(f"i18n key {key!r} in {entry.name} must have exactly zh and en")
            merged[key] = texts
    return merged


def t(key: str, lang: str, **fields: object) -> str:
    """Text for ``key`` in ``lang`` ('zh' or 'en'), formatted with ``fields``."""
    texts = catalogue()[key]
    text = texts.get(lang) or texts["en"]
    return text.format(**fields) if fields else text
