"""MkDocs hook: validate the content, then add the generated pages to the build in memory.

Pages are injected with `File.generated`, so nothing is written into `docs/`.
The content root is the folder holding mkdocs.yml. Invalid content stops the
build with the same messages as `python -m generator check`; under
`mkdocs serve` the server keeps the last good site until the content is fixed.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from generator.build import build_site
from generator.load import CONTENT_FILES
from generator.model import ContentError, summarise
from generator.render import TEMPLATES

log = logging.getLogger("mkdocs.plugins.casebook")


def _root(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).parent


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Validate the content and add every generated page; refuse to overwrite a handwritten page."""
    settings = {"site_url": config.site_url or "", "repo_url": config.repo_url or "",
                "edit_uri": config.edit_uri or ""}
    try:
        _, pages, warnings = build_site(_root(config), settings)
    except ContentError as error:
        for problem in error.problems:
            log.error(problem.format())
        raise PluginError(f"Content has {summarise(error.problems)}; nothing was built.") from None
    for problem in warnings:
        log.info(problem.format())
    collisions = sorted(path for path in pages if files.get_file_from_path(path) is not None)
    if collisions:
        message = "; ".join(f"docs/{path} collides with a generated page" for path in collisions)
        raise PluginError(f"{message}. Rename or remove the handwritten file.")
    for path, text in pages.items():
        files.append(File.generated(config, path, content=text))
    return files


def on_serve(server, *, config: MkDocsConfig, builder):
    """Rebuild when content or templates change, not only docs/."""
    root = _root(config)
    for name in CONTENT_FILES:
        if (root / name).exists():
            server.watch(str(root / name))
    server.watch(str(TEMPLATES))
    return server

