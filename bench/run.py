"""Benchmark: synthetic estates of 100, 1,000 and 5,000 assets through each stage, and bare pytm beside;
then whole commands against plain pytm on the same machine in the same run, and whether each target is met.

Each size runs in its own process, so peak memory (the process's maximum resident set) is per size;
it is read after each stage, so it only grows. The whole 5,000-asset report runs in a process of its own
too, as the command a user runs, its memory the peak of its processes' together (its PDFs are made in forked
processes). Commands (TikTok's report, validate, --help, pytm's own example) run as a user runs them, each a few
times, alternating, and the median counts. Every ratio is given in wall time, the target's measure, and in
processor time, which another user's load on a shared machine moves less (work done in parallel shows in wall
time only). threatlib keeps what dot drew between runs (see threatlib.render.dot): each run measured here draws
every picture, as a first run of a model does (bench/cache_env.py), and TikTok's report and the 5,000-asset
estate are also timed run again, TikTok unchanged and the estate with one asset renamed, as an analyst runs them
after an edit. Run with `make bench`; never inside the tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cache_env import first_drawing_env

SIZES = [100, 1000, 5000]
TARGET_SECONDS = 30  # the targets on a 2-core machine, for the 5,000-asset estate
TARGET_MB = 1500
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTM_EXAMPLE = Path(__file__).resolve().parent / "pytm_example"  # pytm 1.4.0's tm.py and basic template, as shipped
COMMAND_RUNS = 3  # TikTok's report and pytm's --report, each
QUICK_RUNS = 9  # validate, --help and `import pytm`, each
FULL_RUNS = 3  # the whole 5,000-asset report, each beside a resolve of pytm's in a process of its own
# Reading a process's proportional set size walks its page tables, about 11 ms a GB, and holds up its page faults
# meanwhile: every 100 ms over a 5,000-asset report's processes, the sampling took about a quarter of a core from the
# command it measured. Its memory grows and holds over seconds, so half a second still finds the peak.
PSS_SAMPLE = 0.5


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(assets: int) -> dict:
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import synthetic_model

    from threatlib.analysis import analyse
    from threatlib.collector import collector_paused
    from threatlib.compile import compile_model
    from threatlib.compile.pytm_state import active_state
    from threatlib.library import load_library
    from threatlib.render.diagram import render_diagram
    from threatlib.render.report import render_html
    from threatlib.render.tables import threats_csv, threats_json
    from threatlib.spec import load_model

    library = load_library()
    path = Path(tempfile.mkdtemp()) / f"bench-{assets}.yaml"
    path.write_text(synthetic_model(assets))
    stages: list[tuple[str, float, float]] = []
    cpu: dict[str, float] = {}  # each stage's processor time (this process's, dot's included)

    def stage(name, fn, pause_collector=True):
        start, started = time.perf_counter(), _cpu_seconds()
        # Our stages run as the pipeline runs them, collector paused; bare pytm runs as pytm users run it.
        with collector_paused() if pause_collector else contextlib.nullcontext():
            result = fn()
        stages.append((name, time.perf_counter() - start, peak_mb()))
        cpu[name] = _cpu_seconds() - started
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
    return {"assets": assets, "findings": len(analysis.findings), "stages": stages, "cpu": cpu}


def bare_pytm(assets: int) -> dict:
    """pytm's check and resolve on the same elements in a process of their own, as a pytm user runs them: nothing of
    our analysis in memory for pytm's collections to walk (in `measure` they run after our stages)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import synthetic_model

    from threatlib.compile import compile_model
    from threatlib.compile.pytm_state import active_state
    from threatlib.library import load_library
    from threatlib.spec import load_model

    library = load_library()
    path = Path(tempfile.mkdtemp()) / f"bench-{assets}.yaml"
    path.write_text(synthetic_model(assets))
    model, _ = load_model(path, library)
    bare = compile_model(model, library)
    times = {}
    with active_state(bare.state):
        bare.state.threats[:] = [t for t in bare.state.threats if type(t).__name__ == "Threat"]
        for name, fn in (("pytm check", bare.tm.check), ("pytm resolve", bare.tm.resolve)):
            start, started = time.perf_counter(), _cpu_seconds()
            fn()
            times[name] = (time.perf_counter() - start, _cpu_seconds() - started)
    return times


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def full_report(assets: int, edited: bool = False) -> dict:
    """A whole `threatlib report` of the estate (every output, both PDFs), run as a user runs it: its wall and
    processor time (its forked renderers and dot included) and the peak of its processes' memory together. With
    `edited`, then the same estate with one asset renamed, as an analyst runs it again after an edit: dot draws
    only the pictures that changed."""
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import synthetic_model

    work = Path(tempfile.mkdtemp())
    path = work / f"bench-{assets}.yaml"
    path.write_text(synthetic_model(assets))
    command = [str(BIN / "threatlib"), "report", str(path), "-o", str(work / "reports")]
    wall, cpu, peak = _run_sampled(command)
    written = work / "reports" / f"bench-{assets}"
    sizes = {p.name: p.stat().st_size for p in sorted(written.iterdir())}
    result = {"seconds": wall, "cpu": cpu, "peak_mb": peak, "sizes": sizes}
    if edited:
        text = path.read_text()
        path.write_text(text.replace("name: Asset 17,", "name: Asset 17 (renamed),", 1))
        assert path.read_text() != text
        wall, cpu, _ = _run_sampled(command)
        result["edited"] = {"seconds": wall, "cpu": cpu}
    shutil.rmtree(work)
    return result


