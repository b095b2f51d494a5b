"""The committed catalogue page must match what the library generates today."""

from __future__ import annotations

from conftest import ROOT

from threatlib.docs.catalogue import catalogue_markdown


def test_catalogue_page_is_current(library) -> None:
    committed = (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8")
    assert committed == catalogue_markdown(library), "docs/catalogue.md is stale: run `make catalogue`"


def test_catalogue_lists_every_threat_and_provision(library) -> None:
    page = catalogue_markdown(library)
    for loaded in library.threats:
        assert f"#### {loaded.threat.id}\n" in page
    for j in library.jurisdictions.values():
        assert f"### {j.id}: " in page


def test_readme_states_the_rating_method_as_the_code_applies_it() -> None:
    from threatlib.analysis.drivers import method_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("-->\n", readme.index("<!-- method:")) + 4
    assert readme[start:readme.index("<!-- end of method -->")] == method_markdown()
