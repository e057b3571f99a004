"""Text folding for search, identical on SQLite and PostgreSQL.

``fold("Łódź")`` == ``fold("lodz")`` == ``"lodz"``: casefolded, diacritics removed, and the
Polish letters that have no Unicode decomposition (ł) mapped by hand. The similarity
function reproduces PostgreSQL ``pg_trgm``'s ``similarity()`` so that typo-tolerant search
gives the same answer on both databases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_EXTRA = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe",
                        "ı": "i"})
_NON_WORD = re.compile(r"[^0-9a-z@._+-]+")
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII form: ``"Żółć  Łukasz"`` → ``"zolc lukasz"``."""
    if not text:
        return ""
    text = text.casefold().translate(_EXTRA)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


def words(text: str | None) -> list[str]:
    """Alphanumeric words of the folded text (what the fuzzy lexicon stores)."""
    return _WORD.findall(fold(text))


def search_text(parts: Iterable[str | None]) -> str:
    """The stored search column: folded parts separated by `` | `` so that a phrase never
    matches across two fields."""
    return " | ".join(p for p in (fold(x) for x in parts) if p)


def digits(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces in front and one behind."""
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm ``similarity(a, b)`` for folded text."""
    ta: set[str] = set()
    for w in _WORD.findall(a):
        ta |= trigrams(w)
    tb: set[str] = set()
    for w in _WORD.findall(b):
        tb |= trigrams(w)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)
