"""Flag likely first names in free text, so that a pupil's name is not saved by mistake.

The list of common French first names ships with the app (``data/prenoms.txt``). A word is
flagged when it is capitalised and matches the list, accents and case aside; the form then
asks the writer to confirm, or to replace the name by the pupil's code or initials.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

NAMES_FILE = Path(__file__).resolve().parent / "data" / "prenoms.txt"
WORD_RE = re.compile(r"\b[^\W\d_][^\W\d_'’-]*\b")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def first_names() -> frozenset[str]:
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_fold(line.strip()) for line in lines if line.strip() and line[0] != "#")


def likely_first_names(text: str) -> list[str]:
    """The capitalised words of ``text`` that look like first names, once each, in order."""
    found: list[str] = []
    for match in WORD_RE.finditer(text or ""):
        word = match.group(0)
        if word[0].isupper() and _fold(word) in first_names() and word not in found:
            found.append(word)
    return found
