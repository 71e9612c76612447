"""The page cache of `mkdocs serve`: a rebuild serves a kept page only if nothing the page read has changed."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import MappingProxyType

import pytest

from generator import render
from generator.build import build_site, read_settings
from generator.model import Term
from generator.page_cache import PageCache, SiteReads, Uncomparable, digest
from tests.conftest import REAL_TODAY, REPO

# Each edit: the file, the text replaced, its replacement, and pages that must change.
EDITS = [
    ("a case's title", "cases/oslo-back-channel.yml",
     "title: Oslo back channel (Fafo and Norway, Israel and the PLO)",
     "title: Oslo back channel, renamed (Fafo and Norway, Israel and the PLO)",
     ["cases/oslo-back-channel/index.md", "cases/index.md"]),
    ("a vocabulary term's label", "vocabulary.yml", "    label: Back channel\n", "    label: Back chanel\n",
     ["formats/back-channel/index.md", "cases/oslo-back-channel/index.md"]),
    ("a reference's title", "references.bib", "title = {Track-II Diplomacy: Lessons from the Middle East}",
     "title = {Track-II Diplomacy: Lessons from the Middle East, retitled}",
     ["sources/agha2003track/index.md", "cases/aaas-israeli-palestinian-study-group/index.md"]),
    ("a lesson's title", "lessons/access-to-decision-makers.yml",
     "title: Transfer to Track One needs participants with access to decision makers",
     "title: Transfer to Track One needs participants close to decision makers",
     ["lessons/access-to-decision-makers/index.md", "cases/oslo-back-channel/index.md"]),
]


def _content_copy(destination: Path) -> Path:
    for name in ("cases", "lessons", "inventory", "vocabulary.yml", "references.bib"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        else:
            shutil.copy(source, destination / name)
    return destination


def test_a_rebuild_through_the_cache_equals_a_build_from_scratch_after_each_kind_of_edit(
        tmp_path: Path, real_formatter) -> None:
    root = _content_copy(tmp_path)
    settings = read_settings(REPO / "mkdocs.yml")
    cache = PageCache()
    _, pages, _ = build_site(root, settings, REAL_TODAY, real_formatter, cache)
    for what, name, old, new, must_change in EDITS:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{what}: the text to edit is no longer in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        _, cached, _ = build_site(root, settings, REAL_TODAY, real_formatter, cache)
        _, fresh, _ = build_site(root, settings, REAL_TODAY, real_formatter)
        assert cached == fresh, f"{what}: stale pages {[p for p in fresh if cached.get(p) != fresh[p]][:5]}"
        changed = {page for page in fresh if pages.get(page) != fresh[page]}
        assert set(must_change) <= changed, f"{what}: {set(must_change) - changed} did not change"
        # One case, work, lesson or term is read by a few pages (a term also by every page whose prose
        # links glossary terms: the cases and lessons).
        assert cache.renders * 10 < cache.hits, \
            f"{what}: {cache.renders} pages rendered again, {cache.hits} served from the cache"
        pages = fresh


def test_a_changed_template_renders_every_page_made_with_it_again(tmp_path: Path, real_formatter,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = _content_copy(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, templates)
    monkeypatch.setattr(render, "TEMPLATES", templates)
    cache = PageCache()
    _, before, _ = build_site(root, None, REAL_TODAY, real_formatter, cache)
    case_template = templates / "case.md.j2"
    case_template.write_text(case_template.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    _, after, _ = build_site(root, None, REAL_TODAY, real_formatter, cache)
    case_pages = [path for path in before if path.startswith("cases/") and path.count("/") == 2
                  and path.endswith("/index.md") and "<!-- edited -->" in after[path]]
    assert len(case_pages) == len(list((root / "cases").glob("*.yml")))
    assert all("<!-- edited -->" not in before[path] for path in case_pages)


def test_what_a_template_reads_of_the_site_is_noted_key_by_key() -> None:
    term = Term(kind="formats", id="workshop", label="Workshop", definition="")
    site = type("Site", (), {"vocabulary": MappingProxyType({"formats": MappingProxyType({"workshop": term})}),
                             "cases": ()})()
    reads: dict = {}
    view = SiteReads(site, reads)
    assert view.vocabulary["formats"]["workshop"] is term
    assert "missing" not in view.vocabulary["formats"]
    assert view.cases == ()
    assert set(reads) == {("vocabulary", "formats", "workshop"), ("vocabulary", "formats", "missing"), ("cases",)}
    list(view.vocabulary["formats"].values())  # a loop over a mapping reads all of it
    assert ("vocabulary", "formats") in reads


def test_digests_tell_content_apart_and_refuse_what_they_cannot_see_into() -> None:
    term = Term(kind="formats", id="workshop", label="Workshop", definition="")
    assert digest(term) == digest(Term(kind="formats", id="workshop", label="Workshop", definition=""))
    assert digest(term) != digest(Term(kind="formats", id="workshop", label="Workshops", definition=""))
    assert digest(("1",)) != digest((1,)) != digest([1])
    assert digest(MappingProxyType({"a": 1})) == digest({"a": 1}) != digest({"a": 2})
    assert digest(render.country_name) == digest(render.country_name)
    with pytest.raises(Uncomparable):
        digest(lambda: 1)
    with pytest.raises(Uncomparable):
        digest(object())


def test_short_values_stand_for_themselves_yet_no_two_sequences_of_them_digest_alike() -> None:
    assert digest(("ab", "c")) != digest(("a", "bc")) != digest(("abc",))
    assert digest({"ab": "c"}) != digest({"a": "bc"})
    assert digest(("str1:a",)) != digest(("a",)) != digest(("a", ""))
    assert digest(("a\0str:b",)) != digest(("a", "b"))  # a separator inside a value
    assert digest(True) != digest(1) != digest("1") != digest(1.0)
    assert digest(("x" * 1000,)) == digest(("x" * 1000,)) != digest(("x" * 999 + "y",))


def test_what_a_kept_page_read_is_compared_with_the_site_it_is_asked_for() -> None:
    def site_with(label: str):
        term = Term(kind="formats", id="workshop", label=label, definition="")
        return type("Site", (), {"vocabulary": MappingProxyType({"formats": MappingProxyType({"workshop": term})})})()

    before, after = site_with("Workshop"), site_with("Workshops")
    cache = PageCache()
    cache.start_build()
    key = cache.key("page.md.j2")
    cache.put("page.md", key, {("vocabulary", "formats", "workshop"): before.vocabulary["formats"]["workshop"]}, "text")
    assert cache.get("page.md", key, before) == "text"
    assert cache.get("page.md", key, after) is None  # not what the same read found in `before`


def test_a_page_whose_context_cannot_be_compared_is_rendered_every_time() -> None:
    cache = PageCache()
    cache.start_build()
    key = cache.key(lambda: 1)
    assert key is None
    cache.put("page.md", key, {}, "text")
    assert cache.get("page.md", key, object()) is None


def test_a_one_off_build_forgets_what_only_a_rebuild_would_reuse() -> None:
    from generator import link, load, search, validate
    from generator.bibliography import CitationFormatter
    from generator.build import forget_kept_results
    from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY

    formatter = CitationFormatter()
    _, first, _ = build_site(FIXTURE_CORPUS, None, FIXTURE_TODAY, formatter)
    kept = (load._parse_yaml, link._case_of, validate.schema_problems, search.fold)
    assert all(cache.cache_info().currsize > 0 for cache in kept) and formatter.made
    forget_kept_results(formatter)
    assert [cache.cache_info().currsize for cache in kept] == [0] * len(kept) and formatter.made == {}
    _, again, _ = build_site(FIXTURE_CORPUS, None, FIXTURE_TODAY, formatter)
    assert again == first  # nothing a build needs was among what is forgotten
