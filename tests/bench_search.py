"""Search at scale: what a reader's browser fetches and waits for, at 100, 1,000 and 10,000 cases.

Part of `make bench`. Each size is a built site of synthetic cases (see
`tests.bench.make_collection`: every case has its own names and a narrative
drawn from a large made-up vocabulary, so the index grows as a real one
would). The 10,000-case site is not built with MkDocs, which would take most
of an hour here: it is the 1,000-case site with each case page copied ten
times under new names and words, then indexed by Pagefind like any build.

The site is served over a simulated laptop connection (40 ms per request,
10 Mbit/s) to a fresh browser (nothing cached). The figures: the bytes
search fetches while the page loads (its worker, Pagefind's code and the
index's entry file), then, for a query typed into the search box, the bytes
fetched from the keystroke to the first results on screen and the time that
took; then the same for a second query in the same tab.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import time
from pathlib import Path

from generator.search import INDEX_FOLDER, index_site

LATENCY = 0.040  # seconds per request
BANDWIDTH = 10_000_000 / 8  # bytes per second
QUERIES = ("Kelvorin", "mediation dialogue")  # a name that only some cases have, then common words


class _SlowHandler(http.server.SimpleHTTPRequestHandler):
    """A static server with a laptop's connection: a delay per request and a bandwidth limit."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:  # type: ignore[override]
        time.sleep(LATENCY)
        while chunk := source.read(16384):
            outputfile.write(chunk)
            time.sleep(len(chunk) / BANDWIDTH)


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_SlowHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def grow_site(site: Path, factor: int) -> None:
    """Copy every case page of a built site `factor - 1` more times, with its words changed."""
    pages = sorted(p for p in (site / "cases").glob("*/index.html"))
    for copy in range(1, factor):
        for page in pages:
            html = page.read_text(encoding="utf-8")
            html = re.sub(r"\b([A-Z][a-z]{3,})\b", lambda m, c=copy: f"{m.group(1)}{_suffix(c)}", html)
            target = page.parent.with_name(f"{page.parent.name}-copy{copy}") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")


def _suffix(copy: int) -> str:
    letters = "aeiou"
    return "".join(letters[(copy // 5 ** i) % 5] for i in range(2))


def measure(site: Path, browser) -> dict[str, float]:
    """Return bytes and seconds to the first results, for a cold query and then a warm one."""
    server, base = _serve(site)
    try:
        context = browser.new_context()
        page = context.new_page()
        fetched: list[tuple[float, int, str]] = []
        context.on("requestfinished", lambda request: fetched.append(
            (time.perf_counter(), request.sizes()["responseBodySize"], request.url)))
        page.goto(base)
        page.wait_for_load_state("networkidle")
        # Search starts when the page loads (the worker, Pagefind's code and the index's entry file).
        figures: dict[str, float] = {"setup_bytes": sum(size for _, size, url in fetched if _is_search(url))}
        page.keyboard.press("/")
        box = page.locator('input[data-md-component="search-query"]')
        for label, query in zip(("cold", "warm"), QUERIES, strict=True):
            start = time.perf_counter()
            box.fill(query)
            box.press("End")  # Material reads the query on keyup
            page.locator(f'[data-t2-search-status][data-query="{query}"]').wait_for(
                state="attached", timeout=120_000)
            page.locator(".md-search-result__item").first.wait_for(state="attached", timeout=120_000)
            figures[f"{label}_seconds"] = time.perf_counter() - start
            page.wait_for_load_state("networkidle")
            figures[f"{label}_bytes"] = sum(size for at, size, _ in fetched if at >= start)
        context.close()
        return figures
    finally:
        server.shutdown()
        server.server_close()


def _is_search(url: str) -> bool:
    return any(part in url for part in (f"/{INDEX_FOLDER}", "/search/", "search-worker.js", "assets/search.js"))


def index_size(site: Path) -> int:
    return sum(p.stat().st_size for folder in site.glob(f"{INDEX_FOLDER}*") for p in folder.rglob("*") if p.is_file())


def run(sites: dict[int, Path], large: bool, scratch: Path) -> list[tuple[int, dict[str, float]]]:
    """Measure search on the built sites (by number of cases); with `large` and no built 10,000-case site,
    also on a 10,000-case copy of the 1,000-case site."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import chromium_path

    rows: list[tuple[int, dict[str, float]]] = []
    if large and 1000 in sites and 10000 not in sites:
        big = scratch / "search-10000"
        shutil.copytree(sites[1000], big)
        for folder in big.glob(f"{INDEX_FOLDER}*"):
            shutil.rmtree(folder)
        grow_site(big, 10)
        sites = {**sites, 10000: big}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        for size, site in sorted(sites.items()):
            start = time.perf_counter()
            index_site(site)  # again, alone, to time it
            figures = {"index_seconds": time.perf_counter() - start, "index_bytes": index_size(site)}
            figures.update(measure(site, browser))
            rows.append((size, figures))
        browser.close()
    return rows


def report(rows: list[tuple[int, dict[str, float]]]) -> None:
    print("\nSearch: what a reader fetches and waits for (40 ms per request, 10 Mbit/s, cold browser)")
    print("  setup KB: fetched for search as the page loads; first results KB: setup plus the first query")
    print(f"{'cases':>7} {'index MB':>9} {'index s':>8} {'× time':>7} {'setup KB':>9} "
          f"{'first results KB':>17} {'1st query s':>12} {'2nd query KB':>13} {'2nd query s':>12}")
    first = rows[0][1]["index_seconds"]
    for size, f in rows:
        print(f"{size:>7} {f['index_bytes'] / 1e6:>9.1f} {f['index_seconds']:>8.2f} "
              f"{f['index_seconds'] / first:>7.1f} {f['setup_bytes'] / 1e3:>9.0f} "
              f"{(f['setup_bytes'] + f['cold_bytes']) / 1e3:>17.0f} {f['cold_seconds']:>12.2f} "
              f"{f['warm_bytes'] / 1e3:>13.0f} {f['warm_seconds']:>12.2f}")
