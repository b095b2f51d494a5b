"""Commands that describe the model format and the library: schema, catalogue, library, export-pytm-threats."""

from __future__ import annotations

from pathlib import Path

import click

from threatlib.commands.common import Console, exit_codes, library_option, load_libraries, write_file, write_out


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write; standard output if not given.")
def schema(output: Path | None) -> None:
    """Write the JSON Schema of the model format, for completion and checking in an editor."""
    from threatlib.spec.json_schema import model_json_schema

    with exit_codes():
        write_out(model_json_schema(), output)


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write; standard output if not given.")
@library_option
def catalogue(output: Path | None) -> None:
    """Write the library catalogue (threats and jurisdictions) as Markdown, generated from the data."""
    from threatlib.docs.catalogue import catalogue_markdown

    with exit_codes():
        write_out(catalogue_markdown(load_libraries()).encode("utf-8"), output)


@click.command(name="export-pytm-threats")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False))
@library_option
def export_pytm_threats(output: Path) -> None:
    """Write threatlib's threats as a pytm threats file (load it with TM(..., threatsFile=FILE)).

    In plain pytm they fire only on elements that carry threatlib's derived `facts`.
    """
    from threatlib.library.pytm_export import pytm_threats_json

    with exit_codes():
        write_file(output, pytm_threats_json(load_libraries()))
    click.echo(f"wrote {output}")


@click.command(name="library")
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
    library = load_libraries()
    if prove:
        from threatlib.proofs import prove_library

        with exit_codes():
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
