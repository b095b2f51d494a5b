"""The pipeline for many models: each analysed in a process of its own, then one comparison rendered over them.

Models are independent, so they are analysed side by side across the machine's cores. Results are taken in the
order the models were given, whichever finishes first, and the comparison orders its rows by its own rule, so
the output does not depend on timing or on the order of the arguments.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from threatlib import pipeline
from threatlib.analysis.comparison import app_row, compare
from threatlib.analysis.comparison_records import AppRow, Comparison
from threatlib.analysis.model import Analysis
from threatlib.documents.yaml_source import read_yaml
from threatlib.errors import InputError, Problem
from threatlib.library import Library
from threatlib.output import write_outputs

DEFAULT_TITLE = "Which apps may sit on official devices"
_library: Library | None = None  # each worker's library, given once when the worker starts


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def analyse_all(paths: list[Path], library: Library, workers: int | None = None) -> list[Analysis]:
    """Each model's analysis, in the order given; every problem of every model in one InputError."""
    return _in_parallel(_analyse, paths, library, workers)


def rows_all(paths: list[Path], library: Library, workers: int | None = None) -> list[AppRow]:
    """Each model's row of the comparison, made in the process that analysed it: a row is a small part of an
    analysis, so sending rows back rather than whole analyses saves most of the copying between processes."""
    return _in_parallel(_row, paths, library, workers)


def _in_parallel(task, paths: list[Path], library: Library, workers: int | None) -> list:
    workers = max(1, min(workers or cores(), len(paths)))
    global _library
    if workers == 1:
        _library = library
        results = [task(p) for p in paths]
    else:
        # fork, where there is one, starts each worker with the library already loaded (it holds compiled threat
        # conditions, which do not pickle); elsewhere each worker loads it once.
        fork = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
        _library = library if fork else None
        context = multiprocessing.get_context("fork" if fork else None)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=None if fork else _start_worker) as pool:
            results = list(pool.map(task, paths))
    problems = [p for ok, value in results if not ok for p in value]
    if problems:
        raise InputError(problems)
    return [value for _, value in results]


def _start_worker() -> None:
    global _library
    from threatlib.library import load_library

    _library = load_library()


def _analyse(path: Path) -> tuple[bool, object]:
    # An InputError does not survive pickling (its argument is its problems), so its problems travel instead.
    try:
        return True, pipeline.analyse_file(path, _library)[1]
    except InputError as exc:
        return False, exc.problems


def _row(path: Path) -> tuple[bool, object]:
    ok, value = _analyse(path)
    return (True, app_row(value, file=str(path))) if ok else (False, value)


def build(paths: list[Path], library: Library, *, out_dir: Path | None = None, title: str = DEFAULT_TITLE,
          organisation: str | None = None, workers: int | None = None) -> Comparison:
    """The comparison of these models. With out_dir, each app links its own report where it sits beside the
    comparison (out_dir/../<model id>/report.html), as `make report` lays them out."""
    rows = rows_all(paths, library, workers)
    seen: dict[str, Path] = {}
    problems = []
    for path, row in zip(paths, rows, strict=True):
        if row.id in seen:
            problems.append(_id_problem(path, f"model id '{row.id}' is already compared from {seen[row.id]}; "
                                              "each app appears once (give this model another metadata.id)"))
        seen.setdefault(row.id, path)
    if problems:
        raise InputError(problems)
    beside = Path(os.path.abspath(out_dir)).parent if out_dir is not None else None
    if beside is not None:
        rows = [row.model_copy(update={"report": f"../{row.id}/report.html"})
                if (beside / row.id / "report.html").is_file() else row for row in rows]
    return compare(rows, title=title, organisation=organisation)


def _id_problem(path: Path, message: str) -> Problem:
    if pipeline.is_pytm_script(path):
        return Problem(str(path), 1, 1, message)
    line, column = read_yaml(path).positions.of_value(("metadata", "id"))
    return Problem(str(path), line, column, message)


class OutputFolderError(ValueError):
    """The output folder holds something other than a previous comparison: it is never swapped away."""


def run(paths: list[Path], library: Library, out_dir: Path, *, pdf: bool = True, user_templates: Path | None = None,
        title: str | None = None, organisation: str | None = None, workers: int | None = None) -> Path:
    """`threatlib compare`: expand portfolio files, compare the models, write every output at once."""
    from threatlib.render.comparison import render_comparison
    from threatlib.spec.portfolio import is_portfolio, load_portfolio

    models: list[Path] = []
    portfolio_problems = []
    for path in paths:
        if is_portfolio(path):
            try:
                portfolio = load_portfolio(path)
            except InputError as exc:
                portfolio_problems += exc.problems
                continue
            title = title or portfolio.title
            organisation = organisation or portfolio.organisation
            models += portfolio.models
        else:
            models.append(path)
    if portfolio_problems:
        raise InputError(portfolio_problems)
    target = Path(os.path.abspath(out_dir))
    if target.is_dir() and any(target.iterdir()) and not (target / "comparison.json").is_file():
        held = sorted(p.name for p in target.iterdir())
        raise OutputFolderError(f"{out_dir} holds other files ({', '.join(held[:3])}{', ...' if len(held) > 3 else ''}) and "
                                "is not a previous comparison; write the comparison to a folder of its own, e.g. "
                                "reports/comparison")
    comparison = build(models, library, out_dir=out_dir, title=title or DEFAULT_TITLE, organisation=organisation,
                       workers=workers)
    files = render_comparison(comparison, pdf=pdf, user_templates=user_templates)
    write_outputs(files, target.parent, target.name)
    return out_dir
