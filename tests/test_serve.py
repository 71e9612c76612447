"""`mkdocs serve`: rebuilds when content changes; on invalid content it reports and keeps the last good site."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, REPO, epoch, make_project

# The live server runs outside libfaketime (see serve_env), so these run with the clock moved too.
pytestmark = [pytest.mark.slow, pytest.mark.live_server]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def serve_env() -> dict[str, str]:
    """The environment of a live `mkdocs serve`, pinned to the fixture's day, and out of libfaketime.

    The suite also runs with the clock moved (`faketime -f '+400d' make test`).
    libfaketime breaks a live server's timing: a moved monotonic clock makes
    its rebuild thread's timed wait last the whole shift, and with the
    monotonic clock left alone, timed waits fail now and then with EINVAL
    (a rebuild's search indexing then fails). So the server runs without
    libfaketime; what the site says of dates comes from SOURCE_DATE_EPOCH,
    as in every other build of the suite, and the test around it still runs
    with the clock moved.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("FAKETIME")}
    preload = [entry for entry in re.split(r"[:\s]+", env.pop("LD_PRELOAD", "")) if entry and "faketime" not in entry]
    if preload:
        env["LD_PRELOAD"] = " ".join(preload)
    return dict(env, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=epoch(FIXTURE_TODAY))


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_serve_rebuilds_on_content_change_and_survives_errors(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", FIXTURE_CORPUS)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(project / "mkdocs.yml"),
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, stdout=log, stderr=subprocess.STDOUT,
        env=serve_env())
    root = f"http://127.0.0.1:{port}/"  # redirects to the path of site_url
    page = f"{root}casebook/cases/example-dialogue/"
    case = project / "cases" / "example-dialogue.yml"
    try:
        assert wait_for(lambda: "Example Dialogue" in fetch(page)), (tmp_path / "serve.log").read_text()
        assert "<h1 id=\"track-two-casebook\">Track Two Casebook" in fetch(root)

        case.write_text(case.read_text(encoding="utf-8").replace("title: Example Dialogue",
                                                                 "title: Example Dialogue Renamed"))
        assert wait_for(lambda: "Example Dialogue Renamed" in fetch(page))

        case.write_text(case.read_text(encoding="utf-8").replace("type: ngo", "type: ngoo"))
        assert wait_for(lambda: "unknown convenor type 'ngoo'" in (tmp_path / "serve.log").read_text())
        assert "Example Dialogue Renamed" in fetch(page)  # the last good site is still served
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "cases/example-dialogue.yml:10:11: error: unknown convenor type 'ngoo'" in output
    assert "Traceback" not in output


@pytest.mark.browser
@pytest.mark.parametrize("options", [[], ["--dirty"]], ids=["serve", "serve --dirty"])
def test_serve_shows_content_errors_in_the_open_tab_until_fixed(tmp_path: Path, browser, options: list[str]) -> None:
    project = make_project(tmp_path / "project", FIXTURE_CORPUS)
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", *options, "-f", str(project / "mkdocs.yml"),
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, stdout=log, stderr=subprocess.STDOUT,
        env=serve_env())
    page_url = f"http://127.0.0.1:{port}/casebook/cases/example-dialogue/"
    case = project / "cases" / "example-dialogue.yml"
    good = case.read_text(encoding="utf-8")
    tab = browser.new_page()
    try:
        assert wait_for(lambda: "Example Dialogue" in fetch(page_url)), log_path.read_text()
        tab.goto(page_url, wait_until="load")  # live reload keeps a request open: no "networkidle"
        assert tab.locator("#casebook-problems").count() == 0
        built = log_path.read_text()

        case.write_text(good.replace("type: ngo", "type: ngoo"), encoding="utf-8")
        # The open tab reloads by itself and shows the problem over the last good page.
        # Generous bounds: a rebuild on a loaded 2-core machine has taken over a minute.
        banner = tab.locator("#casebook-problems")
        banner.wait_for(state="visible", timeout=150_000)
        assert banner.get_attribute("role") == "alert"
        text = banner.inner_text()
        assert "Content has 1 error in 1 file" in text
        assert ("cases/example-dialogue.yml:10:11 unknown convenor type 'ngoo'; did you mean 'ngo'?"
                in " ".join(text.split()))
        assert tab.locator("h1").first.inner_text().startswith("Example Dialogue")

        # The terminal shows the problem and one summary line, not a page of INFO lines.
        errors = log_path.read_text()[len(built):]
        assert "cases/example-dialogue.yml:10:11: error: unknown convenor type 'ngoo'" in errors
        assert errors.count("serving the last good version until it is fixed") == 1
        assert "is not included in the \"nav\"" not in log_path.read_text()

        case.write_text(good.replace("title: Example Dialogue", "title: Example Dialogue Fixed"),
                        encoding="utf-8")
        banner.wait_for(state="detached", timeout=150_000)
        tab.get_by_role("heading", name="Example Dialogue Fixed", exact=False).first.wait_for(timeout=30_000)
        # Search answers from the index of the rebuilt site.
        box = tab.locator('input[data-md-component="search-query"]')
        box.click()
        box.fill("Fixed")
        box.press("End")
        tab.locator(".md-search-result__item h1", has_text="Example Dialogue Fixed").wait_for(timeout=30_000)
        assert server.poll() is None
    finally:
        tab.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert "Traceback" not in log_path.read_text()


