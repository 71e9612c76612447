"""Golden files: the rendered Markdown of fixture pages must match what is committed.

After an intended change to the output, run `make golden` and review the diff
of tests/golden/ like code.
"""

from __future__ import annotations

import pytest

from generator.build import build_site
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, REPO

GOLDEN = REPO / "tests" / "golden"
# One page of each type, and each index.
PAGES = [
    "cases/example-dialogue/index.md",
    "cases/example-dialogue/example-dialogue.bib",
    "cases/example-dialogue/example-dialogue.ris",
    "cases/example-dialogue/example-dialogue.json",
    "lessons/small-groups-build-trust/index.md",
    "sources/doe2001workshops/index.md",
    "convenors/example-peace-institute/index.md",
    "convenor-types/ngo/index.md",
    "participants/scholars/index.md",
    "outcomes/draft-agreement/index.md",
    "formats/problem-solving-workshop/index.md",
    "conflicts/example-conflict/index.md",
    "regions/europe/index.md",
    "glossary/index.md",
    "cases/index.md",
    "lessons/index.md",
    "sources/index.md",
    "convenors/index.md",
    "formats/index.md",
    "explore/index.md",
    "explore/index.json",
    "explore/cases-1.json",
    "compare/index.md",
    "codebook/index.md",
    "transfer/index.md",
    "transfer/claims.json",
    "selection/index.md",
    "finder/index.md",
    "finder/cases.json",
    "inventory/index.md",
    "sources/exampleorg2020history/index.md",
    "data/cases.json",
    "data/cases.csv",
    "data/transfer.csv",
    "data/inventory.json",
    "data/inventory.csv",
    "timeline/index.md",
    "matrix/index.md",
    "map/index.md",
    "statistics/index.md",
    "feed.xml",
    "lessons/small-groups-build-trust/feed.xml",
]


SETTINGS = {"site_url": "https://example.org/casebook/", "repo_url": "https://github.com/example/casebook",
            "edit_uri": "edit/main/"}


def render_fixture() -> dict[str, str]:
    """Render the fixture corpus without git history, which changes with every commit."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("generator.load.last_changed", lambda root: {})
        return build_site(FIXTURE_CORPUS, SETTINGS, FIXTURE_TODAY)[1]


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return render_fixture()


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_golden_file(page: str, rendered: dict[str, str], update_golden: bool) -> None:
    golden = GOLDEN / page.replace("/index.md", ".md").replace("/", "__")
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered[page], encoding="utf-8", newline="\n")
    assert golden.exists(), f"no golden file {golden.name}: run `make golden`"
    assert rendered[page] == golden.read_text(encoding="utf-8")


def test_rendering_is_deterministic(rendered: dict[str, str]) -> None:
    assert render_fixture() == rendered
