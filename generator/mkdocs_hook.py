"""MkDocs hook: validate the content, then add the generated pages to the build in memory.

Pages are injected with `File.generated`, so nothing is written into `docs/`.
Under `mkdocs build`, references not yet in `.cache/citations/` are formatted
in other processes while MkDocs converts the pages, and filled in as each
page is finished (`on_post_page`): the slowest step of a first build then
costs next to no time of its own. Each finished page also goes to Pagefind
(`search.StreamedIndex`), which indexes it beside MkDocs.
The content root is the folder holding mkdocs.yml. Invalid content stops the
build with the same messages as `casebook check`. Under
`mkdocs serve`, after the first good build, invalid content is reported in
the terminal (its problems and one summary line) and at the top of every
served page, over the last good pages, until it is fixed: MkDocs itself would
stall every request after a failed rebuild, and the reader's open tab would
silently keep the old page.

Under `mkdocs serve --dirty` (what `make serve` runs), MkDocs rebuilds only
the pages whose source is newer than their built page. Generated pages then
go to MkDocs as files under `.cache/serve/`, and a file is rewritten only when
its text changed, or when anything else that shapes every page changed (the
config, the theme overrides, the problems shown atop each page): so saving one
case rebuilds the few pages that show it, not the whole site.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from generator.bibliography import CitationFormatter
from generator.build import build_site, forget_kept_results, settings_from_config
from generator.clock import resolve_today
from generator.csp import with_policy
from generator.home import home_section, insert_home_section
from generator.load import CONTENT_FILES
from generator.model import ContentError, Problem, summarise
from generator.orientation import hide_navigation, is_generated, name_permalinks, tabs_by_folder
from generator.page_cache import PageCache
from generator.render import TEMPLATES, make_environment_for_files
from generator.search import KINDS, PAGES_PER_INDEX, SearchIndexError, StreamedIndex, index_site

log = logging.getLogger("mkdocs.plugins.casebook")
# Messages about content errors during `serve` go to a logger outside "mkdocs",
# so that MkDocs' strict mode does not turn them into a failed rebuild.
serve_log = logging.getLogger("casebook.serve")

# State kept between builds, and only at this edge: whether MkDocs is
# serving, and by config file the last pages that built cleanly, the
# problems of the content now on disk (shown on the served pages), and the
# formatted references (keyed by their content, so only changed ones are redone).
_serving: set[str] = set()
_last_good: dict[str, dict[str, str]] = {}
_written: dict[str, tuple[str, dict[str, str]]] = {}  # under serve --dirty: (fingerprint, pages) last written
_current_problems: dict[str, tuple[Problem, ...]] = {}
_formatters: dict[str, CitationFormatter] = {}
_page_caches: dict[str, PageCache] = {}  # under serve: rendered pages with what each read (page_cache.py)
_home: dict[str, str] = {}  # by config file: the home page's computed top part (generator/home.py)
_search_indexes: dict[str, StreamedIndex] = {}  # under build: the index fed page by page (search.py)
_BODY = re.compile(r"<body[^>]*>")
CACHE = ".cache"  # beside mkdocs.yml: formatted references kept between builds (see bibliography.py)


_DIRTY_WARNING = "A 'dirty' build is being performed"


def on_startup(*, command: str, dirty: bool) -> None:
    """Remember whether this is `mkdocs serve`, which keeps the last good site on errors, and whether dirty.

    A dirty build makes MkDocs warn that its navigation may be inaccurate,
    which strict mode would turn into a failed build. Here the navigation is
    a fixed list that no content changes, so that one warning is dropped.
    """
    _serving.clear()
    _written.clear()
    _page_caches.clear()
    _stop_search_indexes()
    if command == "serve":
        _serving.add("dirty" if dirty else "clean")
        if dirty:
            logging.getLogger("mkdocs.commands.build").addFilter(
                lambda record: not record.getMessage().startswith(_DIRTY_WARNING))


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Give the theme the kinds of page that search filters by (the buttons of the search dialog)."""
    config.extra["search_kinds"] = {kind: list(labels) for kind, labels in KINDS.items()}
    return config


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).parent


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Validate the content and add every generated page; refuse to overwrite a handwritten page."""
    settings = settings_from_config(config)
    key = str(config.config_file_path)
    try:
        today = resolve_today()
    except ValueError as error:
        raise PluginError(str(error)) from None
    try:
        formatter = _formatters.setdefault(key, CitationFormatter(_root(config) / CACHE / "citations"))
        if not _serving:
            formatter.start_workers()  # before the content is read: see CitationFormatter.start_workers
        page_cache = _page_caches.setdefault(key, PageCache()) if _serving else None
        # Under `mkdocs build`, references are formatted while MkDocs works (on_post_page fills them in).
        site, pages, warnings = build_site(_root(config), settings, today, formatter, page_cache,
                                           defer_formatting=not _serving)
        home = home_section(site)
        if not _serving:
            forget_kept_results(formatter)
            del site
    except ContentError as error:
        if _serving and key in _last_good:
            for problem in error.problems:
                serve_log.error(problem.format())
            serve_log.error("Content has %s; serving the last good version until it is fixed.",
                            summarise(error.problems))
            _current_problems[key] = error.problems
            pages, warnings = _last_good[key], ()
        else:
            for problem in error.problems:
                log.error(problem.format())
            raise PluginError(f"Content has {summarise(error.problems)}; nothing was built.") from None
    else:
        if _serving:  # under build, nothing falls back on them, and they are the site's whole text
            _last_good[key] = pages
        if "dirty" in _serving and _home.get(key, home) != home:
            # The home page's source (docs/index.md) has not changed, but its figures have:
            # without its built page, a dirty build makes it again.
            built = files.get_file_from_path("index.md")
            if built is not None:
                Path(built.abs_dest_path).unlink(missing_ok=True)
        _home[key] = home
        _current_problems.pop(key, None)
    if warnings:  # one line, so that warnings do not bury what matters; `casebook check` lists them
        log.info("Content has %s; `make check` lists them.", summarise(warnings))
    collisions = sorted(path for path in pages if files.get_file_from_path(path) is not None)
    if collisions:
        message = "; ".join(f"docs/{path} collides with a generated page" for path in collisions)
        raise PluginError(f"{message}. Rename or remove the handwritten file.")
    if "dirty" in _serving:
        for file in _changed_files(config, pages):
            files.append(file)
        return files
    for path, text in pages.items():
        files.append(File.generated(config, path, content=text))
    if len(files.documentation_pages()) <= PAGES_PER_INDEX:  # larger sites are indexed in parts, after the build
        _search_indexes[key] = StreamedIndex(Path(config.site_dir))
    return files


def _changed_files(config: MkDocsConfig, pages: dict[str, str]) -> list[File]:
    """Return the generated pages as files under .cache/serve/, rewriting only those whose text changed.

    A page removed since the last build is removed from the served site too.
    """
    folder = _root(config) / CACHE / "serve"
    key = str(config.config_file_path)
    fingerprint = _fingerprint(config)
    last_fingerprint, last_pages = _written.get(key, ("", {}))

    def file(path: str) -> File:
        return File(path, src_dir=str(folder), dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls)

    for path, text in pages.items():
        if fingerprint != last_fingerprint or last_pages.get(path) != text:
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")  # newer than its built page: MkDocs rebuilds it
    for path in last_pages.keys() - pages.keys():
        (folder / path).unlink(missing_ok=True)
        Path(file(path).abs_dest_path).unlink(missing_ok=True)
    _written[key] = (fingerprint, dict(pages))
    return [file(path) for path in pages]


def _fingerprint(config: MkDocsConfig) -> str:
    """Return a digest of what shapes every page besides its own text: config, theme overrides, problems shown."""
    digest = hashlib.sha256(Path(config.config_file_path).read_bytes())
    custom_dir = config.theme.custom_dir
    if custom_dir:
        for path in sorted(Path(custom_dir).rglob("*")):
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(repr(_current_problems.get(str(config.config_file_path))).encode())
    return digest.hexdigest()


def on_page_markdown(markdown: str, *, page, config: MkDocsConfig, files: Files) -> str:
    """Keep every page out of Material's lunr index: Pagefind indexes the site (see generator/search.py).

    Material's search plugin stays enabled because its interface is the one
    readers use; with every page excluded its index is an empty file.
    """
    page.meta["search"] = {"exclude": True}
    generated = is_generated(page.file, config.docs_dir)
    if generated and not _serving:
        page.file.content_string = ""  # read: MkDocs works from `markdown` now, and would keep the text to the end
    if generated and page.parent is None:  # outside the nav's sections: empty column
        hide_navigation(page.meta)
    if page.file.src_uri == "index.md":
        return insert_home_section(markdown, _home.get(str(config.config_file_path), ""))
    return markdown


def on_nav(nav, *, config: MkDocsConfig, files: Files):
    """Give the theme the top tab of each URL folder, so generated pages (not in the nav) light their tab."""
    config.extra["tabs_by_folder"] = tabs_by_folder(nav)
    return nav


def on_post_build(*, config: MkDocsConfig) -> None:
    """Keep the references formatted during the build, and index the built site for search."""
    formatter = _formatters.get(str(config.config_file_path))
    if formatter is not None:
        formatter.finish()
    _return_freed_memory()  # Pagefind runs beside this process: give back what the pages held
    search_index = _search_indexes.pop(str(config.config_file_path), None)
    try:
        if search_index is not None:
            search_index.finish()
        else:
            index_site(Path(config.site_dir))
    except SearchIndexError as error:
        raise PluginError(str(error)) from None


def on_post_page(output: str, *, page, config: MkDocsConfig) -> str:
    """Fill in the formatted references, name the heading permalinks and set the page's security policy (csp.py).

    Under `mkdocs serve`, put the content's current problems at the top of the page instead of a policy.
    """
    formatter = _formatters.get(str(config.config_file_path))
    output = name_permalinks(formatter.fill_in(output) if formatter else output)
    _release(page)
    if not _serving:
        output = with_policy(output)
        search_index = _search_indexes.get(str(config.config_file_path))
        if search_index is not None:
            search_index.add(page.file.dest_uri, output)
        return output
    problems = _current_problems.get(str(config.config_file_path))
    if not problems:
        return output
    banner = _banner(problems)
    return _BODY.sub(lambda body: body.group(0) + banner, output, count=1)


def _release(page) -> None:
    """Let go of a finished page's Markdown and HTML, which MkDocs keeps to the end of the build.

    Nothing after `on_post_page` reads them (the site has no plugin that
    does). Released, and handed back (`_return_freed_memory`), they took the
    process from 442 to 298 MB before indexing in a build of 2,000 cases.
    """
    page.markdown = None
    page.content = None


def _return_freed_memory() -> None:
    """Hand the memory freed during the build back to the system, where the C library allows it (glibc)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the memory stays with the process, for its own reuse
        pass


