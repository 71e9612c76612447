"""Give each built page a Content-Security-Policy: scripts, styles and data only from the site itself.

The policy is a `<meta http-equiv>` tag, since a static host such as GitHub
Pages sets no headers of the site's choosing. Material writes three small
inline scripts into every page (its storage scope, the colour palette, the
scroll to a named anchor); rather than allow inline scripts at large, each
page allows exactly the inline scripts it was built with, by their SHA-256
hashes. Any other script, one slipped in through content among them, is
refused by the browser, as are event-handler attributes and `javascript:`
links. Data blocks (`<script type="application/json">`) are not run and need
no hash.

Under `mkdocs serve` no policy is added: MkDocs' live reload injects an
inline script of its own into each page it serves.
"""

from __future__ import annotations

import base64
import hashlib
import re

# Directives other than script-src. img-src allows data: for the icons
# Material draws as CSS masks; frame-ancestors cannot be set from a meta tag.
POLICY = (
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
_INLINE_SCRIPT = re.compile(r"<script(?P<attributes>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_SRC = re.compile(r"\ssrc\s*=", re.I)
_TYPE = re.compile(r"""\stype\s*=\s*["']?(?P<type>[^"'\s>]+)""", re.I)
_RUNNABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
_CHARSET = re.compile(r"<meta charset=[^>]*>", re.I)


def inline_script_hashes(html: str) -> list[str]:
    """Return the CSP source expressions ('sha256-…') of the page's inline scripts that a browser would run."""
    hashes: list[str] = []
    for script in _INLINE_SCRIPT.finditer(html):
        attributes = script.group("attributes")
        if _SRC.search(attributes):
            continue
        kind = _TYPE.search(attributes)
        if kind and kind.group("type").lower() not in _RUNNABLE_TYPES:
            continue
        digest = hashlib.sha256(script.group("body").encode("utf-8")).digest()
        source = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def policy_for(html: str) -> str:
    """Return the policy for one page: the fixed directives, and script-src with the page's own inline scripts."""
    scripts = " ".join(["script-src 'self'", *inline_script_hashes(html)])
    return "; ".join([POLICY[0], scripts, *POLICY[1:]])


def with_policy(html: str) -> str:
    """Return the page with its policy as the first tag after its character set, before any script."""
    tag = f'<meta http-equiv="Content-Security-Policy" content="{policy_for(html)}">'
    charset = _CHARSET.search(html)
    if charset is None:
        return html.replace("<head>", "<head>" + tag, 1)
    return html[: charset.end()] + tag + html[charset.end():]
