"""Command line: parses arguments, calls the pipeline, maps errors to exit codes.

Exit codes: 0 success; 2 bad input (each problem printed as file:line:column: message); 1 other failure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import threatlib
from threatlib import pipeline
from threatlib.errors import InputError, ThreatConditionError
from threatlib.library import load_library

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _print_problems(exc: InputError) -> None:
    for problem in exc.problems:
        err.print(str(problem), markup=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(threatlib.__version__, prog_name="threatlib")
def main() -> None:
    """Jurisdiction-aware data-flow threat modelling: which state can compel an app's maker, and what follows."""


@main.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def validate(models: tuple[Path, ...]) -> None:
    """Check model files; print each problem as file:line:column and exit 2 if any is invalid."""
    library = _library()
    failed = False
    for path in models:
        try:
            model = pipeline.load(path, library)
        except InputError as exc:
            _print_problems(exc)
            failed = True
            continue
        click.echo(f"{path}: valid ({len(model.elements)} elements, {len(model.flows)} flows, "
                   f"{len(model.organisations)} organisations, {len(model.sources)} sources)")
    sys.exit(2 if failed else 0)


@main.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"),
              show_default=True, help="Folder for the reports; each model writes OUTPUT/<model id>/.")
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also render report.pdf with WeasyPrint.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Folder of templates that override the built-in ones by file name.")
def report(models: tuple[Path, ...], out_dir: Path, pdf: bool, templates: Path | None) -> None:
    """Write diagrams, threat lists and HTML/PDF reports for each model.

    Every model is validated first; if any is invalid nothing is written and the exit code is 2.
    """
    library = _library()
    problems: list = []
    for path in models:
        try:
            pipeline.load(path, library)
        except InputError as exc:
            problems += exc.problems
    if problems:
        _print_problems(InputError(problems))
        sys.exit(2)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=not err.is_terminal) as progress:
        task = progress.add_task("reports", total=len(models))
        for path in models:
            progress.update(task, description=f"report {path.name}")
            try:
                written = pipeline.report(path, library, out_dir, pdf=pdf, user_templates=templates)
            except InputError as exc:
                _print_problems(exc)
                sys.exit(2)
            except ThreatConditionError as exc:
                err.print(f"error: broken threat rule: {exc}", markup=False)
                sys.exit(1)
            progress.advance(task)
            err.print(f"{path}: wrote {written}", markup=False)


def _library():
    try:
        return load_library()
    except InputError as exc:
        _print_problems(exc)
        sys.exit(2)


if __name__ == "__main__":
    main()
