"""A seeded mutation fuzzer over the shipped models: nothing breaks it.

Each mutant is a shipped model with one to three small changes: a value replaced by a hostile one (a number of
5,000 digits, a NUL, markup, a date that does not exist, a string where a boolean belongs, a YAML tag, an alias),
a line deleted, doubled, moved, re-indented or cut, an id copied over another, a random byte. For every mutant:

- validate gives a model, or positioned problems: each one line `file:line:column: message`, at a real line,
  briefly worded; never any other exception;
- a mutant that validates also analyses (scenarios included) and, for a sample, renders: validate exit 0 implies
  report exit 0, and its diagrams carry nothing that runs.

The suite runs a few hundred mutants; `make fuzz` runs more (THREATLIB_FUZZ_MUTANTS, THREATLIB_FUZZ_SEED,
THREATLIB_FUZZ_RENDER_EVERY, THREATLIB_FUZZ_PDF). A failure names the mutant's number and its changes, so
`THREATLIB_FUZZ_ONLY=<number>` replays it alone.
"""

from __future__ import annotations

import os
import random
import re
import traceback

import pytest
from conftest import ROOT
from test_hostile import inert_svg_problems

from threatlib import errors, pipeline
from threatlib.errors import InputError

EnvironmentProblem = getattr(errors, "EnvironmentProblem", OSError)  # so the fuzzer also runs on older versions

MUTANTS = int(os.environ.get("THREATLIB_FUZZ_MUTANTS", "300"))
SEED = int(os.environ.get("THREATLIB_FUZZ_SEED", "1"))
RENDER_EVERY = int(os.environ.get("THREATLIB_FUZZ_RENDER_EVERY", "3"))
PDF = os.environ.get("THREATLIB_FUZZ_PDF", "0") == "1"
ONLY = os.environ.get("THREATLIB_FUZZ_ONLY")
SHIPPED = sorted((ROOT / "models").glob("*.yaml"))

HOSTILE_VALUES = [
    "9" * 5000, "-" + "1" * 400, '"a\\0b"', '"\\e]0;title\\a\\e[2J"', '"evil\\u202etxt"', '"\\x85\\u2028"',
    "'<script>alert(1)</script>'", "'<<TABLE><TR><TD HREF=\"javascript:alert(1)\"> x </TD></TR></TABLE>>'",
    "'<b>x</b>'", "'\"]; evil [label=\"x'", "'{{ 7*7 }}'", "'=HYPERLINK(\"http://e\")'", "'false'", "'true'",
    "0", "-1", "1.5", "1e999", ".inf", "1_000", "2026-13-45", "0000-00-00", "2026-02-30", "'2026-11-01T00:00:00'",
    "2026", "~", "null", "''", "[]", "{}", "[a, b]", "{a: 1}", "*nowhere", "!!binary aGk=", "!!python/object:os.system",
    "!custom x", "yes", "NO", "'a: b'", "'" + "x" * 400 + "'", "'", "\"\\ud800\"", "|\n  a block\n", "? x",
    "'https://example.org/a b'", "javascript:alert(1)", "'%s%n'", "'../../etc/passwd'", "'CON'",
]


# Hostile text that is still valid where free text belongs, so many mutants validate and reach the renderers.
HOSTILE_TEXT = [
    "'<script>alert(1)</script>'", "'<<TABLE><TR><TD HREF=\"javascript:alert(1)\"> x </TD></TR></TABLE>>'",
    "'<img src=x onerror=alert(1)>'", "'<b>x</b> & {{ 7*7 }} {% raw %}'", "'\"]; evil [label=\"x\\\\l'", "'=HYPERLINK(\"http://e\")'",
    '"\\e]0;title\\a\\e[2J bell"', '"evil\\u202etxt.exe"', '"a\\0b"', '"line\\nbreak\\ttab"', "'[x](javascript:alert(1))'",
    "'%s%n ${x} $(id)'", "'" + "W" * 290 + "'", "'\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d'", "':100: :smile: [bold]x[/bold]'",
]
TEXT_KEYS = ("name", "description", "statement", "title", "publisher", "scope", "summary", "justification", "owner", "why",
             "control", "protocol")


