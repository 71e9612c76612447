"""Citations: formatted references, inline citations, and cite-this-case files that round-trip."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
from citeproc.source.json import CiteProcJSON

from generator import bibliography
from generator.bibliography import (
    STYLES,
    CitationFormatter,
    _style,
    case_csl_item,
    csl_item,
    formatting_version,
    to_bibtex,
    to_ris,
)
from generator.build import build_site
from generator.citations import find_citations
from generator.link import link_site
from generator.load import load_content
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, REAL_TODAY, REPO

SITE_URL = "https://example.org/casebook/"


@pytest.fixture(scope="module")
def raw():
    return load_content(FIXTURE_CORPUS)


@pytest.fixture(scope="module")
def case():
    from generator.link import link_site
    site = link_site(load_content(FIXTURE_CORPUS), {"site_url": SITE_URL})
    return site.cases_by_id["example-dialogue"]


def test_latex_is_decoded_and_names_split(raw) -> None:
    ref = raw.references["doe2001workshops"]
    assert ref.authors == (("Doe", "Jane"), ("Müller", "Jörg"))
    assert ref.fields["title"] == "Workshops in Practice: A Fictional Study"
    org = raw.references["exampleorg2020history"]
    assert org.authors == (("Example Peace Institute", ""),)  # braced: one name, not split


def test_crossref_fills_the_chapter_from_its_book(raw) -> None:
    chapter = raw.references["jones1999chapter"]
    assert chapter.fields["booktitle"] == "Dialogue across Lines"
    assert chapter.fields["publisher"] == "Example University Press"
    assert chapter.editors == (("Smith", "Anna"), ("Østergaard", "Søren"))
    assert chapter.fields["pages"] == "45–67"


def test_chicago_and_apa_come_from_the_citation_engine_with_diacritics(raw) -> None:
    formatter = CitationFormatter()
    doe = formatter.in_every_style(csl_item(raw.references["doe2001workshops"]))
    jones = formatter.in_every_style(csl_item(raw.references["jones1999chapter"]))
    assert doe["chicago-author-date"] == (
        "Doe, Jane, and Jörg Müller. 2001. <i>Workshops in Practice: A Fictional Study</i>. Example Press.")
    assert doe["apa"] == (
        "Doe, J., &amp; Müller, J. (2001). <i>Workshops in Practice: A Fictional Study</i>. Example Press.")
    assert jones["apa"] == (
        "Jones, N. (1999). The Oslo Chapter. In A. Smith &amp; S. Østergaard (eds.), "
        "<i>Dialogue across Lines</i> (pp. 45–67). Example University Press.")


def test_the_formatter_reuses_results_by_content_and_never_serves_a_changed_entry_stale(raw) -> None:
    formatter = CitationFormatter()
    item = csl_item(raw.references["doe2001workshops"])
    first = formatter.format(item, "apa")
    calls = []
    with pytest.MonkeyPatch.context() as patch:
        original = bibliography.CitationStylesBibliography
        patch.setattr(bibliography, "CitationStylesBibliography",
                      lambda *args: calls.append(args) or original(*args))
        assert formatter.format(dict(item), "apa") == first  # same content: remembered
        assert calls == []
        changed = formatter.format(item | {"title": "Workshops Revisited"}, "apa")
        assert len(calls) == 1  # changed content: formatted anew
    assert "Workshops Revisited" in changed and changed != first


def test_inline_citations_are_parsed_with_pages() -> None:
    found = find_citations("As shown [@doe2001workshops, p. 12; @exampleorg2020history] and [@a,\n pp. 3-4].")
    assert [(c.key, c.pages) for cit in found for c in cit.items] == [
        ("doe2001workshops", "12"), ("exampleorg2020history", ""), ("a", "3-4")]


def test_case_bibtex_round_trips(case) -> None:
    item = case_csl_item(case, SITE_URL)
    library = bibtexparser.parse_string(to_bibtex(item))
    assert not library.failed_blocks
    entry = library.entries[0]
    assert entry.key == "example-dialogue" and entry.entry_type == "online"
    assert entry["title"] == "Example Dialogue"
    assert entry["author"] == "{Track Two Casebook contributors}"
    assert entry["url"] == "https://example.org/casebook/cases/example-dialogue/"
    assert entry["date"] == "2026-11-25"


def test_case_ris_round_trips(case) -> None:
    [record] = rispy.loads(to_ris(case_csl_item(case, SITE_URL)))
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == "Example Dialogue"
    assert record["authors"] == ["Track Two Casebook contributors"]
    assert record["urls"] == ["https://example.org/casebook/cases/example-dialogue/"]
    assert record["date"] == "2026/11/25"


def test_case_csl_json_renders_with_citeproc(case) -> None:
    items = json.loads(json.dumps([case_csl_item(case, SITE_URL)]))
    bibliography = CitationStylesBibliography(_style("apa"), CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem("example-dialogue")]))
    assert [str(e) for e in bibliography.bibliography()] == [
        "Track Two Casebook contributors. (2026, November 25). Example Dialogue. Track Two Casebook. "
        "https://example.org/casebook/cases/example-dialogue/"]


def test_named_contributors_are_the_authors(case) -> None:
    from dataclasses import replace
    item = case_csl_item(replace(case, contributors=("Jane Q. Doe", "Ngũyên Jones")), SITE_URL)
    assert item["author"] == [{"family": "Doe", "given": "Jane Q."}, {"family": "Jones", "given": "Ngũyên"}]


def test_hostile_bibtex_cannot_inject_markup() -> None:
    from generator.bibliography import format_citations
    from generator.link import link_site
    from generator.load import parse_bibtex
    from generator.render import render_pages

    problems: list = []
    refs = parse_bibtex("references.bib", (
        "@online{evil2020x,\n  author = {<script>alert(1)</script>},\n"
        "  title = {<img src=x onerror=alert(1)> Title},\n  url = {javascript:alert(1)},\n  year = {2020},\n}\n"),
        problems)
    assert [p.code for p in problems] == ["E023"]  # the javascript: URL is refused
    from dataclasses import replace
    raw = load_content(FIXTURE_CORPUS)
    site = link_site(replace(raw, references={**raw.references, **refs}))
    page = render_pages(format_citations(site))["sources/evil2020x/index.md"]
    assert "<script>" not in page and "<img" not in page
    assert 'href="javascript' not in page
    assert "&lt;script&gt;" in page  # shown as text in the BibTeX listing


def test_unusable_and_case_duplicate_bibtex_keys_are_refused() -> None:
    from generator.load import parse_bibtex

    problems: list = []
    refs = parse_bibtex("references.bib", (
        "@misc{., title = {Dot}, year = 2000}\n"
        "@misc{ok2000a, title = {A}, year = 2000}\n"
        "@misc{OK2000a, title = {B}, year = 2000}\n"), problems)
    assert list(refs) == ["ok2000a"]
    assert [p.format() for p in problems] == [
        "references.bib:1:1: error: '.' is not a usable BibTeX key; use letters, digits and - _ : . only, "
        "e.g. agha2003track [E024]",
        "references.bib:3:1: error: duplicate BibTeX key 'OK2000a' (as 'ok2000a'); keys must differ in more "
        "than upper and lower case [E020]"]


def test_prose_cannot_imitate_a_citation_token_and_plain_text_is_unescaped_once() -> None:
    from generator.link import link_site
    from generator.prose import plain_text, prose_html

    site = link_site(load_content(FIXTURE_CORPUS))
    html = prose_html('[x](https://example.org/ "\ue0000\ue001") and [@doe2001workshops]', site, "cases/x/")
    assert '<span class="t2-cite">' in html and "\ue000" not in html
    assert html.count("t2-cite") == 1
    assert plain_text("cost < benefit & *x* [@doe2001workshops]") == "cost < benefit & x"


# URLs of the real references.bib that LaTeX decoding used to break: `%` starts a
# LaTeX comment (the rest of the URL was lost), `&` is a table column (it became
# a space) and `--`/`---` are dashes.
REAL_URLS = {
    "spencer1995political": "http://mettaspencer.com/?Papers:Academic_papers:%27Political%27_Scientists",
    "hansard2004cscap": (
        "http://parlinfo.aph.gov.au/parlInfo/search/display/display.w3p;db=CHAMBER;"
        "id=chamber%2Fhansardr%2F2004-03-22%2F0012;query=Id%3A%22chamber%2Fhansardr%2F2004-03-22%2F0139%22"),
    "esalen2017track": (
        "https://www.esalen.org/page/track-ii-diplomacy-citizen%E2%80%99s-response-when-leaders-falter"),
    "birnbaumndkerry": (
        "http://www.geneva-accord.org/mainmenu/the-explosive-inside-story-of-how-john-kerry-built-an-"
        "israel-palestine-peace-plan%E2%80%94and-watched-it-crumble"),
    "mac1993jointstatement": "https://www.mac.gov.tw/en/ct.asp?xItem=60780&ctNode=6535&mp=202",
    "zakareishvili2010rose": "http://www.humanrights.ge/index.php?a=main&pid=12578&lang=eng",
    "sputnik2024track": (
        "https://sputnikglobe.com/amp/20240725/russia-believes-track-ii-contacts-with-us-on-ukraine-"
        "not-needed-now---foreign-ministry-1119498593.html"),
}


@pytest.fixture(scope="module")
def real_references():
    problems: list = []
    text = (REPO / "references.bib").read_text(encoding="utf-8")
    from generator.load import parse_bibtex
    references = parse_bibtex("references.bib", text, problems)
    assert problems == []
    return text, references


@pytest.mark.parametrize("key", sorted(REAL_URLS))
def test_real_urls_with_percent_and_ampersand_are_read_as_written(real_references, key: str) -> None:
    text, references = real_references
    url = REAL_URLS[key]
    assert f"url = {{{url}}}" in text  # the address exactly as the file has it
    assert references[key].fields["url"] == url


def test_every_real_url_is_read_as_written(real_references) -> None:
    import re
    text, references = real_references
    written = dict(re.findall(r"@\w+\{([^,\s]+),(?:(?!\n@).)*?\n\s*url\s*=\s*\{([^}]*)\}", text, re.S))
    assert {key: references[key].fields["url"] for key in written} == written


def test_real_urls_reach_the_source_pages_whole(real_formatter) -> None:
    from html import escape

    from generator.build import build_site

    _, pages, _ = build_site(REPO, None, REAL_TODAY, real_formatter)
    for key, url in REAL_URLS.items():
        page = pages[f"sources/{key}/index.md"]
        assert f'<a href="{escape(url)}">{escape(url)}</a>' in page
        assert f"url = {{{escape(url, quote=False)}}}" in page  # the BibTeX listing
    assert all(f"url = {{{url}}}" in pages["data/references.bib"] for url in REAL_URLS.values())


def test_url_escapes_are_undone_and_other_fields_still_decoded() -> None:
    from generator.load import parse_bibtex

    problems: list = []
    refs = parse_bibtex("references.bib", (
        "@online{esc2020x,\n  title = {Caf{\\'e} \\& Co --- 100\\%},\n"
        "  url = {https://example.org/a\\%20b?x=1\\&y=a\\_b\\#top},\n  doi = {10.1000/a--b\\_c},\n}\n"
        "@online{notweb2020x,\n  title = {Not web},\n  url = {ftp://example.org/a%20b},\n}\n"), problems)
    assert refs["esc2020x"].fields["url"] == "https://example.org/a%20b?x=1&y=a_b#top"
    assert refs["esc2020x"].fields["doi"] == "10.1000/a--b_c"
    assert refs["esc2020x"].fields["title"] == "Café & Co — 100%"
    assert [p.format() for p in problems] == [
        "references.bib:6:1: error: the url of 'notweb2020x' is not a web address; use an address "
        "starting with https:// or http:// [E023]"]


def test_every_source_and_every_page_s_sources_download_round_trip() -> None:
    site, pages, _ = build_site(FIXTURE_CORPUS, {"site_url": SITE_URL}, FIXTURE_TODAY)
    for key, ref in site.references.items():
        library = bibtexparser.parse_string(pages[f"sources/{key}/{key}.bib"])
        assert not library.failed_blocks and [e.key for e in library.entries] == [key]
        [record] = rispy.loads(pages[f"sources/{key}/{key}.ris"])
        assert record["title"] == csl_item(ref)["title"]
    case_bib = bibtexparser.parse_string(pages["cases/example-dialogue/example-dialogue-sources.bib"])
    assert [e.key for e in case_bib.entries] == ["doe2001workshops", "exampleorg2020history"]
    records = rispy.loads(pages["cases/example-dialogue/example-dialogue-sources.ris"])
    assert [r["type_of_reference"] for r in records] == ["BOOK", "ELEC"]
    assert records[0]["authors"] == ["Doe, Jane", "Müller, Jörg"]
    # Each record formats through the citation engine from the same CSL-JSON.
    formatter = CitationFormatter()
    assert formatter.format(csl_item(site.references["doe2001workshops"]), "apa").startswith("Doe, J., &amp; Müller")


def test_urls_and_dois_in_formatted_references_are_links_and_escaped() -> None:
    from generator.model import Reference

    ref = Reference("x2020page", "online", {"title": "A page", "year": "2020",
                                            "url": "https://example.org/a?b=1&currentSection=2"}, (), 1, "")
    text = CitationFormatter().format(csl_item(ref), "chicago-author-date")
    assert ('<a href="https://example.org/a?b=1&amp;currentSection=2">'
            "https://example.org/a?b=1&amp;currentSection=2</a>") in text
    assert "¤" not in text


def test_a_source_page_lists_the_terms_and_handwritten_pages_that_cite_it() -> None:
    site, pages, _ = build_site(FIXTURE_CORPUS, {"docs_dir": str(REPO / "docs")}, FIXTURE_TODAY)
    page = pages["sources/avruchndreview/index.md"]
    assert '<a href="../../method/">Method</a> (page)' in page
    assert "No case, lesson or page cites this work yet." not in page
    term_page = pages["sources/doe2001workshops/index.md"]
    assert '<a href="../../formats/problem-solving-workshop/">Problem-solving workshop</a> (formats)' in term_page


def test_every_real_reference_formats_cleanly_in_every_style(real_formatter) -> None:
    """Notes keep their case, quotes nest, Chicago puts periods inside quotes, labels are unique."""
    import re

    from generator.bibliography import cite_label, format_citations
    from generator.link import link_site

    site = format_citations(link_site(load_content(REPO)), real_formatter)
    problems = []
    for key, ref in site.references.items():
        item = csl_item(ref)
        for style, text in ref.formatted.items():
            for field in ("title", "container-title"):
                for note in re.findall(r"[\[(][^\[\]()]*[\])]", item.get(field, "")):
                    if note.replace("&", "&amp;") not in text:
                        problems.append((key, style, "note recased", note))
            if "““" in text or "””" in text:
                problems.append((key, style, "nested quotes", ""))
            if style == "chicago-author-date" and re.search("”[.,]", text):
                problems.append((key, style, "punctuation outside quotes", ""))
        if ref.year_suffix and ref.year not in ref.text:
            problems.append((key, "", "list year differs from the label", ref.year))
    labels = [cite_label(ref) for ref in site.references.values()]
    problems += [("", "", "label shared", label) for label in set(labels) if labels.count(label) > 1]
    assert problems == []


def test_a_reference_whose_url_is_its_doi_link_gets_one_clean_link_and_suffixes_touch_only_the_date() -> None:
    from dataclasses import replace

    from generator.bibliography import _suffixed
    from generator.model import Reference

    ref = Reference("w2004x", "article", {"title": "Conference 2004 revisited", "year": "2004", "journal": "J",
                                          "doi": "10.1000/xyz", "url": "https://doi.org/10.1000/xyz"}, (), 1, "")
    text = CitationFormatter().format(csl_item(ref), "chicago-author-date")
    assert text.count("<a ") == 1 and '<a href="https://doi.org/10.1000/xyz">https://doi.org/10.1000/xyz</a>' in text
    assert _suffixed(text, replace(ref, year_suffix="a")).count("2004a") == 1
    assert "Conference 2004 Revisited" in _suffixed(text, replace(ref, year_suffix="a"))
    undated = Reference("org", "online", {"title": "Page"}, (("Org", ""),), 1, "")
    chicago = CitationFormatter().format(csl_item(undated), "chicago-author-date")
    assert _suffixed(chicago, replace(undated, year_suffix="b")).startswith("Org. n.d.-b. ")


def _fixture_items() -> list[dict]:
    site = link_site(load_content(FIXTURE_CORPUS))
    return [csl_item(ref) for ref in site.references.values()]


def test_formatted_references_are_kept_on_disk_and_a_changed_entry_is_formatted_anew(tmp_path: Path) -> None:
    items = _fixture_items()
    first = CitationFormatter(tmp_path)
    texts = [first.format(item, "apa") for item in items]
    first.save()
    [store] = tmp_path.glob("*.json")
    assert store.name == f"{formatting_version()}.json"
    saved = store.stat().st_mtime_ns

    again = CitationFormatter(tmp_path)
    assert [again.format(item, "apa") for item in items] == texts
    again.save()
    assert store.stat().st_mtime_ns == saved  # nothing new: the store is not rewritten

    changed = dict(items[0], title="A Title Changed Since")
    assert "A Title Changed Since" in again.format(changed, "apa")


def test_a_damaged_or_outdated_store_is_never_trusted(tmp_path: Path) -> None:
    item = _fixture_items()[0]
    (tmp_path / f"{formatting_version()}.json").write_text('{"apa\\n{}": 1, "broken', encoding="utf-8")
    (tmp_path / "0000000000000000.json").write_text("{}", encoding="utf-8")  # another version's file
    formatter = CitationFormatter(tmp_path)
    assert formatter.format(item, "apa") == CitationFormatter().format(item, "apa")
    formatter.save()
    assert [p.name for p in tmp_path.glob("*.json")] == [f"{formatting_version()}.json"]


def test_formatting_in_parallel_gives_what_formatting_one_by_one_gives() -> None:
    # In a fresh interpreter: the parallel path only runs in a process with no other threads.
    script = """
