"""`threatlib import`: a Threat Dragon v2 model or an Open Threat Model (OTM) file as a threatlib model file.

Every element, flow and trust boundary is kept with its name and description; every threat the file records
is kept as a note in the description of the element or flow it is on (title, category, severity, status,
description, mitigation), and text blocks and flows with a missing end as notes in the model's description.
The result has no legal layer yet (these formats have no organisations or jurisdictions), so it reports as
a pytm script does ("the legal layer was not modelled"); a `REPLACE:` comment on each element says what to
add, with whatever the file said about where it is and who runs it.

Files threatlib exported itself read back exactly: Threat Dragon cells carry our ids and kinds under
data.threatlib, and OTM components our kinds and attributes; what threatlib derived (state authorities,
compulsion links, legal-order and operator boxes) is left out, since `report` derives it again.

Each format has its reader (threatdragon_import.py, otm_import.py), filling in a Draft (draft.py); this module
tells the formats apart and writes the draft as a commented model file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from threatlib.errors import InputError, Problem
from threatlib.spec.draft import SOURCE_ID, UNSPECIFIED, Draft, sentence
from threatlib.spec.otm_import import from_otm
from threatlib.spec.threatdragon_import import from_threat_dragon


def import_model(path: Path, model_id: str) -> str:
    """The model file's text; InputError (file:line:column) if the file is not one of the two formats."""
    return draft_yaml(read_interchange(path), model_id, path.name)


def write_imported(path: Path, target: Path, library):
    """Write the imported model to `target` (its stem is the model id) only once it loads as a valid model."""
    from threatlib.spec import load_model

    text = import_model(path, target.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.importing")
    draft.write_text(text, encoding="utf-8")
    try:
        model, _ = load_model(draft, library, display_name=str(target))
        draft.replace(target)
    finally:
        draft.unlink(missing_ok=True)
    return model


def read_interchange(path: Path) -> Draft:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([Problem(str(path), 1, 1, f"cannot read the file: {exc.strerror}")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(str(path), 1, 1, "not UTF-8 text: expected a Threat Dragon or OTM JSON file")]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(str(path), exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")]) from None
    if isinstance(document, dict) and "otmVersion" in document:
        return from_otm(document, path)
    if isinstance(document, dict) and isinstance(document.get("detail"), dict):
        diagrams = document["detail"].get("diagrams") or []
        if any(isinstance(d, dict) and "diagramJson" in d for d in diagrams):
            raise InputError([Problem(str(path), 1, 1, "a Threat Dragon v1 model: open it in Threat Dragon 2 and save it, "
                                                       "which converts it to v2, then import that")])
        return from_threat_dragon(document, path)
    raise InputError([Problem(str(path), 1, 1, "neither a Threat Dragon v2 model (with 'detail') nor an Open Threat "
                                               "Model file (with 'otmVersion')")])


def _as_of() -> dt.date:
    """An imported file carries no date its facts are current to: SOURCE_DATE_EPOCH when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch else dt.date.today()


def draft_yaml(draft: Draft, model_id: str, file_name: str) -> str:
    as_of = _as_of()
    notes = " ".join(draft.notes)
    model = CommentedMap()
    model["metadata"] = CommentedMap(
        id=model_id, name=draft.name,
        description=" ".join(filter(None, [sentence(draft.description or f"Imported from {file_name}"), notes])),
        scope=f"Imported from the {draft.kind} {file_name}: its elements, flows and trust boundaries. Organisations "
              "and jurisdictions are not modelled yet, so the legal layer is absent.",
        as_of=as_of)
    model["sources"] = [CommentedMap(id=SOURCE_ID, title=file_name, publisher=draft.kind, date=as_of, kind="primary")]
    uses_unspecified = any(not f.get("data") for f in draft.flows)
    data = [CommentedMap(id=d, name=name, classification="restricted", personal=False) for d, name in draft.data.items()]
    if uses_unspecified or not data:
        data.append(CommentedMap(id=UNSPECIFIED, name="Data not specified in the imported file", classification="restricted",
                                 personal=False))
    model["data"] = data
    if draft.boundaries:
        model["boundaries"] = [CommentedMap((k, b[k]) for k in ("id", "name", "description", "parent") if b.get(k))
                               for b in draft.boundaries]
    elements = CommentedSeq()
    for e in draft.elements:
        item = CommentedMap(id=e["id"], name=e["name"], kind=e["kind"])
        for key in ("description", "boundary"):
            if e.get(key):
                item[key] = e[key]
        if not e["in_scope"]:
            item["in_scope"] = False
        item["claims"] = [CommentedMap(statement=f"{file_name} draws '{e['name']}' as a {e['kind']}.", status="confirmed",
                                       sources=[SOURCE_ID])]
        said = f"; the file says {draft.hints[e['id']]}" if e["id"] in draft.hints else ""
        item.yaml_add_eol_comment(f"REPLACE: add its location (a jurisdiction code) and operator (an organisation id){said}",
                                  "kind")
        elements.append(item)
    model["elements"] = elements
    if draft.flows:
        flows = []
        for f in draft.flows:
            item = CommentedMap(id=f["id"], name=f["name"], source=f["source"], sink=f["sink"], data=f.get("data") or [UNSPECIFIED],
                                protocol=f["protocol"] or "not stated", encryption=f["encryption"])
            if f.get("remote_access"):
                item["remote_access"] = True
            if f.get("description"):
                item["description"] = f["description"]
            flows.append(item)
        model["flows"] = flows
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(model, out)
    header = (f"# Imported from {file_name} by `threatlib import`. It reports as it stands, without the legal layer.\n"
              "# To model who can compel whom: add organisations, each element's location and operator (see the\n"
              "# 'REPLACE:' comments) and metadata.data_subjects_in; `threatlib validate` then checks they are complete.\n")
    return header + out.getvalue()
