"""check-sources: is every address the models cite still there, and still saying what it said?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from threatlib.commands.common import exit_codes, load_libraries


@click.command(name="check-sources")
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
    library = load_libraries()
    addresses = []
    with exit_codes():
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
