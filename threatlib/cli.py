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
from threatlib.render.exports import EXPORTS

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
                written, warnings = pipeline.report(path, library, out_dir, pdf=pdf, user_templates=templates)
            except InputError as exc:
                _print_problems(exc)
                sys.exit(2)
            except ThreatConditionError as exc:
                err.print(f"error: broken threat rule: {exc}", markup=False)
                sys.exit(1)
            progress.advance(task)
            for warning in warnings:
                err.print(f"{path}: warning: {warning}", markup=False)
            err.print(f"{path}: wrote {written}", markup=False)


@main.command()
@click.argument("export_format", metavar="FORMAT", type=click.Choice(list(EXPORTS)))
@click.argument("model", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write; standard output if not given.")
def export(export_format: str, model: Path, output: Path | None) -> None:
    """Write one machine-readable view of MODEL: otm (Open Threat Model), threatdragon (OWASP Threat Dragon v2),
    sarif (SARIF 2.1.0), json (as threats.json) or csv (as threats.csv).

    The model is validated first; if it is invalid nothing is written and the exit code is 2.
    """
    library = _library()
    try:
        _, analysis = pipeline.analyse_file(model, library)
    except InputError as exc:
        _print_problems(exc)
        sys.exit(2)
    except ThreatConditionError as exc:
        err.print(f"error: broken threat rule: {exc}", markup=False)
        sys.exit(1)
    content = EXPORTS[export_format](analysis)
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.write_bytes(content)


@main.command(name="library")
def library_command() -> None:
    """List the library: jurisdictions with their laws and safeguard ratings, and threats."""
    from rich.table import Table

    library = _library()
    out = Console(highlight=False, soft_wrap=True)
    table = Table(title="Jurisdictions", show_lines=False)
    for column in ("code", "name", "part of", "laws", "provisions", "authorities",
                   "EDPB guarantees: rules / necessity / oversight / remedies"):
        table.add_column(column)
    for code, j in sorted(library.jurisdictions.items()):
        g = j.essential_guarantees
        ratings = " / ".join(getattr(g, name).rating.value for name in type(g).model_fields)
        table.add_row(code, j.name, j.part_of or "", str(len(j.laws)), str(sum(len(l.provisions) for l in j.laws)),
                      str(len(j.authorities)), ratings)
    out.print(table)
    table = Table(title="Threats")
    for column in ("id", "family", "title", "targets", "severity", "likelihood"):
        table.add_column(column)
    for loaded in library.threats:
        t = loaded.threat
        table.add_row(t.id, t.family, t.title, ", ".join(k.value for k in t.targets), t.severity.label, t.likelihood.label)
    out.print(table)


def _library():
    try:
        return load_library()
    except InputError as exc:
        _print_problems(exc)
        sys.exit(2)


if __name__ == "__main__":
    main()
