"""threats.csv joins cells quoted once (csv_cell) instead of asking csv.writer for every row: each row must be what
csv.writer writes, whatever the cells hold."""

from __future__ import annotations

import csv
import io
import random

from threatlib.render.tables import CSV_LINE_END, csv_cell

# Every character the quoting rule looks at, and some it must leave alone (a leading space, a tab, an apostrophe,
# a backslash, non-ASCII, a bidirectional control, NUL's neighbours).
ALPHABET = [",", '"', "\r", "\n", " ", "\t", "'", "\\", "a", "Z", "0", "é", "字", "\u202e", "\x01", ";", "=", "|"]


def written(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=CSV_LINE_END).writerow(row)
    return out.getvalue()


def test_joined_cells_are_the_rows_csv_writer_writes() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        row = ["".join(rng.choices(ALPHABET, k=rng.randint(0, 6))) for _ in range(rng.randint(2, 13))]
        assert ",".join(csv_cell(c) for c in row) + CSV_LINE_END == written(row), row


def test_the_cells_that_must_be_quoted() -> None:
    assert [csv_cell(c) for c in ["plain", "", " lead", "a,b", 'say "x"', "two\nlines", "cr\r", "'=1"]] == [
        "plain", "", " lead", '"a,b"', '"say ""x"""', '"two\nlines"', '"cr\r"', "'=1"]
