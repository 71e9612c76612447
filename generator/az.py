"""The glossary's A–Z index: every term of every section under its first letter, with its anchor."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from .model import Term


def _letter(label: str) -> str:
    """Return the index letter of a label: its first letter without accents, or `#` for anything else."""
    first = unicodedata.normalize("NFKD", label.strip()[:1]).encode("ascii", "ignore").decode().upper()
    return first if first.isalpha() else "#"


def az_index(terms: Iterable[Term]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return [(letter, [(label, anchor), …]), …], letters in order and labels alphabetical within each."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for term in terms:
        groups.setdefault(_letter(term.label), []).append((term.label, f"{term.kind}-{term.id}"))
    return [(letter, sorted(groups[letter], key=lambda item: (item[0].casefold(), item[1])))
            for letter in sorted(groups)]
