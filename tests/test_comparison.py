"""Apps side by side: the comparison reads each app's own judgements, ranks by its stated rule, and keeps rows apart."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, TESTS
from markupsafe import escape

from threatlib import compare, pipeline
from threatlib.analysis.comparison import app_row
from threatlib.analysis.comparison import compare as compare_rows
from threatlib.render.comparison import comparison_json, render_comparison

SMALL = TESTS / "models" / "small.yaml"
HOSTILE = TESTS / "models" / "hostile.yaml"
WEBSHOP = TESTS / "pytm_models" / "webapp.py"
MODELS = ROOT / "models"
APPS = [MODELS / "tiktok.yaml", MODELS / "kaspersky.yaml", MODELS / "deepseek.yaml", SMALL, WEBSHOP]


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    """A pytm script carries no date: pin the one it is given, so outputs compare across days."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")


@pytest.fixture(scope="module")
def analyses(library):
    import os

    os.environ["SOURCE_DATE_EPOCH"] = "1790000000"
    return {str(p): pipeline.analyse_file(p, library)[1] for p in APPS}


def rows_of(analyses, paths):
    return [app_row(analyses[str(p)], file=str(p)) for p in paths]


def as_json(comparison) -> dict:
    return json.loads(comparison_json(comparison))


def test_the_comparisons_judgements_are_each_apps_own(analyses, library) -> None:
    comparison = compare.build(APPS, library, workers=1)
    data = as_json(comparison)
    by_file = {row["file"]: row for row in data["apps"]}
    for path, analysis in analyses.items():
        row = by_file[path]
        own = analysis.model_dump(mode="json")
        assert [c["judgement"] for c in row["cells"] if c["judgement"]] == own["judgements"]
        assert [(c["jurisdiction"], c["reason"]) for c in row["cells"] if not c["judgement"]] == [
            (n["jurisdiction"], n["reason"]) for n in own["no_judgement"]]
    # Read back: a scenario's judgement changes are the app's own too.
    tiktok = by_file[str(MODELS / "tiktok.yaml")]
    assert [s["judgements"] for s in tiktok["scenarios"]] == [
        s["judgements"] for s in analyses[str(MODELS / "tiktok.yaml")].model_dump(mode="json")["scenarios"]]


def test_ranking_follows_the_stated_rule(analyses) -> None:
    data = as_json(compare_rows(rows_of(analyses, APPS), title="t"))
    assert [(r["rank"], r["id"]) for r in data["apps"]] == [
        (1, "tiktok"), (2, "deepseek"), (3, "kaspersky"), (4, "small-app"), (5, "web-shop")]
    assert data["apps"][0]["reason"].startswith(
        "Strongest: People's Republic of China (CN), likely or probable (55-75%) that its authorities obtain the users' "
        "data within 2 years, moderate confidence. Why that likely: National Intelligence Law 2017 Art. 14 is a power "
        "for intelligence collection; it needs no named target; the legal order's safeguards are rated weak;")
    assert data["apps"][0]["reason"].endswith(
        "13 of its 14 categories of personal data can reach a foreign state, 13 of them about children.")
    # Kaspersky and the small app are both a realistic possibility with low confidence: the breadth of reachable
    # data decides between them, and the rule says so.
    kaspersky, small = data["apps"][2], data["apps"][3]
    assert (len(kaspersky["reachable_data"]), len(small["reachable_data"])) == (4, 2)
    assert data["apps"][4]["reason"] == ("Ranked last: the legal layer was not modelled, so the analysis cannot say "
                                         "which states could reach its data.")
    assert data["rule"].startswith("Apps are ranked by the strongest judgement each has for any foreign legal order: "
                                   "first by its likelihood (higher first), then by its confidence")


def test_apps_equal_under_the_rule_share_a_rank(analyses) -> None:
    small = app_row(analyses[str(SMALL)], file=str(SMALL))
    twin = small.model_copy(update={"id": "small-twin", "name": "A twin of Small App"})
    data = as_json(compare_rows([small, twin, *rows_of(analyses, [MODELS / "deepseek.yaml"])], title="t"))
    assert [(r["rank"], r["id"]) for r in data["apps"]] == [(1, "deepseek"), (2, "small-twin"), (2, "small-app")]