def _run_sampled(command: list[str], cwd: Path = ROOT) -> tuple[float, float, float]:
    """Run `command`; its wall time, its processor time (user and system, with every process it waited for) and the
    highest total of its process tree's proportional set size (shared pages split between the processes sharing
    them, so forks are not counted twice), sampled every PSS_SAMPLE seconds."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, sampled = 0.0, 0.0
    while True:
        if time.perf_counter() - sampled >= PSS_SAMPLE:
            peak, sampled = max(peak, _tree_pss_mb(process.pid)), time.perf_counter()
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)  # its end is seen within 20 ms, though memory is read less often
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return wall, usage.ru_utime + usage.ru_stime, peak


def _tree_pss_mb(pid: int) -> float:
    total, todo = 0, [pid]
    while todo:
        pid = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total / 1024


def shipped_models(jobs: int, processes: int) -> dict:
    """`make report`'s work: every shipped model, in `jobs` processes, each model's PDFs in up to `processes`."""
    from threatlib import pipeline
    from threatlib.library import load_library

    out = Path(tempfile.mkdtemp())
    start, started = time.perf_counter(), _cpu_seconds()
    paths = sorted((ROOT / "models").glob("*.yaml"))
    for _ in pipeline.reports(paths, load_library(), out, jobs=jobs, processes=processes, ids_checked=True):
        pass
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - started
    digest = hashlib.sha256()
    for file in sorted(p for p in out.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(out)).encode() + b"\0" + file.read_bytes())
    shutil.rmtree(out)
    return {"seconds": seconds, "cpu": cpu, "digest": digest.hexdigest()}


def _in_child(*args: str, env: dict[str, str] | None = None) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    return json.loads(out.stdout)


def _timed(command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and processor time (user and system, the command's own processes included)."""
    # As on a user's machine: Python caches bytecode (pip did so for pytm; ours is cached on the first run), and
    # threatlib its loaded library (in the user's cache; `env` may point it at an empty folder for a first run).
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return wall, usage.ru_utime + usage.ru_stime


def commands() -> dict:
    """Whole commands, alternating with their pytm yardsticks, several times each; medians and spreads."""
    threatlib = str(BIN / "threatlib")
    out = Path(tempfile.mkdtemp())
    quick = {
        "validate": [threatlib, "validate", "models/tiktok.yaml"],
        "help": [threatlib, "--help"],
        "import pytm": [sys.executable, "-c", "import pytm"],
    }
    slow = {
        "tiktok report": [threatlib, "report", "models/tiktok.yaml", "-o", str(out)],
        "pytm --report": [sys.executable, "tm.py", "--report", "basic_template.md"],
    }
    for command in quick.values():
        _timed(command)  # warm the bytecode caches and the file system's
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in [*quick, *slow]}
    times["validate, first run"] = []
    for _ in range(QUICK_RUNS):
        for name, command in quick.items():
            times[name].append(_timed(command))
        with tempfile.TemporaryDirectory() as empty:  # no library cached yet: a first run, or after an upgrade
            times["validate, first run"].append(_timed(quick["validate"], env={"THREATLIB_CACHE_DIR": empty}))
    pdfs = []
    times["tiktok report again"] = []
    for _ in range(COMMAND_RUNS):
        first = first_drawing_env()  # every picture drawn, as in a first run of the model
        times["tiktok report"].append(_timed(slow["tiktok report"], env=first))
        pdfs.append({name: (out / "tiktok" / name).read_bytes() for name in ("report.pdf", "brief.pdf")})
        times["pytm --report"].append(_timed(slow["pytm --report"], cwd=PYTM_EXAMPLE))
        times["tiktok report again"].append(_timed(slow["tiktok report"], env=first))  # dot's pictures kept
        pdfs.append({name: (out / "tiktok" / name).read_bytes() for name in ("report.pdf", "brief.pdf")})
    shutil.rmtree(out)
    return {"times": times, "pdf_sizes": {name: len(data) for name, data in pdfs[0].items()},
            "pdfs_identical": all(p == pdfs[0] for p in pdfs),
            "pdf_fonts": {name: _embedded_font_bytes(data) for name, data in pdfs[0].items()}}


