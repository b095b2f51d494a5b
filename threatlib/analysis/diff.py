"""Compare two analyses by stable finding id, and by what each legal order can reach."""

from __future__ import annotations

from threatlib.analysis.model import Analysis, JudgementChange, Record
from threatlib.analysis.risk import yardstick_index

COMPARED = ("severity", "likelihood", "why", "title")


class FindingChange(Record):
    id: str
    changes: dict[str, tuple[object, object]]


class FindingsDiff(Record):
    added: list[str]
    removed: list[str]
    changed: list[FindingChange]


class ExposureDiff(Record):
    """(data category, jurisdiction, holding element, whose data) exposures: closed by the change, still open, opened."""

    closed: list[tuple[str, str, str, str]]
    remaining: list[tuple[str, str, str, str]]
    opened: list[tuple[str, str, str, str]]


def diff_findings(before: Analysis, after: Analysis) -> FindingsDiff:
    old = {f.id: f for f in before.findings}
    new = {f.id: f for f in after.findings}
    changed = []
    for finding_id in sorted(old.keys() & new.keys()):
        a, b = old[finding_id], new[finding_id]
        changes = {field: (getattr(a, field), getattr(b, field)) for field in COMPARED if getattr(a, field) != getattr(b, field)}
        if changes:
            changed.append(FindingChange(id=finding_id, changes=changes))
    return FindingsDiff(added=sorted(new.keys() - old.keys()), removed=sorted(old.keys() - new.keys()), changed=changed)


def exposure_triples(analysis: Analysis) -> set[tuple[str, str, str, str]]:
    """Whose data counts as much as which: officials' contacts reaching a place is not the public's."""
    return {(e.data, e.jurisdiction, e.holder, ",".join(e.subjects)) for e in analysis.exposures}


def diff_exposures(before: Analysis, after: Analysis) -> ExposureDiff:
    old, new = exposure_triples(before), exposure_triples(after)
    return ExposureDiff(closed=sorted(old - new), remaining=sorted(old & new), opened=sorted(new - old))


def diff_judgements(before: Analysis, after: Analysis) -> list[JudgementChange]:
    """Per legal order whose judgement differs: before and after in words, and the drivers that moved."""
    old = {j.jurisdiction: j for j in before.judgements}
    new = {j.jurisdiction: j for j in after.judgements}
    changes = []
    for code in sorted(old.keys() | new.keys()):
        a, b = old.get(code), new.get(code)
        words = [_summary(x) if x else None for x in (a, b)]
        effects = [{d.driver: d for d in x.drivers} if x else {} for x in (a, b)]
        moved = [f"{name}: {effects[1][name].text}" for name in effects[1]
                 if name not in effects[0] or effects[0][name].effect != effects[1][name].effect]
        moved += [f"{name} no longer applies" for name in effects[0] if name not in effects[1] and effects[0][name].effect]
        if words[0] != words[1] or moved or (a and b and a.route.holder != b.route.holder):
            lowered = (b is None) or (a is not None and (yardstick_index(b.likelihood), _CONFIDENCE[b.confidence])
                                      < (yardstick_index(a.likelihood), _CONFIDENCE[a.confidence]))
            changes.append(JudgementChange(jurisdiction=code, before=words[0], after=words[1], drivers=moved,
                                           lowered=bool(a) and lowered))
    return changes


_CONFIDENCE = {"low": 0, "moderate": 1, "high": 2}


def _summary(j) -> str:
    return f"{j.likelihood_words} ({j.band}), {j.confidence} confidence"


def diff_text(before: Analysis, after: Analysis, findings: FindingsDiff) -> str:
    lines = [f"--- {before.model.name}", f"+++ {after.model.name}",
             f"{len(findings.added)} added, {len(findings.removed)} removed, {len(findings.changed)} changed"]
    lines += [f"+ {i}" for i in findings.added]
    lines += [f"- {i}" for i in findings.removed]
    for change in findings.changed:
        parts = "; ".join(f"{k}: {_short(v[0])} -> {_short(v[1])}" for k, v in change.changes.items())
        lines.append(f"~ {change.id}: {parts}")
    return "\n".join(lines) + "\n"


def _short(value: object) -> str:
    text = " ".join(value) if isinstance(value, list) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
