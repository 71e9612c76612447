"""Read the content files into raw documents that remember where every value stands.

`load_content(root)` reads `cases/*.yml`, `lessons/*.yml`, `vocabulary.yml`
and `references.bib` under `root`. It never raises on a content mistake: a
file that cannot be read or parsed becomes a `Problem` (YAML syntax, tabs,
duplicate keys, anchors, non-UTF-8 bytes, empty files, files over the size
limit, BibTeX syntax and duplicate keys) and is left out of the result.

YAML is parsed with the safe C loader where available, with two changes to
YAML 1.1's implicit typing that bite contributors: `NO`, `yes`, `on` and
`off` stay strings (Norway's country code is `NO`), and dates stay strings
(the schema checks their format).
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import bibtexparser
import yaml
from bibtexparser import middlewares
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db

from .model import Problem, Reference, Revision
from .registry import BIBTEX_KEY

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Position = tuple[int, int]
# No content file nests deeper than a few levels; a limit keeps a hostile file
# from exhausting the stack of the recursive checks.
MAX_DEPTH = 20
# The largest content files read, in bytes; a larger one is refused (E013) before
# it is read, so that a hostile pull request cannot make the checker or the build
# parse megabytes of YAML or BibTeX. The longest case is a few kilobytes. Every
# source is in the one references.bib, which therefore has a limit of its own.
MAX_YAML_BYTES = 1_000_000
MAX_BIBTEX_BYTES = 10_000_000
KeyPath = tuple[Any, ...]


class _ContentLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose only implicit types are null, bool (true/false), int and float."""


_ContentLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """A parsed YAML file: its data and the line/column of every key and value.

    Compared and hashed by identity: `parse_yaml` returns the same Document for
    the same text, so what is made from one (a Case) can be kept by it.
    """

    path: str
    data: Any
    values: Mapping[KeyPath, Position]
    keys: Mapping[KeyPath, Position]

    @property
    def stem(self) -> str:
        """Return the file name without directory or extension: the item's id."""
        return Path(self.path).stem

    def where(self, path: KeyPath = (), *, key: bool = False) -> Position:
        """Return (line, col) of the value at `path` (or of its key), else of its nearest parent."""
        table = self.keys if key else self.values
        path = tuple(path)
        while path:
            if path in table:
                return table[path]
            if key and path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


@dataclass(frozen=True, slots=True)
class RawContent:
    """Everything read from disk, before validation."""

    root: Path
    cases: tuple[Document, ...]
    lessons: tuple[Document, ...]
    vocabulary: Document | None
    references: Mapping[str, Reference]
    problems: tuple[Problem, ...]
    last_changed: Mapping[str, Revision]
    # For each BibTeX key, the handwritten pages in docs/ that link to its source page: (url, title).
    pages_citing: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    inventory: tuple[Document, ...] = ()  # inventory/<id>.yml: known dialogues not yet written up


CONTENT_FILES = ("cases", "lessons", "inventory", "vocabulary.yml", "references.bib")


def load_content(root: Path, docs: Path | None = None) -> RawContent:
    """Return every content file under `root` parsed, with the problems met on the way.

    `docs` is the folder of handwritten pages (default `root/docs`), read only for
    their links to source pages.
    """
    root = Path(root)
    problems: list[Problem] = []
    cases = _load_folder(root, "cases", problems)
    lessons = _load_folder(root, "lessons", problems)
    vocabulary = None
    if (root / "vocabulary.yml").is_file():
        vocabulary = load_yaml_file(root, root / "vocabulary.yml", problems)
    else:
        problems.append(Problem("vocabulary.yml", 1, 1, "E001", "file is missing",
                                "create vocabulary.yml at the top of the repository"))
    inventory = _load_folder(root, "inventory", problems)
    references = _load_bibtex(root, root / "references.bib", problems)
    return RawContent(root, cases, lessons, vocabulary, references, tuple(problems),
                      MappingProxyType(last_changed(root)),
                      MappingProxyType(_pages_citing(Path(docs) if docs else root / "docs")), inventory)


