"""Every rule of the intake contract (docs/intake.md), and `workbench validate`.

- ``cells``: one cell → its contract type (converters);
- ``tables``: per-table checks (required, unique, references, trees) and :func:`validate_tables`;
- ``rules``: cross-table rules (strategy map, method needs, weights, actuals, v2 rules);
- ``profile``: client.yaml as a pydantic model; ``history``: history/<period>.json;
- ``client``: the whole contract on one client (:func:`validate_raw`, :func:`validate_frames`);
- ``command``: `workbench validate`.

Input: raw tables as `workbench.intake.reading` reads them (object frames + ``_row``). Output: the typed
tables described in `workbench.intake.contract`'s docstring, or a report listing *all* problems at once,
each located as the consultant sees it and rendered in the client's language from the catalogue.
"""
from __future__ import annotations

from workbench.core.ids import split_ids
from workbench.core.yesno import parse_yesno
from workbench.intake.frameworks import framework_item_ids, known_frameworks
from workbench.intake.validation.cells import (CONVERTERS, canonical_enum, conv_date, conv_id, conv_number,
                                               parse_number, text_of)
from workbench.intake.validation.client import validate_frames, validate_raw
from workbench.intake.validation.command import expand_client_folders, validate_command
from workbench.intake.validation.profile import PROFILE_KEYS, resolve_categories, validate_profile
from workbench.intake.validation.tables import ROW, validate_tables

__all__ = ["validate_raw", "validate_frames", "validate_tables", "validate_profile", "validate_command",
           "expand_client_folders", "framework_item_ids", "known_frameworks", "parse_number", "parse_yesno",
           "split_ids", "canonical_enum", "resolve_categories", "CONVERTERS", "conv_id", "conv_number", "conv_date",
           "text_of", "PROFILE_KEYS", "ROW", "check_client", "load_client"]


def __getattr__(name: str) -> object:
    """``check_client``/``load_client`` used to live here; they compose reading and validation (loading.py)."""
    if name in ("check_client", "load_client"):
        from workbench.intake import loading

        return getattr(loading, name)
    raise AttributeError(name)
