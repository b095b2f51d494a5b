"""The pipeline in one place: load -> compile -> analyse -> render -> write."""

from __future__ import annotations

from pathlib import Path

from threatlib.analysis import Analysis, analyse, with_scenarios
from threatlib.collector import collector_paused
from threatlib.compile import CompiledModel, compile_model
from threatlib.errors import InputError
from threatlib.library import Library
from threatlib.output import write_outputs
from threatlib.pytm_import import load_pytm_script
from threatlib.render import render_all
from threatlib.scenarios import apply_scenario, scenario_problems
from threatlib.spec import Model, load_model
from threatlib.spec.yaml_source import require_regular_file


def load(path: Path, library: Library) -> Model:
    """A validated model, its scenarios checked as report would apply them: load passing means report can run."""
    if is_pytm_script(path):
        require_regular_file(path)  # a named pipe would keep Python's reader waiting for ever
        return load_pytm_script(path, library)[0].spec
    model, doc = load_model(path, library)
    problems = scenario_problems(model, doc, library)
    if problems:
        raise InputError(problems)
    return model


def is_pytm_script(path: Path) -> bool:
    return path.suffix == ".py"


def analyse_file(path: Path, library: Library) -> tuple[CompiledModel, Analysis]:
    """A YAML model, or a pytm script (which is run as Python code: see threatlib.pytm_import)."""
    if is_pytm_script(path):
        require_regular_file(path)
        compiled, doc = load_pytm_script(path, library)
        return compiled, analyse(compiled, doc)
    model, doc = load_model(path, library)
    compiled = compile_model(model, library)
    baseline = analyse(compiled, doc)
    if not model.scenarios:
        return compiled, baseline
    variants = [(scenario, analyse(compile_model(apply_scenario(model, i, doc, library), library)))
                for i, scenario in enumerate(model.scenarios)]
    return compiled, with_scenarios(baseline, variants)


def analyse_variant(path: Path, scenario_id: str | None, library: Library) -> Analysis:
    """One model, or one of its scenarios on its own (for diff)."""
    if scenario_id is None:
        return analyse_file(path, library)[1]
    model, doc = load_model(path, library)
    ids = [s.id for s in model.scenarios]
    if scenario_id not in ids:
        raise InputError([doc.problem(("scenarios",), f"no scenario '{scenario_id}'; this model has {', '.join(ids) or 'none'}")])
    return analyse(compile_model(apply_scenario(model, ids.index(scenario_id), doc, library), library))


def report(path: Path, library: Library, out_dir: Path, *, pdf: bool = True,
           user_templates: Path | None = None) -> tuple[Path, list[str]]:
    """Write one model's outputs; returns where, and the analysis's warnings for the user."""
    _, analysis = analyse_file(path, library)
    with collector_paused():  # the renderers build large, short-lived trees of dicts and strings
        files = render_all(analysis, pdf=pdf, user_templates=user_templates)
    return write_outputs(files, out_dir, analysis.model.id), analysis.warnings
