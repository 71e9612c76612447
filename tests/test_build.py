"""End to end: the strict MkDocs build of the fixture corpus, inspected as HTML."""

from __future__ import annotations

import gzip
import html as html_module
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.search import INDEX_FOLDER, INDEXES_FILE, SearchIndexError, StreamedIndex
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
    assert "example-dialogue" not in home.split('class="md-content"')[0]  # the home page's own text links cases
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


def _unstable_search_file(path: Path) -> bool:
    """Pagefind's filter index, metadata and entry file, which it writes in an arbitrary order.

    Its page fragments and word index are stable between builds (Pagefind
    issue #638: fixed for fragments in 1.3.0, not for these files).
    """
    return path.parts[0] == "pagefind" and (path.parts[1] == "filter" or path.suffix == ".pf_meta"
                                            or path.name == "pagefind-entry.json")


def test_two_builds_are_byte_identical(fixture_site: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path, FIXTURE_CORPUS)
    assert mkdocs_build(project).returncode == 0
    ours = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*")
            if p.is_file() and p.suffix in (".html", ".json", ".xml", ".svg", ".pf_fragment", ".pf_index")}
    ours = {path: data for path, data in ours.items() if not _unstable_search_file(path)}
    assert any(path.suffix == ".pf_fragment" for path in ours)
    for path, data in ours.items():
        assert (fixture_site / path).read_bytes() == data, path