def on_build_error(*, error: Exception) -> None:
    """Stop formatting references and indexing pages for a build that failed."""
    for formatter in _formatters.values():
        formatter.cancel()
    _stop_search_indexes()


def _stop_search_indexes() -> None:
    for search_index in _search_indexes.values():
        search_index.stop()
    _search_indexes.clear()


def on_post_template(output: str, *, template_name: str, config: MkDocsConfig) -> str:
    """Set the security policy of the theme's own pages (404.html) as of the others."""
    if _serving or not template_name.endswith(".html"):
        return output
    return with_policy(output)


@functools.lru_cache(maxsize=1)
def _banner(problems: tuple[Problem, ...]) -> str:
    """Return the notice of the content's problems; rendered once per set of problems, not once per page."""
    return make_environment_for_files().get_template("serve_problems.html.j2").render(
        problems=problems, summary=f"Content has {summarise(problems)}")


def on_serve(server, *, config: MkDocsConfig, builder):
    """Rebuild when content, templates or the theme overrides change, not only docs/.

    (MkDocs watches the theme only with --watch-theme.)
    """
    root = _root(config)
    for name in CONTENT_FILES:
        if (root / name).exists():
            server.watch(str(root / name))
    server.watch(str(TEMPLATES))
    if config.theme.custom_dir:
        server.watch(config.theme.custom_dir)
    return server