import json
import generator.bibliography as bibliography
from generator.bibliography import STYLES, CitationFormatter, csl_item
from generator.link import link_site
from generator.load import load_content
from tests.conftest import FIXTURE_CORPUS

items = [csl_item(ref) for ref in link_site(load_content(FIXTURE_CORPUS)).references.values()] * 3
alone = [CitationFormatter().format(item, style) for item in items for style in STYLES]
bibliography.PARALLEL_FROM = 1
parallel = CitationFormatter()
parallel.prepare(items)
prepared = len(parallel._done)
print(json.dumps([prepared, [parallel.format(item, style) for item in items for style in STYLES] == alone]))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    prepared, same = json.loads(result.stdout)
    assert prepared == len(_fixture_items()) * len(STYLES)  # all formatted ahead, by the workers
    assert same


def test_formatting_deferred_fills_in_what_formatting_at_once_gives(tmp_path: Path) -> None:
    # In a fresh interpreter, as above. Each placeholder goes through the steps the pages
    # apply to formatted text (year suffix, access date, plain text) before it is filled in.
    script = f"""
import json
from dataclasses import replace
from pathlib import Path
from markupsafe import escape
import generator.bibliography as bibliography
from generator.bibliography import STYLES, CitationFormatter, _suffixed, csl_item, plain_reference, with_access_date
from generator.link import link_site
from generator.load import load_content
from tests.conftest import FIXTURE_CORPUS

refs = [replace(ref, year_suffix="b") for ref in link_site(load_content(FIXTURE_CORPUS)).references.values()]
steps = [lambda text, ref, style: text, lambda text, ref, style: _suffixed(text, ref),
         lambda text, ref, style: with_access_date(text, style),
         lambda text, ref, style: escape(plain_reference(text))]  # templates escape it
at_once = CitationFormatter()
expected = [str(step(at_once.format(csl_item(ref), style), ref, style)) for ref in refs for style in STYLES
            for step in steps]
bibliography.PARALLEL_FROM = 1
deferred = CitationFormatter(Path({str(tmp_path)!r}))
deferred.prepare([csl_item(ref) for ref in refs], defer=True)
texts = [step(deferred.format(csl_item(ref), style), ref, style) for ref in refs for style in STYLES for step in steps]
placeholders = sum(text.startswith("\\ue000") for text in texts)
page = "<p>" + "</p><p>".join(texts) + "</p>"
forged = "\\ue000" + "0" * 16 + "0\\ue002"
filled = deferred.fill_in(page + forged)
deferred.finish()
print(json.dumps([placeholders, filled == "<p>" + "</p><p>".join(expected) + "</p>" + forged,
                  len(json.loads(next(Path({str(tmp_path)!r}).glob("*.json")).read_text()))]))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    placeholders, same, stored = json.loads(result.stdout)
    references = len(_fixture_items())
    assert placeholders == references * len(STYLES) * 4  # every text was a placeholder until filled in
    assert same  # and a forged placeholder, of another formatter, is left as it is
    assert stored == references * len(STYLES)  # finish() kept every result


def test_workers_started_before_the_content_is_read_format_it_and_are_stopped_when_not_needed() -> None:
    # In a fresh interpreter, as above. Started early, the workers are forked before the model
    # exists; the pool's own thread then runs, and prepare must still use them.
    script = """