_SOURCE_LINK = re.compile(r"\(\s*(?:\.\./)*sources/([A-Za-z0-9_:.-]+)/(?:index\.md)?")
_TITLE = re.compile(r"^(?:title:\s*(.+)|#\s+(.+))$", re.M)


def _pages_citing(docs: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    """Return, for each BibTeX key, the handwritten pages whose Markdown links to its source page."""
    found: dict[str, list[tuple[str, str]]] = {}
    if not docs.is_dir():
        return {}
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        keys = dict.fromkeys(_SOURCE_LINK.findall(text))
        if not keys:
            continue
        relative = path.relative_to(docs).with_suffix("").as_posix()
        url = "" if relative == "index" else relative.removesuffix("/index") + "/"
        title = _TITLE.search(text)
        name = (title.group(1) or title.group(2)).strip() if title else relative
        for key in keys:
            found.setdefault(key, []).append((url, name))
    return {key: tuple(pages) for key, pages in found.items()}


def last_changed(root: Path) -> dict[str, Revision]:
    """Return the last commit touching each content file, with its date (YYYY-MM-DD), from git.

    One `git log` pass serves every file. Outside a git checkout, or without git,
    the result is empty and pages simply omit the date and the permalink.
    """
    try:
        result = subprocess.run(
            ["git", "log", "--format=%x00%cs %H", "--name-only", "--", "cases", "lessons"],
            cwd=root, capture_output=True, text=True, timeout=60, check=True)
        prefix = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root,
                                capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {}
    revisions: dict[str, Revision] = {}
    revision = None
    for line in result.stdout.splitlines():
        if line.startswith("\x00"):
            date, _, commit = line[1:].partition(" ")
            revision = Revision(date, commit)
        elif line and revision:
            revisions.setdefault(line.removeprefix(prefix), revision)  # newest commit comes first
    return revisions


def _load_folder(root: Path, name: str, problems: list[Problem]) -> tuple[Document, ...]:
    folder = root / name
    if not folder.is_dir():
        return ()
    documents = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yaml":
            problems.append(Problem(_display(root, path), 1, 1, "E010",
                                    "content files must end in .yml",
                                    f"rename it to {path.stem}.yml"))
            continue
        if path.suffix != ".yml" or not path.is_file():
            continue
        if path.is_symlink():
            problems.append(Problem(_display(root, path), 1, 1, "E012",
                                    "content files may not be symbolic links",
                                    "replace the link with the file itself"))
            continue
        document = load_yaml_file(root, path, problems)
        if document is not None:
            documents.append(document)
    return tuple(documents)


def _display(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_text(root: Path, path: Path, problems: list[Problem],
               limit: int, what: str, hint: str) -> str | None:
    """Return the file's text, or None after recording why it cannot be used (size, encoding)."""
    display = _display(root, path)
    size = path.stat().st_size
    if size > limit:
        problems.append(Problem(display, 1, 1, "E013",
                                f"the file is {_megabytes(size)}, over the {_megabytes(limit)} limit for {what}",
                                hint))
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(Problem(display, line, col, "E003",
                                f"the file is not UTF-8 (byte 0x{raw[error.start]:02x})",
                                "save the file as UTF-8 in your editor"))
        return None
    return text.removeprefix("\ufeff")


def _megabytes(size: int) -> str:
    """Return a size in MB with one decimal, rounded up so that a size over a limit never shows as equal."""
    tenths = -(-size // 100_000)
    return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"


def load_yaml_file(root: Path, path: Path, problems: list[Problem]) -> Document | None:
    """Return the parsed YAML file as a Document, or None after recording its problems."""
    display = _display(root, path)
    text = _read_text(root, path, problems, MAX_YAML_BYTES, "a content file",
                      "split it into several cases, or remove what was pasted in by mistake")
    if text is None:
        return None
    return parse_yaml(display, text, problems)


def parse_yaml(display: str, text: str, problems: list[Problem]) -> Document | None:
    """Parse YAML text into a Document, or record why not and return None."""
    document, found = _parse_yaml(display, text)
    problems.extend(found)
    return document


@functools.lru_cache(maxsize=20_000)
def _parse_yaml(display: str, text: str) -> tuple[Document | None, tuple[Problem, ...]]:
    """Return the Document of a file's text and the problems met: a pure function of the two, so kept.

    Under `mkdocs serve`, a rebuild then parses only the files that changed.
    """
    problems: list[Problem] = []
    return _parse(display, text, problems), tuple(problems)


def forget_parsed() -> None:
    """Drop the files kept parsed by `parse_yaml` and `parse_bibtex`: the next load parses all (benchmarks)."""
    _parse_yaml.cache_clear()
    _parse_bibtex.cache_clear()


def _parse(display: str, text: str, problems: list[Problem]) -> Document | None:
    loader = _ContentLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.append(Problem(display, 1, 1, "E005", "the file is empty",
                                    "fill it in, or delete it"))
            return None
        values: dict[KeyPath, Position] = {}
        keys: dict[KeyPath, Position] = {}
        before = len(problems)
        data = _read_node(display, loader, node, (), values, keys, problems, set())
        if len(problems) > before:
            return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = (error.problem or error.context or "invalid YAML").strip()
        if "tab" in message or _char_at(text, mark) == "\t":
            problems.append(Problem(display, line, col, "E004", "tab character in indentation",
                                    "indent with spaces, never tabs"))
        else:
            problems.append(Problem(display, line, col, "E002", f"YAML syntax error: {message}",
                                    _yaml_hint(message, text, mark)))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(display, 1, 1, "E002", f"YAML syntax error: {error}",
                                "check the file with a YAML linter"))
        return None
    finally:
        loader.dispose()
    return Document(display, data, values, keys)


def _char_at(text: str, mark: Any) -> str:
    """Return the character at a YAML error mark, or an empty string."""
    if mark is None:
        return ""
    lines = text.split("\n")
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _yaml_hint(message: str, text: str, mark: Any) -> str:
    misplaced = _misindented_key(text, mark)
    if misplaced and ("mapping values are not allowed" in message or "expected" in message):
        return misplaced
    if "mapping values are not allowed" in message:
        return "a value containing ': ' must be quoted, or written as a block with '>-'"
    if "could not find expected ':'" in message:
        return "each field needs 'name: value'; check the indentation of this line and the one before"
    if "found character" in message and "cannot start any token" in message:
        return "quote the value"
    return "check the indentation and quoting near this line"


def _misindented_key(text: str, mark: Any) -> str:
    """Return an indentation hint when the error falls on a line that is one field, `name: value`,
    indented differently from the field above it; else an empty string.

    YAML reads an over- or under-indented field as part of the value above it, and
    then reports the field's own colon as if a value held an unquoted ': '.
    """
    if mark is None:
        return ""
    lines = text.split("\n")
    if mark.line >= len(lines):
        return ""
    line = lines[mark.line]
    field = _FIELD.match(line)
    if not field or mark.column > field.end():
        return ""  # the colon YAML complains of is inside a value
    above = next((lines[i] for i in range(mark.line - 1, -1, -1)
                  if lines[i].strip() and not lines[i].lstrip().startswith("#")), "")
    above_field = _FIELD.match(above)
    column = field.start(2) + 1
    above_column = above_field.start(2) + 1 if above_field else len(above) - len(above.lstrip(" ")) + 1
    if not above or column == above_column:
        return ""
    above_name = f"'{above_field.group(2)}:'" if above_field else "the line"
    return (f"'{field.group(2)}:' starts in column {column} but {above_name} above it in column "
            f"{above_column}; line up the fields of one block in one column (a field inside a "
            "block starts further right than the block's name)")


_FIELD = re.compile(r"^( *)(?:- +)?([A-Za-z_][\w-]*) *:(?: |$)")


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _read_node(display: str, loader: Any, node: yaml.Node, path: KeyPath, values: dict, keys: dict,
               problems: list[Problem], seen: set[int]) -> Any:
    """Return the value of a node, recording the position of every value and key on the way;
    report duplicate keys, aliases, merge keys and nesting too deep.

    One walk both places and builds: text, plain mappings and plain lists are
    built here; any other node (numbers, true/false, null, explicit tags) is
    built by the loader itself. A property test holds the result equal to
    what the loader alone makes of the same text.
    """
    if len(path) > MAX_DEPTH:
        line, col = _mark(node)
        problems.append(Problem(display, line, col, "E009",
                                f"values are nested more than {MAX_DEPTH} levels deep",
                                "no field of a content file needs this; check the brackets"))
        return None
    if id(node) in seen:
        line, col = _mark(node)
        problems.append(Problem(display, line, col, "E007",
                                "YAML anchors and aliases (& and *) are not allowed",
                                "write the value out in full"))
        return None
    seen.add(id(node))
    mark = node.start_mark
    values[path] = position = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.style in ("|", ">"):
            # A block scalar's text starts on the line after its indicator.
            values[path] = (mark.line + 2, keys.get(path, position)[1] + 2)
        return node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        mapping: dict[Any, Any] = {}
        first_seen: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                problems.append(Problem(display, line, col, "E008",
                                        "a field name must be plain text",
                                        "write 'name: value'"))
                continue
            if key_node.value == "<<":
                line, col = _mark(key_node)
                problems.append(Problem(display, line, col, "E007",
                                        "YAML merge keys (<<) are not allowed",
                                        "write the fields out in full"))
                continue
            key = key_node.value
            if key in first_seen:
                line, col = _mark(key_node)
                problems.append(Problem(display, line, col, "E006",
                                        f"duplicate field '{key}' (first on line {first_seen[key][0]})",
                                        "keep one of them; YAML would silently drop the first"))
                continue
            key_path = path + (key,)
            first_seen[key] = keys[key_path] = _mark(key_node)
            name = key if key_node.tag == _STR else loader.construct_object(key_node, deep=True)
            mapping[name] = _read_node(display, loader, value_node, key_path, values, keys, problems, seen)
        return mapping
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_read_node(display, loader, item, path + (index,), values, keys, problems, seen)
                for index, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


# Names are split before LaTeX is decoded, so that a braced organisation name
# such as {{Norwegian Ministry of Foreign Affairs}} stays one name; the parts
# are decoded afterwards by `_person`.

# Addresses are not LaTeX: decoding a url would read `%` as the start of a
# comment (dropping the rest), `&` as a table column and `--` as a dash. These
# fields are kept as written; only the escapes \% \& \# \_ that BibTeX styles
# ask for in a url are undone, in `_verbatim`.
VERBATIM_FIELDS = frozenset({"url", "doi", "urldate"})
_URL_ESCAPE = re.compile(r"\\([%&#_])")


# Text with none of these is its own decoding (a property test holds the two
# equal), so it skips the LaTeX parser, which is most of the time of loading
# references.bib.
_NEEDS_DECODING = re.compile(r"[\\{}$%&~#^_]|--|''|``|!`|\?`")


class _LatexDecoding(middlewares.LatexDecodingMiddleware):
    """bibtexparser's LaTeX decoding, for every field but those in VERBATIM_FIELDS."""

    def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
        if not _NEEDS_DECODING.search(python_string):
            return python_string, ""
        try:  # as bibtexparser's own: a value that cannot be decoded is kept, with the error noted
            return _latex_to_text(self._decoder, python_string), ""
        except Exception as error:  # noqa: BLE001 (pylatexenc raises many kinds)
            return python_string, str(error)

    def transform_entry(self, entry: Any, library: Any) -> Any:
        every_field = entry.fields
        entry.fields = [f for f in every_field if f.key.lower() not in VERBATIM_FIELDS]
        try:
            return super().transform_entry(entry, library)  # the entry itself, or an error block holding it
        finally:
            entry.fields = every_field


_BIB_MIDDLEWARE = [
    middlewares.SeparateCoAuthors(),
    middlewares.SplitNameParts(),
    _LatexDecoding(),
]
_LATEX = LatexNodes2Text()


@functools.cache
def _walker_context() -> Any:
    """pylatexenc's table of LaTeX macros for parsing, built once (its `latex_to_text` builds it on every call)."""
    return get_default_latex_context_db()


def _latex_to_text(decoder: LatexNodes2Text, latex: str) -> str:
    """Return `decoder.latex_to_text(latex)`, parsing with the shared macro table."""
    return decoder.nodelist_to_text(LatexWalker(latex, latex_context=_walker_context()).get_latex_nodes()[0])


def _load_bibtex(root: Path, path: Path, problems: list[Problem]) -> Mapping[str, Reference]:
    display = _display(root, path)
    if not path.is_file():
        problems.append(Problem(display, 1, 1, "E001", "file is missing",
                                "create references.bib at the top of the repository"))
        return {}
    text = _read_text(root, path, problems, MAX_BIBTEX_BYTES, "references.bib",
                      "remove what does not belong in it (abstracts, full texts, entries nothing cites)")
    if text is None:
        return {}
    return parse_bibtex(display, text, problems)


def parse_bibtex(display: str, text: str, problems: list[Problem]) -> Mapping[str, Reference]:
    """Return the entries of BibTeX text by key, recording malformed and duplicate entries."""
    references, found = _parse_bibtex(display, text)
    problems.extend(found)
    return references


@functools.lru_cache(maxsize=4)
def _parse_bibtex(display: str, text: str) -> tuple[Mapping[str, Reference], tuple[Problem, ...]]:
    """Return the references of a file's text and the problems met: a pure function of the two, so kept.

    Under `mkdocs serve`, a rebuild after a change elsewhere then reuses the same Reference objects.
    """
    problems: list[Problem] = []
    return MappingProxyType(_read_bibtex(display, text, problems)), tuple(problems)


def _read_bibtex(display: str, text: str, problems: list[Problem]) -> dict[str, Reference]:
    # bibtexparser logs each malformed block itself; the problem list reports it instead.
    parser_log = logging.getLogger("bibtexparser")
    level = parser_log.level
    parser_log.setLevel(logging.ERROR)
    try:
        library = bibtexparser.parse_string(text, append_middleware=_BIB_MIDDLEWARE)
    finally:
        parser_log.setLevel(level)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bibtexparser.model.DuplicateBlockKeyBlock):
            problems.append(Problem(display, line, 1, "E020",
                                    f"duplicate BibTeX key '{block.key}'",
                                    "merge the two entries or give one a new key"))
        else:
            error = getattr(block, "error", None)
            reason = (getattr(error, "abort_reason", "") or str(error or "") or "syntax error")
            reason = reason.strip().rstrip(".")
            reason = reason[:1].lower() + reason[1:]
            problems.append(Problem(display, line, 1, "E021",
                                    f"malformed BibTeX entry: {reason}",
                                    "check the braces, commas and quotes of this entry"))
    references: dict[str, Reference] = {}
    _resolve_crossrefs(display, library, problems)
    lines = text.split("\n")  # bibtexparser counts \n only, not other line breaks
    lower_keys: dict[str, str] = {}
    for entry in library.entries:
        start = entry.start_line or 0  # bibtexparser types it optional; parsed entries have one
        # A key names a page (/sources/<key>/), so it must be safe in a URL and a file name.
        if not BIBTEX_KEY.fullmatch(entry.key):
            problems.append(Problem(display, start + 1, 1, "E024",
                                    f"'{entry.key}' is not a usable BibTeX key",
                                    "use letters, digits and - _ : . only, e.g. agha2003track"))
            continue
        if entry.key.lower() in lower_keys:
            problems.append(Problem(display, start + 1, 1, "E020",
                                    f"duplicate BibTeX key '{entry.key}' (as '{lower_keys[entry.key.lower()]}')",
                                    "keys must differ in more than upper and lower case"))
            continue
        lower_keys[entry.key.lower()] = entry.key
        fields: dict[str, str] = {}
        people: dict[str, tuple[tuple[str, str], ...]] = {"author": (), "editor": ()}
        for item in entry.fields:
            name = item.key.lower()
            if name in people:
                people[name] = tuple(_person(p) for p in item.value)
                fields[name] = " and ".join(
                    f"{family}, {given}" if given else family for family, given in people[name])
            elif name in VERBATIM_FIELDS:
                fields[name] = _verbatim(str(item.value))
            else:
                fields[name] = " ".join(str(item.value).split())
        url = fields.get("url", "")
        if url and not re.match(r"^https?://", url):
            problems.append(Problem(display, start + 1, 1, "E023",
                                    f"the url of '{entry.key}' is not a web address",
                                    "use an address starting with https:// or http://"))
        year = fields.get("year", "")
        if year and not re.fullmatch(r"\d{4}", year):
            problems.append(Problem(display, start + 1, 1, "E025",
                                    f"the year of '{entry.key}' is '{year}', not a year",
                                    "write the year of publication as four digits, e.g. year = {2005}; "
                                    "a journal's volume label or season goes in `volume` or `issue`"))
        raw = "\n".join(lines[start: start + (entry.raw or "").count("\n") + 1])
        references[entry.key] = Reference(
            key=entry.key,
            entry_type=entry.entry_type.lower(),
            fields=fields,
            authors=people["author"],
            editors=people["editor"],
            line=start + 1,
            raw=raw,
        )
    return references


# Fields an entry inherits from the entry it names in `crossref` (BibTeX's rule:
# only fields the child lacks; a book's title becomes the child's booktitle).
_INHERITED = {"title": "booktitle", "author": "editor"}


def _resolve_crossrefs(display: str, library: Any, problems: list[Problem]) -> None:
    entries = {entry.key: entry for entry in library.entries}
    for entry in library.entries:
        field = entry.fields_dict.get("crossref")
        if field is None:
            continue
        parent = entries.get(str(field.value).strip())
        if parent is None:
            problems.append(Problem(display, entry.start_line + 1, 1, "E022",
                                    f"'{entry.key}' has crossref '{field.value}', which is not in the file",
                                    "add the parent entry, or remove the crossref field"))
            continue
        for parent_field in parent.fields:
            name = _INHERITED.get(parent_field.key.lower(), parent_field.key.lower())
            if name not in entry.fields_dict and name not in ("crossref", "ids"):
                entry.set_field(bibtexparser.model.Field(name, parent_field.value))


def _verbatim(value: str) -> str:
    """Return a url, doi or date as written, with its \\% \\& \\# \\_ escapes undone."""
    return _URL_ESCAPE.sub(r"\1", " ".join(value.split()))


def _person(name: Any) -> tuple[str, str]:
    """Return (family, given) from bibtexparser's NameParts; an organisation has no given name."""
    if isinstance(name, str):
        return (_decode(name), "")
    family = " ".join(name.von + name.last)
    if name.jr:
        family += ", " + " ".join(name.jr)
    return (_decode(family), _decode(" ".join(name.first)))


def _decode(latex: str) -> str:
    return " ".join((_latex_to_text(_LATEX, latex) if _NEEDS_DECODING.search(latex) else latex).split())
