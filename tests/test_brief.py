"""The policy brief for TikTok: 4 to 8 A4 pages that answer the question a policymaker asks."""

from __future__ import annotations

import io

import pytest
from conftest import ROOT
from pypdf import PdfReader

from threatlib import pipeline
from threatlib.render.brief import BriefView

TIKTOK = ROOT / "models" / "tiktok.yaml"


@pytest.fixture(scope="module")
def tiktok(library):
    return pipeline.analyse_file(TIKTOK, library)[1]


@pytest.fixture(scope="module")
def brief_pdf(tiktok):
    from threatlib.render import brief_pdf

    return PdfReader(io.BytesIO(brief_pdf(tiktok)))


def test_brief_is_four_to_eleven_a4_pages(brief_pdf) -> None:
    # Eleven, not eight, since each judgement sets out its four parts with their drivers and evidence.
    assert 4 <= len(brief_pdf.pages) <= 11
    width, height = float(brief_pdf.pages[0].mediabox.width), float(brief_pdf.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_china_judgement_names_its_route_the_law_that_carries_it_and_childrens_data(tiktok) -> None:
    view = BriefView(tiktok)
    cn = next(j for j in view.judgements if j.jurisdiction == "CN")
    assert (cn.likelihood_words, cn.confidence) == ("likely or probable", "moderate")
    assert view.children_count(cn) > 0  # children's data is among what China can reach
    assert view.element_name(cn.route.holder) == "ByteDance engineering and support staff in China"
    assert cn.reach.provisions[0].label == "National Intelligence Law 2017 Art. 14"  # settled, not the unverified ones
    assert all(p.certainty != "unverified" for p in cn.reach.provisions[:3])
    # The law's sources and the model's sources for the weakest step are both cited.
    cited = set(cn.route.weakest.sources) | set(cn.reach.provisions[0].sources)
    assert cited and cited <= set(view._source_number)
    import yaml

    model_sources = {s["id"] for s in yaml.safe_load(TIKTOK.read_text())["sources"]}
    assert set(cn.route.weakest.sources) and set(cn.route.weakest.sources) <= model_sources  # the model's own evidence


def test_brief_shows_how_project_clover_would_change_it(tiktok) -> None:
    clover = next(s for s in tiktok.scenarios if s.id == "project-clover-as-described")
    closed = {(j, h) for _, j, h, _ in clover.closed}
    assert {("CN", "singapore-dc"), ("CN", "us-dc-virginia"), ("SG", "singapore-dc"), ("US", "us-dc-virginia")} <= closed
    assert any(j == "CN" for _, j, _, _ in clover.remaining)  # storage moves; control and the app stay in China's reach
    assert [c.status for c in next(s for s in tiktok.scenarios if s.id == "project-clover-as-described").claims] == ["vendor_claim"]


def test_brief_text_carries_the_judgements_positions_and_sources(brief_pdf, tiktok) -> None:
    text = " ".join(" ".join(p.extract_text().split()) for p in brief_pdf.pages)
    assert "People's Republic of China (CN): likely or probable, moderate" in text
    assert "It is likely (55-75%) that the authorities of China will obtain, by August 2028, data of these users" in text
    assert "For your organisation" in text and "For the vendor" in text
    assert "Key judgements" in text and "Recommendations" in text and "What would change the judgement" in text
    assert "Project Clover as TikTok describes it" in text
    for position in tiktok.positions:
        assert " ".join(position.topic.split()) in text


def test_a_judgement_names_the_best_evidenced_hand_over_among_equally_telling_routes(library) -> None:
    # WeChat data reaches two places in mainland China in the same number of steps: the Weixin service, by a
    # hand-off its privacy policy confirms, and a content-screening system known from research (reported).
    wechat = pipeline.analyse_file(ROOT / "models" / "wechat.yaml", library)[1]
    view = BriefView(wechat)
    cn = next(j for j in view.judgements if j.jurisdiction == "CN")
    assert [view.element_name(e) for e in cn.route.elements] == [
        "UK adult user", "WeChat app (UK phone)", "WeChat servers (Singapore)", "WeChat data store (Singapore)",
        "Weixin service (mainland China)"]
    assert {"weixin-service", "weixin-censorship-system"} <= set(cn.route.places)


def test_the_glance_figure_draws_each_judgements_route_and_no_more(tiktok) -> None:
    from threatlib.render.glance import build_glance

    source = build_glance(tiktok).source
    assert "label=<" not in source  # plain-text labels only: every word in it comes from the model
    text = " ".join(source.split())  # labels are wrapped
    names = {e.id: e.name for e in tiktok.elements}
    drawn = {e for j in tiktok.judgements for e in j.route.elements if e in names and
             next(x for x in tiktok.elements if x.id == e).kind != "actor"} | {j.route.holder for j in tiktok.judgements}
    for element in tiktok.elements:
        assert (f"{element.name} ({element.location})" in text) == (element.id in drawn), element.id
    for j in tiktok.judgements:
        assert f"{j.name} ({j.jurisdiction})" in text
        assert f"can be compelled: {j.reach.provisions[0].label}" in text
    # Few enough boxes to read at arm's length: the users, the places on the routes, one per legal order.
    assert source.count("shape=") == 1 + len(drawn) + len(tiktok.judgements)