def _fragments(index: Path) -> dict[str, dict]:
    """Return a Pagefind index's page fragments (each page's indexed text and metadata) by URL."""
    fragments = {}
    for path in (index / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        fragment = json.loads(data)
        fragments[fragment["url"]] = fragment
    return fragments


def test_pages_the_build_did_not_rewrite_are_indexed_from_disk(fixture_site: Path, tmp_path: Path) -> None:
    """A dirty build hands Pagefind only the pages it rewrote: the rest must still be found."""
    site = tmp_path / "site"
    shutil.copytree(fixture_site, site, ignore=shutil.ignore_patterns(INDEX_FOLDER, "indexes.json"))
    streamed = StreamedIndex(site)
    given = "cases/example-dialogue/index.html"
    streamed.add(given, (site / given).read_text(encoding="utf-8"))
    streamed.finish()
    fragments = _fragments(site / INDEX_FOLDER)
    assert fragments == _fragments(fixture_site / INDEX_FOLDER)
    assert "/cases/example-dialogue/" in fragments and len(fragments) > 20
    assert json.loads((site / INDEXES_FILE).read_text(encoding="utf-8")) == [f"{INDEX_FOLDER}/"]


@pytest.mark.parametrize("executable", ["false", "no-such-pagefind"])
def test_a_failed_pagefind_service_fails_with_a_clear_error(fixture_site: Path, tmp_path: Path, monkeypatch,
                                                           executable: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(fixture_site, site, ignore=shutil.ignore_patterns(INDEX_FOLDER, "indexes.json"))
    monkeypatch.setattr("generator.search._executable", lambda: shutil.which(executable) or executable)
    streamed = StreamedIndex(site)
    page = "cases/example-dialogue/index.html"
    with pytest.raises(SearchIndexError, match="Pagefind failed to index .*: (Pagefind could not run|the service stopped)"):
        streamed.add(page, (site / page).read_text(encoding="utf-8"))
        streamed.finish()
    assert not (site / INDEXES_FILE).exists()


# A stand-in for `pagefind --service` that answers as Pagefind 1.5.2 does (service/mod.rs) and,
# like it, exits as soon as its input closes: its WriteFiles answer promises files it has not
# written, as Pagefind's may not have flushed them yet. GetFiles gives the files of FILES.
_STAND_IN_SERVICE = """
import base64, json, sys
FILES = {files!r}
pending = b""
while chunk := sys.stdin.buffer.read1(1 << 16):
    *messages, pending = (pending + chunk).split(b",")
    for encoded in messages:
        message = json.loads(base64.b64decode(encoded))
        kind = message["payload"]["type"]
        payload = {{"NewIndex": {{"type": "NewIndex", "index_id": 0}},
                   "AddFile": {{"type": "IndexedFile", "page_word_count": 1, "page_url": "/", "page_meta": {{}}}},
                   "WriteFiles": {{"type": "WriteFiles", "output_path": "pagefind"}},
                   "GetFiles": {{"type": "GetFiles", "files": [
                       {{"path": path, "content": base64.b64encode(data.encode()).decode()}}
                       for path, data in FILES.items()]}}}}[kind]
        answer = json.dumps({{"message_id": message["message_id"], "payload": payload}}).encode()
        sys.stdout.buffer.write(base64.b64encode(answer) + b",")
        sys.stdout.buffer.flush()
"""


def _stand_in_service(tmp_path: Path, monkeypatch, files: dict[str, str]) -> None:
    script = tmp_path / "stand-in-pagefind"
    script.write_text(f"#!{sys.executable}\n" + _STAND_IN_SERVICE.format(files=files), encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setattr("generator.search._executable", lambda: str(script))


def test_the_index_is_whole_even_when_the_service_exits_before_its_own_writes(fixture_site: Path, tmp_path: Path,
                                                                               monkeypatch) -> None:
    site = tmp_path / "site"
    shutil.copytree(fixture_site, site, ignore=shutil.ignore_patterns(INDEX_FOLDER, "indexes.json"))
    files = {"pagefind-entry.json": '{"version": "1.5.2"}', "fragment/en_1.pf_fragment": "fragment"}
    _stand_in_service(tmp_path, monkeypatch, files)
    StreamedIndex(site).finish()
    assert {path.relative_to(site / INDEX_FOLDER).as_posix(): path.read_text(encoding="utf-8")
            for path in (site / INDEX_FOLDER).rglob("*") if path.is_file()} == files
    assert json.loads((site / INDEXES_FILE).read_text(encoding="utf-8")) == [f"{INDEX_FOLDER}/"]


@pytest.mark.parametrize("path", ["../../outside.txt", "/tmp/outside.txt", ""])
def test_an_index_file_the_service_names_outside_the_index_folder_is_refused(fixture_site: Path, tmp_path: Path,
                                                                            monkeypatch, path: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(fixture_site, site, ignore=shutil.ignore_patterns(INDEX_FOLDER, "indexes.json"))
    _stand_in_service(tmp_path, monkeypatch, {path: "not an index file"})
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(SearchIndexError, match="unexpected path"):
        StreamedIndex(site).finish()
    assert sorted(tmp_path.rglob("*")) == before
    assert not (site / INDEXES_FILE).exists()


# Zotero's Embedded Metadata translator (zotero/translators, "Embedded Metadata.js"), as far
# as these pages use it: `init` types the page by the first specific Highwire tag
# (citation_journal_title -> journalArticle, citation_technical_report_institution ->
# report, citation_book_title -> bookSection, citation_conference_title -> conferencePaper,
# citation_dissertation_institution -> thesis), else guesses journalArticle from
# citation_title (book from citation_isbn); HIGHWIRE_MAPPINGS fills the fields; and
# processHighwireCreators runs ZU.cleanAuthor, which splits "Family, Given" at the comma
# and a name without one at its last space.
_ZOTERO_TYPES = {"citation_journal_title": "journalArticle", "citation_technical_report_institution": "report",
                 "citation_conference_title": "conferencePaper", "citation_conference": "conferencePaper",
                 "citation_book_title": "bookSection", "citation_inbook_title": "bookSection",
                 "citation_dissertation_institution": "thesis"}
_ZOTERO_FIELDS = {"citation_title": "title", "citation_publication_date": "date", "citation_date": "date",
                  "citation_journal_title": "publicationTitle", "citation_book_title": "bookTitle",
                  "citation_volume": "volume", "citation_issue": "issue", "citation_publisher": "publisher",
                  "citation_technical_report_institution": "institution", "citation_isbn": "ISBN",
                  "citation_doi": "DOI", "citation_public_url": "url"}


def zotero_item(html: str) -> dict | None:
    """Return the item Zotero's Embedded Metadata translator would save from a page's Highwire tags."""
    tags = re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', html)
    if not tags:
        return None
    names = [name for name, _ in tags]
    item_type = next((_ZOTERO_TYPES[n] for n in names if n in _ZOTERO_TYPES), None)
    item_type = item_type or ("book" if "citation_isbn" in names else "journalArticle")
    item: dict = {"itemType": item_type, "creators": []}
    for name, value in tags:
        value = html_module.unescape(value)
        if name in _ZOTERO_FIELDS and _ZOTERO_FIELDS[name] not in item:
            item[_ZOTERO_FIELDS[name]] = value
        elif name in ("citation_author", "citation_editor"):
            family, comma, given = value.partition(",") if "," in value else (
                value.rpartition(" ")[2], "", value.rpartition(" ")[0])
            item["creators"].append({"lastName": family.strip(), "firstName": given.strip(),
                                     "creatorType": name.removeprefix("citation_")})
    pages = dict(tags)
    if "citation_firstpage" in pages:
        item["pages"] = pages["citation_firstpage"] + ("-" + pages["citation_lastpage"]
                                                         if "citation_lastpage" in pages else "")
    return item


def test_zotero_saves_a_case_page_as_a_report_of_the_casebook(fixture_site: Path) -> None:
    item = zotero_item(read(fixture_site, "cases/example-dialogue"))
    assert item == {
        "itemType": "report", "title": "Example Dialogue", "creators": [], "date": "2026/11/25",
        "institution": "Track Two Casebook",
        "url": "https://track-two-casebook.github.io/casebook/cases/example-dialogue/",
    }


def test_zotero_saves_a_source_page_as_the_source_itself(fixture_site: Path) -> None:
    item = zotero_item(read(fixture_site, "sources/jones1999chapter"))
    assert item == {
        "itemType": "bookSection", "title": "The Oslo Chapter", "date": "1999",
        "bookTitle": "Dialogue across Lines", "publisher": "Example University Press", "pages": "45-67",
        "creators": [{"lastName": "Jones", "firstName": "Ngũyên", "creatorType": "author"},
                     {"lastName": "Smith", "firstName": "Anna", "creatorType": "editor"},
                     {"lastName": "Østergaard", "firstName": "Søren", "creatorType": "editor"}],
    }
    # A web page would be typed as a journal article, so its source page carries no tags.
    assert zotero_item(read(fixture_site, "sources/exampleorg2020history")) is None


def test_citation_files_sit_next_to_the_case_page(fixture_site: Path) -> None:
    folder = fixture_site / "cases" / "example-dialogue"
    assert (folder / "example-dialogue.bib").read_text(encoding="utf-8").startswith("@online{example-dialogue,")
    assert "TY  - ELEC" in (folder / "example-dialogue.ris").read_text(encoding="utf-8")
    assert '"type": "webpage"' in (folder / "example-dialogue.json").read_text(encoding="utf-8")
    html = read(fixture_site, "cases/example-dialogue")
    assert '<a href="example-dialogue.ris" download aria-label="RIS of this case">RIS</a>' in html


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


def test_each_case_links_to_its_file_as_of_its_last_commit(real_formatter) -> None:
    import subprocess

    from generator.build import build_site
    from tests.conftest import REAL_TODAY

    commit = subprocess.run(["git", "log", "-1", "--format=%H", "--", "cases/oslo-back-channel.yml"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.strip()
    settings = {"site_url": "https://example.org/casebook/", "repo_url": "https://github.com/example/casebook",
                "edit_uri": "edit/main/"}
    page = build_site(REPO, settings, REAL_TODAY, real_formatter)[1]["cases/oslo-back-channel/index.md"]
    assert (f'commit <code>{commit[:12]}</code> (<a href="https://github.com/example/casebook/blob/{commit}/'
            'cases/oslo-back-channel.yml">the case file as it stood</a>)') in page
