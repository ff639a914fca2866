"""Where the package's own files are: notebooks, templates, frameworks, catalogue.

They ship inside the package (``workbench/data``) and are found through ``importlib.resources``, so a
non-editable install runs from any directory. The repository's top-level ``notebooks/`` and ``templates/``
are links into this folder, so a consultant still finds them where the project layout says.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["data_dir", "notebooks_dir", "templates_dir", "frameworks_dir", "i18n_dir", "intake_template"]


def data_dir() -> Path:
    """The package's data folder (a real directory: the package is never imported from a zip)."""
    return Path(str(resources.files("workbench") / "data"))


def notebooks_dir() -> Path:
    """The deliverable notebooks (``NN_*.ipynb``) and the engagement notebook."""
    return data_dir() / "notebooks"


def templates_dir() -> Path:
    """Base folder of the nbconvert templates (``deliverable/``) and the blank intake workbook."""
    return data_dir() / "templates"


def frameworks_dir() -> Path:
    """Assessment frameworks, one YAML file each."""
    return data_dir() / "frameworks"


def i18n_dir() -> Path:
    """The zh/en message catalogue, one YAML file per area."""
    return data_dir() / "i18n"


def intake_template() -> Path:
    """The blank intake workbook that ``workbench new`` copies."""
    return templates_dir() / "intake_template.xlsx"
