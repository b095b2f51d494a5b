"""Command line: parses arguments, calls the pipeline, maps errors to exit codes.

Exit codes: 0 success; 2 bad input (each problem printed as file:line:column: message); 3 the system refused
a read or a write (one line naming the path and what to do); 1 other failure.
"""

from __future__ import annotations

import atexit
import gc
import json
import sys
from pathlib import Path

import click

import threatlib
from threatlib import pipeline  # imports each stage only when a command runs it
from threatlib.commands import authoring, reference, sources
from threatlib.commands.common import err, exit_codes, library_option, load_libraries, print_problems, say, write_out
from threatlib.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EnvironmentProblem, InputError, Problem, shown


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(threatlib.__version__, prog_name="threatlib")
def main() -> None:
    """Jurisdiction-aware data-flow threat modelling: which state can compel an app's maker, and what follows."""


@main.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path))
@library_option
def validate(models: tuple[Path, ...]) -> None:
    """Check model files, scenarios included, as report does; print each problem as file:line:column and exit 2
    if any is invalid (3 if one cannot be read)."""
    library = load_libraries()
    failed = unreadable = False
    for path in models:
        try:
            model, warnings = pipeline.load_with_warnings(path, library)
        except EnvironmentProblem as exc:
            say(str(exc))
            click.echo(f"{shown(str(path))}: unreadable (listed on standard error)")
            unreadable = True
            continue
        except InputError as exc:
            print_problems(exc)
            count = len(exc.problems)
            click.echo(f"{shown(str(path))}: invalid ({count} problem{'s' if count != 1 else ''}, listed on standard error)")
            failed = True
            continue
        for warning in warnings:
            say(str(warning))
        click.echo(f"{shown(str(path))}: valid ({len(model.elements)} elements, {len(model.flows)} flows, "
                   f"{len(model.organisations)} organisations, {len(model.sources)} sources)")
    # validate leaves no garbage worth collecting, and writes no file that a collection would close: at exit, the
    # interpreter's last collection would only walk every object the library and the schemas made, a tenth of the
    # command's time. Frozen objects are not walked; frozen at exit, so a program that calls main() keeps its own.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    sys.exit(EXIT_ENVIRONMENT if unreadable else EXIT_BAD_INPUT if failed else 0)


@main.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Folder for the reports; each model writes OUTPUT/<model id>/.")
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also render report.pdf with WeasyPrint.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Folder of templates that override the built-in ones by file name.")
@library_option
def report(models: tuple[Path, ...], out_dir: Path, pdf: bool, templates: Path | None) -> None:
    """Write diagrams, threat lists, exports, the HTML/PDF report and the PDF brief for each model.

    A MODEL is a threatlib YAML file or a pytm script (.py). A pytm script is RUN AS PYTHON CODE with your
    privileges: only report scripts you trust. Every model is validated first; if any is invalid nothing
    is written and the exit code is 2.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    library = load_libraries()
    problems: list = []
    first_with_id: dict[str, Path] = {}
    with exit_codes():  # a file that cannot be read stops the run; bad input is gathered from every model first
        for path in models:
            try:
                model_id = pipeline.load(path, library).metadata.id  # the model itself is not kept: report loads it
            except InputError as exc:
                problems += exc.problems
                continue
            earlier = first_with_id.setdefault(model_id, path)
            if earlier != path:
                problems.append(_same_id(path, earlier, model_id))
    if problems:
        print_problems(InputError(problems))
        sys.exit(EXIT_BAD_INPUT)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # The progress bar is closed before any problem is printed, so the message is the last thing on screen. It is
    # redrawn as each model is written, with no refresh thread: a report forks its PDF renderers, which a running
    # thread would forbid.
    with exit_codes(), Progress(*columns, console=err.console(), transient=True, disable=not err.is_terminal,
                                auto_refresh=False) as progress:
        task = progress.add_task("reports", total=len(models))
        # The models are shared out among the cores; each is reported, in order, as soon as it is written.
        results = pipeline.reports(list(models), library, out_dir, pdf=pdf, user_templates=templates,
                                   ids_checked=True)  # two models with one id were refused above
        for path, (written, warnings) in zip(models, results, strict=True):
            progress.update(task, description=f"report {path.name}", advance=1, refresh=True)
            for warning in warnings:
                say(f"{path}: warning: {warning}")
            say(f"{path}: wrote {written}")


def _same_id(path: Path, earlier: Path, model_id: str) -> Problem:
    """Two models with one metadata.id would write the same report folder, the second over the first."""
    message = (f"metadata.id '{model_id}' is also the id of {earlier}, given earlier in this run; both would write "
               f"OUTPUT/{model_id}/: give each model its own id")
    if pipeline.is_pytm_script(path):
        return Problem(str(path), 1, 1, message)
    from threatlib.spec import read_yaml

    return read_yaml(path).problem(("metadata", "id"), message)


def _export_format(ctx, param, value: str) -> str:
    """The formats are known once the renderers are imported, so the argument is checked when export runs."""
    from threatlib.render.outputs import output_names

    return click.Choice(output_names()).convert(value, param, ctx)


class _ExportCommand(click.Command):
    """`threatlib export --help` lists the outputs from their registry, imported only when that help is asked for."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from threatlib.render.outputs import export_help

        super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text("FORMAT is one of these (each the file `threatlib report` writes):")
            with formatter.indentation():
                for line in export_help().splitlines():
                    formatter.write(f"{formatter.current_indent * ' '}{line}\n")