def test_adding_or_removing_an_app_changes_only_its_row(analyses) -> None:
    def rows(paths):
        return {r["id"]: {k: v for k, v in r.items() if k != "rank"}
                for r in as_json(compare_rows(rows_of(analyses, paths), title="t"))["apps"]}

    everything = rows(APPS)
    for removed in APPS:
        fewer = rows([p for p in APPS if p != removed])
        gone = set(everything) - set(fewer)
        assert len(gone) == 1
        assert fewer == {k: v for k, v in everything.items() if k not in gone}


def test_output_is_the_same_whatever_the_order_of_the_models(analyses) -> None:
    paths = [SMALL, MODELS / "kaspersky.yaml", WEBSHOP]
    one = render_comparison(compare_rows(rows_of(analyses, paths), title="t", organisation="Org"))
    other = render_comparison(compare_rows(rows_of(analyses, paths[::-1]), title="t", organisation="Org"))
    assert sorted(one) == ["comparison.dot", "comparison.html", "comparison.json", "comparison.pdf", "comparison.png",
                           "comparison.svg"]
    assert one == other


def test_models_analysed_in_parallel_give_the_same_comparison(library) -> None:
    paths = [SMALL, MODELS / "kaspersky.yaml", MODELS / "deepseek.yaml"]
    assert comparison_json(compare.build(paths, library, workers=2)) == comparison_json(compare.build(paths, library, workers=1))


def test_cells_say_why_they_are_empty(analyses) -> None:
    comparison = compare_rows(rows_of(analyses, APPS), title="t")
    html = render_comparison(comparison, pdf=False)["comparison.html"].decode("utf-8")
    tiktok = analyses[str(MODELS / "tiktok.yaml")]
    cayman = next(n for n in tiktok.no_judgement if n.jurisdiction == "KY")
    # No app has a judgement for the Cayman Islands: it is not a column, and each app's reason is listed.
    assert [c.jurisdiction for c in comparison.columns if c.judged] == ["CN", "RU", "US", "CH", "SG"]
    assert "No app has a judgement for Cayman Islands (KY), Norway (NO):" in html
    assert f"<li>{escape(cayman.reason)} <span class=\"muted\">(TikTok, Small App)</span></li>" in html
    assert html.count('title="No reach: no organisation, staff or place of this app is linked to Russian Federation."') == 3
    assert ('<td class="no-layer" colspan="5">Legal layer not modelled (a pytm script): this row cannot say which states '
            "could reach its data.</td>") in html
    # Children's data is marked in the cell of each legal order it reaches.
    cn = next(c for c in comparison.apps[0].cells if c.jurisdiction == "CN")
    assert (cn.children, cn.route_words) == (True, "at ByteDance engineering and support staff in China (+63 other routes)")


def test_scenarios_say_what_they_would_change(analyses) -> None:
    tiktok = app_row(analyses[str(MODELS / "tiktok.yaml")])
    clover = next(s for s in tiktok.scenarios if s.id == "project-clover-as-described")
    assert clover.no_longer_reachable == [("SG", 13), ("US", 13)]
    assert [(c.jurisdiction, c.after) for c in clover.judgements] == [("SG", None), ("US", None)]


def test_who_can_compel_whom(analyses) -> None:
    kaspersky = app_row(analyses[str(MODELS / "kaspersky.yaml")])
    assert [(k.jurisdiction, [(b.name, b.how) for b in k.organisations], k.places) for k in kaspersky.compellers] == [
        ("CH", [], ["Kaspersky Security Network data centres (Zurich)"]),
        ("RU", [("AO Kaspersky Lab", ["incorporated there", "headquartered there", "staff with access there"])],
         ["Kaspersky KSN analysts and data-service staff in Russia",
          "Kaspersky product engineering and detection research (Moscow)"])]


