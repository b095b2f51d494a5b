"""Compare two analyses by stable finding id, and by what each legal order can reach."""

from __future__ import annotations

from threatlib.analysis.model import Analysis, Record

COMPARED = ("severity", "likelihood", "why", "title")


class FindingChange(Record):
    id: str
    changes: dict[str, tuple[object, object]]


class FindingsDiff(Record):
    added: list[str]
    removed: list[str]
    changed: list[FindingChange]


class ExposureDiff(Record):
    """(data category, jurisdiction, holding element) triples: closed by the change, still open, newly opened."""

    closed: list[tuple[str, str, str]]
    remaining: list[tuple[str, str, str]]
    opened: list[tuple[str, str, str]]


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


def exposure_triples(analysis: Analysis) -> set[tuple[str, str, str]]:
    return {(e.data, e.jurisdiction, e.holder) for e in analysis.exposures}


def diff_exposures(before: Analysis, after: Analysis) -> ExposureDiff:
    old, new = exposure_triples(before), exposure_triples(after)
    return ExposureDiff(closed=sorted(old - new), remaining=sorted(old & new), opened=sorted(new - old))


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