@main.command(name="compare")
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("reports/comparison"), show_default=True,
              help="Folder for comparison.html, .pdf, .json and the portfolio picture (a folder of its own).")
@click.option("--pdf/--no-pdf", default=True, show_default=True, help="Also render comparison.pdf with WeasyPrint.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Folder of templates that override the built-in ones by file name.")
@click.option("--title", default=None, help="What the comparison is for (default: a portfolio file's title).")
@click.option("--organisation", default=None, help="The reader's organisation (default: a portfolio file's).")
def compare_command(models: tuple[Path, ...], out_dir: Path, pdf: bool, templates: Path | None, title: str | None,
                    organisation: str | None) -> None:
    """Compare apps side by side: each app's judgements by foreign legal order, ranked, with the portfolio at a glance.

    A MODEL is a threatlib YAML file, a pytm script (.py, RUN AS PYTHON CODE: only scripts you trust) or a
    portfolio file (YAML with a top-level `portfolio:` key: title, organisation, models). Models are analysed in
    parallel. Each app links its own report when it sits beside the output folder (OUTPUT/../<model id>/report.html,
    as `threatlib report ... -o reports` then `-o reports/comparison` lays them out). If any model is invalid
    nothing is written and the exit code is 2.
    """
    from threatlib import compare

    library = load_libraries()
    with exit_codes():
        try:
            written = compare.run(list(models), library, out_dir, pdf=pdf, user_templates=templates, title=title,
                                  organisation=organisation)
        except compare.OutputFolderError as exc:
            err.print(f"error: {exc}", markup=False)
            sys.exit(2)
    err.print(f"wrote {written}", markup=False)


@main.command(cls=_ExportCommand)
@click.argument("export_format", metavar="FORMAT", callback=_export_format)
@click.argument("model", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write (replaced in one step); standard output if not given.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="Folder of templates that override the built-in ones by file name (for html, pdf and brief).")
@library_option
def export(export_format: str, model: Path, output: Path | None, templates: Path | None) -> None:
    """Write one output of MODEL, the same bytes as the file `threatlib report` writes.

    The model is validated first; if it is invalid nothing is written and the exit code is 2.
    """
    from threatlib.render.outputs import Inputs, output_named, render_output

    library = load_libraries()
    with exit_codes():
        _, analysis = pipeline.analyse_file(model, library)
        write_out(render_output(output_named(export_format), Inputs(analysis, templates)), output)


def _variant(spec: str) -> tuple[Path, str | None]:
    path, _, scenario = spec.partition("#")
    return Path(path), scenario or None


@main.command()
@click.argument("before", metavar="A")
@click.argument("after", metavar="B")
@click.option("--json", "as_json", is_flag=True, help="Print the difference as JSON.")
@library_option
def diff(before: str, after: str, as_json: bool) -> None:
    """Compare two models, or a model and one of its scenarios, by stable finding id.

    A and B are model files, or MODEL#SCENARIO for one of a model's scenarios
    (e.g. models/tiktok.yaml models/tiktok.yaml#project-clover-as-described).
    """
    from threatlib.analysis.diff import diff_exposures, diff_findings, diff_text

    library = load_libraries()
    with exit_codes():
        a = pipeline.analyse_variant(*_variant(before), library)
        b = pipeline.analyse_variant(*_variant(after), library)
    findings = diff_findings(a, b)
    if as_json:
        result = {"before": a.model.name, "after": b.model.name, "findings": findings.model_dump(mode="json"),
                  "exposures": diff_exposures(a, b).model_dump(mode="json")}
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        # Model names reach the terminal here: control and bidirectional characters are shown escaped.
        click.echo("".join(shown(line) + "\n" for line in diff_text(a, b, findings).splitlines()), nl=False)


@main.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free one).")
@click.option("--library", "library_dir", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
              help="A user library folder (jurisdictions/, threats/), loaded after the built-in one and watched too.")
def serve(model: Path, port: int, library_dir: Path | None) -> None:
    """A live preview of MODEL on http://127.0.0.1:PORT/: validated and rendered again (HTML only) on every save,
    problems shown as file:line:column beside the last good report, the page refreshed by itself. Ctrl-C stops."""
    from threatlib.preview import serve as run

    with exit_codes():
        run(model, port, library_dir, say)


for command in (authoring.new, authoring.new_jurisdiction, authoring.new_threat, authoring.import_command,
                reference.schema, reference.catalogue, reference.library_command, reference.export_pytm_threats,
                sources.check_sources):
    main.add_command(command)


if __name__ == "__main__":
    main()