import json, multiprocessing, threading
import generator.bibliography as bibliography
from generator.bibliography import STYLES, CitationFormatter, csl_item
from generator.link import link_site
from generator.load import load_content
from tests.conftest import FIXTURE_CORPUS

bibliography.PARALLEL_FROM = 1
early = CitationFormatter()
early.start_workers()
workers = sorted(child.pid for child in multiprocessing.active_children())
threads = threading.active_count()
items = [csl_item(ref) for ref in link_site(load_content(FIXTURE_CORPUS)).references.values()]
early.prepare(items, defer=True)
used = sorted(early._pool._processes) if early._pool else []
texts = [early.fill_in(early.format(item, style)) for item in items for style in STYLES]
early.finish()
alone = [CitationFormatter().format(item, style) for item in items for style in STYLES]
idle = CitationFormatter()
idle.start_workers()
idle.prepare([], defer=True)
idle.finish()
print(json.dumps([len(workers), threads > 1, used == workers, texts == alone,
                  len(multiprocessing.active_children())]))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    started, threaded, same_workers, same_texts, left = json.loads(result.stdout)
    assert started == min((os.cpu_count() or 1) - 1, 4)
    if started:
        assert threaded and same_workers  # the workers forked early did the formatting
    assert same_texts
    assert left == 0  # workers with nothing to do were stopped


