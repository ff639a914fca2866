"""The `workbench` command. Each command is a thin shell over a function in the module that owns the concept."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Performance-excellence consulting workbench.")


@app.command()
def new(client_id: str = typer.Argument(..., help="Slug of the new client, e.g. acme-steel"),
        root: Path = typer.Option(Path("clients"), help="Folder that holds client folders")) -> None:
    """Create clients/<id>/ with client.yaml and a blank intake.xlsx."""
    from workbench.intake.template import new_client_command
    raise typer.Exit(new_client_command(client_id, root))


@app.command()
def validate(folders: list[Path] = typer.Argument(..., help="Client folders")) -> None:
    """Validate client folders; exit 1 when any client has errors."""
    from workbench.intake.validation import validate_command
    raise typer.Exit(validate_command(folders))


@app.command()
def score(folder: Path = typer.Argument(..., help="Client folder"),
          json_: bool = typer.Option(False, "--json", help="Print results.json instead of the summary")) -> None:
    """Compute every score without running a notebook."""
    from workbench.analysis.results import score_command
    raise typer.Exit(score_command(folder, as_json=json_))


@app.command()
def run(folder: Path = typer.Argument(..., help="Client folder"),
        out: Path = typer.Option(Path("build"), "--out", help="Output folder"),
        pdf: bool = typer.Option(False, "--pdf", help="Also write report.pdf (A4, for print)")) -> None:
    """Validate, execute the notebooks through papermill and render report.html."""
    from workbench.build.runner import run_command
    raise typer.Exit(run_command(folder, out, pdf=pdf))


@app.command()
def batch(folders: list[Path] = typer.Argument(..., help="A folder of client folders, or client folders"),
          out: Path = typer.Option(Path("build"), "--out"),
          jobs: Optional[int] = typer.Option(None, "-j", "--jobs", help="Parallel workers (default: cores)"),
          force: bool = typer.Option(False, "--force", help="Rebuild unchanged clients too"),
          scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address"),
          timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds one client may take (default 900; env WORKBENCH_CLIENT_TIMEOUT)"),
          cell_timeout: Optional[float] = typer.Option(None, "--cell-timeout", help="Seconds one notebook cell may take (default 300)"),
          memory_mb: Optional[int] = typer.Option(None, "--memory-mb", help="Address-space limit of one client's worker in MB (default 4096)"),
          full_notebooks: bool = typer.Option(False, "--full-notebooks", help="Keep the images in the executed notebooks too (default: text only; images are in report.html)"),
          pdf: bool = typer.Option(False, "--pdf", help="Also write each client's report.pdf"),
          lang: Optional[str] = typer.Option(None, "--lang", help="Language of index.html: zh or en (default: most clients')")) -> None:
    """Run many clients: warm workers, incremental, failure-isolated; writes index.html and batch.json."""
    from workbench.build.batch import InfrastructureError, Options, batch_command
    overrides = {k: v for k, v in (("time_limit", timeout), ("cell_timeout", cell_timeout), ("memory_mb", memory_mb)) if v is not None}
    if full_notebooks:
        overrides["full_notebooks"] = True
    overrides["pdf"] = pdf
    if lang not in (None, "zh", "en"):
        raise typer.BadParameter("--lang must be zh or en")
    try:
        code = batch_command(folders, out, jobs=jobs, force=force, scheduler=scheduler,
                             options=Options.from_env(**overrides), lang=lang)
    except InfrastructureError as exc:  # outputs.md v2: exit 2, one line, no client marked failed
        typer.echo(f"workbench batch: {exc}", err=True)
        raise typer.Exit(2)
    raise typer.Exit(code)


@app.command()
def archive(folders: list[Path] = typer.Argument(..., help="A folder of client folders, or client folders"),
            out: Path = typer.Option(Path("build"), "--out", help="Where the round was built"),
            force: bool = typer.Option(False, "--force", help="Replace a different round already filed")) -> None:
    """File each client's results.json as clients/<id>/history/<period>.json (the next round shows the movement)."""
    from workbench.build.archive import archive_command
    raise typer.Exit(archive_command(folders, out, force=force))


if __name__ == "__main__":  # pragma: no cover
    app()
