"""Keep rendered pages between builds of one `mkdocs serve` session, each with what it read of the site.

A page is a pure function of its template, its own context and the parts of
the site its template reads. `render_pages` renders each page with the site
behind a `SiteReads` view, which notes every part read (`site.related["oslo"]`,
`site.vocabulary["formats"]["workshop"]`, the whole of `site.cases` when a
template loops over it). The next build serves the kept text only if the
templates, the page's context and every part it read are unchanged;
anything else renders the page again. So a saved case re-renders its own page
and the pages that read it (indexes, related cases, the sources it cites), and
a changed template or vocabulary term re-renders every page that uses it;
nothing has to list a page's dependencies by hand, and nothing stale is served.

Values are compared by a digest of their whole content: the type and every
field, item and character of the frozen model (dataclasses, tuples, read-only
mappings). An object met again (an unchanged case is the same object from one
build to the next) is digested once, and each part of the site read is
digested once a build, however many pages read it. A value the digest cannot
see into, such as a lambda, cannot be compared: a page whose inputs hold one
is rendered on every build and never kept. (Functions defined in modules are
compared by name; the code of a running server does not change.)
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Read = tuple[Any, ...]  # a path into the site: ("related", "oslo"), ("cases",)
_MISSING = object()  # what a read of an absent key saw


class Uncomparable(ValueError):
    """A value cannot be pickled, so its content cannot be compared with another's."""


_SCALARS = (str, int, float, bool, type(None))
# Short scalars stand for themselves, tagged with their type and length: cheaper than a hash,
# and still never alike for two different sequences of parts (a hash is 32 hex digits, with no ':').
_INLINE_LENGTH = 200


@functools.cache
def _field_names(kind: Any) -> tuple[str, ...]:
    return tuple(item.name for item in dataclasses.fields(kind))


@functools.cache
def _shape(kind: type) -> str:
    """Return how values of a type are digested; asked once per type, since the isinstance checks add up."""
    if issubclass(kind, _SCALARS):
        return "scalar"
    if issubclass(kind, types.FunctionType):
        return "function"
    if issubclass(kind, enum.Enum):
        return "enum"
    if dataclasses.is_dataclass(kind):
        return "dataclass"
    if issubclass(kind, tuple | list):
        return "sequence"
    if issubclass(kind, Mapping):
        return "mapping"
    if issubclass(kind, set | frozenset):
        return "set"
    return "other"


def _hash(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def digest(value: Any, known: Callable[[Any], str | None] | None = None,
           remember: Callable[[Any, str], None] | None = None) -> str:
    """Return a digest of a value's content: its type and every field, item and character.

    Works on what the model is made of (frozen dataclasses, tuples, read-only
    mappings, sets, strings, numbers, enums); anything else raises Uncomparable.
    `known` and `remember` let a caller keep the digests of objects met again.
    """
    kind: Any = type(value)
    shape = _shape(kind)
    if shape == "scalar":
        text = str(value)
        if len(text) <= _INLINE_LENGTH:
            return f"{kind.__name__}{len(text)}:{text}"
        return _hash(kind.__name__, text)
    if value is _MISSING:
        return "missing"
    if known is not None and (found := known(value)) is not None:
        return found
    if shape == "function" and "<" not in value.__qualname__:
        # A module's function, named: its code does not change while the server runs.
        # Lambdas and closures ("<lambda>", "<locals>") carry state a name does not show.
        return _hash("function", value.__module__, value.__qualname__)
    if shape == "enum":
        result = _hash(kind.__qualname__, value.name)
    elif shape == "dataclass":
        result = _hash(kind.__module__, kind.__qualname__,
                       *[digest(getattr(value, name), known, remember) for name in _field_names(kind)])
    elif shape == "sequence":
        result = _hash(kind.__name__, *[digest(item, known, remember) for item in value])
    elif shape == "mapping":
        result = _hash("mapping", *[digest(key, known, remember) + "\0" + digest(item, known, remember)
                                    for key, item in value.items()])
    elif shape == "set":
        result = _hash("set", *sorted(digest(item, known, remember) for item in value))
    else:
        raise Uncomparable(f"cannot compare a {kind.__qualname__}")
    if remember is not None:
        remember(value, result)
    return result


def folder_digest(folder: Path) -> str:
    """Return a digest of every file under a folder, names and bytes (the templates)."""
    hashed = hashlib.blake2b(digest_size=16)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            hashed.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return hashed.hexdigest()


class SiteReads:
    """The site as a template sees it: every attribute, and every key of a mapping, read is noted in `reads`."""

    __slots__ = ("_site", "_reads")

    def __init__(self, site: Any, reads: dict[Read, Any]) -> None:
        self._site = site
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._site, name)
        if isinstance(value, Mapping):
            return _MappingReads(value, (name,), self._reads)
        self._reads[(name,)] = value
        return value


