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
from threatlib.scenarios import apply_scenario
from threatlib.spec import Model, load_model, model_library


def load(path: Path, library: Library) -> Model:
    if is_pytm_script(path):
        return load_pytm_script(path, library).spec
    return load_model(path, library)[0]


def load_with_warnings(path: Path, library: Library) -> tuple[Model, list]:
    """A valid model and what is valid but probably not meant or left open: tags that no threat reads where they
    are used, and organisations of unstated size that a provision binding by size would reach."""
    if is_pytm_script(path):
        return load_pytm_script(path, library).spec, []
    from threatlib.analysis.unknowns import unstated_scale
    from threatlib.library.tag_use import unread_tags

    model, doc = load_model(path, library)
    library = model_library(path, model, library)
    return model, unread_tags(model, doc, library) + unstated_scale(model, doc, library)


def is_pytm_script(path: Path) -> bool:
    return path.suffix == ".py"


def analyse_file(path: Path, library: Library) -> tuple[CompiledModel, Analysis]:
    """A YAML model, or a pytm script (which is run as Python code: see threatlib.pytm_import)."""
    if is_pytm_script(path):
        compiled = load_pytm_script(path, library)
        return compiled, analyse(compiled)
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
    if scenario_id is None:
        return analyse_file(path, library)[1]
    model, doc = load_model(path, library)
    library = model_library(path, model, library)
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