def mutate(text: str, rng: random.Random) -> tuple[bytes, list[str]]:
    lines = text.splitlines(keepends=True)
    changes: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        n = rng.randrange(len(lines))
        kind = rng.choice(("text", "text", "text", "text", "value", "value", "value", "delete", "double", "move", "indent", "id",
                           "cut", "insert"))
        if kind == "text":
            texts = [i for i, line in enumerate(lines) if re.match(rf"^\s*(- )?({'|'.join(TEXT_KEYS)}): \S", line)]
            if not texts:  # an earlier change cut them all
                continue
            n = rng.choice(texts)
            key = re.match(r"^(\s*(?:- )?[a-z_]+: )", lines[n])[1]
            value = rng.choice(HOSTILE_TEXT)
            lines[n] = key + value + "\n"
            changes.append(f"line {n + 1}: {key.strip()} {value[:30]!r}")
        elif kind == "value":
            valued = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[a-z_]+: \S", line)]
            if not valued:
                continue
            n = rng.choice(valued)
            key = re.match(r"^(\s*(?:- )?[a-z_]+: )", lines[n])[1]
            value = rng.choice(HOSTILE_VALUES)
            lines[n] = key + value + "\n"
            changes.append(f"line {n + 1}: {key.strip()} {value[:30]!r}")
        elif kind == "delete" and len(lines) > 1:
            del lines[n]
            changes.append(f"line {n + 1}: deleted")
        elif kind == "double":
            lines.insert(n, lines[n])
            changes.append(f"line {n + 1}: doubled")
        elif kind == "move":
            m = rng.randrange(len(lines))
            lines.insert(m, lines.pop(n))
            changes.append(f"line {n + 1}: moved to {m + 1}")
        elif kind == "indent":
            lines[n] = ("  " + lines[n]) if rng.random() < 0.5 else lines[n][2:] if lines[n].startswith("  ") else lines[n]
            changes.append(f"line {n + 1}: re-indented")
        elif kind == "id":
            ids = [m_[1] for m_ in re.finditer(r"\bid: ([a-z0-9-]+)", text)]
            refs = [i for i, line in enumerate(lines) if re.search(r"\b(id|source|sink|operator|boundary|parent): [a-z0-9-]+", line)]
            if ids and refs:
                n = rng.choice(refs)
                new = rng.choice(ids)
                lines[n] = re.sub(r"(\b(?:id|source|sink|operator|boundary|parent): )[a-z0-9-]+", lambda m_, new=new: m_[1] + new, lines[n],
                                  count=1)
                changes.append(f"line {n + 1}: reference to {new}")
        elif kind == "cut":
            lines = lines[: max(1, n)]
            changes.append(f"cut after line {max(1, n)}")
        elif kind == "insert":
            at = rng.randrange(len(lines[n]) + 1)
            value = rng.choice(HOSTILE_VALUES)
            lines[n] = lines[n][:at] + value + lines[n][at:]
            changes.append(f"line {n + 1}: {value[:30]!r} inserted at column {at + 1}")
    raw = "".join(lines).encode("utf-8", "surrogatepass")
    if any(c.startswith("cut") for c in changes) is False and rng.random() < 0.08:
        at = rng.randrange(len(raw))
        byte = rng.randrange(256)
        raw = raw[:at] + bytes([byte]) + raw[at:]
        changes.append(f"byte 0x{byte:02x} at offset {at}")
    return raw, changes


def mutants():
    sources = {path: path.read_text(encoding="utf-8") for path in SHIPPED}
    for number in range(MUTANTS):
        if ONLY is not None and number != int(ONLY):
            continue
        rng = random.Random(f"{SEED}-{number}")
        path = rng.choice(SHIPPED)
        raw, changes = mutate(sources[path], rng)
        yield number, path, raw, changes


PROBLEM_LINE = re.compile(r"^(?P<file>[^\n]+):(?P<line>[0-9]+):(?P<column>[0-9]+): (?P<message>[^\n]+)$")


def check_problems(exc: InputError, name: str, raw: bytes) -> list[str]:
    wrong = []
    lines = raw.count(b"\n") + 1
    for problem in exc.problems:
        text = str(problem)
        match = PROBLEM_LINE.match(text)
        if problem.file != name or not match:
            wrong.append(f"not one positioned line: {text[:200]!r}")
        elif not (1 <= problem.line <= lines + 1 and problem.column >= 1):
            wrong.append(f"position outside the file: {text[:200]!r}")
        elif len(problem.message) > 600 or "\n" in problem.message or "<unicode string>" in problem.message:
            wrong.append(f"not a message for people: {text[:200]!r}")
    return wrong


@pytest.mark.slow
def test_mutants_of_the_shipped_models_validate_or_give_positioned_problems_and_agree_with_report(library, tmp_path) -> None:
    from threatlib.render import render_all

    failures: list[str] = []
    outcomes = {"invalid": 0, "valid": 0, "rendered": 0}
    for number, source, raw, changes in mutants():
        path = tmp_path / f"mutant-{number}.yaml"
        path.write_bytes(raw)
        where = f"mutant {number} of {source.name} ({'; '.join(changes)})"
        try:
            pipeline.load(path, library)
        except InputError as exc:
            outcomes["invalid"] += 1
            failures += [f"{where}: {w}" for w in check_problems(exc, str(path), raw)]
            continue
        except (Exception, EnvironmentProblem):  # noqa: B014 - EnvironmentProblem named: it must not happen here either
            failures.append(f"{where}: validate raised {traceback.format_exc(limit=-3)}")
            continue
        outcomes["valid"] += 1
        try:
            _, analysis = pipeline.analyse_file(path, library)
            if outcomes["valid"] % RENDER_EVERY == 1 or RENDER_EVERY == 1:
                files = render_all(analysis, pdf=PDF)
                outcomes["rendered"] += 1
                for name in sorted(n for n in files if n.endswith(".svg")):
                    failures += [f"{where}: {name} has {p}" for p in inert_svg_problems(files[name])]
        except Exception:
            failures.append(f"{where}: validated, then report failed: {traceback.format_exc(limit=-3)}")
    assert failures == [], f"{len(failures)} failures; first: " + "\n\n".join(failures[:5])
    if ONLY is None:
        # The fuzzer must reach both sides and the renderers, or it proves little.
        assert outcomes["invalid"] > MUTANTS // 4 and outcomes["valid"] > MUTANTS // 10 and outcomes["rendered"] >= 5, outcomes
