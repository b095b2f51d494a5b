"""A portfolio file: the apps a team compares, kept under version control and run in CI.

    portfolio:
      title: Apps on parliamentary devices
      organisation: House of Commons
      models: [tiktok.yaml, wechat.yaml, ../scripts/webapp.py]   # relative to this file

It is read and validated as a model file is: unknown keys, wrong types and missing files are problems at their
line and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints

from threatlib.documents.common import ShortText, Spec
from threatlib.documents.validate import validate_document
from threatlib.documents.yaml_source import read_yaml
from threatlib.errors import InputError

MODEL_SUFFIXES = (".yaml", ".yml", ".py")
_PORTFOLIO_KEY = re.compile(rb"^portfolio\s*:", re.MULTILINE)

ModelPath = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]


class Portfolio(Spec):
    title: ShortText = Field(description="What the comparison is for, e.g. 'Apps on parliamentary devices'.")
    organisation: ShortText = Field(description="The reader's organisation, e.g. 'House of Commons'.")
    models: list[ModelPath] = Field(min_length=1, description="Model files (YAML or pytm scripts), relative to this file.")


class PortfolioFile(Spec):
    portfolio: Portfolio


@dataclass(frozen=True)
class LoadedPortfolio:
    title: str
    organisation: str
    models: list[Path]  # as a user would write them from the current folder


def is_portfolio(path: Path) -> bool:
    """A YAML file with a top-level `portfolio:` key (a model file never has one)."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    try:
        with path.open("rb") as f:
            return bool(_PORTFOLIO_KEY.search(f.read(64 * 1024)))
    except OSError:
        return False


def load_portfolio(path: Path) -> LoadedPortfolio:
    doc = read_yaml(path)
    spec = validate_document(doc, PortfolioFile).portfolio
    problems, models, first = [], [], {}
    for i, entry in enumerate(spec.models):
        where = ("portfolio", "models", i)
        model = Path(os.path.normpath(path.parent / entry))
        if model.suffix not in MODEL_SUFFIXES:
            problems.append(doc.problem(where, f"'{entry}' is not a model file: expected .yaml, .yml or a pytm script (.py)"))
        elif not model.is_file():
            problems.append(doc.problem(where, f"no model file '{entry}' (looked for {model})"))
        elif model.resolve() in first:
            line, column = doc.positions.of_value(("portfolio", "models", first[model.resolve()]))
            problems.append(doc.problem(where, f"'{entry}' is listed twice (first at line {line}, column {column})"))
        else:
            first[model.resolve()] = i
            models.append(model)
    if problems:
        raise InputError(problems)
    return LoadedPortfolio(title=spec.title, organisation=spec.organisation, models=models)
