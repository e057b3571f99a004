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


def fold_reference(text: str | None) -> str:
    """:func:`fold` as defined: casefold, ł and friends by hand, NFKD, combining marks
    dropped, anything but ``[0-9a-z@._+-]`` a single space. Slow (a Python step per
    character); :func:`fold` gives exactly the same answer faster (``test_normalize``)."""
    if not text:
        return ""
    text = text.casefold().translate(_EXTRA)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


#: At most this many characters are remembered (Polish and Western text needs a few dozen).
_FOLDED_KEPT = 4096


class _FoldedChars(dict[int, str]):
    """``str.translate`` table folding one character at a time, filled on first use with
    :func:`fold_reference`'s steps for that character. Character by character gives the
    same text as the whole string at once: casefolding and the ł table are per character,
    and NFKD only adds canonical reordering of combining marks, which are all dropped."""

    def __missing__(self, code: int) -> str:
        text = chr(code).casefold().translate(_EXTRA)
        text = unicodedata.normalize("NFKD", text)
        folded = "".join(ch for ch in text if not unicodedata.combining(ch))
        if len(self) < _FOLDED_KEPT:  # bounded: search boxes take any text
            self[code] = folded
        return folded


_FOLDED = _FoldedChars()


def fold(text: str | None) -> str:
    """Lower-case ASCII form: ``"Żółć  Łukasz"`` → ``"zolc lukasz"``.

    Called for every field of every imported customer: ASCII text only needs lowering,
    the rest one ``translate`` through a per-character table (same result as
    :func:`fold_reference`)."""
    if not text:
        return ""
    text = text.lower() if text.isascii() else text.translate(_FOLDED)
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
