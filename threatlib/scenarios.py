"""Scenarios: a baseline model with a scenario's changes applied, checked like any other model.

A change that breaks the model (an unknown id, a field the item does not have, a dangling reference) is
reported at the scenario's own position in the file.
"""

from __future__ import annotations

from pydantic import ValidationError

from threatlib.documents.validate import error_problem
from threatlib.documents.yaml_source import Document
from threatlib.errors import InputError, Problem
from threatlib.spec.checks import check_model
from threatlib.spec.model import Model, Scenario

SECTIONS = ("organisations", "data", "boundaries", "elements", "flows")


def scenario_problems(model: Model, doc: Document, library) -> list[Problem]:
    """Every problem of every scenario: what report would find when it analyses them, found while validating."""
    problems: list[Problem] = []
    for index in range(len(model.scenarios)):
        try:
            apply_scenario(model, index, doc, library)
        except InputError as exc:
            problems += exc.problems
    return problems


def apply_scenario(model: Model, index: int, doc: Document, library) -> Model:
    scenario: Scenario = model.scenarios[index]
    at = ("scenarios", index)
    data = model.model_dump(mode="python", exclude={"scenarios"})
    where = {item["id"]: section for section in SECTIONS for item in data[section]}
    problems = []
    for i, item_id in enumerate(scenario.remove):
        if item_id not in where:
            problems.append(doc.problem(at + ("remove", i), f"scenario '{scenario.id}': nothing with id '{item_id}' to remove"))
    removed = set(scenario.remove)
    # Where each entry of the variant was written: its place in the baseline, or in the scenario's add or update.
    variant = _VariantDocument(doc, scenario.id)
    for section in SECTIONS:
        kept = [(j, item) for j, item in enumerate(data[section]) if item["id"] not in removed]
        if section == "flows":
            kept = [(j, f) for j, f in kept if f["source"] not in removed and f["sink"] not in removed]
        data[section] = [item for _, item in kept]
        variant.origin.update({(section, new): (section, old) for new, (old, _) in enumerate(kept)})
    for i, update in enumerate(scenario.update):
        section = where.get(update.id)
        if section is None or update.id in removed:
            problems.append(doc.problem(at + ("update", i, "id"), f"scenario '{scenario.id}': nothing with id '{update.id}' to update"))
            continue
        position, item = next((n, x) for n, x in enumerate(data[section]) if x["id"] == update.id)
        for key, value in update.set.items():
            if key not in item or key == "id":
                problems.append(doc.problem(at + ("update", i, "set", key),
                                            f"scenario '{scenario.id}': {section} entries have no field '{key}' to set", at_key=True))
            else:
                item[key] = value
                variant.origin[(section, position, key)] = at + ("update", i, "set", key)
    for section in SECTIONS:
        added = [x.model_dump(mode="python") for x in getattr(scenario.add, section)]
        variant.origin.update({(section, len(data[section]) + k): at + ("add", section, k) for k in range(len(added))})
        data[section] += added
    data["metadata"]["id"] = f"{model.metadata.id}-{scenario.id}"[:64]
    data["metadata"]["name"] = f"{model.metadata.name}: {scenario.name}"
    if problems:
        raise InputError(problems)
    try:
        result = Model.model_validate(data)
    except ValidationError as exc:
        # Each error at the place in the file it comes from, with that place's path (scenarios[0].update[1].set...).
        errors = [{**e, "loc": variant.in_file(tuple(e["loc"]))} for e in exc.errors()]
        raise InputError([Problem(p.file, p.line, p.column, f"scenario '{scenario.id}': {p.message}")
                          for p in (error_problem(doc, Model, e) for e in errors)]) from None
    merged = check_model(result, variant, library.codes, library.sources,
                         {t.threat.id: t.threat.family for t in library.threats}, whole_file=False)
    if merged:
        raise InputError(merged)
    return result


class _VariantDocument:
    """Stands in for the document when checking a scenario's variant: a path into the variant is mapped back to
    where that entry (or the updated field) is written in the file, and each message names the scenario."""

    def __init__(self, doc: Document, scenario_id: str):
        self.doc = doc
        self.file = doc.file
        self.scenario_id = scenario_id
        self.origin: dict[tuple, tuple] = {}
        self.positions = self

    def in_file(self, path: tuple) -> tuple:
        for length in (3, 2):
            if path[:length] in self.origin:
                return self.origin[path[:length]] + tuple(path[length:])
        return tuple(path)

    def of_value(self, path: tuple) -> tuple[int, int]:
        return self.doc.positions.of_value(self.in_file(path))

    def of_key(self, path: tuple) -> tuple[int, int]:
        return self.doc.positions.of_key(self.in_file(path))

    def problem(self, path: tuple, message: str, *, at_key: bool = False) -> Problem:
        return self.doc.problem(self.in_file(path), f"scenario '{self.scenario_id}': {message}", at_key=at_key)
