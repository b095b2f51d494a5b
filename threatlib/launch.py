"""The `threatlib` command as installed: the command line (threatlib.cli), started so that large outputs are cheap
to fill.

A report of a large estate builds outputs of a hundred megabytes and more (the JSON exports, SARIF, the HTML
report), each in memory once and then let go. glibc's malloc maps each from the system afresh, and the kernel fills
the mapping 4 KB at a time: a third of such a report's processor time was the kernel's. Where the system gives
transparent huge pages to programs that ask for them (its `madvise` setting, Debian's default), glibc's tunable
`glibc.malloc.hugetlb=1` makes malloc ask, and a fault fills 2 MB. A tunable is read when a process starts, so a
command that writes outputs starts itself once more with it set, before anything else is imported. Nothing else
changes: the restarted process takes the variable out of its environment again, so dot and every other program it
runs see the user's environment as it was. A user who sets GLIBC_TUNABLES keeps their own setting and no restart.
The worker interpreters that report several models at once start with it in the same way (`tuned_spawns`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

TUNABLE = "glibc.malloc.hugetlb=1"
RESTARTED = "THREATLIB_RESTARTED"  # set for the restarted process only, which removes it
THP_SETTING = "/sys/kernel/mm/transparent_hugepage/enabled"
WRITING_COMMANDS = frozenset({"report", "export", "compare"})  # the commands that build large outputs


def entry() -> None:
    if not settle() and _worth_restarting(sys.argv[1:]):
        try:
            os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], {**os.environ, **_TUNED})
        except OSError:
            pass  # run as started: slower for a large estate, the same outputs
    from threatlib.cli import main

    main()


_TUNED = {"GLIBC_TUNABLES": TUNABLE, RESTARTED: "1"}


def settle() -> bool:
    """In a process started with the tunable by this module: take it out of the environment again (it has done
    its work), and say so."""
    if os.environ.pop(RESTARTED, None) is None:
        return False
    os.environ.pop("GLIBC_TUNABLES", None)
    return True


@contextmanager
def tuned_spawns() -> Iterator[None]:
    """Interpreters started afresh inside the block (multiprocessing's spawn) start with the tunable, where a
    restart would give it; each is to call `settle` first. The environment is as it was after the block."""
    if not _worth_restarting(["report"]):
        yield
        return
    os.environ.update(_TUNED)
    try:
        yield
    finally:
        for name in _TUNED:
            os.environ.pop(name, None)


def _worth_restarting(arguments: list[str]) -> bool:
    command = next((a for a in arguments if not a.startswith("-")), None)
    return (command in WRITING_COMMANDS and "GLIBC_TUNABLES" not in os.environ and _glibc()
            and _huge_pages_on_request() and bool(sys.executable))


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc ")
    except (ValueError, OSError, AttributeError):
        return False


def _huge_pages_on_request() -> bool:
    """The kernel's transparent huge pages are in `madvise` mode: given to a mapping that asks (with `always`,
    every large mapping has them already; with `never`, none does)."""
    try:
        with open(THP_SETTING) as setting:
            return "[madvise]" in setting.read()
    except OSError:
        return False
