"""End to end: the strict MkDocs build of the fixture corpus, inspected as HTML."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CORPUS, REPO, make_project, mkdocs_build, write_config

pytestmark = pytest.mark.slow


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def test_case_page_shows_every_part_of_the_case(fixture_site: Path) -> None:
    html = read(fixture_site, "cases/example-dialogue")
    assert "<title>Example Dialogue - Track Two Casebook</title>" in html
    for text in ("1990–1995", "Example conflict", "United States, Norway", "Example Peace Institute",
                 "Non-governmental organisation", ">Scholars</a>, <a href=\"../../participants/former-officials/\">Former officials</a>",
                 "Problem-solving workshop", "Relationships built", "(disputed)",
                 "Doe and Müller 2001, 3"):
        assert text in html, text
    assert 'href="../../lessons/small-groups-build-trust/"' in html
    assert "Doe, Jane, and Jörg Müller. 2001. <i>Workshops in Practice: A Fictional Study</i>" in html


def test_lesson_page_lists_every_case_behind_it(fixture_site: Path) -> None:
    html = read(fixture_site, "lessons/small-groups-build-trust")
    assert 'href="../../cases/example-dialogue/"' in html
    supporting, _, against = html.partition('<h2 id="cases-that-cut-against-it">')
    assert "Example Dialogue" in supporting and "Second Example Channel" in against


def test_case_pages_are_not_in_the_sidebar(fixture_site: Path) -> None:
    home = read(fixture_site, "")
    assert 'class="md-nav md-nav--primary' in home
    assert 'href="cases/"' in home
    assert "example-dialogue" not in home
    case = read(fixture_site, "cases/example-dialogue")
    assert "second-example" not in case.split('class="md-content"')[0]


def test_hostile_narrative_cannot_inject_markup(fixture_site: Path) -> None:
    html = read(fixture_site, "cases/example-dialogue")
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "Hostile text stays text:" in html


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            url = values.get(name) or ""
            if tag in ("script", "img", "iframe", "source") and name == "src" or \
               tag == "link" and name == "href" and "stylesheet" in (values.get("rel") or "") + "preload":
                self.urls.append((tag, url))


def test_nothing_is_loaded_from_another_host(fixture_site: Path) -> None:
    for page in fixture_site.rglob("*.html"):
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        external = [(tag, url) for tag, url in parser.urls if re.match(r"^(https?:)?//", url)]
        assert not external, f"{page}: {external}"
    css = "".join(p.read_text(encoding="utf-8") for p in fixture_site.rglob("*.css"))
    assert "fonts.googleapis.com" not in css and "fonts.gstatic.com" not in css


def test_generated_pages_never_touch_docs(fixture_site: Path) -> None:
    generated = {"cases", "lessons", "sources", "data"}
    assert not generated & {p.name for p in (REPO / "docs").iterdir()}


def test_schema_is_published(fixture_site: Path) -> None:
    schema = (fixture_site / "data" / "case.schema.json").read_text(encoding="utf-8")
    assert '"title": "Track Two Casebook case"' in schema


def test_handwritten_page_colliding_with_a_generated_one_fails(tmp_path: Path) -> None:
    project = make_project(tmp_path, FIXTURE_CORPUS)
    docs = project / "docs"
    shutil.copytree(REPO / "docs", docs)
    (docs / "cases").mkdir()
    (docs / "cases" / "example-dialogue.md").write_text("# Hand-written\n", encoding="utf-8")
    (docs / "cases" / "example-dialogue").mkdir()
    (docs / "cases" / "example-dialogue" / "index.md").write_text("# Hand-written\n", encoding="utf-8")
    write_config(project)
    result = mkdocs_build(project)
    assert result.returncode == 1
    assert "docs/cases/example-dialogue/index.md collides with a generated page" in result.stderr
    assert (docs / "cases" / "example-dialogue" / "index.md").read_text(encoding="utf-8") == "# Hand-written\n"


def test_invalid_content_fails_the_build_with_the_checker_message(tmp_path: Path) -> None:
    project = make_project(tmp_path, FIXTURE_CORPUS)
    case = project / "cases" / "example-dialogue.yml"
    case.write_text(case.read_text(encoding="utf-8").replace("type: ngo", "type: ngoo"), encoding="utf-8")
    result = mkdocs_build(project)
    assert result.returncode == 1
    assert "cases/example-dialogue.yml:10:11: error: unknown convenor type 'ngoo'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site" / "cases" / "example-dialogue").exists()


def test_two_builds_are_byte_identical(fixture_site: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, FIXTURE_CORPUS)
    assert mkdocs_build(project).returncode == 0
    ours = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*")
            if p.is_file() and p.suffix in (".html", ".json") and p.name != "search_index.json"}
    for path, data in ours.items():
        assert (fixture_site / path).read_bytes() == data, path


def test_case_page_carries_citation_meta_tags(fixture_site: Path) -> None:
    html = read(fixture_site, "cases/example-dialogue")
    assert '<meta name="citation_title" content="Example Dialogue">' in html
    assert '<meta name="citation_author" content="Track Two Casebook contributors">' in html
    assert '<meta name="citation_publication_date" content="2026/11/25">' in html
    assert '<meta name="citation_public_url" content="https://track-two-casebook.github.io/casebook/cases/example-dialogue/">' in html


def test_citation_files_sit_next_to_the_case_page(fixture_site: Path) -> None:
    folder = fixture_site / "cases" / "example-dialogue"
    assert (folder / "example-dialogue.bib").read_text(encoding="utf-8").startswith("@online{example-dialogue,")
    assert "TY  - ELEC" in (folder / "example-dialogue.ris").read_text(encoding="utf-8")
    assert '"type": "webpage"' in (folder / "example-dialogue.json").read_text(encoding="utf-8")
    html = read(fixture_site, "cases/example-dialogue")
    assert '<a href="example-dialogue.ris" download>RIS</a>' in html


def test_old_case_id_redirects_to_the_current_page(fixture_site: Path) -> None:
    redirect = (fixture_site / "cases" / "second-example-channel" / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../second-example/">' in redirect
    assert '<link rel="canonical" href="../second-example/">' in redirect


def test_hostile_front_matter_is_escaped_everywhere_material_puts_it(tmp_path: Path) -> None:
    """Material prints titles and descriptions without escaping them; the generator must."""
    project = make_project(tmp_path, FIXTURE_CORPUS)
    case = project / "cases" / "example-dialogue.yml"
    case.write_text(case.read_text(encoding="utf-8")
                    .replace("title: Example Dialogue", "title: Example Dialogue 🕊 & \"Co\"")
                    .replace("summary: A fictional dialogue used by the test suite; nothing in it is real.",
                             "summary: 'Fictional\"><script>alert(1)</script></title><script>alert(2)</script> text'"),
                    encoding="utf-8")
    bib = project / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") +
                   "\n@online{evil2020x,\n  author = {</title><script>alert(3)</script>},\n"
                   "  title = {Evil},\n  year = {2020},\n}\n", encoding="utf-8")
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    for page in ("cases/example-dialogue", "sources/evil2020x"):
        html = read(project / "site", page)
        assert "<script>alert" not in html and "</title><script>" not in html, page
    html = read(project / "site", "cases/example-dialogue")
    assert "<title>Example Dialogue 🕊 &amp; &#34;Co&#34; - Track Two Casebook</title>" in html or \
           "<title>Example Dialogue 🕊 & \"Co\" - Track Two Casebook</title>" in html
    assert '<meta name="citation_title" content="Example Dialogue 🕊 &amp; &#34;Co&#34;">' in html
