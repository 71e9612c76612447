"""Benchmark: what the build costs, against baselines measured in the same run. Run with `make bench`.

Makes synthetic collections of 100 and 1,000 cases (copies of a fixture case,
each with its own names, words and reference, spread over a few lessons and
convenors) and measures, for each:

- a bare parse of the YAML files with PyYAML's CSafeLoader (the floor of `check`), and `check`;
- the generator pipeline by stage: load, validate, link, format citations
  (with an empty store, then with the store of a previous build), render; and
  the generator's whole rebuild after one case file is saved, with what
  `mkdocs serve` keeps between builds (its share of the edit loop);
- the strict MkDocs build with the hook (the whole site, search index included),
  first with an empty store of formatted references, then again with it filled,
  and plain MkDocs building the same pages without the hook, with Material's
  own search plugin (the baseline: this site replaces that search with
  Pagefind) and without any plugin, with the peak memory of each (its largest
  process; for the build also all its processes together, in proportional
  set sizes, since Pagefind and the formatting workers run beside MkDocs);
- the HTML size of a case page (median) and of the largest page;
- the explorer's page (HTML) and its data: the index it loads, and all its files of details;
- under `mkdocs serve --dirty` (as `make serve` runs it), the time from saving a case file to the page showing it;
- search (see `tests/bench_search.py`).

Each figure is printed with its ratio to its baseline, or to the same figure
at 100 cases, so that the table compares across machines: a linear build
gives ×10 from 100 to 1,000. The four builds are run in turn, three times
(`--runs`): each is shown as its median, and its ratio to its baseline as
the median of the ratios run by run, which a drift of the machine's speed
moves far less than a single pair of runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

from generator.bibliography import CitationFormatter, format_citations
from generator.build import build_site, check
from generator.link import link_site
from generator.load import forget_parsed, load_content
from generator.page_cache import PageCache
from generator.render import render_pages
from generator.validate import validate_content
from tests import bench_search
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, epoch, make_project

SIZES = (100, 1000)
LARGE_SIZE = 10000  # with --large


SYLLABLES = ("ka", "lo", "mir", "ven", "tas", "or", "ul", "bre", "sin", "dah", "qu", "el", "rho", "ny", "zet", "ar")
COMMON = ("dialogue", "mediation", "workshop", "ministers", "ceasefire", "border", "talks", "trust",
          "security", "elections", "refugees", "water", "trade", "prisoners", "autonomy", "minority")


def made_up_word(number: int) -> str:
    """Return the `number`-th word of a made-up vocabulary: distinct words, as a real collection has."""
    letters = []
    while True:
        number, digit = divmod(number, len(SYLLABLES))
        letters.append(SYLLABLES[digit])
        if number == 0:
            break
    return "".join(letters)


def narrative(number: int) -> str:
    """A paragraph for case `number`: common words, words shared by a few cases, and its own names.

    Word frequencies fall off as in real text (a word shared by one case in
    ten, one in a hundred, …), so the search index grows as a real one would.
    """
    words = [COMMON[(number * 7 + i) % len(COMMON)] for i in range(12)]
    words += [made_up_word(1000 + number % step + step) for step in (10, 100, 1000, 10000)]
    words += [made_up_word(20000 + number * 8 + i) for i in range(8)]  # found in this case only
    if number % 50 == 0:
        words.append("Kelvorin")  # the benchmark's rare name: one case in fifty
    return " ".join(words).capitalize() + "."


def make_collection(root: Path, size: int) -> Path:
    """Write a copy of the fixture corpus with `size` cases into `root` and return it."""
    shutil.copytree(FIXTURE_CORPUS, root)
    template = (FIXTURE_CORPUS / "cases" / "example-dialogue.yml").read_text(encoding="utf-8")
    bib = [(FIXTURE_CORPUS / "references.bib").read_text(encoding="utf-8")]
    for number in range(size):
        key = f"bench{number:05d}source"
        name = made_up_word(50000 + number).capitalize()
        text = (template.replace("title: Example Dialogue", f"title: Benchmark Case {number} ({name} talks)")
                .replace("Example Peace Institute", f"Benchmark Institute {number % 25}")
                .replace("name: Jane Doe", f"name: {name} {made_up_word(60000 + number).capitalize()}")
                .replace("narrative: |\n", f"narrative: |\n  {narrative(number)}\n\n")
                .replace("[@exampleorg2020history]", f"[@{key}]")
                .replace("{key: exampleorg2020history}", f"{{key: {key}}}"))
        (root / "cases" / f"benchmark-case-{number:05d}.yml").write_text(text, encoding="utf-8")
        bib.append(f"@online{{{key},\n  author = {{{name}, Jane}},\n  title = {{Source {number}}},\n"
                   f"  url = {{https://example.org/{number}}},\n  year = {{2020}},\n}}\n")
    (root / "references.bib").write_text("\n".join(bib), encoding="utf-8")
    return root


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bare_parse(root: Path) -> None:
    """Parse every YAML file of the content with the C loader, and nothing else."""
    for path in sorted(root.glob("cases/*.yml")) + sorted(root.glob("lessons/*.yml")) + [root / "vocabulary.yml"]:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # noqa: S506 (the safe C loader)


def stages(root: Path, store: Path) -> dict[str, float]:
    """Time each stage of the pipeline; format citations with an empty store, then with a filled one."""
    figures: dict[str, float] = {}
    forget_parsed()  # `check` has just parsed the same files
    start = time.perf_counter()
    raw = load_content(root)
    figures["load"] = time.perf_counter() - start
    figures["validate"] = timed(lambda: validate_content(raw, FIXTURE_TODAY))
    linked: list = []
    figures["link"] = timed(lambda: linked.append(link_site(raw, None)))
    formatted: list = []
    figures["format (first build)"] = timed(lambda: formatted.append(format_citations(linked[0],
                                                                                      CitationFormatter(store))))
    figures["format (store filled)"] = timed(lambda: format_citations(linked[0], CitationFormatter(store)))
    figures["render"] = timed(lambda: render_pages(formatted[0]))
    figures["generator rebuild after an edit"] = generator_rebuild(root, store)
    return figures


def generator_rebuild(root: Path, store: Path) -> float:
    """Return the generator's seconds to rebuild after one case file is saved, as under `mkdocs serve`.

    The rebuild keeps what `mkdocs serve` keeps between builds (the citation
    formatter and the page cache); the best of three saves, each a new title.
    """
    formatter, cache = CitationFormatter(store), PageCache()
    build_site(root, None, FIXTURE_TODAY, formatter, cache)
    case = root / "cases" / "benchmark-case-00007.yml"
    original = case.read_text(encoding="utf-8")
    try:
        times = []
        for number in range(3):
            case.write_text(original.replace("Benchmark Case 7 ", f"Benchmark Case 7 edit {number} "), encoding="utf-8")
            times.append(timed(lambda: build_site(root, None, FIXTURE_TODAY, formatter, cache)))
        return min(times)
    finally:
        case.write_text(original, encoding="utf-8")


# Runs a command and writes two figures to the file named first: the peak memory
# (resident set) of its largest process, and the peak of all its processes together,
# sampled every tenth of a second from /proc where there is one (Linux), else 0. The
# latter sums proportional set sizes (Pss in smaps_rollup), which count a page shared
# by forked processes once, where the kernel gives them; else resident sizes. A
# process forked from the benchmark would count the benchmark's memory at the fork as
# its own peak (Linux carries the high-water mark across exec), so the command is
# forked from this small process instead.
_PEAK_OF = """
import os, sys, time
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
page_kb = os.sysconf("SC_PAGE_SIZE") // 1024