def test_a_hostile_model_name_stays_text_in_html_pdf_and_picture(library) -> None:
    from pypdf import PdfReader

    title = 'Apps <img src=x onerror=alert(1)> "]; evil [label="x'
    files = render_comparison(compare.build([HOSTILE, SMALL], library, workers=1, title=title, organisation="<b>Org</b>"))
    name = '<script>alert(1)</script> & "Friends"'
    html = files["comparison.html"].decode("utf-8")
    assert "<script>" not in html and "<img src=x" not in html and "<b>Org</b>" not in html
    assert "Apps &lt;img src=x onerror=alert(1)&gt; &#34;]; evil [label=&#34;x" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;Friends&#34;" in html
    assert "Prepared for &lt;b&gt;Org&lt;/b&gt;:" in html
    svg = ET.fromstring(files["comparison.svg"])
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" not in texts and "<script>alert(1)</script>" in texts
    assert 'Apps <img src=x onerror=alert(1)> "]; evil [label="x: apps, the companies' in texts
    assert not any(e.tag.endswith("script") for e in svg.iter())
    dot = files["comparison.dot"].decode("utf-8")
    assert 'label=<' not in dot.replace('label=<<TABLE', "")  # the legend alone is an HTML-like label
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(files["comparison.pdf"])).pages).replace("\x00", "")
    assert name in " ".join(pdf_text.split())
    assert json.loads(files["comparison.json"])["apps"][0]["name"] == name


@pytest.mark.slow
def test_the_pdf_matrix_of_forty_apps_paginates_at_a_readable_size(analyses) -> None:
    from pypdf import PdfReader

    small = app_row(analyses[str(SMALL)], file=str(SMALL))
    rows = [small.model_copy(update={"id": f"app-{i}", "name": f"App number {i:02d}"}) for i in range(40)]
    pdf = render_comparison(compare_rows(rows, title="Forty apps"))["comparison.pdf"]
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            sizes.append(round(size * scale, 2))

    texts = [" ".join(page.extract_text(visitor_text=visit).replace("\x00", "").split())
             for page in PdfReader(io.BytesIO(pdf)).pages]
    first = next(i for i, t in enumerate(texts) if "Apps by foreign legal order" in t)
    last = next(i for i, t in enumerate(texts) if "The ranking, and why" in t)
    matrix = texts[first:last] + [texts[last].split("The ranking, and why")[0]]  # the ranking may start under it
    matrix = [t for t in matrix if "App number" in t]
    assert len(matrix) >= 4  # 40 rows do not fit one page: the matrix runs on over several
    shown = [n for n in range(40) if any(f"App number {n:02d}" in t for t in matrix)]
    assert shown == list(range(40))
    for text in matrix:
        # The header row is repeated at the top of every page of the matrix.
        assert "App (rank) People's Republic of China (CN)" in text
    assert min(sizes) >= 7.5


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "threatlib.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_compare_command_writes_beside_the_reports_and_links_them(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert run_cli("report", str(SMALL), "--no-pdf", "-o", str(reports)).returncode == 0
    result = run_cli("compare", str(SMALL), str(MODELS / "kaspersky.yaml"), "--no-pdf", "-o", str(reports / "comparison"))
    assert (result.returncode, result.stderr) == (0, f"wrote {reports / 'comparison'}\n")
    assert sorted(p.name for p in (reports / "comparison").iterdir()) == [
        "comparison.dot", "comparison.html", "comparison.json", "comparison.png", "comparison.svg"]
    html = (reports / "comparison" / "comparison.html").read_text()
    assert 'href="../small-app/report.html#judgement-CN"' in html
    assert "../kaspersky/report.html" not in html  # no report beside it to link
    assert "Each app's name and cell links to its own report." in html