class _MappingReads(Mapping):
    """A mapping of the site that notes each key read, and the whole mapping when it is looped over."""

    __slots__ = ("_mapping", "_path", "_reads")

    def __init__(self, mapping: Mapping, path: Read, reads: dict[Read, Any]) -> None:
        self._mapping = mapping
        self._path = path
        self._reads = reads

    def __getitem__(self, key: Any) -> Any:
        try:
            value = self._mapping[key]
        except KeyError:
            self._reads[self._path + (key,)] = _MISSING
            raise
        if isinstance(value, Mapping):
            return _MappingReads(value, self._path + (key,), self._reads)
        self._reads[self._path + (key,)] = value
        return value

    def __contains__(self, key: object) -> bool:
        self._reads[self._path + (key,)] = self._mapping.get(key, _MISSING)
        return key in self._mapping

    def _whole(self) -> Mapping:
        self._reads[self._path] = self._mapping
        return self._mapping

    def __iter__(self) -> Iterator:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def keys(self):
        return self._whole().keys()

    def values(self):
        return self._whole().values()

    def items(self):
        return self._whole().items()


def _resolve(site: Any, read: Read) -> Any:
    """Return what a read finds in `site` now, or _MISSING."""
    value = getattr(site, read[0], _MISSING)
    for key in read[1:]:
        if not isinstance(value, Mapping):
            return _MISSING
        value = value.get(key, _MISSING)
    return value


@dataclass(frozen=True, slots=True)
class _Kept:
    key: str  # digest of the templates, the build's constants and the page's own context
    reads: tuple[tuple[Read, str], ...]  # each part of the site read, with the digest of what it held
    text: str


class PageCache:
    """Rendered pages by path, kept from one build to the next (see the module's docstring).

    `hits` and `renders` count what the last build served and rendered, for tests and benchmarks.
    """

    def __init__(self) -> None:
        self._kept: dict[str, _Kept] = {}
        # Digests of the objects met, by id, with the object (so that its id is not reused while kept):
        # those of this build, and those of the last, which stay only if met again.
        self._digests: dict[int, tuple[Any, str]] = {}
        self._last_digests: dict[int, tuple[Any, str]] = {}
        self._touched: set[str] = set()  # the paths asked for in this build
        # What each part of the site read holds in this build, by digest: thousands of pages
        # read the same few thousand parts (a vocabulary term, a reference), each digested once.
        self._read_digests: dict[Read, str] = {}
        self._read_site: Any = None
        self.hits = 0
        self.renders = 0

    def start_build(self) -> None:
        """Keep only the digests of objects the last build met, and reset the counts."""
        self._last_digests, self._digests = self._digests, {}
        self._touched = set()
        self._read_digests, self._read_site = {}, None
        self.hits = self.renders = 0

    def _known(self, value: Any) -> str | None:
        found = self._digests.get(id(value))
        if found is None:
            found = self._last_digests.get(id(value))
            if found is None or found[0] is not value:
                return None
            self._digests[id(value)] = found
        return found[1] if found[0] is value else None

    def _remember(self, value: Any, result: str) -> None:
        self._digests[id(value)] = (value, result)

    def _digest_of(self, value: Any) -> str:
        # The same objects are read by many pages of one build, and unchanged cases
        # are the same objects from one build to the next: each is digested once.
        return digest(value, self._known, self._remember)

    def _digest_of_read(self, site: Any, read: Read) -> str:
        if site is not self._read_site:
            self._read_digests, self._read_site = {}, site
        found = self._read_digests.get(read)
        if found is None:
            found = self._read_digests[read] = self._digest_of(_resolve(site, read))
        return found

    def key(self, *parts: Any) -> str | None:
        """Return the key of a page's own inputs, or None if one cannot be compared."""
        try:
            return hashlib.blake2b("\0".join(self._digest_of(part) for part in parts).encode(),
                                   digest_size=16).hexdigest()
        except Uncomparable:
            return None

    def get(self, path: str, key: str | None, site: Any) -> str | None:
        """Return the kept text of a page if its key and everything it read of `site` are unchanged."""
        self._touched.add(path)
        kept = self._kept.get(path)
        if kept is None or key is None or kept.key != key:
            return None
        try:
            if any(self._digest_of_read(site, read) != before for read, before in kept.reads):
                return None
        except Uncomparable:
            return None
        self.hits += 1
        return kept.text

    def put(self, path: str, key: str | None, reads: dict[Read, Any], text: str) -> None:
        """Keep a page just rendered, with what it read; a page that read something uncomparable is not kept."""
        self.renders += 1
        if key is None:
            self._kept.pop(path, None)
            return
        try:
            noted = tuple((read, self._digest_of(value)) for read, value in reads.items())
        except Uncomparable:
            self._kept.pop(path, None)
            return
        self._kept[path] = _Kept(key, noted, text)

    def derive(self, path: str, make: Callable[..., str], site: Any, *args: Any) -> str:
        """Return the file `make(site, *args)`, or its text as last made if its inputs are all unchanged.

        `make` must be a module's function; it sees the site through a SiteReads view.
        """
        key = self.key(make, *args)
        text = self.get(path, key, site)
        if text is None:
            reads: dict[Read, Any] = {}
            text = make(SiteReads(site, reads), *args)
            self.put(path, key, reads, text)
        return text

    def end_build(self) -> None:
        """Drop the pages and files the build that ends did not make."""
        for path in self._kept.keys() - self._touched:
            del self._kept[path]


def compute(path: str, make: Callable[..., str], site: Any, *args: Any) -> str:
    """Make a file without a cache: what `PageCache.derive` does on a first build."""
    return make(site, *args)


Derive = Callable[..., str]  # PageCache.derive, or compute
