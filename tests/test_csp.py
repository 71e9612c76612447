"""The pages' Content-Security-Policy: exactly the inline scripts a page was built with, placed before any script."""

from __future__ import annotations

import base64
import hashlib

from generator.csp import inline_script_hashes, policy_for, with_policy


def _hash(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>t</title>
<script>var a = "é";</script>
<script id="__config" type="application/json">{"base": "."}</script>
<script src="assets/site.js"></script>
<script type="module">import "./x.js";</script>
</head><body><script>var a = "é";</script></body></html>"""


def test_only_scripts_a_browser_runs_are_hashed_once_each_over_their_exact_text() -> None:
    assert inline_script_hashes(PAGE) == [_hash('var a = "é";'), _hash('import "./x.js";')]


def test_the_policy_allows_no_inline_script_at_large_and_nothing_from_other_hosts() -> None:
    policy = policy_for(PAGE)
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["script-src"].split() == ["'self'", _hash('var a = "é";'), _hash('import "./x.js";')]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy and "*" not in policy
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"


def test_the_policy_comes_right_after_the_character_set_before_every_script() -> None:
    page = with_policy(PAGE)
    meta = page.index('<meta http-equiv="Content-Security-Policy"')
    assert page.index('<meta charset="utf-8">') < meta < page.index("<script")
    assert page.count("Content-Security-Policy") == 1
    assert with_policy("<html><head><script>x()</script></head></html>").startswith(
        '<html><head><meta http-equiv="Content-Security-Policy"')
