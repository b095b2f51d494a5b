"""Command line: parses arguments, calls the pipeline, maps errors to exit codes.

Exit codes: 0 success; 2 bad input (each problem printed as file:line:column: message); 3 the system refused
a read or a write (one line naming the path and what to do); 1 other failure.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

import threatlib
from threatlib import pipeline  # imports each stage only when a command runs it
from threatlib.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EnvironmentProblem, InputError, Problem, ThreatConditionError, shown

# `threatlib --help` and `validate` import only what they need: rich, the library, pytm, the renderers
# are imported by the commands that use them, when they run.


def Console(*args, **kwargs):  # noqa: N802 - rich's Console, imported when one is made
    from rich.console import Console

    return Console(*args, **kwargs)


class _StandardError:
    """rich's console on standard error, made on first use. Error text is never markup or emoji (`file:100:9:`
    holds the emoji code :100:); every line is printed as is."""

    _console = None

    def __getattr__(self, name: str):
        if _StandardError._console is None:
            _StandardError._console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
        return getattr(_StandardError._console, name)


err = _StandardError()


def write_file(path, content: bytes) -> None:
    from threatlib.output import write_file as write

    write(path, content)


def _remember_libraries(ctx: click.Context, _param, folders: tuple[Path, ...]) -> None:
    ctx.meta["threatlib.libraries"] = ctx.meta.get("threatlib.libraries", ()) + tuple(folders)


# Every command that loads the library takes --library; `_library()` reads what was given.
library_option = click.option(
    "--library", "libraries", multiple=True, expose_value=False, callback=_remember_libraries,
    type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
    help="A user library folder (DIR/jurisdictions/CODE.yaml, DIR/threats/FAMILY/ID/threat.yaml), loaded after "
         "the built-in one and validated the same way; repeat for more than one.")


@contextmanager
def _exit_codes():
    """Bad input exits 2 with positioned problems; a refused read or write exits 3; a broken threat rule exits 1;
    never a traceback for any of them."""
    try:
        yield
    except InputError as exc:
        _print_problems(exc)
        sys.exit(EXIT_BAD_INPUT)
    except EnvironmentProblem as exc:
        _say(str(exc))
        sys.exit(EXIT_ENVIRONMENT)
    except OSError as exc:  # a refusal no stage named more precisely
        _say(str(EnvironmentProblem.from_os_error(exc.filename or "(unknown path)", "read or write", exc)))
        sys.exit(EXIT_ENVIRONMENT)
    except ThreatConditionError as exc:
        _say(f"error: broken threat rule: {exc}")
        sys.exit(1)


def _say(line: str) -> None:
    click.echo(shown(line), err=True)  # plain text: no markup, no emoji, and validate need not load rich


def _print_problems(exc: InputError) -> None:
    for problem in exc.problems:
        _say(str(problem))


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
    library = _library()
    failed = unreadable = False
    for path in models:
        try:
            model, warnings = pipeline.load_with_warnings(path, library)
        except EnvironmentProblem as exc:
            _say(str(exc))
            click.echo(f"{shown(str(path))}: unreadable (listed on standard error)")
            unreadable = True
            continue
        except InputError as exc:
            _print_problems(exc)
            count = len(exc.problems)
            click.echo(f"{shown(str(path))}: invalid ({count} problem{'s' if count != 1 else ''}, listed on standard error)")
            failed = True
            continue
        for warning in warnings:
            _say(str(warning))
        click.echo(f"{shown(str(path))}: valid ({len(model.elements)} elements, {len(model.flows)} flows, "
                   f"{len(model.organisations)} organisations, {len(model.sources)} sources)")
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

    library = _library()
    problems: list = []
    first_with_id: dict[str, Path] = {}
    with _exit_codes():  # a file that cannot be read stops the run; bad input is gathered from every model first
        for path in models:
            try:
                model = pipeline.load(path, library)
            except InputError as exc:
                problems += exc.problems
                continue
            earlier = first_with_id.setdefault(model.metadata.id, path)
            if earlier != path:
                problems.append(_same_id(path, earlier, model.metadata.id))
    if problems:
        _print_problems(InputError(problems))
        sys.exit(EXIT_BAD_INPUT)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    # The progress bar is closed before any problem is printed, so the message is the last thing on screen.
    with _exit_codes(), Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("reports", total=len(models))
        # The models are shared out among the cores; each is reported, in order, as soon as it is written.
        results = pipeline.reports(list(models), library, out_dir, pdf=pdf, user_templates=templates)
        for path, (written, warnings) in zip(models, results, strict=True):
            progress.update(task, description=f"report {path.name}")
            progress.advance(task)
            for warning in warnings:
                _say(f"{path}: warning: {warning}")
            _say(f"{path}: wrote {written}")


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

    library = _library()
    with _exit_codes():
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

    library = _library()
    with _exit_codes():
        _, analysis = pipeline.analyse_file(model, library)
        _write(render_output(output_named(export_format), Inputs(analysis, templates)), output)


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

    library = _library()
    with _exit_codes():
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
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write; standard output if not given.")
def schema(output: Path | None) -> None:
    """Write the JSON Schema of the model format, for completion and checking in an editor."""
    from threatlib.spec.json_schema import model_json_schema

    with _exit_codes():
        _write(model_json_schema(), output)


@main.command()
@click.argument("name")
@click.option("--from", "source", default=None, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The model to start from, e.g. models/tiktok.yaml; without it, a short commented skeleton.")
@click.option("--models-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("models"), show_default=True)
@library_option
def new(name: str, source: Path | None, models_dir: Path) -> None:
    """Start models/NAME.yaml: a short commented skeleton showing every section once (valid as it stands), or,
    with --from, an existing model with its vendor facts and sources marked REPLACE, which `threatlib validate`
    then lists until each is filled in."""
    from threatlib.scaffold import scaffold, skeleton

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", name):
        _say(f"error: '{name}' is not a model id: use lowercase letters, digits and hyphens")
        sys.exit(2)
    target = models_dir / f"{name}.yaml"
    if target.exists():
        _say(f"error: {target} already exists; choose another name or remove it")
        sys.exit(2)
    if source is not None:
        with _exit_codes():
            pipeline.load(source, _library())  # start only from a model that is valid
    models_dir.mkdir(parents=True, exist_ok=True)
    with _exit_codes():
        write_file(target, (scaffold(source, name) if source is not None else skeleton(name)).encode("utf-8"))
    if source is None:
        click.echo(f"wrote {target}: every section with an example entry; replace them with your app's facts and "
                   f"run `threatlib validate {target}`")
    else:
        click.echo(f"wrote {target}; run `threatlib validate {target}` to see what is left to fill in")


def _write_skeleton(files: dict[str, str], into: Path, what: str) -> None:
    targets = {into / name: text for name, text in files.items()}
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        err.print(f"error: {', '.join(existing)} already exists; choose another {what} or remove it", markup=False)
        sys.exit(2)
    for target, text in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"wrote {target}")
    from threatlib.library import LIBRARY_DIR

    if into.resolve() == LIBRARY_DIR.resolve():  # a contributor's addition to the built-in library, proved by the tests
        click.echo("replace each REPLACE: value, then prove it with `make test-fast` (CONTRIBUTING.md)")
    else:
        click.echo(f"replace each REPLACE: value, then run `threatlib library --library {into} --prove`")


@main.command(name="new-jurisdiction")
@click.argument("code")
@click.option("--into", type=click.Path(path_type=Path, file_okay=False), default=Path("library"), show_default=True,
              help="The user library folder to write into (it holds jurisdictions/ and threats/).")
def new_jurisdiction(code: str, into: Path) -> None:
    """Start a legal order in a user library: INTO/jurisdictions/CODE.yaml, a commented skeleton of every key,
    and its proof INTO/jurisdictions/proofs/CODE.yaml (docs/jurisdictions.md explains both)."""
    from threatlib.scaffold import jurisdiction_skeleton

    if not re.fullmatch(r"[A-Z]{2}", code):
        err.print(f"error: '{code}' is not a jurisdiction code: use two capital letters (XA to XZ are free for your own)",
                  markup=False)
        sys.exit(2)
    _write_skeleton(jurisdiction_skeleton(code), into, "code")


@main.command(name="new-threat")
@click.argument("threat_id", metavar="ID")
@click.option("--family", required=True, help="The threat's family: its folder under threats/, e.g. marketplace.")
@click.option("--into", type=click.Path(path_type=Path, file_okay=False), default=Path("library"), show_default=True,
              help="The user library folder to write into (it holds jurisdictions/ and threats/).")
def new_threat(threat_id: str, family: str, into: Path) -> None:
    """Start a threat in a user library: INTO/threats/FAMILY/ID/threat.yaml, a commented skeleton of every key,
    with its proof fixtures fires.yaml (where it must fire, marked) and near_miss.yaml (docs/threats.md explains them)."""
    from threatlib.scaffold import threat_skeleton

    if not re.fullmatch(r"[A-Z]{2,5}-\d{2,3}", threat_id):
        err.print(f"error: '{threat_id}' is not a threat id: a family prefix and a number, e.g. MK-01", markup=False)
        sys.exit(2)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", family):
        err.print(f"error: '{family}' is not a family name: use lowercase letters, digits and hyphens", markup=False)
        sys.exit(2)
    _write_skeleton(threat_skeleton(threat_id, family), into, "id")


@main.command(name="import")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The model file to write, e.g. models/NAME.yaml; NAME becomes the model id.")
def import_command(source: Path, output: Path) -> None:
    """Turn a Threat Dragon v2 model or an Open Threat Model (OTM) file into a threatlib model file.

    Every element, flow and trust boundary is kept, and each threat as a note on its element or flow. The
    legal layer is left to add ('REPLACE:' comments say where); until then the model reports without it.
    """
    from threatlib.spec.interchange import write_imported

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", output.stem):
        err.print(f"error: '{output.stem}' is not a model id: name the file with lowercase letters, digits and hyphens",
                  markup=False)
        sys.exit(2)
    if output.exists():
        err.print(f"error: {output} already exists; choose another name or remove it", markup=False)
        sys.exit(2)
    with _exit_codes():
        model = write_imported(source, output, _library())
    click.echo(f"wrote {output}: {len(model.elements)} elements, {len(model.flows)} flows, {len(model.boundaries)} trust "
               "boundaries; the legal layer is not modelled yet (see its 'REPLACE:' comments)")


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write; standard output if not given.")
@library_option
def catalogue(output: Path | None) -> None:
    """Write the library catalogue (threats and jurisdictions) as Markdown, generated from the data."""
    from threatlib.library.catalogue import catalogue_markdown

    with _exit_codes():
        _write(catalogue_markdown(_library()).encode("utf-8"), output)


@main.command(name="export-pytm-threats")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False))
@library_option
def export_pytm_threats(output: Path) -> None:
    """Write threatlib's threats as a pytm threats file (load it with TM(..., threatsFile=FILE)).

    In plain pytm they fire only on elements that carry threatlib's derived `facts`.
    """
    from threatlib.library.pytm_export import pytm_threats_json

    with _exit_codes():
        write_file(output, pytm_threats_json(_library()))
    click.echo(f"wrote {output}")


@main.command(name="check-sources")
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Addresses fetched at once.")
@click.option("--timeout", type=click.FloatRange(0.1, 300), default=15.0, show_default=True, help="Seconds per request.")
@click.option("--digests", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="JSON file of page digests by address: pages whose content differs are reported as changed.")
@click.option("--record", is_flag=True, help="Write the digests fetched now into the --digests file.")
def check_sources(models: tuple[Path, ...], concurrency: int, timeout: float, digests: Path | None, record: bool) -> None:
    """Fetch every address the models cite; report dead, moved and changed pages, with an archived copy's address.

    Exit 0 if every address answered as recorded, 1 if any is dead, unreachable, refused or changed, 2 on bad input.
    """
    from threatlib import sources_check
    from threatlib.spec import load_model

    if record and digests is None:
        raise click.UsageError("--record needs --digests FILE")
    library = _library()
    addresses = []
    with _exit_codes():
        for path in models:
            model, doc = load_model(path, library)
            addresses += sources_check.model_addresses(model, doc)
    recorded = sources_check.read_digests(digests) if digests else {}
    outcomes = sources_check.check_addresses(addresses, concurrency=concurrency, timeout=timeout,
                                             digests={} if record else recorded)
    for outcome in outcomes:
        if outcome.state != "ok":
            click.echo(outcome.line())
    failed = sum(1 for o in outcomes if o.problem)
    click.echo(f"{len(outcomes)} addresses checked: {len(outcomes) - failed} answered as recorded, {failed} to look at")
    if record:
        sources_check.write_digests(digests, outcomes, recorded)
    sys.exit(1 if failed else 0)


def _write(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        write_file(output, content)


@main.command(name="library")
@library_option
@click.option("--tags", is_flag=True, help="List the element tags, data tags and sectors, one a line with its definition.")
@click.option("--prove", is_flag=True, help="Validate the library and run every proof: each legal order's proofs/CODE.yaml "
                                            "and each user threat's fires.yaml and near_miss.yaml.")
def library_command(tags: bool, prove: bool) -> None:
    """List the library: jurisdictions with their laws and safeguard ratings, and threats."""
    from rich.table import Table

    if tags:
        from threatlib.spec.vocabulary import DATA_TAGS, ELEMENT_TAGS, SECTORS

        for title, definitions in (("Element tags (elements: tags)", ELEMENT_TAGS), ("Data tags (data: tags)", DATA_TAGS),
                                   ("Sectors (organisations: sectors)", SECTORS)):
            click.echo(f"{title}:")
            width = max(len(m.value) for m in definitions)
            for member, text in definitions.items():
                click.echo(f"  {member.value.ljust(width)}  {text}")
        return
    library = _library()
    if prove:
        from threatlib.library.proofs import prove_library

        with _exit_codes():
            proved = prove_library(library)
        click.echo(f"proved {proved}")
        return
    out = Console(highlight=False, soft_wrap=True)
    table = Table(title="Jurisdictions", show_lines=False)
    for column in ("code", "name", "part of", "laws", "provisions", "authorities",
                   "EDPB guarantees: rules / necessity / oversight / remedies", "library"):
        table.add_column(column)
    for code, j in sorted(library.jurisdictions.items()):
        g = j.essential_guarantees
        ratings = " / ".join(getattr(g, name).rating.value for name in type(g).model_fields)
        table.add_row(code, j.name, j.part_of or "", str(len(j.laws)), str(sum(len(l.provisions) for l in j.laws)),
                      str(len(j.authorities)), ratings, library.origin(code))
    out.print(table)
    table = Table(title="Threats")
    for column in ("id", "family", "title", "targets", "severity", "likelihood", "library"):
        table.add_column(column)
    for loaded in library.threats:
        t = loaded.threat
        table.add_row(t.id, t.family, t.title, ", ".join(k.value for k in t.targets), t.severity.label, t.likelihood.label,
                      loaded.origin)
    out.print(table)


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

    with _exit_codes():
        run(model, port, library_dir, _say)


def _library():
    from threatlib.library import load_library

    with _exit_codes():
        ctx = click.get_current_context(silent=True)
        return load_library(user=ctx.meta.get("threatlib.libraries", ()) if ctx else ())


if __name__ == "__main__":
    main()
