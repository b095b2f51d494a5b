"""The pipeline in one place: load -> compile -> analyse -> render -> write."""

from __future__ import annotations

from pathlib import Path

from threatlib.analysis import Analysis, analyse
from threatlib.compile import CompiledModel, compile_model
from threatlib.library import Library
from threatlib.output import write_outputs
from threatlib.render import render_all
from threatlib.spec import Model, load_model


def load(path: Path, library: Library) -> Model:
    return load_model(path, library)[0]


def analyse_file(path: Path, library: Library) -> tuple[CompiledModel, Analysis]:
    model, doc = load_model(path, library)
    compiled = compile_model(model, library)
    return compiled, analyse(compiled, doc)


def report(path: Path, library: Library, out_dir: Path, *, pdf: bool = True,
           user_templates: Path | None = None) -> tuple[Path, list[str]]:
    """Write one model's outputs; returns where, and the analysis's warnings for the user."""
    _, analysis = analyse_file(path, library)
    files = render_all(analysis, pdf=pdf, user_templates=user_templates)
    return write_outputs(files, out_dir, analysis.model.id), analysis.warnings
