"""Benchmark: does the build stay linear as the collection grows? Run with `make bench`.

Makes synthetic collections of N cases (copies of a fixture case, each citing
its own reference, spread over a few lessons and convenors), then times the
generator pipeline (load → validate → link → render) and the strict MkDocs
build. Times are reported as ratios against the smallest size, measured in the
same run, so the figures compare across machines: a linear build gives a
ratio close to the ratio of sizes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from generator.build import build_site
from tests import bench_search
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, make_project, mkdocs_build

PIPELINE_SIZES = (100, 1000)
MKDOCS_SIZES = (100, 1000)  # also the sites on which search is measured


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


def report(title: str, sizes: tuple[int, ...], seconds: list[float]) -> None:
    print(f"\n{title}")
    print(f"{'cases':>7} {'seconds':>9} {'× time':>8} {'× size':>8} {'ms/case':>8}")
    for size, elapsed in zip(sizes, seconds, strict=True):
        print(f"{size:>7} {elapsed:>9.2f} {elapsed / seconds[0]:>8.2f} {size / sizes[0]:>8.2f} "
              f"{1000 * elapsed / size:>8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true",
                        help="also measure search on 10,000 cases (a copy of the 1,000-case site, grown)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        pipeline = []
        for size in PIPELINE_SIZES:
            root = make_collection(base / f"pipeline-{size}", size)
            pipeline.append(timed(lambda root=root: build_site(root, None, FIXTURE_TODAY)))
        report("Generator pipeline (load, validate, link, render)", PIPELINE_SIZES, pipeline)

        builds, sites = [], {}
        for size in MKDOCS_SIZES:
            project = make_project(base / f"mkdocs-{size}", make_collection(base / f"content-{size}", size))
            finished: list = []
            builds.append(timed(lambda project=project, finished=finished: finished.append(mkdocs_build(project))))
            result = finished[-1]
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            sites[size] = project / "site"
        report("Strict MkDocs build of the whole site (with the search index)", MKDOCS_SIZES, builds)
        bench_search.report(bench_search.run(sites, arguments.large, base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
