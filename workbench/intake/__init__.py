"""The intake layer: the contract as data, reading a client folder, validating it, the blank workbook.

``from workbench.intake import load_client, check_client`` is the way in (they live in `loading`, imported
lazily so that importing a small module of this package, e.g. `contract`, stays cheap).
"""
from __future__ import annotations

__all__ = ["check_client", "load_client"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from workbench.intake import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
