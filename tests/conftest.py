"""Shared test fixtures: project copies, strict MkDocs builds, a local web server, a browser."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURE_CORPUS = REPO / "tests" / "fixtures" / "corpus"
# "Today" for every test: no test reads the system clock. The fixture corpus
# was written against a fixed day; the real content is checked as of the last
# commit, the latest day on which its review dates can have been written.
FIXTURE_TODAY = dt.date(2026, 11, 25)


def _last_commit_day() -> dt.date:
    result = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=REPO,
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0 or not result.stdout.strip():
        pytest.fail("the tests of the real content need a git checkout of the repository")
    return dt.date.fromisoformat(result.stdout.strip())


REAL_TODAY = _last_commit_day()


def epoch(day: dt.date) -> str:
    """Return SOURCE_DATE_EPOCH for noon UTC on `day`, which is how a test pins "today" for MkDocs."""
    noon = dt.datetime.combine(day, dt.time(12), dt.UTC)
    return str(int(noon.timestamp()))
PREFIX = "/casebook/"  # the path of site_url in mkdocs.yml, which the 404 page's links are built from
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


LIGHTHOUSE_SCORES = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def lighthouse_scores(request: pytest.FixtureRequest) -> dict:
    """Lighthouse's category scores by page, filled by the tests that run it and shown after the run."""
    return request.config.stash.setdefault(LIGHTHOUSE_SCORES, {})


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    for page, scores in config.stash.get(LIGHTHOUSE_SCORES, {}).items():
        figures = ", ".join(f"{name} {round(score * 100) if score is not None else 'n/a'}"
                            for name, score in scores.items())
        terminalreporter.write_line(f"Lighthouse (mobile), {page} page: {figures}")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--update-golden")


def make_project(destination: Path, content: Path) -> Path:
    """Copy a content folder into `destination` with an mkdocs.yml pointing at this repo's code."""
    shutil.copytree(content, destination, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("site", "__pycache__"))
    return write_config(destination)


def write_config(destination: Path) -> Path:
    """Write an mkdocs.yml into `destination` that uses this repo's code, theme and (unless it has its own) docs."""
    if not (destination / "CONTRIBUTING.md").exists():  # docs/contributing.md includes it
        shutil.copy(REPO / "CONTRIBUTING.md", destination / "CONTRIBUTING.md")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(destination / "docs") if (destination / "docs").is_dir() else str(REPO / "docs")
    config["hooks"] = [str(REPO / "generator" / "mkdocs_hook.py")]
    config["theme"]["custom_dir"] = str(REPO / "overrides")
    (destination / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return destination


# `mkdocs` as a script whose builds wait for every reference to be formatted before rendering
# (what `mkdocs serve` does), instead of formatting them while MkDocs works.
_MKDOCS_WAITING_FOR_FORMATTING = """
import sys
import generator.build
build_site = generator.build.build_site
generator.build.build_site = lambda *args, **kwargs: build_site(*args, **dict(kwargs, defer_formatting=False))
from mkdocs.__main__ import cli
cli(sys.argv[1:])
"""


def mkdocs_build(project: Path, today: dt.date = FIXTURE_TODAY,
                 formatting_deferred: bool = True) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` on a project folder as of `today`; return the finished process."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=epoch(today))
    mkdocs = ["-m", "mkdocs"] if formatting_deferred else ["-c", _MKDOCS_WAITING_FOR_FORMATTING]
    return subprocess.run(
        [sys.executable, *mkdocs, "build", "--strict", "-f", str(project / "mkdocs.yml"),
         "-d", str(project / "site")],
        capture_output=True, text=True, env=env, cwd=project, timeout=600,
    )


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus built strictly with MkDocs; returns the site folder."""
    project = make_project(tmp_path_factory.mktemp("fixture-project"), FIXTURE_CORPUS)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content of this repository built strictly with MkDocs; returns the site folder."""
    project = real_project(tmp_path_factory.mktemp("real-project"))
    result = mkdocs_build(project, REAL_TODAY)
    assert result.returncode == 0, result.stderr
    return project / "site"


def real_project(destination: Path) -> Path:
    """Copy the real content of this repository into `destination`, with an mkdocs.yml to build it."""
    for name in ("cases", "lessons", "vocabulary.yml", "references.bib"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        else:
            shutil.copy(source, destination / name)
    return write_config(destination)


@pytest.fixture(scope="session")
def real_formatter():
    """One citation formatter for the in-process builds of the real content: each reference is formatted once a run.

    Its results are keyed by each reference's content, so sharing it cannot hand one build another's text.
    """
    from generator.bibliography import CitationFormatter

    return CitationFormatter()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def serve():
    """Return a function that serves a folder on 127.0.0.1 and gives its base URL."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


class _SiteWith404(http.server.SimpleHTTPRequestHandler):
    """Serve a built site under PREFIX and answer a missing page with its 404.html, as GitHub Pages does."""

    site: Path

    def log_message(self, format: str, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path[len(PREFIX):] if path.startswith(PREFIX) else "/-missing-")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = (self.site / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_as_published(site: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 as GitHub Pages would publish it (under PREFIX, 404.html for a missing page); yield its base URL."""
    handler = type("Handler", (_SiteWith404,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()
    server.server_close()


@contextlib.contextmanager
def local_tab(browser, base: str, **context_options):
    """Yield a browser tab on the site at `base` (as `tab.base`); fail if the page asked any other host.

    Data and blob URLs (downloads made in the page) are the page's own.
    """
    context = browser.new_context(**context_options)
    tab = context.new_page()
    other_hosts: list[str] = []
    here = urlsplit(base).netloc

    def check(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and parts.netloc != here:
            other_hosts.append(request.url)

    tab.on("request", check)
    tab.base = base
    yield tab
    context.close()
    assert not other_hosts, f"requests to other hosts: {other_hosts}"


def chromium_path() -> str | None:
    """Return the Chromium binary to drive: $CHROMIUM, else Debian's, else None."""
    candidates = [os.environ.get("CHROMIUM", "")] + list(CHROMIUM_CANDIDATES)
    return next((c for c in candidates if c and Path(c).exists()), None)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright. Skips without one, except under CI, where it fails."""
    executable = chromium_path()
    if executable is None:
        message = "no Chromium found (install Debian's chromium, or set CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield instance
        instance.close()
