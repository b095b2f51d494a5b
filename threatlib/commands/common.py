"""What every command shares: standard error without markup, exit codes for each kind of failure, --library."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

from threatlib.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EnvironmentProblem, InputError, ThreatConditionError, shown

# `threatlib --help` and `validate` import only what they need: rich, the library, pytm, the renderers
# are imported by the commands that use them, when they run.


def Console(*args, **kwargs):  # noqa: N802 - rich's Console, imported when one is made
    from rich.console import Console

    return Console(*args, **kwargs)


class _StandardError:
    """rich's console on standard error, made on first use. Error text is never markup or emoji (`file:100:9:`
    holds the emoji code :100:); every line is printed as is."""

    _console = None

    def console(self):
        """rich's Console itself, for what uses it as a context manager (a progress bar): Python looks such
        methods up on the type, never through __getattr__."""
        if _StandardError._console is None:
            _StandardError._console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
        return _StandardError._console

    def __getattr__(self, name: str):
        return getattr(self.console(), name)


err = _StandardError()


def write_file(path, content: bytes) -> None:
    from threatlib.output import write_file as write

    write(path, content)


def _remember_libraries(ctx: click.Context, _param, folders: tuple[Path, ...]) -> None:
    ctx.meta["threatlib.libraries"] = ctx.meta.get("threatlib.libraries", ()) + tuple(folders)


# Every command that loads the library takes --library; `load_libraries()` reads what was given.
library_option = click.option(
    "--library", "libraries", multiple=True, expose_value=False, callback=_remember_libraries,
    type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
    help="A user library folder (DIR/jurisdictions/CODE.yaml, DIR/threats/FAMILY/ID/threat.yaml), loaded after "
         "the built-in one and validated the same way; repeat for more than one.")


@contextmanager
def exit_codes():
    """Bad input exits 2 with positioned problems; a refused read or write exits 3; a broken threat rule exits 1;
    never a traceback for any of them."""
    try:
        yield
    except InputError as exc:
        print_problems(exc)
        sys.exit(EXIT_BAD_INPUT)
    except EnvironmentProblem as exc:
        say(str(exc))
        sys.exit(EXIT_ENVIRONMENT)
    except OSError as exc:  # a refusal no stage named more precisely
        say(str(EnvironmentProblem.from_os_error(exc.filename or "(unknown path)", "read or write", exc)))
        sys.exit(EXIT_ENVIRONMENT)
    except ThreatConditionError as exc:
        say(f"error: broken threat rule: {exc}")
        sys.exit(1)


def say(line: str) -> None:
    click.echo(shown(line), err=True)  # plain text: no markup, no emoji, and validate need not load rich


def print_problems(exc: InputError) -> None:
    for problem in exc.problems:
        say(str(problem))


def write_out(content: bytes, output: Path | None) -> None:
    """To the file named, or to standard output when none is."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        write_file(output, content)


def load_libraries():
    """The built-in library with the --library folders the command was given."""
    from threatlib.collector import collector_paused

    # Importing the library's modules (pydantic's among them) and loading it make objects that live for the
    # whole command; the garbage collector's passes over them while they are made find nothing to free.
    with exit_codes(), collector_paused():
        from threatlib.library import load_library

        ctx = click.get_current_context(silent=True)
        return load_library(user=ctx.meta.get("threatlib.libraries", ()) if ctx else ())
