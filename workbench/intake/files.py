"""A client folder's file names, and its client.yaml read leniently (no pandas here: the unchanged re-run of a
programme and the command line's messages import this without the analysis stack)."""
from __future__ import annotations

from pathlib import Path

CLIENT_YAML = "client.yaml"
INTAKE_XLSX = "intake.xlsx"


def client_yaml(folder: Path | str | None) -> dict:
    """``folder``'s client.yaml as a plain dict, unvalidated and lenient (an empty dict when it is missing,
    unreadable or not a mapping): a client's language or name for a message, a label or a portfolio row, where
    reporting a broken file is validation's job. LibYAML's C loader when installed (several times faster over a
    programme's thousand files)."""
    if not folder:
        return {}
    import yaml

    try:
        text = (Path(folder) / CLIENT_YAML).read_text(encoding="utf-8-sig")
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # noqa: BLE001 - OSError, YAMLError, a bad encoding: all "nothing usable"
        return {}
    return doc if isinstance(doc, dict) else {}
