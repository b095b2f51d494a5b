"""The pipeline in one place: load -> compile -> analyse -> render -> write.

Each step imports its stage when it runs: `threatlib validate` loads models without pytm, Jinja2 or WeasyPrint, and
`threatlib --help` imports none of them, nor the YAML reader.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from threatlib.collector import collector_paused
from threatlib.errors import InputError

if TYPE_CHECKING:
    from threatlib.analysis import Analysis
    from threatlib.compile import CompiledModel
    from threatlib.library import Library
    from threatlib.spec import Model


def load(path: Path, library: Library) -> Model:
    """A validated model, its scenarios checked as report would apply them: load passing means report can run."""
    return load_with_warnings(path, library, warnings=False)[0]


@collector_paused()  # the load stage's imports and the model's variants: nothing for the collector to free
def load_with_warnings(path: Path, library: Library, *, warnings: bool = True) -> tuple[Model, list]:
    """load(), and what is valid but probably not meant or left open: tags that no threat reads where they are
    used, and organisations of unstated size that a provision binding by size would reach."""
    if is_pytm_script(path):
        from threatlib.documents.yaml_source import require_regular_file
        from threatlib.spec.pytm_import import load_pytm_script

        require_regular_file(path)  # a named pipe would keep Python's reader waiting for ever
        return load_pytm_script(path).spec, []
    from threatlib.scenarios import scenario_problems
    from threatlib.spec import load_model, model_library

    model, doc = load_model(path, library)
    library = model_library(path, model, library)
    problems = scenario_problems(model, doc, library)
    if problems:
        raise InputError(problems)
    if not warnings:
        return model, []
    from threatlib.compile.legal import unstated_scale
    from threatlib.spec.tag_use import unread_tags

    return model, unread_tags(model, doc, library) + unstated_scale(model, doc, library)


def is_pytm_script(path: Path) -> bool:
    return path.suffix == ".py"


def analyse_file(path: Path, library: Library) -> tuple[CompiledModel, Analysis]:
    """A YAML model, or a pytm script (which is run as Python code: see threatlib.spec.pytm_import)."""
    from threatlib.analysis import analyse, with_scenarios
    from threatlib.compile import compile_model, compile_script
    from threatlib.scenarios import apply_scenario
    from threatlib.spec import load_model, model_library
    from threatlib.spec.pytm_import import load_pytm_script

    if is_pytm_script(path):
        from threatlib.documents.yaml_source import require_regular_file

        require_regular_file(path)
        script = load_pytm_script(path)
        return (compiled := compile_script(script, library)), analyse(compiled, script.document)
    model, doc = load_model(path, library)
    library = model_library(path, model, library)
    compiled = compile_model(model, library)
    baseline = analyse(compiled, doc)
    if not model.scenarios:
        return compiled, baseline
    variants = [(scenario, analyse(compile_model(apply_scenario(model, i, doc, library), library)))
                for i, scenario in enumerate(model.scenarios)]
    return compiled, with_scenarios(baseline, variants)


def analyse_variant(path: Path, scenario_id: str | None, library: Library) -> Analysis:
    """One model, or one of its scenarios on its own (for diff)."""
    from threatlib.analysis import analyse
    from threatlib.compile import compile_model
    from threatlib.scenarios import apply_scenario
    from threatlib.spec import load_model, model_library

    if scenario_id is None:
        return analyse_file(path, library)[1]
    model, doc = load_model(path, library)
    library = model_library(path, model, library)
    ids = [s.id for s in model.scenarios]
    if scenario_id not in ids:
        raise InputError([doc.problem(("scenarios",), f"no scenario '{scenario_id}'; this model has {', '.join(ids) or 'none'}")])
    return analyse(compile_model(apply_scenario(model, ids.index(scenario_id), doc, library), library))


def report(path: Path, library: Library, out_dir: Path, *, pdf: bool = True,
           user_templates: Path | None = None, processes: int | None = None) -> tuple[Path, list[str]]:
    """Write one model's outputs, each as soon as it is made; returns where, and the analysis's warnings for the user.

    The PDFs are made in processes of their own beside the rest, `processes` at once in all (default: one per core).
    """
    from threatlib.output import staged
    from threatlib.render.outputs import make_outputs

    _, analysis = analyse_file(path, library)
    with collector_paused(), staged(out_dir, analysis.model.id) as staging:  # the renderers build large, short-lived trees
        make_outputs(analysis, staging.write, pdf=pdf, templates=user_templates,
                     processes=cores() if processes is None else processes)
    return staging.target, analysis.warnings


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def reports(paths: list[Path], library: Library, out_dir: Path, *, pdf: bool = True,
            user_templates: Path | None = None, jobs: int | None = None, processes: int | None = None,
            ids_checked: bool = False) -> Iterator[tuple[Path, list[str]]]:
    """report() for each model, in order, the models shared out among `jobs` worker processes (one per core), each
    model's PDFs made in up to `processes` processes of their own (see report()).

    Each model's outputs are made and written by one process exactly as report() makes them, so they are the
    same bytes as a serial run's; results come back in the order given. A failure stops the models not yet
    started; a model already running in another process still finishes and is written. `ids_checked`: the caller
    has made sure no two models share an output folder (else they are reported one after the other, the last
    one's set kept, as given).
    """
    if jobs is None:
        jobs = cores()
    jobs = min(jobs, len(paths))
    if jobs <= 1 or not ids_checked and len({_output_id(p, library) for p in paths}) < len(paths):
        for path in paths:
            yield report(path, library, out_dir, pdf=pdf, user_templates=user_templates, processes=processes)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from threatlib.launch import settle, tuned_spawns

    # Fresh interpreters, not forks: the parent may be running threads (the progress bar's), which fork would copy mid-step.
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"), initializer=settle) as pool:
        with tuned_spawns():  # the workers start as they are asked for: on submit, in this thread
            futures = [pool.submit(report, path, library, out_dir, pdf=pdf, user_templates=user_templates,
                                   processes=processes) for path in paths]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def _output_id(path: Path, library: Library) -> str:
    return load(path, library).metadata.id
