"""The `workbench` command. Each command is one function, a thin shell over the module that owns the concept.

Conventions (those of the tools people already use): ``-h``/``--help``, ``--version``, shell completion
(``--install-completion``), ``python -m workbench``; results on stdout, errors and warnings on stderr in one
format (``workbench.cli_output``); ``-q``/``--quiet`` and ``-v``/``--verbose`` before the command; exit 0 ok,
1 when a client has errors or failed, 2 for bad usage (a missing client folder too) and when the command cannot
run at all (outputs.md v2).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from workbench.cli_output import Output, default_lang
from workbench.core.i18n import t

USAGE, FAILED, OK = 2, 1, 0


class _App(typer.Typer):
    """The typer app, turning an escaped exception into one error line: 2 for I/O (the command cannot run), 1 else."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("prog_name", "workbench")
        try:
            return super().__call__(*args, **kwargs)
        except KeyboardInterrupt:
            Output().error(t("cli.interrupted", default_lang()))
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one located line, not a traceback
            out = Output(verbose="-v" in sys.argv or "--verbose" in sys.argv)
            if out.verbose:
                import traceback

                traceback.print_exc()
            key = "cli.io" if isinstance(exc, OSError) else "cli.internal"
            out.error(t(key, out.lang, error=f"{type(exc).__name__}: {exc}"))
            sys.exit(USAGE if isinstance(exc, OSError) else FAILED)


app = _App(name="workbench", no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
           context_settings={"help_option_names": ["-h", "--help"]},
           help="Performance-excellence consulting workbench: intake, scores, deliverables, workshop notebook.")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("workbench")
        except PackageNotFoundError:  # pragma: no cover - run from a source tree without install
            from workbench import __version__ as v
        typer.echo(f"workbench {v}")
        raise typer.Exit(OK)