@pytest.mark.slow
def test_compare_command_on_bad_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "comparison"
    out.mkdir()
    (out / "comparison.json").write_text("previous run")
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMALL.read_text().replace("operator: parent-co", "operator: nobody"))
    twin = tmp_path / "twin.yaml"
    twin.write_text(SMALL.read_text())
    result = run_cli("compare", str(SMALL), str(broken), "--no-pdf", "-o", str(out))
    assert (result.returncode, result.stderr) == (2, f"{broken}:90:15: no organisation with id 'nobody'\n")
    result = run_cli("compare", str(SMALL), str(twin), "--no-pdf", "-o", str(out))
    assert (result.returncode, result.stderr) == (2, f"{twin}:3:7: model id 'small-app' is already compared from {SMALL}; "
                                                     "each app appears once (give this model another metadata.id)\n")
    assert [p.name for p in out.iterdir()] == ["comparison.json"]
    assert (out / "comparison.json").read_text() == "previous run"
    # A folder holding anything but a comparison is never swapped away.
    result = run_cli("compare", str(SMALL), "--no-pdf", "-o", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {tmp_path} holds other files (broken.yaml, comparison, twin.yaml) and is not a "
                                    "previous comparison")


def test_a_portfolio_file_lists_the_models(tmp_path: Path, library) -> None:
    portfolio = tmp_path / "portfolio.yaml"
    portfolio.write_text(f"portfolio:\n  title: Apps on ministry phones\n  organisation: Ministry of Examples\n"
                         f"  models:\n    - {SMALL}\n    - {MODELS / 'kaspersky.yaml'}\n")
    out = tmp_path / "out"
    result = run_cli("compare", str(portfolio), "--no-pdf", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "comparison.json").read_text())
    assert (data["title"], data["organisation"]) == ("Apps on ministry phones", "Ministry of Examples")
    by_arguments = as_json(compare.build([MODELS / "kaspersky.yaml", SMALL], library, workers=1,
                                         title="Apps on ministry phones", organisation="Ministry of Examples"))
    assert data == by_arguments


def test_a_bad_portfolio_file_gets_positioned_problems(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "small.yaml").write_text(SMALL.read_text())
    portfolio = tmp_path / "portfolio.yaml"
    portfolio.write_text("portfolio:\n  title: Apps\n  organisaton: Ministry\n  models:\n    - models/small.yaml\n"
                         "    - models/missing.yaml\n    - notes.txt\n    - models/small.yaml\n")
    result = run_cli("compare", str(portfolio), "--no-pdf", "-o", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (2, f"{portfolio}:2:3: missing required key 'organisation' in portfolio\n"
                                                     f"{portfolio}:3:3: unknown key 'organisaton'; did you mean 'organisation'?\n")
    portfolio.write_text(portfolio.read_text().replace("organisaton", "organisation"))
    result = run_cli("compare", str(portfolio), "--no-pdf", "-o", str(tmp_path / "out"))
    assert (result.returncode, result.stderr) == (2, (
        f"{portfolio}:6:7: no model file 'models/missing.yaml' (looked for {tmp_path / 'models' / 'missing.yaml'})\n"
        f"{portfolio}:7:7: 'notes.txt' is not a model file: expected .yaml, .yml or a pytm script (.py)\n"
        f"{portfolio}:8:7: 'models/small.yaml' is listed twice (first at line 5, column 7)\n"))
    assert not (tmp_path / "out").exists()


def test_a_users_template_is_sandboxed_and_a_bad_one_is_a_positioned_problem(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "comparison.css").write_text("h1 { color: #123456; }")
    out = tmp_path / "out"
    result = run_cli("compare", str(SMALL), "--no-pdf", "--templates", str(templates), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "h1 { color: #123456; }" in (out / "comparison.html").read_text()
    (templates / "comparison.html").write_text('{% extends "base.html" %}\n{% block body %}{{ c.apps[0].__class__ }}'
                                               "{% endblock %}\n")
    result = run_cli("compare", str(SMALL), "--no-pdf", "--templates", str(templates), "-o", str(out))
    assert (result.returncode, result.stderr) == (
        2, f"{templates / 'comparison.html'}:2:1: template error: access to attribute '__class__' of 'AppRow' object is unsafe.\n")
    assert "h1 { color: #123456; }" in (out / "comparison.html").read_text()  # the previous comparison stays