def _embedded_font_bytes(pdf: bytes) -> int:
    """The bytes of the font programs a PDF embeds (its FontFile streams, decoded)."""
    import io

    from pypdf import PdfReader

    total = 0
    reader = PdfReader(io.BytesIO(pdf))
    seen = set()
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    stream = descriptor.get(key)
                    if stream is not None and stream.idnum not in seen:
                        seen.add(stream.idnum)
                        total += len(stream.get_object().get_data())
    return total


def main() -> None:
    if len(sys.argv) in (3, 4) and sys.argv[1] == "full":
        print(json.dumps(full_report(int(sys.argv[2]), edited=sys.argv[3:] == ["edited"])))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "pytm":
        print(json.dumps(bare_pytm(int(sys.argv[2]))))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "models":
        print(json.dumps(shipped_models(int(sys.argv[2]), int(sys.argv[3]))))
        return
    if len(sys.argv) == 2:
        print(json.dumps(measure(int(sys.argv[1]))))
        return
    results = []
    for assets in SIZES:
        results.append(_in_child(str(assets), env=first_drawing_env()))
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
    # The yardstick is pytm's resolve in a process of its own, as a pytm user runs it, with the same model loaded and
    # compiled as our analyse had. The machine's speed can drift by a third between minutes, so the whole report and
    # that resolve run FULL_RUNS times, one after the other, and each ratio is of a report to the resolve beside it;
    # the median counts. The resolve after our stages in this process is printed too.
    resolve = t["pytm resolve"]
    # Each report draws every picture, as a first run does; the last also times the estate again after an edit.
    pairs = [(_in_child("full", "5000", *(["edited"] if i == FULL_RUNS - 1 else []), env=first_drawing_env()),
              _in_child("pytm", "5000")["pytm resolve"]) for i in range(FULL_RUNS)]
    own = statistics.median(r for _, (r, _) in pairs)
    own_cpu = statistics.median(c for _, (_, c) in pairs)
    print(f"5,000 assets analyse / pytm resolve in a process of its own = {t['analyse'] / own:.2f} "
          f"(in processor time {large['cpu']['analyse'] / own_cpu:.2f}; resolve there: median {own:.2f} s of "
          f"{FULL_RUNS}, {min(r for _, (r, _) in pairs):.2f} to {max(r for _, (r, _) in pairs):.2f} s)")
    print(f"5,000 assets analyse / pytm resolve after our stages in this process = {t['analyse'] / resolve:.2f} "
          f"(in processor time {large['cpu']['analyse'] / large['cpu']['pytm resolve']:.2f}; resolve {resolve:.2f} s)")
    ratios = sorted(full["seconds"] / r for full, (r, _) in pairs)
    cpu_ratios = sorted(full["cpu"] / c for full, (_, c) in pairs)
    full_ratio = statistics.median(ratios)
    full = sorted((f for f, _ in pairs), key=lambda f: f["seconds"])[FULL_RUNS // 2]
    full_peak = max(f["peak_mb"] for f, _ in pairs)
    print(f"5,000 assets, {large['findings']:,} findings: full report (every output) / pytm resolve = "
          f"{full_ratio:.1f} in wall time (median of {FULL_RUNS}, {ratios[0]:.1f} to {ratios[-1]:.1f}), "
          f"{statistics.median(cpu_ratios):.1f} in processor time ({cpu_ratios[0]:.1f} to {cpu_ratios[-1]:.1f}); "
          f"median report {full['seconds']:.1f} s, {full['cpu']:.1f} s of processor; highest peak {full_peak:,.0f} MB over "
          f"its processes; writing {sum(full['sizes'].values()) / 1e6:,.0f} MB; largest: "
          + ", ".join(f"{name} {size / 1e6:,.0f} MB" for name, size in sorted(full["sizes"].items(), key=lambda x: -x[1])[:3]))
    again, again_resolve = next((f["edited"], r) for f, (r, _) in pairs if "edited" in f)
    print(f"5,000 assets: full report again after renaming one asset (dot's other pictures kept) / pytm resolve = "
          f"{again['seconds'] / again_resolve:.1f} ({again['seconds']:.1f} s, {again['cpu']:.1f} s of processor; "
          f"one run, beside the last pair's resolve)")

    run = commands()
    median = {name: statistics.median(w for w, _ in values) for name, values in run["times"].items()}
    median_cpu = {name: statistics.median(c for _, c in values) for name, values in run["times"].items()}

    def spread(name: str) -> str:
        walls, cpus = [w for w, _ in run["times"][name]], [c for _, c in run["times"][name]]
        return (f"median {median[name]:.2f} s of {len(walls)}, {min(walls):.2f} to {max(walls):.2f} s; processor "
                f"median {median_cpu[name]:.2f} s, {min(cpus):.2f} to {max(cpus):.2f} s")

    for name in ("tiktok report", "tiktok report again", "pytm --report", "validate", "validate, first run", "help",
                 "import pytm"):
        print(f"{name:<20} {spread(name)}")
    tiktok_ratio = median["tiktok report"] / median["pytm --report"]
    validate_ratio = median["validate"] / median["import pytm"]
    help_ratio = median["help"] / median["import pytm"]

    def in_cpu(a: str, b: str) -> str:
        return f"(in processor time {median_cpu[a] / median_cpu[b]:.2f})"

    print(f"TikTok full report (both PDFs, every export) / pytm --report on pytm's example (basic template) = "
          f"{tiktok_ratio:.2f} {in_cpu('tiktok report', 'pytm --report')}")
    print(f"TikTok full report run again (dot's pictures kept) / pytm --report = "
          f"{median['tiktok report again'] / median['pytm --report']:.2f} {in_cpu('tiktok report again', 'pytm --report')}")
    print(f"threatlib validate models/tiktok.yaml / python -c 'import pytm' = {validate_ratio:.2f} "
          f"{in_cpu('validate', 'import pytm')}")
    print(f"threatlib validate, first run (library not yet cached) / python -c 'import pytm' = "
          f"{median['validate, first run'] / median['import pytm']:.2f} {in_cpu('validate, first run', 'import pytm')}")
    print(f"threatlib --help / python -c 'import pytm' = {help_ratio:.2f} {in_cpu('help', 'import pytm')}")
    fonts = run["pdf_fonts"]
    print("TikTok PDFs: " + ", ".join(f"{name} {size / 1e6:.2f} MB (fonts {fonts[name] / 1e6:.2f} MB)"
                                      for name, size in run["pdf_sizes"].items())
          + f"; byte-identical across the {2 * COMMAND_RUNS} runs (pictures drawn or kept): "
            f"{'yes' if run['pdfs_identical'] else 'NO'}")

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    together = _in_child("models", str(cores), str(cores), env=first_drawing_env())
    alone = _in_child("models", "1", "1", env=first_drawing_env())
    models = len(list((ROOT / "models").glob("*.yaml")))
    print(f"make report's {models} models: {together['seconds']:.1f} s ({together['cpu']:.1f} s of processor) as "
          f"`threatlib report` runs them on {cores} cores, {alone['seconds']:.1f} s ({alone['cpu']:.1f} s) in one "
          f"process; ratio {together['seconds'] / alone['seconds']:.2f}; same bytes: "
          f"{'yes' if together['digest'] == alone['digest'] else 'NO'}")

    checks += [
        ("5,000 assets analyse at most 0.5 times pytm's resolve (in its own process)", t["analyse"] <= 0.5 * own),
        ("5,000 assets full report (every output) at most 4 times pytm's resolve (in its own process)",
         full_ratio <= 4),
        (f"5,000 assets full report peak under {TARGET_MB:,} MB", full_peak < TARGET_MB),
        ("TikTok full report no slower than pytm --report on pytm's example", tiktok_ratio <= 1),
        ("validate no slower than `import pytm`", validate_ratio <= 1),
        ("--help under half of `import pytm`", help_ratio < 0.5),
        ("make report runs models in parallel across cores, same bytes",
         cores > 1 and together["digest"] == alone["digest"] and together["seconds"] < alone["seconds"]),
        ("TikTok PDFs byte-identical between runs", run["pdfs_identical"]),
        ("TikTok PDFs embed font subsets (under 0.5 MB of font programs each, decoded; whole ones are over 2 MB)",
         all(size < 500_000 for size in fonts.values())),
    ]
    for text, met in checks:
        print(f"target {'met' if met else 'MISSED'}: {text}")


if __name__ == "__main__":
    main()
