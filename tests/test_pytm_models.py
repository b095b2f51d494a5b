"""A pytm script in pytm's usual style gets the full set of outputs, with pytm's findings unchanged."""

from __future__ import annotations

import runpy

import pytm
from conftest import TESTS

from threatlib import pipeline
from threatlib.compile.pytm_state import fresh_state
from threatlib.render import render_all
from threatlib.render.outputs import OUTPUTS

SCRIPT = TESTS / "pytm_models" / "webapp.py"


def plain_pytm_findings() -> set[tuple[str, str]]:
    """What pytm itself finds for the script: check and resolve, as `tm.process()` would with --report."""
    with fresh_state():
        namespace = runpy.run_path(str(SCRIPT), run_name="plain")
        tm = next(v for v in namespace.values() if isinstance(v, pytm.TM))
        tm.check()
        tm.resolve()
        return {(f.threat_id, f.element.name) for f in tm.findings}


def test_pytm_script_gives_pytms_own_findings(library) -> None:
    _, analysis = pipeline.analyse_file(SCRIPT, library)
    ours = {(f.threat_id, f.element_name) for f in analysis.findings if f.origin == "pytm"}
    assert ours == plain_pytm_findings()
    assert {f.origin for f in analysis.findings} == {"pytm"}  # no legal findings without a legal layer
    assert analysis.model.legal_layer is False
    assert [e.id for e in analysis.elements] == ["customer", "web-server", "sql-database", "thumbnail-lambda", "order-worker"]
    assert [(f.source, f.sink) for f in analysis.flows] == [
        ("customer", "web-server"), ("web-server", "sql-database"), ("web-server", "order-worker"),
        ("order-worker", "thumbnail-lambda")]


def test_pytm_script_gets_every_output_and_the_report_says_the_legal_layer_is_absent(library) -> None:
    _, analysis = pipeline.analyse_file(SCRIPT, library)
    files = render_all(analysis)
    assert sorted(files) == sorted(o.file for o in OUTPUTS)
    assert "The legal layer was not modelled." in files["report.html"].decode()
    assert 'label="Jurisdiction not modelled"' in files["dfd.dot"].decode()


def test_a_script_that_raises_is_a_positioned_error(tmp_path, library) -> None:
    import pytest

    from threatlib.errors import InputError

    script = tmp_path / "broken.py"
    script.write_text("from pytm import TM\ntm = TM('x')\nraise ValueError('no such boundary')\n")
    with pytest.raises(InputError) as caught:
        pipeline.analyse_file(script, library)
    assert [str(p) for p in caught.value.problems] == [f"{script}:3:1: the pytm script raised ValueError: no such boundary"]