def tree_kb():
    parents, rss = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(name)], rss[int(name)] = int(fields[1]), int(fields[21]) * page_kb
    tree, grew = {pid}, True
    while grew:
        below = {child for child, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | below, bool(below)
    return sum(proportional_kb(member, rss.get(member, 0)) for member in tree)

def proportional_kb(member, resident_kb):
    try:
        with open(f"/proc/{member}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resident_kb

together = 0
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if os.path.isdir("/proc"):
        together = max(together, tree_kb())
    time.sleep(0.1)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_maxrss} {together}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run(command: list[str], cwd: Path) -> tuple[float, float, float, int, str]:
    """Run a command; return its seconds, its peak memory in MB (largest process, all together), status, errors."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=epoch(FIXTURE_TODAY))
    with tempfile.TemporaryFile("w+") as errors, tempfile.NamedTemporaryFile("r") as peak:
        start = time.perf_counter()
        process = subprocess.run([sys.executable, "-c", _PEAK_OF, peak.name, *command], cwd=cwd, env=env,
                                 stdout=subprocess.DEVNULL, stderr=errors, check=False)
        seconds = time.perf_counter() - start
        errors.seek(0)
        largest, together = (int(figure) for figure in (peak.read() or "0 0").split())
        return seconds, largest / 1024, together / 1024, process.returncode, errors.read()


def plain_project(project: Path, search: bool = False) -> Path:
    """Write the generated pages as files beside handwritten ones, with a config without the hook.

    Without `search`, the config has no plugin at all; with it, Material's own
    search plugin, as a plain MkDocs Material site has (this site replaces it
    with Pagefind).
    """
    from generator.build import build_site, read_settings

    plain = project / "plain-docs"
    if plain.exists():
        shutil.rmtree(plain)
    shutil.copytree(Path(yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))["docs_dir"]), plain)
    for path, text in build_site(project, read_settings(project / "mkdocs.yml"), FIXTURE_TODAY)[1].items():
        (plain / path).parent.mkdir(parents=True, exist_ok=True)
        (plain / path).write_text(text, encoding="utf-8")
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(docs_dir=str(plain), plugins=["search"] if search else [], strict=False)
    config.pop("hooks", None)
    name = "plain-search.yml" if search else "plain.yml"
    (project / name).write_text(yaml.safe_dump(config), encoding="utf-8")
    return project / name


def page_sizes(site: Path) -> tuple[float, int, str]:
    """Return the median case page size in KB, and the size and path of the largest page."""
    cases = [p.stat().st_size for p in site.glob("cases/*/index.html")]
    largest = max(site.rglob("*.html"), key=lambda p: p.stat().st_size)
    return statistics.median(cases) / 1024, largest.stat().st_size, str(largest.parent.relative_to(site))


def explorer_sizes(site: Path) -> tuple[float, float, float]:
    """Return in KB the explorer page's HTML, the index it loads, and its files of case details together."""
    folder = site / "explore"
    return ((folder / "index.html").stat().st_size / 1024, (folder / "index.json").stat().st_size / 1024,
            sum(p.stat().st_size for p in folder.glob("cases-*.json")) / 1024)


def edit_to_reload(project: Path) -> float:
    """Under `mkdocs serve --dirty`, return the seconds from saving a changed case file to the page showing it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=epoch(FIXTURE_TODAY))
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "-f", str(project / "mkdocs.yml"),
                               "--dev-addr", f"127.0.0.1:{port}"], cwd=project, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/casebook/cases/benchmark-case-00007/"

    def shows(text: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return text in response.read().decode("utf-8")
        except OSError:
            return False

    try:
        deadline = time.monotonic() + 1800
        while not shows("Benchmark Case 7 ") and time.monotonic() < deadline:
            time.sleep(0.5)
        case = project / "cases" / "benchmark-case-00007.yml"
        start = time.perf_counter()
        case.write_text(case.read_text(encoding="utf-8").replace("Benchmark Case 7 ", "Benchmark Case Seven "),
                        encoding="utf-8")
        while not shows("Benchmark Case Seven") and time.monotonic() < deadline:
            time.sleep(0.1)
        return time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=60)


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true",
                        help="also build and measure 10,000 cases (edit to reload is measured up to 1,000)")
    parser.add_argument("--no-serve", action="store_true", help="skip the edit-to-reload measurement")
    parser.add_argument("--runs", type=int, default=3,
                        help="builds of each kind at each size, run in turn; medians are shown (default 3)")
    arguments = parser.parse_args()
    rows: dict[int, dict[str, float]] = {}
    notes: dict[int, str] = {}
    paired: dict[int, dict[str, float]] = {}
    sites: dict[int, Path] = {}
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        for size in SIZES + ((LARGE_SIZE,) if arguments.large else ()):
            content = make_collection(base / f"content-{size}", size)
            figures = {"bare parse": timed(lambda content=content: bare_parse(content)),
                       "check": timed(lambda content=content: check(content, FIXTURE_TODAY))}
            figures.update(stages(content, base / f"store-{size}"))
            project = make_project(base / f"mkdocs-{size}", content)
            command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                       "-d", str(project / "site")]
            builds: dict[str, list[float]] = {}
            for run in range(arguments.runs):
                # In turn, so that a drift of the machine's speed moves all four alike.
                shutil.rmtree(project / ".cache", ignore_errors=True)  # a first build: no formatted references
                seconds, megabytes, together, status, err = _run(command, project)
                if status != 0:
                    print(err, file=sys.stderr)
                    return 1
                measured = {"mkdocs build": seconds, "build MB": megabytes, "build, all processes MB": together}
                measured["mkdocs build again"] = _run(command, project)[0]  # with the references' store filled
                for search, name, memory in ((False, "plain mkdocs", "plain MB"),
                                             (True, "plain mkdocs + search", "plain + search MB")):
                    plain = project / ("plain-search.yml" if search else "plain.yml")
                    if run == 0:
                        plain = plain_project(project, search)
                    seconds, megabytes, _, status, err = _run(
                        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain), "-d",
                         str(project / "plain-site")], project)
                    if status != 0:
                        print(err, file=sys.stderr)
                        return 1
                    measured[name], measured[memory] = seconds, megabytes
                for name, value in measured.items():
                    builds.setdefault(name, []).append(value)
            figures.update({name: statistics.median(values) for name, values in builds.items()})
            paired[size] = {name: statistics.median(a / b for a, b in zip(builds[name], builds[base_name], strict=True))
                            for name, base_name in PAIRED.items()}
            figures["case page KB"], largest, notes[size] = page_sizes(project / "site")
            figures["largest page KB"] = largest / 1024
            figures["explorer page KB"], figures["explorer index KB"], figures["explorer details KB"] = \
                explorer_sizes(project / "site")
            if not arguments.no_serve and size in SIZES:
                figures["edit to reload"] = edit_to_reload(project)
            rows[size] = figures
            sites[size] = project / "site"
        report(rows, notes, paired)
        bench_search.report(bench_search.run(sites, arguments.large, base))
    return 0


# Each measure and the baseline it is shown against.
BASELINES = {"check": "bare parse", "mkdocs build": "plain mkdocs + search",
             "mkdocs build again": "plain mkdocs + search", "plain mkdocs + search": "plain mkdocs",
             "build MB": "plain + search MB", "build, all processes MB": "plain + search MB",
             "plain + search MB": "plain MB"}
# Build times, whose ratio to their baseline is the median of the ratios of runs made in turn.
PAIRED = {name: BASELINES[name] for name in ("mkdocs build", "mkdocs build again", "plain mkdocs + search")}


def report(rows: dict[int, dict[str, float]], notes: dict[int, str],
           paired: dict[int, dict[str, float]] | None = None) -> None:
    sizes = sorted(rows)
    steps = list(zip(sizes, sizes[1:], strict=False))
    print("\n| measure | " + " | ".join(f"{size:,} cases" for size in sizes) + " | "
          + " | ".join(f"× from {a:,} to {b:,}" for a, b in steps) + f" | against the baseline at {sizes[-1]:,} |")
    print("| --- |" + " ---: |" * (len(sizes) + len(steps)) + " --- |")
    for name in rows[sizes[0]]:
        unit = "" if name.endswith(("KB", "MB")) else " s"
        at = {size: rows[size].get(name) for size in sizes}
        last = max(size for size in sizes if at[size] is not None)
        against = (f"{ratio(rows[last][name], rows[last][BASELINES[name]])} {BASELINES[name]}"
                   if name in BASELINES else "")
        if paired and name in paired.get(last, {}):
            against = f"{paired[last][name]:.2f}× {BASELINES[name]}"
        if name == "edit to reload":
            against = f"{ratio(rows[last][name], rows[last]['mkdocs build'])} of the mkdocs build at {last:,}"
        cells = [f"{at[size]:.2f}{unit}" if at[size] is not None else "–" for size in sizes]
        growth = [ratio(at[b], at[a]) if at[a] is not None and at[b] is not None else "–" for a, b in steps]
        print(f"| {name} | " + " | ".join(cells + growth) + f" | {against} |")
    print("\nLargest page: " + ", ".join(f"{notes[size]} at {size:,} cases" for size in sizes) + ".")


if __name__ == "__main__":
    sys.exit(main())
