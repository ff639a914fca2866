"""history/<period>.json (intake.md v2): each file a results.json (outputs.md) of the same client."""
from __future__ import annotations

from pathlib import Path

from workbench.core.periods import PERIOD_EXAMPLES, is_period, normalise_period, period_sort_key
from workbench.intake.model import Profile, ValidationReport
from workbench.intake.validation.cells import parse_number, text_of

__all__ = ["HISTORY_REQUIRED_KEYS", "validate_history"]

HISTORY_REQUIRED_KEYS = ("client", "period")


def validate_history(docs: dict[str, object], profile: Profile | None,
                     report: ValidationReport) -> dict[str, dict[str, object]]:
    """Each document must be a JSON object whose ``client`` is this client's id and whose ``period`` is a period,
    the one its file is named after. Returns period -> document, oldest first."""
    out: dict[str, dict[str, object]] = {}
    for rel, doc in docs.items():
        def err(code: str, column: str | None = None, value: object = None, **params: object) -> None:
            report.issue("error", code, params, file=rel, column=column, value=value)

        if not isinstance(doc, dict):
            err("history_not_results")
            continue
        missing = [k for k in HISTORY_REQUIRED_KEYS if k not in doc]
        if missing:
            err("history_key_missing", column=missing[0], name=repr(missing[0]))
            continue
        if profile is not None and profile.id and doc["client"] != profile.id:
            err("history_other_client", column="client", value=doc["client"], other=repr(doc["client"]),
                client=repr(profile.id))
            continue
        raw = doc["period"]
        period = text_of(raw) if not isinstance(raw, (list, dict)) else None
        if period is None or not is_period(period):
            err("expected_period", column="period", value=raw, examples=PERIOD_EXAMPLES)
            continue
        period = normalise_period(period)
        stem = Path(rel).stem
        if normalise_period(stem) != period:
            err("history_name_mismatch", column="period", value=period, stem=stem, period=period)
            continue
        assessment = doc.get("assessment")
        if isinstance(assessment, dict) and assessment.get("total") is not None \
                and parse_number(assessment["total"]) is None:
            err("history_total", column="assessment.total", value=assessment["total"])
            continue
        if profile is not None and profile.period and period_sort_key(period) >= period_sort_key(profile.period):
            report.issue("warning", "history_not_before", {"period": period, "current": profile.period}, file=rel,
                         column="period")
        out[period] = doc
    return dict(sorted(out.items(), key=lambda kv: period_sort_key(kv[0])))
