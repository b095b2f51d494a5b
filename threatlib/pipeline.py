"""The pipeline in one place: load -> compile -> analyse -> render -> write.

Each step imports its stage when it runs: `threatlib validate` loads models without pytm, Jinja2 or WeasyPrint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from threatlib.errors import InputError

if TYPE_CHECKING:
    from threatlib.analysis import Analysis
    from threatlib.compile import CompiledModel
    from threatlib.library import Library
    from threatlib.spec import Model


def load(path: Path, library: Library) -> Model:
    if is_pytm_script(path):
        from threatlib.pytm_import import load_pytm_script

        return load_pytm_script(path, library).spec
    from threatlib.spec import load_model

    return load_model(path, library)[0]


def is_pytm_script(path: Path) -> bool:
    return path.suffix == ".py"


def analyse_file(path: Path, library: Library) -> tuple[CompiledModel, Analysis]:
    """A YAML model, or a pytm script (which is run as Python code: see threatlib.pytm_import)."""
    from threatlib.analysis import analyse, with_scenarios
    from threatlib.compile import compile_model
    from threatlib.pytm_import import load_pytm_script
    from threatlib.scenarios import apply_scenario
    from threatlib.spec import load_model

    if is_pytm_script(path):
        compiled = load_pytm_script(path, library)
        return compiled, analyse(compiled)
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
    from threatlib.analysis import analyse
    from threatlib.compile import compile_model
    from threatlib.scenarios import apply_scenario
    from threatlib.spec import load_model

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
    from threatlib.collector import collector_paused
    from threatlib.output import write_outputs
    from threatlib.render import render_all

    _, analysis = analyse_file(path, library)
    with collector_paused():  # the renderers build large, short-lived trees of dicts and strings
        files = render_all(analysis, pdf=pdf, user_templates=user_templates)
    return write_outputs(files, out_dir, analysis.model.id), analysis.warnings
