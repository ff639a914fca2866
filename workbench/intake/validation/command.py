"""`workbench validate`: a readable report per client, in each client's language."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

__all__ = ["expand_client_folders", "validate_command"]


def expand_client_folders(folders: Iterable[Path]) -> list[Path]:
    """A folder with client.yaml is a client; one without it but with client sub-folders stands for those."""
    out: list[Path] = []
    for f in folders:
        f = Path(f)
        if f.is_dir() and not (f / "client.yaml").exists():
            subs = sorted(p for p in f.iterdir() if p.is_dir() and (p / "client.yaml").is_file())
            if subs:
                out.extend(subs)
                continue
        out.append(f)
    return out


def validate_command(folders: list[Path], as_json: bool = False) -> int:
    """Print a report per client (messages in the client's language; ``as_json``: one JSON document with every
    report, see :meth:`ValidationReport.to_json`); 0 when every client is clean of errors, 1 otherwise."""
    from rich.console import Console
    from rich.markup import escape

    from workbench.intake.loading import check_client

    console = Console(highlight=False, soft_wrap=True)
    clients = expand_client_folders(folders)
    n_err_clients = n_errors = n_warnings = 0
    docs = []
    for folder in clients:
        _, report = check_client(folder)
        errs, warns = report.errors, report.warnings
        n_errors += len(errs)
        n_warnings += len(warns)
        n_err_clients += bool(errs)
        if as_json:
            docs.append(report.to_json())
            continue
        zh = report.lang == "zh"
        status = "[bold red]FAIL[/]" if errs else "[bold green]OK[/]"
        counts = (f"{len(errs)} 个错误, {len(warns)} 个警告" if zh else f"{len(errs)} error(s), {len(warns)} warning(s)")
        console.print(f"{status} [bold]{escape(str(folder))}[/]: {counts}")
        for issue in [*errs, *warns]:
            colour = "red" if issue.severity == "error" else "yellow"
            label = {"error": "错误", "warning": "警告"}[issue.severity] if zh else \
                {"error": "error  ", "warning": "warning"}[issue.severity]
            loc = issue.location(report.lang)
            console.print(f"  [{colour}]{label}[/] {escape(loc + ': ' if loc else '')}{escape(issue.text(report.lang))}"
                          f"[dim]{escape(issue.got(report.lang))}[/]")
    if as_json:
        print(json.dumps({"clients": docs, "errors": n_errors, "warnings": n_warnings}, ensure_ascii=False, indent=2))
    else:
        ok = len(clients) - n_err_clients
        colour = "red" if n_err_clients else "green"
        console.print(f"[bold {colour}]{len(clients)} client(s): {ok} valid, {n_err_clients} with errors; "
                      f"{n_errors} error(s), {n_warnings} warning(s) in total[/]")
    return 1 if n_err_clients or not clients else 0
