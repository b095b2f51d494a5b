"""The comparison's outputs: comparison.json, the portfolio picture, comparison.html and comparison.pdf.

The picture draws the whole portfolio at once: the apps, the companies that run their parts (grouped in the legal
order of their headquarters) and the state authorities of each foreign legal order that can compel them. Every
label made from model text goes through graphstyle.label (control characters removed, then graphviz.escape);
only the legend, whose text is ours, is an HTML-like label.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import graphviz
import jinja2
from markupsafe import Markup

import threatlib
from threatlib.analysis.comparison import confidence_label, confidence_words, driver_labels, driver_words, empty_reason, step_words
from threatlib.analysis.comparison_records import CONFIDENCE, AppRow, Cell, Comparison, cell_of, judgement_of
from threatlib.analysis.risk import yardstick_index
from threatlib.errors import InputError
from threatlib.jsontext import json_bytes
from threatlib.render.dot import run_dot
from threatlib.render.graphstyle import COMPULSION, DOMESTIC_FILL, FONT, FOREIGN_FILL, label, legend
from threatlib.render.report import environment, render_pdf, template_problem
from threatlib.render.report_view import month_words
from threatlib.vocabulary import EVIDENCE_WORDS, SUBJECT_WORDS

FILES = ("comparison.json", "comparison.dot", "comparison.svg", "comparison.png", "comparison.html", "comparison.pdf")


def render_comparison(comparison: Comparison, *, pdf: bool = True, user_templates: Path | None = None) -> dict[str, bytes]:
    """Every output file of a comparison, by file name."""
    files = {"comparison.json": comparison_json(comparison)}
    source = portfolio_picture(comparison).source
    files["comparison.dot"] = source.encode("utf-8")
    drawn = run_dot([(source, ("svg", "png"))])[0]
    files["comparison.svg"], files["comparison.png"] = drawn["svg"], drawn["png"]
    files["comparison.html"] = render_html(comparison, files["comparison.svg"], "image/svg+xml", user_templates).encode("utf-8")
    if pdf:
        # As for the reports: WeasyPrint misdraws Graphviz clusters in SVG, the PNG prints faithfully; no links
        # to the apps' reports, which a PDF would resolve against the template folder.
        files["comparison.pdf"] = render_pdf(render_html(comparison, files["comparison.png"], "image/png", user_templates,
                                                         link_reports=False))
    return files


def comparison_json(comparison: Comparison) -> bytes:
    return json_bytes(comparison.model_dump(mode="json"))


class ComparisonView:
    """Look-ups the template needs, so it stays free of logic."""

    def __init__(self, comparison: Comparison, link_reports: bool = True):
        self.c = comparison
        self.link_reports = link_reports
        self.any_report = any(r.report for r in comparison.apps)
        legal = [r for r in comparison.apps if r.legal_layer]
        self.serious = [r for r in legal if r.strongest and
                        yardstick_index(judgement_of(r, r.strongest).likelihood) >= yardstick_index("realistic_possibility")]
        self.unranked = [r for r in comparison.apps if not r.legal_layer]
        # The matrix has a column for each legal order some app has a judgement for; the others are listed below it.
        self.judged_columns = [col for col in comparison.columns if col.judged]
        self.unjudged_columns = [col for col in comparison.columns if not col.judged]
        # Reasons for no judgement, numbered once each, so a cell can point at one instead of repeating it.
        self.notes: list[tuple[str, list[str]]] = []
        index: dict[str, int] = {}
        for col in self.judged_columns:
            for row in comparison.apps:
                cell = cell_of(row, col.jurisdiction)
                if cell is not None and cell.judgement is None:
                    if cell.reason not in index:
                        index[cell.reason] = len(self.notes) + 1
                        self.notes.append((cell.reason, []))
                    self.notes[index[cell.reason] - 1][1].append(row.name)
        self._note = index

    def exposed_by_state(self) -> list[tuple[str, list[tuple[str, list[str]]]]]:
        """For each foreign legal order, the apps whose judgement is a realistic possibility or more, by likelihood."""
        out = []
        for col in self.judged_columns:
            levels: dict[tuple[int, str], list[str]] = {}
            for row in self.c.apps:
                j = judgement_of(row, col.jurisdiction)
                if j and yardstick_index(j.likelihood) >= yardstick_index("realistic_possibility"):
                    levels.setdefault((-yardstick_index(j.likelihood), j.likelihood_words), []).append(row.name)
            if levels:
                out.append((f"{col.name} ({col.jurisdiction})", [(words, names) for (_, words), names in sorted(levels.items())]))
        return out

    def why_by_state(self) -> list[tuple[str, list[str], list[str]]]:
        """(legal order, apps, what moved the likelihood) for the apps exposed to it, grouped where the drivers agree."""
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for row in self.serious:
            for cell in row.cells:
                j = cell.judgement
                if j and yardstick_index(j.likelihood) >= yardstick_index("realistic_possibility"):
                    groups.setdefault((j.jurisdiction, tuple(driver_labels(j))), []).append(row.name)
        order = [col.jurisdiction for col in self.judged_columns]
        return [(code, names, list(labels)) for (code, labels), names in
                sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))]

    def low_confidence(self) -> list[tuple[str, str, str]]:
        """(app, legal order, why) for each judgement held with low confidence."""
        return [(row.name, cell.jurisdiction, confidence_label(cell.judgement)) for row in self.c.apps for cell in row.cells
                if cell.judgement and cell.judgement.confidence == "low"]

    def cell(self, row: AppRow, code: str) -> Cell | None:
        return cell_of(row, code)

    def note(self, cell: Cell) -> int:
        return self._note[cell.reason]

    def empty_words(self, row: AppRow, code: str) -> str:
        if code in row.domestic:
            return "users' own legal order"
        return "no reach"

    def empty_reason(self, row: AppRow, code: str, name: str) -> str:
        return empty_reason(row, code, name)

    @staticmethod
    def level(likelihood: str) -> int:
        return yardstick_index(likelihood)

    def strongest(self, row: AppRow):
        return judgement_of(row, row.strongest) if row.strongest else None

    def rank_words(self, row: AppRow) -> str:
        tied = sum(1 for r in self.c.apps if r.rank == row.rank) > 1
        return f"{'=' if tied else ''}{row.rank}"

    def unjudged(self, code: str) -> list[tuple[str, list[str]]]:
        """For a legal order no app has a judgement for: each reason given, with the apps that give it."""
        reasons: dict[str, list[str]] = {}
        for row in self.c.apps:
            cell = cell_of(row, code)
            if cell is not None:
                reasons.setdefault(cell.reason, []).append(row.name)
        return list(reasons.items())

    def link(self, row: AppRow, code: str | None = None) -> str | None:
        if not (self.link_reports and row.report):
            return None
        return row.report + (f"#judgement-{code}" if code else "")

    @staticmethod
    def confidence_rank(confidence: str) -> int:
        return CONFIDENCE.index(confidence)

    @staticmethod
    def subjects(groups: list[str]) -> str:
        return ", ".join(SUBJECT_WORDS[g] for g in groups)

    @staticmethod
    def status_words(status: str) -> str:
        return EVIDENCE_WORDS[status]

    def children_apps(self) -> list[AppRow]:
        return [r for r in self.c.apps if any(d.children for d in r.reachable_data)]

    def confidence_counts(self) -> list[tuple[str, int]]:
        counts = {c: 0 for c in reversed(CONFIDENCE)}
        for r in self.c.apps:
            for cell in r.cells:
                if cell.judgement:
                    counts[cell.judgement.confidence] += 1
        return [(c, n) for c, n in counts.items() if n]

    month_words = staticmethod(month_words)

    @staticmethod
    def short_month(day: str) -> str:
        return dt.date.fromisoformat(day).strftime("%b %Y")
    driver_words = staticmethod(driver_words)
    driver_labels = staticmethod(driver_labels)
    confidence_label = staticmethod(confidence_label)
    confidence_words = staticmethod(confidence_words)
    step_words = staticmethod(step_words)

    @staticmethod
    def children_count(row: AppRow) -> int:
        return sum(1 for d in row.reachable_data if d.children)


def render_html(comparison: Comparison, picture: bytes, media_type: str, user_templates: Path | None = None, *,
                link_reports: bool = True) -> str:
    env = environment(user_templates)
    uri = f"data:{media_type};base64," + base64.b64encode(picture).decode("ascii")
    # base.html reads the title and authors from `a.model`: the comparison's own, not any one app's.
    page = {"model": {"name": comparison.title, "authors": [comparison.organisation] if comparison.organisation else []}}
    try:
        css = "\n".join(env.loader.get_source(env, name)[0] for name in ("report.css", "comparison.css"))
        return env.get_template("comparison.html").render(
            a=page, c=comparison, v=ComparisonView(comparison, link_reports), css=Markup(css), picture_uri=uri,
            version=threatlib.__version__, generated=comparison.as_of)
    except jinja2.TemplateError as exc:
        if user_templates is None:
            raise  # our own template failing is a defect, not bad input
        raise InputError([template_problem(exc, user_templates)]) from None


def portfolio_picture(comparison: Comparison) -> graphviz.Digraph:
    """Apps on the left; the companies that run their parts, in the legal order of their headquarters; and the
    state authorities of each foreign legal order, with a red dashed arrow from each company they can compel."""
    graph = graphviz.Digraph("portfolio", engine="dot")
    graph.attr(rankdir="LR", newrank="true", remincross="false", fontname=FONT, fontsize="12", nodesep="0.08", ranksep="1.2",
               label=label(f"{comparison.title}: apps, the companies that run them, and the states that can compel "
                           "those companies", 140, 1), labelloc="t", bgcolor="white", pad="0.3")
    graph.attr("node", fontname=FONT, fontsize="10", style="filled", fillcolor="white", color="#333333")
    graph.attr("edge", fontname=FONT, fontsize="8", color="#777777", arrowsize="0.6")
    names = {}
    for row in comparison.apps:
        for cell in row.cells:
            names.setdefault(cell.jurisdiction, cell.name)
        for company in row.companies:
            names.setdefault(company.headquarters, company.headquarters_name)
    everyone_domestic = set.intersection(*(set(r.domestic) for r in comparison.apps if r.legal_layer)) \
        if any(r.legal_layer for r in comparison.apps) else set()

    with graph.subgraph(name="cluster_apps") as apps:
        apps.attr(label="Apps, by rank", style="rounded", color="#999999", fontsize="12")
        for i, row in enumerate(comparison.apps):
            strongest = judgement_of(row, row.strongest) if row.strongest else None
            lines = [f"{row.rank}. {row.name}"]
            if strongest:
                lines.append(f"strongest: {strongest.jurisdiction} {strongest.likelihood_words}, {strongest.confidence}")
            else:
                lines.append("no judgement" if row.legal_layer else "legal layer not modelled")
            text = "\n".join(label(line, 40, 2) for line in lines)
            level = yardstick_index(strongest.likelihood) if strongest else -1
            apps.node(f"a{i}", label=text, shape="box", style="filled,rounded", fillcolor=_fill(level))
        # Same rank, chained by invisible edges (flat edges run bottom to top when rankdir is LR), and no second
        # pass of crossing reduction to undo it: dot then keeps the apps in rank order, top to bottom.
        with apps.subgraph() as column:
            column.attr(rank="same")
            for i in range(len(comparison.apps)):
                column.node(f"a{i}")
            for i in range(1, len(comparison.apps)):
                column.edge(f"a{i}", f"a{i - 1}", style="invis")

    # One node per company, however many apps it serves (the same name and headquarters).
    companies: dict[tuple[str, str], dict] = {}
    for i, row in enumerate(comparison.apps):
        for company in row.companies:
            entry = companies.setdefault((company.name, company.headquarters),
                                         {"apps": [], "compelled_by": set(), "incorporated_in": set()})
            entry["apps"].append(i)
            entry["compelled_by"].update(company.compelled_by)
            entry["incorporated_in"].add(company.incorporated_in)
    states = sorted({code for c in companies.values() for code in c["compelled_by"]})
    homes = sorted({hq for _, hq in companies} | set(states))
    node_of = {key: f"c{i}" for i, key in enumerate(sorted(companies))}
    for j, code in enumerate(homes):
        with graph.subgraph(name=f"cluster_j{j}") as box:
            foreign = code not in everyone_domestic
            title = f"{code}: {names.get(code, code)}" + (" (foreign legal order)" if foreign else " (users' legal order)")
            box.attr(label=label(title, 60, 1), style="filled,rounded", fillcolor=FOREIGN_FILL if foreign else DOMESTIC_FILL,
                     color="#999999", fontsize="12", fontcolor="#222222")
            for key in sorted(k for k in companies if k[1] == code):
                incorporated = sorted(companies[key]["incorporated_in"] - {code})
                text = label(key[0], 44, 2) + (f"\nincorporated in {', '.join(incorporated)}" if incorporated else "")
                box.node(node_of[key], label=text, shape="box", fontsize="9")
            if code in states:
                box.node(f"s{code}", label=label(f"{names.get(code, code)}: state authorities", 24, 3), shape="octagon",
                         color=COMPULSION, fontcolor=COMPULSION, fillcolor="white", fontsize="10")
    for key in sorted(companies):
        for i in companies[key]["apps"]:
            graph.edge(f"a{i}", node_of[key])
        for code in sorted(companies[key]["compelled_by"]):
            graph.edge(node_of[key], f"s{code}", color=COMPULSION, style="dashed", arrowhead="normal")
    legend(graph, [("&#9632;", "app, coloured by its strongest judgement", "#c0392b"),
                   ("&#9634;", "company running a part of an app", "#333333"),
                   ("&#8212;", "the app uses the company", "#777777"),
                   ("- -", "a foreign state's authorities can compel it", COMPULSION),
                   ("&#9711;", "red box: foreign legal order; blue: the users' own", "#333333")])
    return graph


def _fill(level: int) -> str:
    """Warmer for likelier: the same steps as the matrix's cells."""
    if level >= yardstick_index("likely"):
        return "#f1948a"
    if level >= yardstick_index("realistic_possibility"):
        return "#f8c471"
    if level >= yardstick_index("unlikely"):
        return "#fcf3cf"
    if level >= 0:
        return "#eafaf1"
    return "#f2f2f2"
