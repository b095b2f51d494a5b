"""Scenarios: a baseline model with a scenario's changes applied, checked like any other model.

A change that breaks the model (an unknown id, a field the item does not have, a dangling reference) is
reported at the scenario's own position in the file.
"""

from __future__ import annotations

from pydantic import ValidationError

from threatlib.errors import InputError
from threatlib.spec.checks import check_model
from threatlib.spec.model import Model, Scenario
from threatlib.spec.validate import dotted
from threatlib.spec.yaml_source import Document

SECTIONS = ("organisations", "data", "boundaries", "elements", "flows")


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
    for section in SECTIONS:
        data[section] = [item for item in data[section] if item["id"] not in removed]
    data["flows"] = [f for f in data["flows"] if f["source"] not in removed and f["sink"] not in removed]
    for i, update in enumerate(scenario.update):
        section = where.get(update.id)
        if section is None or update.id in removed:
            problems.append(doc.problem(at + ("update", i, "id"), f"scenario '{scenario.id}': nothing with id '{update.id}' to update"))
            continue
        item = next(x for x in data[section] if x["id"] == update.id)
        for key, value in update.set.items():
            if key not in item or key == "id":
                problems.append(doc.problem(at + ("update", i, "set", key),
                                            f"scenario '{scenario.id}': {section} entries have no field '{key}' to set", at_key=True))
            else:
                item[key] = value
    for section in SECTIONS:
        data[section] += [x.model_dump(mode="python") for x in getattr(scenario.add, section)]
    data["metadata"]["id"] = f"{model.metadata.id}-{scenario.id}"[:64]
    data["metadata"]["name"] = f"{model.metadata.name}: {scenario.name}"
    if problems:
        raise InputError(problems)
    try:
        variant = Model.model_validate(data)
    except ValidationError as exc:
        raise InputError([doc.problem(at, f"scenario '{scenario.id}' makes the model invalid: {dotted(tuple(e['loc']))}: {e['msg']}")
                          for e in exc.errors()]) from None
    # Whole-model checks on the variant; positions would point into the merged model, so report at the scenario.
    merged = check_model(variant, _Positionless(doc), library.codes, library.sources,
                         {t.threat.id: t.threat.family for t in library.threats}, whole_file=False)
    if merged:
        raise InputError([doc.problem(at, f"scenario '{scenario.id}': {p.message}") for p in merged])
    return variant


class _Positionless:
    """Stands in for the document when checking a merged model, whose paths do not exist in the file."""

    def __init__(self, doc: Document):
        self.file = doc.file

    def problem(self, path, message, **_):
        from threatlib.errors import Problem

        return Problem(self.file, 0, 0, message)