@app.callback()
def main(ctx: typer.Context,
         quiet: bool = typer.Option(False, "-q", "--quiet", help="Only errors and results: no warnings, notes or progress."),
         verbose: bool = typer.Option(False, "-v", "--verbose", help="Every warning unfolded, stage timings, tracebacks."),
         version: bool = typer.Option(False, "-V", "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """Performance-excellence consulting workbench: intake, scores, deliverables, workshop notebook."""
    ctx.obj = Output(quiet=quiet, verbose=verbose and not quiet)


def _out(ctx: typer.Context) -> Output:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Output) else Output()


def _lang_of(folder: Path) -> str:
    """The client's language from client.yaml (without validating), else the locale's."""
    from workbench.intake.files import client_yaml

    lang = client_yaml(folder).get("language")  # a missing or broken client.yaml is validation's to report
    return lang if lang in ("zh", "en") else default_lang()


def _missing_folders(out: Output, folders: list[Path]) -> bool:
    """Say so for every argument that is not an existing folder; True when there was one (exit 2, like grep)."""
    bad = False
    for f in folders:
        if not f.exists():
            out.error(t("cli.no_folder", out.lang, folder=f))
            bad = True
        elif not f.is_dir():
            out.error(t("cli.not_folder", out.lang, folder=f))
            bad = True
    return bad


def _checked(out: Output, folder: Path) -> tuple[Any, Any, str]:
    """(client or None, report, lang) with the report's issues printed on stderr."""
    from workbench.intake.loading import check_client

    client, report = check_client(folder)
    lang = client.lang if client is not None else _lang_of(folder)
    out.issues(report.issues, lang, prefix=str(folder))
    return client, report, lang


def _usable_out(out: Output, path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".workbench-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        out.error(t("cli.out_unusable", out.lang, out=path, error=exc.strerror or exc))
        return False
    return True


# ---------------------------------------------------------------------------------------------- commands
@app.command()
def new(ctx: typer.Context,
        client_id: str = typer.Argument(..., help="Slug of the new client, e.g. acme-steel"),
        root: Path = typer.Option(Path("clients"), "--root", help="Folder that holds client folders")) -> None:
    """Create clients/<id>/ with client.yaml and a blank intake.xlsx."""
    import re

    from workbench.core.atomic import atomic_write_text
    from workbench.intake.contract import ID_PATTERN
    from workbench.intake.template import client_yaml_text, write_template

    out = _out(ctx)
    if not re.match(ID_PATTERN, client_id) or "\n" in client_id:
        out.error(t("cli.new.bad_id", out.lang, id=repr(client_id)))
        raise typer.Exit(USAGE)
    folder = root / client_id
    if folder.exists():
        out.error(t("cli.new.exists", out.lang, folder=folder))
        raise typer.Exit(FAILED)
    folder.mkdir(parents=True)
    atomic_write_text(folder / "client.yaml", client_yaml_text(client_id))
    write_template(folder / "intake.xlsx")
    out.result(t("cli.new.created", out.lang, folder=folder))


@app.command()
def validate(ctx: typer.Context,
             folders: list[Path] = typer.Argument(..., help="Client folders, or folders of client folders"),
             json_: bool = typer.Option(False, "--json", help="Print the reports as JSON on stdout (nothing on stderr).")) -> None:
    """Validate client folders: every problem, located to file, sheet, row and column. Exit 1 when any has errors."""
    from workbench.intake.loading import check_client
    from workbench.intake.validation import expand_client_folders

    out = _out(ctx)
    missing = _missing_folders(out, folders)
    clients = expand_client_folders([f for f in folders if f.is_dir()])
    docs: list[dict[str, Any]] = []
    n_bad = n_err = n_warn = 0
    langs: set[str] = set()
    for folder in clients:
        if json_:
            _client, report = check_client(folder)
            docs.append(_report_json(folder, report, _client.lang if _client is not None else _lang_of(folder)))
            n_bad += bool(report.errors)
            continue
        _client, report, lang = _checked(out, folder)
        langs.add(lang)
        errs, warns = len(report.errors), len(report.warnings)
        n_err, n_warn, n_bad = n_err + errs, n_warn + warns, n_bad + bool(errs)
        status = t("cli.validate.fail" if errs else "cli.validate.ok", lang)
        out.result(t("cli.validate.client", lang, status=status, folder=folder, errors=errs, warnings=warns),
                   style="bold red" if errs else "green")
    if json_:
        import json

        out.raw(json.dumps({"ok": not n_bad and not missing, "clients": docs}, ensure_ascii=False, indent=2) + "\n")
    elif clients:
        total_lang = langs.pop() if len(langs) == 1 else out.lang  # the clients' language when they share one
        out.result(t("cli.validate.total", total_lang, n=len(clients), ok=len(clients) - n_bad, bad=n_bad,
                     errors=n_err, warnings=n_warn))
    if missing or not folders:
        raise typer.Exit(USAGE)
    raise typer.Exit(FAILED if n_bad else OK)


def _report_json(folder: Path, report: Any, lang: str) -> dict[str, Any]:
    """One client's validation report as JSON (documented in docs/decisions.md, "validate --json")."""
    from workbench.cli_output import issue_location, issue_text

    def val(v: Any) -> Any:
        return v if v is None or isinstance(v, (str, int, float, bool)) else str(v)

    return {"folder": str(folder), "ok": not report.errors, "language": lang,
            "errors": len(report.errors), "warnings": len(report.warnings),
            "issues": [{"severity": i.severity, "code": getattr(i, "code", None), "message": issue_text(i, lang),
                        "location": issue_location(i, lang), "file": i.file, "sheet": i.sheet, "row": i.row,
                        "column": i.column, "value": val(i.value)} for i in report.issues]}


@app.command()
def score(ctx: typer.Context,
          folder: Path = typer.Argument(..., help="Client folder"),
          json_: bool = typer.Option(False, "--json", help="Print results.json (docs/outputs.md) instead of the tables.")) -> None:
    """Compute every score without running a notebook: tables that fit the terminal, checkable against scoring.md."""
    from workbench.analysis.analyse import analyse

    out = _out(ctx)
    if _missing_folders(out, [folder]):
        raise typer.Exit(USAGE)
    client, _report, _lang = _checked(out, folder)
    if client is None:
        raise typer.Exit(FAILED)
    a = analyse(client)
    if json_:
        from workbench.analysis.results import results_document, to_json

        out.raw(to_json(results_document(a)))
    else:
        from workbench.analysis.results import print_summary

        print_summary(a, console=out.out)
    raise typer.Exit(OK)


@app.command()
def run(ctx: typer.Context,
        folder: Path = typer.Argument(..., help="Client folder"),
        out_dir: Path = typer.Option(Path("build"), "-o", "--out", help="Output folder"),
        pdf: bool = typer.Option(False, "--pdf", help="Also write report.pdf (A4, for print)")) -> None:
    """Validate, execute the notebooks through papermill and render <out>/<id>/report.html."""
    from workbench.build.runner import run_client

    out = _out(ctx)
    if _missing_folders(out, [folder]):
        raise typer.Exit(USAGE)
    client, report, lang = _checked(out, folder)
    if client is None or not report.ok:
        out.error(t("cli.run.not_run", lang, client=folder.name))
        raise typer.Exit(FAILED)
    if not _usable_out(out, out_dir):
        raise typer.Exit(USAGE)
    from workbench.core.numfmt import fmt_number

    def hook(stage: str, seconds: float) -> None:
        out.debug(t("cli.run.stage", lang, stage=stage, seconds=fmt_number(seconds, 2)))

    res = run_client(folder, out_dir, checked=(client, report), hook=hook, pdf=pdf)
    secs = fmt_number(res.seconds, 1)
    if res.ok:
        out.result(t("cli.run.ok", lang, client=res.client_id, seconds=secs, path=res.out_dir / ("report.pdf" if pdf else "report.html")))
        raise typer.Exit(OK)
    error = res.error or ""
    out.error(t("cli.run.failed", lang, client=res.client_id, stage=res.stage, seconds=secs,
                error=error if out.verbose else error.strip().splitlines()[-1] if error.strip() else ""))
    raise typer.Exit(FAILED)


@app.command()
def batch(ctx: typer.Context,
          folders: list[Path] = typer.Argument(..., help="A folder of client folders, or client folders"),
          out_dir: Path = typer.Option(Path("build"), "-o", "--out", help="Output folder"),
          jobs: Optional[int] = typer.Option(None, "-j", "--jobs", min=1, help="Parallel workers (default: cores)"),
          force: bool = typer.Option(False, "-f", "--force", help="Rebuild unchanged clients too"),
          scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address"),
          timeout: Optional[float] = typer.Option(None, "--timeout", help="Seconds one client may take (default 900; env WORKBENCH_CLIENT_TIMEOUT)"),
          cell_timeout: Optional[float] = typer.Option(None, "--cell-timeout", help="Seconds one notebook cell may take (default 300)"),
          memory_mb: Optional[int] = typer.Option(None, "--memory-mb", help="Address-space limit of one client's worker in MB (default 4096)"),
          full_notebooks: bool = typer.Option(False, "--full-notebooks", help="Keep the images in the executed notebooks too (default: text only; images are in report.html)"),
          pdf: bool = typer.Option(False, "--pdf", help="Also write each client's report.pdf"),
          lang: Optional[str] = typer.Option(None, "--lang", help="Language of index.html: zh or en (default: most clients')")) -> None:
    """Run many clients: warm workers, incremental, failure-isolated; writes index.html and batch.json."""
    from workbench.build.batch import InfrastructureError, Options, batch_command

    out = _out(ctx)
    if _missing_folders(out, folders):
        raise typer.Exit(USAGE)
    overrides = {k: v for k, v in (("time_limit", timeout), ("cell_timeout", cell_timeout), ("memory_mb", memory_mb)) if v is not None}
    if full_notebooks:
        overrides["full_notebooks"] = True
    overrides["pdf"] = pdf
    if lang not in (None, "zh", "en"):
        out.error("--lang must be zh or en")
        raise typer.Exit(USAGE)
    try:
        code = batch_command(folders, out_dir, jobs=jobs, force=force, scheduler=scheduler,
                             options=Options.from_env(**overrides), progress=not out.quiet, lang=lang)
    except InfrastructureError as exc:  # outputs.md v2: exit 2, one line, no client marked failed
        out.error(f"workbench batch: {exc}")
        raise typer.Exit(USAGE) from None
    raise typer.Exit(code)


@app.command()
def archive(ctx: typer.Context,
            folders: list[Path] = typer.Argument(..., help="A folder of client folders, or client folders"),
            out_dir: Path = typer.Option(Path("build"), "-o", "--out", help="Where the round was built"),
            force: bool = typer.Option(False, "-f", "--force", help="Replace a different round already filed")) -> None:
    """File each client's results.json as clients/<id>/history/<period>.json (the next round shows the movement)."""
    from workbench.build.archive import archive_command

    out = _out(ctx)
    if _missing_folders(out, folders):
        raise typer.Exit(USAGE)
    raise typer.Exit(archive_command(folders, out_dir, force=force))


@app.command()
def lab(ctx: typer.Context,
        client: Optional[str] = typer.Argument(None, help="Client id (a folder under --root) or a client folder"),
        root: Path = typer.Option(Path("clients"), "--root", help="Folder that holds client folders"),
        port: Optional[int] = typer.Option(None, "--port", min=1, max=65535, help="Port (default: a free one)"),
        browser: bool = typer.Option(False, "--browser", help="Also open the URL in this machine's browser.")) -> None:
    """Start JupyterLab on 127.0.0.1 with a fresh token and open the engagement notebook on CLIENT."""
    from workbench.lab import LabError, start_lab

    out = _out(ctx)
    try:
        raise typer.Exit(start_lab(out, client, root, port=port, open_browser=browser))
    except LabError as exc:
        out.error(str(exc))
        raise typer.Exit(USAGE) from None


if __name__ == "__main__":  # pragma: no cover
    app()
