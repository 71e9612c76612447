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
- `index_site(site_dir)`: run Pagefind over the built HTML. Pagefind holds
  everything it indexes in memory, with no option to bound it: about a
  quarter of a megabyte per case page, 2.7 GB for the benchmark's site of
  10,000 cases.
  A site of more than PAGES_PER_INDEX pages is therefore indexed in parts,
  one Pagefind run after another, and the reader's browser merges them
  (Pagefind's `mergeIndex`, in `search-worker.js`); INDEXES_FILE lists them.
  Merged parts must answer as one index would. Pagefind answers a word that
  an index lacks, and that begins none of its words, with the longest of its
  words that the query word begins with ("example" for "exampleland"): a
  part without the word would add loose matches that one index does not
  give (`find_word_extensions` in Pagefind's search code). So each
  part also indexes one page of every word of the site that its own pages
  lack (kind WORDS_KIND, which the worker never shows), and every part knows
  every word. The real collection fits in one index.
- `StreamedIndex(site_dir)`: the same index, fed each page as MkDocs finishes
  it (Pagefind's service mode), so that Pagefind reads the pages on the
  second core while MkDocs renders the rest, and only writes its files once
  the build is done. A `mkdocs build` of up to PAGES_PER_INDEX pages
  uses it (`generator/mkdocs_hook.py`); larger sites, and `mkdocs serve`,
  where most pages are not rebuilt, use `index_site`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

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
INDEXES_FILE = "search/indexes.json"
# Pages per Pagefind run: at most about 1 GB of Pagefind's memory even if every page were a case page.
PAGES_PER_INDEX = 4000  # one run after another: two at once, beside MkDocs' process, came to 2 GB at 10,000 cases
WORDS_KIND = "words"
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


def index_site(site_dir: Path, pages_per_index: int = PAGES_PER_INDEX) -> None:
    """Write the Pagefind index of the built site, in parts if it is large, and the list of them (INDEXES_FILE)."""
    _remove_earlier_indexes(site_dir)
    pages = sorted(path.relative_to(site_dir) for path in site_dir.rglob("*.html"))
    if len(pages) > pages_per_index:  # only then worth reading: hub pages and the 404 page are not indexed
        pages = [page for page in pages if _BODY_MARK in (site_dir / page).read_bytes()]
    parts = -(-len(pages) // pages_per_index) or 1  # as few as the budget allows, of even size
    folders = [f"{INDEX_FOLDER}/" if number == 0 else f"{INDEX_FOLDER}-{number + 1}/" for number in range(parts)]
    if parts == 1:
        _pagefind(site_dir, site_dir / folders[0])
    else:
        shares = [pages[number::parts] for number in range(parts)]  # every parts-th page: alike in make-up
        own_words = [_words_of(site_dir, share) for share in shares]
        every_word = set().union(*own_words)
        for folder, share, words in zip(folders, shares, own_words, strict=True):
            with _scratch_folder(site_dir, folder, share) as scratch:
                _write_words_page(scratch / "search" / "words.html", every_word - words)
                _pagefind(scratch, site_dir / folder)
    _write_index_list(site_dir, folders)


def _remove_earlier_indexes(site_dir: Path) -> None:
    """Remove an earlier build's index folders and scratch folders (`mkdocs serve --dirty` keeps the site)."""
    for earlier in site_dir.iterdir():
        if earlier.is_dir() and _INDEX_OR_SCRATCH.fullmatch(earlier.name):
            shutil.rmtree(earlier)


def _write_index_list(site_dir: Path, folders: list[str]) -> None:
    (site_dir / INDEXES_FILE).parent.mkdir(parents=True, exist_ok=True)
    (site_dir / INDEXES_FILE).write_text(json.dumps(folders) + "\n", encoding="utf-8")


_BODY_MARK = b"data-pagefind-body"  # what Pagefind indexes (overrides/main.html), to the end of the article
_INDEX_OR_SCRATCH = re.compile(rf"\.?{INDEX_FOLDER}(-[0-9]+)?(-pages)?")
_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def _words_of(site_dir: Path, pages: list[Path]) -> set[str]:
    """Return the words of the text Pagefind indexes on `pages`, as written (Pagefind stems and folds them)."""
    words: set[str] = set()
    for page in pages:
        text = (site_dir / page).read_text(encoding="utf-8", errors="replace")
        start = text.find(_BODY_MARK.decode())
        end = text.find("</article>", start)
        words.update(html.unescape(_TAG.sub(" ", text[start:end if end != -1 else len(text)])).split())
    return words


def _write_words_page(path: Path, words: set[str]) -> None:
    """Write a page of `words` that Pagefind indexes under kind WORDS_KIND."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = html.escape(" ".join(sorted(words)))
    path.write_text(f'<!doctype html><html lang="en"><head><title>Words</title></head><body>'
                    f'<main data-pagefind-body data-pagefind-filter="kind:{WORDS_KIND}"><p>{text}</p></main>'
                    "</body></html>\n", encoding="utf-8")


@contextlib.contextmanager
def _scratch_folder(site_dir: Path, folder: str, pages: list[Path]) -> Iterator[Path]:
    """Yield a folder inside the site holding `pages` at their paths, so that Pagefind gives them the same URLs.

    Pagefind reads a folder, not a list of pages. The pages are hard links
    where the file system has them, and the folder is gone afterwards.
    """
    scratch = site_dir / f".{folder.rstrip('/')}-pages"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        for page in pages:
            (scratch / page).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(site_dir / page, scratch / page)
            except OSError:
                shutil.copyfile(site_dir / page, scratch / page)
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# How Pagefind reads the pages, for both ways of running it: English, without the ¶ of headings.
_LANGUAGE = "en"
_EXCLUDED_SELECTORS = (".headerlink",)


def _executable() -> str:
    from pagefind_bin import get_executable  # type: ignore[import-untyped]  # the binary ships in the package

    return str(get_executable())


def _pagefind(pages_dir: Path, output: Path) -> None:
    """Run Pagefind over the HTML in `pages_dir`, writing its index into `output`."""
    command = [_executable(), "--site", str(pages_dir), "--output-path", str(output), "--force-language", _LANGUAGE,
               *(option for selector in _EXCLUDED_SELECTORS for option in ("--exclude-selectors", selector)),
               "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"Pagefind could not run: {error}") from None
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed to index {pages_dir}: {(result.stderr or result.stdout).strip()}")


def _write_index_files(folder: Path, files: Any) -> None:
    """Write the index files Pagefind's service gave (a list of {"path", "content" in base64}) into `folder`.

    The service is asked for the files rather than told to write them: its
    WriteFiles answer comes before its writes are flushed, and it exits as
    soon as its input closes, which once left a build with a truncated index.
    """
    if not isinstance(files, list) or not files:
        raise SearchIndexError(f"Pagefind gave no index files for {folder.parent}")
    for file in files:
        relative = Path(str(file.get("path", ""))) if isinstance(file, dict) else Path()
        if relative.is_absolute() or ".." in relative.parts or not relative.name:
            raise SearchIndexError(f"Pagefind gave an index file with an unexpected path: {file!r:.200}")
        try:
            content = base64.b64decode(file.get("content", ""), validate=True)
        except (ValueError, TypeError):
            raise SearchIndexError(f"Pagefind gave index file {relative} in a form that could not be read") from None
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)


class StreamedIndex:
    """A Pagefind index of one site, given each page as it is built and written when the build is done.

    Pagefind's service (`pagefind --service`) takes requests on its standard
    input and answers on its standard output, each a JSON object, base64
    encoded and followed by a comma. Pagefind's own Python wrapper (the
    `pagefind` package, 1.5.2) waits a tenth of a second before reading each
    answer, which made 210 s of the 2,072 pages of the 1,000-case benchmark
    site, so the few messages needed are spoken here: a new index, a page,
    the index files (written here: `_write_index_files`). A thread reads
    the answers, so that neither side waits on a full pipe.

    The index is what `index_site` writes for a site that fits in one:
    `finish` also gives Pagefind the pages on disk that were not added (a
    dirty build rewrites only some), reading the pages' HTML as Pagefind does.
    Any error is kept and stops the build at `finish`, as a failed Pagefind
    run does.
    """

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._added: set[str] = set()
        self._process: subprocess.Popen[bytes] | None = None
        self._errors_file = tempfile.TemporaryFile()
        self._answered = threading.Condition()
        self._answers: dict[int, dict[str, Any]] = {}
        self._asked = 0
        self._index_id = 0
        self._failure = ""
        self._stopping = False

    def add(self, path: str, page_html: str) -> None:
        """Give Pagefind the page written at `path` (relative to the site, with `/`), if it has text to index."""
        self._added.add(path)
        if _BODY_MARK.decode() not in page_html:
            return
        if self._process is None and not self._failure:
            self._start()
        if self._failure:  # reported by `finish`, so that the build stops with a message, not a traceback
            return
        self._ask({"type": "AddFile", "index_id": self._index_id, "file_path": path, "file_contents": page_html})

    def finish(self) -> None:
        """Add the site's other pages, write the index and the list of indexes; raise SearchIndexError on failure."""
        try:
            _remove_earlier_indexes(self.site_dir)
            for page in sorted(self.site_dir.rglob("*.html")):
                path = page.relative_to(self.site_dir).as_posix()
                if path not in self._added:
                    self.add(path, page.read_text(encoding="utf-8", errors="replace"))
            if self._process is None and not self._failure:
                self._start()
            self._wait_for(self._asked)
            asked = self._ask({"type": "GetFiles", "index_id": self._index_id})
            self._wait_for(asked)
            if self._failure:
                raise SearchIndexError(f"Pagefind failed to index {self.site_dir}: {self._failure}")
            files = self._answers.get(asked, {}).get("files")
        finally:
            self.stop()
        _write_index_files(self.site_dir / INDEX_FOLDER, files)
        _write_index_list(self.site_dir, [f"{INDEX_FOLDER}/"])

    def stop(self) -> None:
        """End Pagefind's service, whatever state it is in."""
        self._stopping = True
        if self._process is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()  # type: ignore[union-attr]
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        self._errors_file.close()

    def _start(self) -> None:
        try:
            self._process = subprocess.Popen([_executable(), "--service"], cwd=self.site_dir, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=self._errors_file)
        except OSError as error:
            self._fail(f"Pagefind could not run ({error})")
            return
        threading.Thread(target=self._read_answers, daemon=True).start()
        asked = self._ask({"type": "NewIndex", "config": {"force_language": _LANGUAGE,
                                                          "exclude_selectors": list(_EXCLUDED_SELECTORS)}})
        self._wait_for(asked)
        self._index_id = self._answers.get(asked, {}).get("index_id", 0)

    def _ask(self, payload: dict[str, Any]) -> int:
        """Send one request; return its number (its answer is awaited with `_wait_for`)."""
        self._asked += 1
        if self._process is None or self._failure:
            return self._asked
        message = json.dumps({"message_id": self._asked, "payload": payload}).encode()
        try:
            self._process.stdin.write(base64.b64encode(message) + b",")  # type: ignore[union-attr]
            self._process.stdin.flush()  # type: ignore[union-attr]
        except OSError:
            self._fail("the service stopped")
        return self._asked

    def _wait_for(self, message_id: int) -> None:
        """Wait until every request up to `message_id` is answered, the service stops, or 30 minutes pass."""
        with self._answered:
            if not self._answered.wait_for(lambda: len(self._answers) >= message_id or self._failure, timeout=1800):
                self._failure = "no answer within 30 minutes"

    def _read_answers(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        pending = b""
        while chunk := process.stdout.read1(1 << 16):  # type: ignore[attr-defined]  # a BufferedReader
            *answers, pending = (pending + chunk).split(b",")
            for encoded in answers:
                try:
                    answer = json.loads(base64.b64decode(encoded))
                    payload = dict(answer.get("payload", {}))
                except (ValueError, TypeError, AttributeError):
                    self._fail(f"an answer could not be read: {encoded[:200]!r}")
                    return
                with self._answered:
                    self._answers[answer.get("message_id", -len(self._answers) - 1)] = payload
                    self._answered.notify_all()
                if payload.get("type") == "Error":
                    self._fail(str(payload.get("message", payload)))
        if not self._stopping:
            self._fail("the service stopped")

    def _fail(self, reason: str) -> None:
        with self._answered:
            if not self._failure:
                detail = ""
                with contextlib.suppress(ValueError, OSError):  # the file is closed once the service is stopped
                    self._errors_file.seek(0)
                    detail = self._errors_file.read().decode("utf-8", errors="replace").strip()
                self._failure = f"{reason}: {detail}" if detail else reason
            self._answered.notify_all()
