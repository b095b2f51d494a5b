"""Load stage: the model file format, a YAML reader that keeps positions, and whole-model checks."""

from __future__ import annotations

import os
from pathlib import Path

from threatlib.collector import collector_paused
from threatlib.documents.placeholders import placeholders, unmark
from threatlib.documents.validate import dotted, validate_document
from threatlib.documents.yaml_source import Document, read_yaml
from threatlib.errors import InputError
from threatlib.spec.checks import check_model
from threatlib.spec.model import Model

__all__ = ["Document", "Model", "load_model", "model_library", "read_yaml", "validate_document"]


def model_library(path: Path, model: Model, library, doc: Document | None = None):
    """The library a model is checked and compiled against: `library`, plus the folders of the model's own
    `library:` list, which are relative to the model file."""
    if not model.library:
        return library
    folders = [Path(os.path.normpath(path.parent / entry)) for entry in model.library]
    missing = [i for i, folder in enumerate(folders) if not folder.is_dir()]
    if missing and doc is not None:
        raise InputError([doc.problem(("library", i), f"library folder '{model.library[i]}' not found (looked for "
                                                      f"{folders[i]}, relative to the model file)") for i in missing])
    return library.with_user(folders)


@collector_paused()
def load_model(path: Path, library, display_name: str | None = None) -> tuple[Model, Document]:
    """Read and validate a model file against the library's codes and sources; raise InputError with every problem."""
    doc = read_yaml(path, display_name)
    marked = placeholders(doc.data)
    if marked:  # a started model: marked flags and dates validate as their values; each mark is then listed
        doc = Document(doc.file, unmark(doc.data), doc.positions)
    model = validate_document(doc, Model)
    library = model_library(path, model, library, doc)
    problems = check_model(model, doc, library.codes, library.sources,
                           {t.threat.id: t.threat.family for t in library.threats})
    problems += [doc.problem(path, f"left to fill in: {dotted(path)} is still a placeholder")
                 for path, _ in marked]
    if problems:
        raise InputError(problems)
    return model, doc
