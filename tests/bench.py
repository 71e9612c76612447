"""Benchmark: does the build stay linear as the collection grows? Run with `make bench`.

Makes synthetic collections of N cases (copies of a fixture case, each citing
its own reference, spread over a few lessons and convenors), then times the
generator pipeline (load → validate → link → render) and the strict MkDocs
build. Times are reported as ratios against the smallest size, measured in the
same run, so the figures compare across machines: a linear build gives a
ratio close to the ratio of sizes.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from generator.build import build_site
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, make_project, mkdocs_build

PIPELINE_SIZES = (50, 200, 800)
MKDOCS_SIZES = (50, 200)


def make_collection(root: Path, size: int) -> Path:
    """Write a copy of the fixture corpus with `size` cases into `root` and return it."""
    shutil.copytree(FIXTURE_CORPUS, root)
    template = (FIXTURE_CORPUS / "cases" / "example-dialogue.yml").read_text(encoding="utf-8")
    bib = [(FIXTURE_CORPUS / "references.bib").read_text(encoding="utf-8")]
    for number in range(size):
        key = f"bench{number:05d}source"
        text = (template.replace("title: Example Dialogue", f"title: Benchmark Case {number}")
                .replace("Example Peace Institute", f"Benchmark Institute {number % 25}")
                .replace("[@exampleorg2020history]", f"[@{key}]")
                .replace("{key: exampleorg2020history}", f"{{key: {key}}}"))
        (root / "cases" / f"benchmark-case-{number:05d}.yml").write_text(text, encoding="utf-8")
        bib.append(f"@online{{{key},\n  author = {{Doe, Jane}},\n  title = {{Source {number}}},\n"
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
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        pipeline = []
        for size in PIPELINE_SIZES:
            root = make_collection(base / f"pipeline-{size}", size)
            pipeline.append(timed(lambda root=root: build_site(root, None, FIXTURE_TODAY)))
        report("Generator pipeline (load, validate, link, render)", PIPELINE_SIZES, pipeline)

        builds = []
        for size in MKDOCS_SIZES:
            project = make_project(base / f"mkdocs-{size}", make_collection(base / f"content-{size}", size))
            finished: list = []
            builds.append(timed(lambda project=project, finished=finished: finished.append(mkdocs_build(project))))
            result = finished[-1]
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
        report("Strict MkDocs build of the whole site", MKDOCS_SIZES, builds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
