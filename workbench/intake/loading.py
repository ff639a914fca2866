"""The one way in: read a client folder (reading.py) and apply the contract (validation/) to it.

Reading never imports validation and validation never reads files; this module composes the two.
"""
from __future__ import annotations

from pathlib import Path

from workbench.intake.model import Client, IntakeError, ValidationReport
from workbench.intake.reading import read_raw
from workbench.intake.validation.client import validate_raw

__all__ = ["check_client", "load_client"]


def check_client(folder: str | Path) -> tuple[Client | None, ValidationReport]:
    """Read and validate a client folder; never raises for bad input. Client is None when there are errors."""
    return validate_raw(read_raw(Path(folder)))


def load_client(folder: str | Path) -> Client:
    """A validated Client for every analysis, or IntakeError carrying the full report."""
    client, report = check_client(folder)
    if client is None:
        raise IntakeError(report)
    return client
