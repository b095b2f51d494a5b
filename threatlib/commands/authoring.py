"""Commands that start something for the user to fill in: a model (new, import), a legal order, a threat."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from threatlib import pipeline
from threatlib.commands.common import err, exit_codes, library_option, load_libraries, say, write_file


@click.command()
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
        say(f"error: '{name}' is not a model id: use lowercase letters, digits and hyphens")
        sys.exit(2)
    target = models_dir / f"{name}.yaml"
    if target.exists():
        say(f"error: {target} already exists; choose another name or remove it")
        sys.exit(2)
    if source is not None:
        with exit_codes():
            pipeline.load(source, load_libraries())  # start only from a model that is valid
    models_dir.mkdir(parents=True, exist_ok=True)
    with exit_codes():
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


@click.command(name="new-jurisdiction")
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


@click.command(name="new-threat")
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


@click.command(name="import")
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
    with exit_codes():
        model = write_imported(source, output, load_libraries())
    click.echo(f"wrote {output}: {len(model.elements)} elements, {len(model.flows)} flows, {len(model.boundaries)} trust "
               "boundaries; the legal layer is not modelled yet (see its 'REPLACE:' comments)")
