"""Make the site searchable: the kinds of page, the word list for spelling, the Pagefind index.

Search runs in the reader's browser, offline, from static files: Material's
search interface, answered by `docs/assets/search-worker.js` from a Pagefind
index (a chunked index: a query fetches only the chunks its words need, so
the download does not grow with the collection, which Material's single
lunr index did). Material's own index is left empty (the hook excludes every
page from it).

- `KINDS`: the kinds of page a reader can filter results by. Each generated
  page names its kind in its front matter (`kind:`); handwritten pages are
  "page"; hub pages that only list other pages say `kind: index` and are not
  indexed, since search finds what they list directly.
- `spelling_files(site)`: every word of the collection with its count, one
  JSON file per first letter. A query word that occurs nowhere (and begins
  no word) is replaced by the nearest word that does, so "Pugwosh" finds
  Pugwash; Pagefind itself has no typo tolerance, and for an unknown word it
  returns loose partial matches rather than nothing.
- `index_site(site_dir)`: run Pagefind over the built HTML.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .model import Site

# kind -> (singular, plural), in the order of the search dialog's buttons.
KINDS: dict[str, tuple[str, str]] = {
    "case": ("Case", "Cases"),
    "lesson": ("Lesson", "Lessons"),
    "convenor": ("Convenor", "Convenors"),
    "conflict": ("Conflict", "Conflicts"),
    "glossary": ("Glossary term", "Glossary"),
    "source": ("Source", "Sources"),
    "inventory": ("Not yet written up", "Not yet written up"),
    "page": ("Page", "Other pages"),
}
INDEX_FOLDER = "pagefind"
WORDS_FOLDER = "search/words"
MIN_WORD = 4  # shorter words are left to the index: one edit away from too many others

_SPECIAL = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ı": "i",
                          "þ": "th", "ð": "d"})
_NOT_LETTER = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=100_000)
def fold(text: str) -> tuple[str, ...]:
    """Return the words of `text` as search compares them: lower case, accents and special letters in ASCII.

    `search-worker.js` folds a reader's query the same way. A pure function of
    the text, so kept: a rebuild under `mkdocs serve` folds only new texts.
    """
    text = unicodedata.normalize("NFKD", text.lower()).translate(_SPECIAL)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return tuple(word for word in _NOT_LETTER.split(text) if word)


def _texts(site: Site) -> Iterable[str]:
    """Yield every text of the collection that search indexes: a word is known if it occurs in one."""
    for case in site.cases:
        yield from (case.title, case.summary, case.narrative, *case.also_known_as)
        yield from (text for person in case.notable for text in (person.name, person.role))
        yield from (part.role for part in case.convenors)
        yield from (outcome.text for outcome in case.outcomes)
        yield from (link.note for link in case.lessons)
    for convenor in site.convenors.values():
        yield from (convenor.name, *convenor.also_known_as)
    for section in site.vocabulary.values():
        for term in section.values():
            yield from (term.label, term.definition, *term.also_known_as)
    for lesson in site.lessons:
        yield from (lesson.title, lesson.summary, lesson.body)
    for entry in site.inventory:
        yield from (entry.name, entry.summary, *entry.also_known_as, *entry.convenors)
    for ref in site.references.values():
        yield from (family for family, _ in ref.authors + ref.editors)
        yield from (ref.fields.get(name, "") for name in ("title", "journaltitle", "booktitle", "publisher",
                                                          "institution"))


def spelling_files(site: Site) -> dict[str, str]:
    """Return `{path: JSON}`: for each first letter, the collection's words with how often they occur."""
    counts = Counter(word for text in _texts(site) for word in fold(text)
                     if len(word) >= MIN_WORD and word.isalpha())
    by_letter: dict[str, dict[str, int]] = {}
    for word in sorted(counts):
        by_letter.setdefault(word[0], {})[word] = counts[word]
    return {f"{WORDS_FOLDER}/{letter}.json": json.dumps(words, separators=(",", ":"), ensure_ascii=True) + "\n"
            for letter, words in by_letter.items()}


class SearchIndexError(RuntimeError):
    """Pagefind could not index the built site."""


def index_site(site_dir: Path) -> None:
    """Write the Pagefind index of the built site into `<site_dir>/pagefind/`."""
    from pagefind_bin import get_executable  # type: ignore[import-untyped]  # the binary ships in the package

    command = [str(get_executable()), "--site", str(site_dir), "--output-subdir", INDEX_FOLDER,
               "--force-language", "en", "--exclude-selectors", ".headerlink", "--silent"]  # not the ¶ of headings
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"Pagefind could not run: {error}") from None
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed to index {site_dir}: {(result.stderr or result.stdout).strip()}")
