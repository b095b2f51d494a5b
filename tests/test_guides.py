"""The authoring guides (docs/jurisdictions.md, docs/threats.md) list every key from the schemas themselves,
and their worked examples are files the tests load: a newcomer's copy of them validates and proves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from threatlib.library import load_library
from threatlib.library.guide import MODELS, render
from threatlib.library.proofs import prove_library

GUIDES = ["docs/jurisdictions.md", "docs/threats.md"]
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```yaml\n(.*?)```\n", re.S)


@pytest.mark.parametrize("guide", GUIDES)
def test_committed_guide_is_current(guide: str) -> None:
    text = (ROOT / guide).read_text()
    assert render(text, ROOT) == text, f"run `make catalogue` to regenerate {guide}"


@pytest.mark.parametrize("guide, names", [
    ("docs/jurisdictions.md", ["Jurisdiction", "Authority", "Law", "Provision", "Thresholds", "EssentialGuarantees",
                               "GuaranteeRating", "Practice", "LibraryClaim", "Source"]),
    ("docs/threats.md", ["Threat", "LibraryClaim", "Source"]),
])
def test_every_key_of_every_schema_is_in_its_guide(guide: str, names: list[str]) -> None:
    text = (ROOT / guide).read_text()
    for name in names:
        section = text.split(f"#### {name}\n", 1)[1].split("####", 1)[0]
        for key, field in MODELS[name].model_fields.items():
            assert f"| `{key}` |" in section, (name, key)
            assert field.description or key == "id", f"{name}.{key} has no description for the guide"


def test_the_guides_worked_examples_validate_and_prove_as_a_user_library(tmp_path: Path) -> None:
    library_root = ROOT / "tests" / "user_library"
    for guide in GUIDES:
        for path, body in EXAMPLE.findall((ROOT / guide).read_text()):
            relative = Path(path).relative_to("tests/user_library")
            (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / relative).write_text(body)
    copied = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.yaml"))
    assert copied == sorted(str(p.relative_to(library_root)) for p in library_root.rglob("*.yaml"))
    built_in = len(load_library().jurisdictions)
    assert prove_library(load_library(user=[tmp_path])) == f"{built_in + 1} legal orders and 1 user threats"


def test_the_readme_lists_exactly_the_library_s_legal_orders(tmp_path: Path) -> None:
    import shutil

    from threatlib.library import LIBRARY_DIR
    from threatlib.library.guide import LEGAL_ORDERS, legal_orders_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render(readme, ROOT) == readme, "run `make catalogue` to regenerate the README's list of legal orders"
    assert LEGAL_ORDERS.search(readme).group(0).splitlines()[2:-2] == legal_orders_markdown().splitlines()
    # One more legal order in the library is one more line, in code order; nothing else in the list changes.
    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    shutil.copytree(LIBRARY_DIR / "threats", root / "threats")
    shutil.copy(ROOT / "tests" / "user_library" / "jurisdictions" / "XA.yaml", root / "jurisdictions" / "XA.yaml")
    before, after = legal_orders_markdown().splitlines(), legal_orders_markdown(load_library(root)).splitlines()
    assert [line for line in after if line not in before] == ["- `XA`: Examplia (fictional)"]
    assert after == sorted(after) and [line for line in after if line in before] == before
