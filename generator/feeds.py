"""Atom feeds of the casebook: the cases added or revised, and the cases of each lesson and conflict.

`feed_files(site)` returns `{path: xml}` for `feed.xml` and one feed beside
each lesson's and each conflict's page (URLs from `urls.feed_url`);
`feed_link(site, kind, id)` gives a page the address and title of its feed.
An entry is a case, dated by its review date (the `reviewed` field), never by
the clock, so two builds give the same bytes. A feed holds the `FEED_SIZE`
most recently reviewed cases. Feeds need absolute addresses: without a
`site_url` there are none. The feeds are written with feedgen, which escapes
every text it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from .bibliography import CASEBOOK
from .model import Case, Site
from .urls import absolute, feed_url, page_url

FEED_SIZE = 50  # entries in one feed: the most recently reviewed cases
STANCE_WORDS = {"supports": "Supports the lesson", "complicates": "Cuts against the lesson"}


@dataclass(frozen=True, slots=True)
class FeedLink:
    """The feed a page offers: its site-relative URL and its title."""

    url: str
    title: str


def feed_link(site: Site, kind: str = "", item_id: str = "") -> FeedLink | None:
    """Return the feed of the whole casebook (no kind), a lesson or a conflict; None without a site_url."""
    if not site.settings.get("site_url"):
        return None
    if kind == "lesson":
        title = f"{CASEBOOK}: cases on the lesson “{site.lessons_by_id[item_id].title}”"
    elif kind == "conflicts":
        title = f"{CASEBOOK}: cases in {site.vocabulary['conflicts'][item_id].label}"
    else:
        title = f"{CASEBOOK}: cases added or revised"
    return FeedLink(feed_url(kind, item_id), title)


def feed_files(site: Site) -> dict[str, str]:
    """Return every Atom feed as `{path: xml}`; none when the site has no site_url."""
    if not site.settings.get("site_url"):
        return {}
    newest = max((case.reviewed for case in site.cases), default="1970-01-01")
    files = {}
    files[feed_url()] = _feed(site, "", "", page_url("case"),
                              [(case, "") for case in site.cases], newest)
    for lesson in site.lessons:
        entries = [(item.case, f"{STANCE_WORDS[item.stance]}: {item.note}")
                   for item in site.evidence.get(lesson.id, ())]
        files[feed_url("lesson", lesson.id)] = _feed(site, "lesson", lesson.id, page_url("lesson", lesson.id),
                                                     entries, newest)
    for conflict in site.vocabulary["conflicts"].values():
        entries = [(case, "") for case in site.cases if case.conflict == conflict.id]
        files[feed_url("conflicts", conflict.id)] = _feed(site, "conflicts", conflict.id,
                                                          page_url("conflicts", conflict.id), entries, newest)
    return files


def _day(date: str) -> dt.datetime:
    """Return a review date (YYYY-MM-DD) as midnight UTC, the time Atom requires."""
    return dt.datetime.combine(dt.date.fromisoformat(date), dt.time(0), dt.UTC)


def _feed(site: Site, kind: str, item_id: str, page: str, entries: Iterable[tuple[Case, str]],
          newest: str) -> str:
    """Return one feed: the most recently reviewed cases first, with an optional note before each summary."""
    site_url = site.settings["site_url"]
    link = feed_link(site, kind, item_id)
    assert link is not None  # feed_files checked the site_url
    chosen = sorted(entries, key=lambda entry: (entry[0].reviewed, entry[0].id), reverse=True)[:FEED_SIZE]
    generator = FeedGenerator()
    generator.id(absolute(site_url, link.url))
    generator.title(link.title)
    generator.author({"name": CASEBOOK, "uri": site_url})
    generator.link(href=absolute(site_url, page), rel="alternate", type="text/html")
    generator.link(href=absolute(site_url, link.url), rel="self", type="application/atom+xml")
    generator.language("en")
    generator.generator(CASEBOOK, uri=site_url)
    # An empty feed is as new as the newest case of the collection, so that its date never moves by itself.
    generator.updated(_day(chosen[0][0].reviewed if chosen else newest))
    for case, note in chosen:
        entry = generator.add_entry(order="append")
        address = absolute(site_url, page_url("case", case.id))
        entry.id(address)
        entry.title(case.title)
        entry.updated(_day(case.reviewed))
        entry.link(href=address, rel="alternate", type="text/html")
        entry.summary(f"{note} {case.summary}" if note else case.summary)
        for contributor in case.contributors:
            entry.contributor({"name": contributor})
    return generator.atom_str(pretty=True).decode("utf-8")