def test_a_build_that_formats_meanwhile_gives_the_site_of_one_that_waits(real_site: Path, tmp_path: Path) -> None:
    from tests.conftest import mkdocs_build, real_project

    project = real_project(tmp_path)
    result = mkdocs_build(project, REAL_TODAY, formatting_deferred=False)
    assert result.returncode == 0, result.stderr

    def files(site: Path) -> dict[str, bytes]:
        # Pagefind writes its filter index in an order of its own choosing, run to run.
        return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*"))
                if path.is_file() and not path.relative_to(site).as_posix().startswith("pagefind/")}

    deferred, waited = files(real_site), files(project / "site")
    assert deferred.keys() == waited.keys()
    assert [path for path in deferred if deferred[path] != waited[path]] == []
    assert [path for path, data in deferred.items() if "\ue000".encode() in data] == []


def test_with_a_warm_store_a_changed_reference_changes_the_pages_that_show_it(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    store = tmp_path / "store"
    build_site(root, None, FIXTURE_TODAY, CitationFormatter(store))
    bib = root / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Workshops in {Practice}", "Workshops Reconsidered"),
                   encoding="utf-8")
    pages = build_site(root, None, FIXTURE_TODAY, CitationFormatter(store))[1]
    for path in ("sources/doe2001workshops/index.md", "cases/example-dialogue/index.md"):
        assert "Workshops Reconsidered" in pages[path]
        assert "Workshops in Practice" not in pages[path]


def test_editorial_notes_stay_on_the_source_page_and_out_of_every_export(real_formatter) -> None:
    site, pages, _ = build_site(REPO, None, REAL_TODAY, real_formatter)
    noted = [ref for ref in site.references.values() if re.fullmatch(r"[\w ,;.()-]{30,}",
                                                                     ref.fields.get("editorial_note", ""))]
    assert len(noted) > 100
    exports = {path: text for path, text in pages.items() if path.endswith((".bib", ".ris", ".json", ".csv"))}
    assert "data/references.bib" in exports and len(exports) > 1000
    assert [path for path, text in exports.items() if "editorial_note" in text] == []
    for ref in noted[:50]:
        leaked = [path for path, text in exports.items() if ref.fields["editorial_note"] in text]
        assert leaked == [], ref.key
        assert ref.fields["editorial_note"] in pages[f"sources/{ref.key}/index.md"]
        written = {field.key for field in bibtexparser.parse_string(ref.raw).entries[0].fields}
        download = bibtexparser.parse_string(pages[f"sources/{ref.key}/{ref.key}.bib"]).entries[0]
        assert download.key == ref.key and {field.key for field in download.fields} == written - {"editorial_note"}
