"""Formatted, localised HTML tables of the deliverable: one module per report section.

Each builder takes the ``Analysis`` (docs/architecture.md) and returns an HTML string (or a list of sentences),
or ``None`` when there is nothing to show (the notebook then says "no data supplied"). Every number goes through
``workbench.core.numfmt`` (scoring.md display rule, half up). Notebooks use ``from workbench.deliverable import
tables as rt``: every public builder is re-exported here.

A section is one notebook (``data/notebooks/NN_*.ipynb``), one module here and its ``report.*`` catalogue keys.
"""
from __future__ import annotations

from workbench.deliverable.tables.assessment import *  # noqa: F401,F403
from workbench.deliverable.tables.assessment import __all__ as _assessment
from workbench.deliverable.tables.base import *  # noqa: F401,F403
from workbench.deliverable.tables.base import __all__ as _base
from workbench.deliverable.tables.contracts import *  # noqa: F401,F403
from workbench.deliverable.tables.contracts import __all__ as _contracts
from workbench.deliverable.tables.diagnosis import *  # noqa: F401,F403
from workbench.deliverable.tables.diagnosis import __all__ as _diagnosis
from workbench.deliverable.tables.kpis import *  # noqa: F401,F403
from workbench.deliverable.tables.kpis import __all__ as _kpis
from workbench.deliverable.tables.plan import *  # noqa: F401,F403
from workbench.deliverable.tables.plan import __all__ as _plan
from workbench.deliverable.tables.profile import *  # noqa: F401,F403
from workbench.deliverable.tables.profile import __all__ as _profile
from workbench.deliverable.tables.progress import *  # noqa: F401,F403
from workbench.deliverable.tables.progress import __all__ as _progress
from workbench.deliverable.tables.review import *  # noqa: F401,F403
from workbench.deliverable.tables.review import __all__ as _review
from workbench.deliverable.tables.strategy import *  # noqa: F401,F403
from workbench.deliverable.tables.strategy import __all__ as _strategy
from workbench.deliverable.tables.summary import *  # noqa: F401,F403
from workbench.deliverable.tables.summary import __all__ as _summary

__all__ = [*_base, *_summary, *_profile, *_diagnosis, *_strategy, *_kpis, *_contracts, *_review, *_assessment,
           *_plan, *_progress]