def built_page(html: str) -> str:
    """Return a served page without the counters of the live-reload script the server adds to each response."""
    return re.sub(r"livereload\(\d+, \d+\)", "livereload()", html)


def test_a_dirty_serve_rebuilds_every_page_an_edit_changes(tmp_path: Path) -> None:
    """`make serve` rebuilds only the pages whose text changed: the edited pages must show each edit,
    and what shapes every page (here a theme override) must reach pages whose own text is unchanged."""
    project = make_project(tmp_path / "project", FIXTURE_CORPUS)
    shutil.copytree(REPO / "overrides", project / "overrides")
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = str(project / "overrides")
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-f", str(project / "mkdocs.yml"),
         "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, stdout=log, stderr=subprocess.STDOUT, env=serve_env())
    base = f"http://127.0.0.1:{port}/casebook/"
    case = project / "cases" / "example-dialogue.yml"
    vocabulary = project / "vocabulary.yml"
    references = project / "references.bib"

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    def shows(page: str, text: str) -> bool:
        return text in fetch(base + page)

    try:
        assert wait_for(lambda: shows("cases/example-dialogue/", "Example Dialogue")), log_path.read_text()
        untouched = built_page(fetch(base + "inventory/"))

        edit(case, "title: Example Dialogue", "title: Example Dialogue Renamed")
        assert wait_for(lambda: shows("cases/example-dialogue/", "Example Dialogue Renamed"))
        assert shows("cases/", "Example Dialogue Renamed")  # the index lists it
        assert shows("convenor-types/ngo/", "Example Dialogue Renamed")  # so does its convenor type's page
        assert built_page(fetch(base + "inventory/")) == untouched  # a page the edit does not touch
        assert shows("", "Example Dialogue Renamed")  # the home page's lists, though docs/index.md is unchanged
        assert re.search(r'md-sidebar--primary"[^>]*hidden', fetch(base + "cases/example-dialogue/"))

        edit(vocabulary, "label: Non-governmental organisation", "label: Civil society organisation")
        assert wait_for(lambda: shows("cases/example-dialogue/", "Civil society organisation"))
        assert shows("convenor-types/ngo/", "Civil society organisation")

        edit(references, "title = {Our History}", "title = {Our Long History}")
        assert wait_for(lambda: shows("sources/exampleorg2020history/", "Our Long History"))
        assert shows("cases/example-dialogue/", "Our Long History")

        edit(project / "overrides" / "main.html", "{% block content %}",
             '{% block content %}<p id="theme-changed"></p>')
        assert wait_for(lambda: shows("inventory/", 'id="theme-changed"'))
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = log_path.read_text()
    assert "Traceback" not in output
    assert "Aborted" not in output
