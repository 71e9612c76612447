"""The Atom feeds: every feed is well-formed Atom (RFC 4287), dated from review dates, escaped, linked from its page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import FIXTURE_CORPUS, make_project, mkdocs_build

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://track-two-casebook.github.io/casebook/"


def atom_problems(xml: bytes) -> list[str]:
    """Return what a feed lacks of RFC 4287's required elements (4.1.1, 4.1.2), or is malformed in them."""
    root = etree.fromstring(xml)
    problems = []
    if root.tag != f"{ATOM}feed":
        return [f"root element is {root.tag}"]

    def check_common(element: etree._Element, where: str) -> None:
        for name in ("id", "title", "updated"):
            if len(element.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"{where}: needs exactly one atom:{name}")
        identifier = element.findtext(f"{ATOM}id") or ""
        if not identifier.startswith((SITE_URL, "tag:")):
            problems.append(f"{where}: id {identifier!r} is not a stable URL of the site or a tag URI")
        try:
            updated = dt.datetime.fromisoformat(element.findtext(f"{ATOM}updated") or "")
            if updated.tzinfo is None:
                problems.append(f"{where}: updated has no time zone")
        except ValueError:
            problems.append(f"{where}: updated is not an RFC 3339 date")
        for link in element.findall(f"{ATOM}link"):
            if not (link.get("href") or "").startswith("https://"):
                problems.append(f"{where}: link {link.get('href')!r} is not absolute")

    check_common(root, "feed")
    if not root.findall(f"{ATOM}link[@rel='self']"):
        problems.append("feed: no self link")
    feed_authors = root.findall(f"{ATOM}author/{ATOM}name")
    entries = root.findall(f"{ATOM}entry")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    if len(ids) != len(set(ids)):
        problems.append("feed: two entries share an id")
    for number, entry in enumerate(entries, 1):
        check_common(entry, f"entry {number}")
        if not feed_authors and not entry.findall(f"{ATOM}author/{ATOM}name"):
            problems.append(f"entry {number}: no author, and the feed has none")
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        if not alternates and entry.find(f"{ATOM}content") is None:
            problems.append(f"entry {number}: no alternate link and no content")
    dates = [entry.findtext(f"{ATOM}updated") for entry in entries]
    if dates != sorted(dates, reverse=True):
        problems.append("feed: entries are not newest first")
    return problems


def feeds_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("feed.xml")}


def test_every_feed_of_the_fixture_site_is_valid_atom(fixture_site: Path) -> None:
    feeds = feeds_of(fixture_site)
    assert set(feeds) == {"feed.xml", "lessons/small-groups-build-trust/feed.xml",
                          "conflicts/example-conflict/feed.xml"}
    for path, xml in feeds.items():
        assert atom_problems(xml) == [], path


def test_every_feed_of_the_real_site_is_valid_atom(real_site: Path) -> None:
    feeds = feeds_of(real_site)
    lessons = {p.name for p in (real_site / "lessons").iterdir() if (p / "feed.xml").exists()}
    assert len(lessons) == len([p for p in (Path(__file__).parent.parent / "lessons").glob("*.yml")])
    for path, xml in feeds.items():
        assert atom_problems(xml) == [], path


def test_the_site_feed_is_dated_by_review_dates_newest_first(fixture_site: Path) -> None:
    root = etree.fromstring((fixture_site / "feed.xml").read_bytes())
    entries = [(e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}updated")) for e in root.findall(f"{ATOM}entry")]
    # The fixture cases are reviewed on 2026-11-25 (example-dialogue) and 2026-11-20 (second-example).
    assert entries == [(SITE_URL + "cases/example-dialogue/", "2026-11-25T00:00:00+00:00"),
                       (SITE_URL + "cases/second-example/", "2026-11-20T00:00:00+00:00")]
    assert root.findtext(f"{ATOM}updated") == "2026-11-25T00:00:00+00:00"


def test_the_lesson_feed_says_how_each_case_bears_on_the_lesson(fixture_site: Path) -> None:
    root = etree.fromstring((fixture_site / "lessons" / "small-groups-build-trust" / "feed.xml").read_bytes())
    summaries = [e.findtext(f"{ATOM}summary") for e in root.findall(f"{ATOM}entry")]
    assert summaries and all(s.startswith(("Supports the lesson: ", "Cuts against the lesson: ")) for s in summaries)


@pytest.mark.parametrize("page, feed, title", [
    ("index.html", "feed.xml", "Track Two Casebook: cases added or revised"),
    ("cases/index.html", "../feed.xml", "Track Two Casebook: cases added or revised"),
    ("lessons/small-groups-build-trust/index.html", "feed.xml",
     "Track Two Casebook: cases on the lesson “Small groups build trust”"),
    ("conflicts/example-conflict/index.html", "feed.xml", "Track Two Casebook: cases in Example conflict"),
])
def test_a_page_with_a_feed_links_it_in_head_and_in_the_text(fixture_site: Path, page: str, feed: str,
                                                            title: str) -> None:
    html = etree.HTML((fixture_site / page).read_bytes())
    # Feed readers look for the word "alternate" among the link's rel words.
    links = html.xpath("//head/link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]"
                       "[@type='application/atom+xml']")
    assert [(link.get("href"), link.get("title")) for link in links] == [(feed, title)]
    # Material reads a link whose rel is exactly "alternate" as the page in another language,
    # and asks for a sitemap.xml beside it, which does not exist beside a lesson's feed.
    assert html.xpath("//head/link[@rel='alternate']") == []
    assert html.xpath("//a[normalize-space()='Follow (Atom)']/@href") == [feed]
    assert (fixture_site / page).parent.joinpath(feed).resolve().is_file()


def test_hostile_text_reaches_the_feeds_escaped(tmp_path: Path) -> None:
    """A title may hold `&` and quotes (the schema refuses `<` and `>` there); a summary may hold markup."""
    project = make_project(tmp_path, FIXTURE_CORPUS)
    case = project / "cases" / "example-dialogue.yml"
    title, summary = "Example & \"Co\" 'x'", "Fictional <script>alert(1)</script> ]]> &amp; text"
    case.write_text(case.read_text(encoding="utf-8")
                    .replace("title: Example Dialogue", f"title: {json.dumps(title)}")
                    .replace("summary: A fictional dialogue used by the test suite; nothing in it is real.",
                             f"summary: {json.dumps(summary)}"), encoding="utf-8")
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    feeds = feeds_of(project / "site")
    assert len(feeds) == 3
    for path, xml in feeds.items():
        assert b"<script>" not in xml, path
        assert atom_problems(xml) == [], path
        entries = etree.fromstring(xml).findall(f"{ATOM}entry")
        assert title in [e.findtext(f"{ATOM}title") for e in entries], path
        assert any(summary in (e.findtext(f"{ATOM}summary") or "") for e in entries), path
