"""Benchmark: synthetic estates of 100, 1,000 and 5,000 assets through each stage, and bare pytm beside.

Each size runs in its own process, so peak memory (the process's maximum resident set) is per size;
it is read after each stage, so it only grows. Run with `make bench`; never inside the tests.
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = [100, 1000, 5000]
TARGET_SECONDS = 30  # the targets on a 2-core machine, for the 5,000-asset estate
TARGET_MB = 1500


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(assets: int) -> dict:
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import synthetic_model

    from threatlib.analysis import analyse
    from threatlib.collector import collector_paused
    from threatlib.compile import compile_model
    from threatlib.library import load_library
    from threatlib.pytm_state import active_state
    from threatlib.render.diagram import render_diagram
    from threatlib.render.report import render_html
    from threatlib.render.tables import threats_csv, threats_json
    from threatlib.spec import load_model

    library = load_library()
    path = Path(tempfile.mkdtemp()) / f"bench-{assets}.yaml"
    path.write_text(synthetic_model(assets))
    stages: list[tuple[str, float, float]] = []

    def stage(name, fn, pause_collector=True):
        start = time.perf_counter()
        # Our stages run as the pipeline runs them, collector paused; bare pytm runs as pytm users run it.
        with collector_paused() if pause_collector else contextlib.nullcontext():
            result = fn()
        stages.append((name, time.perf_counter() - start, peak_mb()))
        return result

    model, doc = stage("load and validate", lambda: load_model(path, library))
    compiled = stage("compile", lambda: compile_model(model, library))
    analysis = stage("analyse", lambda: analyse(compiled, doc))
    stage("threats.json", lambda: threats_json(analysis))
    stage("threats.csv", lambda: threats_csv(analysis))
    stage("report.html", lambda: render_html(analysis, b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"))
    # Above the single-picture limit: an overview plus one small picture per boundary.
    stage("diagrams (dot)", lambda: render_diagram(analysis))

    # Bare pytm on the same elements: its own threats only, check + resolve + dfd.
    bare = compile_model(model, library)
    with active_state(bare.state):
        bare.state.threats[:] = [t for t in bare.state.threats if type(t).__name__ == "Threat"]
        stage("pytm check", bare.tm.check, pause_collector=False)
        stage("pytm resolve", bare.tm.resolve, pause_collector=False)
        stage("pytm dfd", bare.tm.dfd, pause_collector=False)
    return {"assets": assets, "findings": len(analysis.findings), "stages": stages}


def main() -> None:
    if len(sys.argv) == 2:
        print(json.dumps(measure(int(sys.argv[1]))))
        return
    results = []
    for assets in SIZES:
        out = subprocess.run([sys.executable, __file__, str(assets)], check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout))
    ours = ("load and validate", "compile", "analyse", "threats.json", "threats.csv", "report.html")
    print(f"{'stage':<22}" + "".join(f"{r['assets']:>10,} assets: s / peak MB" for r in results))
    names = list(dict.fromkeys(name for r in results for name, _, _ in r["stages"]))
    for name in names:
        cells = []
        for r in results:
            hit = next(((t, m) for n, t, m in r["stages"] if n == name), None)
            cells.append(f"{hit[0]:>17.2f} / {hit[1]:>7.0f}" if hit else f"{'-':>27}")
        print(f"{name:<22}" + "".join(cells))
    for r in results:
        t = {n: s for n, s, _ in r["stages"]}
        peak = {n: m for n, _, m in r["stages"]}["report.html"]  # the peak so far, before bare pytm runs
        total = sum(t[n] for n in ours)
        print(f"{r['assets']:>6,} assets, {r['findings']:,} findings: validate..HTML {total:.1f} s, peak {peak:,.0f} MB; "
              f"analyse / pytm resolve = {t['analyse'] / t['pytm resolve']:.2f} "
              f"(our analyse runs pytm's check too; / check+resolve = {t['analyse'] / (t['pytm check'] + t['pytm resolve']):.2f})")
    small, large = results[1], results[2]
    growth = sum(s for n, s, _ in large["stages"] if n in ours) / sum(s for n, s, _ in small["stages"] if n in ours)
    print(f"time from 1,000 to 5,000 assets grows {growth:.1f} times (linear would be 5)")
    t = {n: s for n, s, _ in large["stages"]}
    peak = {n: m for n, _, m in large["stages"]}["report.html"]
    checks = [
        (f"5,000 assets validate..HTML under {TARGET_SECONDS} s", sum(t[n] for n in ours) < TARGET_SECONDS),
        (f"5,000 assets peak under {TARGET_MB:,} MB", peak < TARGET_MB),
        ("analysis at most 1.5 times pytm's resolve at every size",
         all(times["analyse"] <= 1.5 * times["pytm resolve"] for times in ({n: s for n, s, _ in r["stages"]} for r in results))),
        ("1,000 to 5,000 assets grows at most 6 times", growth <= 6),
    ]
    for text, met in checks:
        print(f"target {'met' if met else 'MISSED'}: {text}")


if __name__ == "__main__":
    main()
