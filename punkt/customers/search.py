"""One search box: identifiers exactly, names and addresses tolerant of typos and diacritics.

How a query is read:

* ``K0001234`` → the customer number;
* an e-mail → the primary or a further e-mail address;
* 9–15 digits (spaces, dashes, ``+`` allowed) → PESEL, NIP, REGON or a phone number;
* anything else → words; a customer matches when the folded search column contains every
  word. A word that starts no known word (``kowalsky``) is replaced by the similar known
  words (``kowalski``, ``kowalska``) from the lexicon (:class:`SearchWord`), using the
  same trigram similarity as PostgreSQL's ``pg_trgm`` (a Python function on SQLite), so
  both databases give the same results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Q, QuerySet

from punkt.customers.identifiers import phone_query
from punkt.customers.models import Customer, CustomerContact, SearchWord
from punkt.customers.normalize import digits, fold, similarity, words

#: Minimum pg_trgm similarity for a lexicon word to stand in for a misspelt one.
SIMILARITY = 0.4
#: At most this many stand-ins per misspelt word.
ALTERNATIVES = 6
MIN_WORD = 3
MAX_WORDS = 6
NUMBER = re.compile(r"^k0*(\d{1,9})$")


def install_sqlite_function() -> None:
    """Register ``punkt_similarity`` on every SQLite connection (PostgreSQL has pg_trgm)."""

    def register(sender: object, connection: object, **kwargs: object) -> None:
        if getattr(connection, "vendor", "") == "sqlite":
            connection.connection.create_function(  # type: ignore[attr-defined]
                "punkt_similarity", 2, similarity, deterministic=True)

    connection_created.connect(register, dispatch_uid="punkt_similarity")


@dataclass
class ParsedQuery:
    text: str
    number: int | None = None
    email: str = ""
    ids: str = ""
    phone: str = ""
    words: list[str] = field(default_factory=list)
    #: word → the words it stands for (itself, or similar known words when misspelt)
    alternatives: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.number or self.email or self.ids or self.phone or self.words)

    @property
    def corrected(self) -> list[str]:
        """Words replaced by similar known words (to say "showing results for …")."""
        return [w for w, alts in self.alternatives.items() if alts != [w]]


def parse(text: str) -> ParsedQuery:
    text = (text or "").strip()[:200]
    q = ParsedQuery(text=text)
    if not text:
        return q
    folded = fold(text)
    if m := NUMBER.match(folded.replace(" ", "")):
        q.number = int(m.group(1))
        return q
    if "@" in text and " " not in text:
        q.email = text.lower()
        return q
    compact = re.sub(r"[\s\-+()/]", "", text)
    if compact.isdigit() and 9 <= len(compact) <= 15:
        q.ids = compact
        q.phone = phone_query(text) or ""
        return q
    q.words = [w for w in words(text)][:MAX_WORDS]
    return q


def similar_words(word: str, *, limit: int = ALTERNATIVES) -> list[str]:
    """Known words similar to ``word``, most similar first (ties alphabetically)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT word FROM customers_searchword WHERE word %% %s "
                "AND similarity(word, %s) >= %s "
                "ORDER BY similarity(word, %s) DESC, word LIMIT %s",
                [word, word, SIMILARITY, word, limit])
            return [r[0] for r in cur.fetchall()]
    connection.ensure_connection()
    connection.connection.create_function(  # idempotent; covers connections made before
        "punkt_similarity", 2, similarity, deterministic=True)  # the signal was connected
    with connection.cursor() as cur:
        cur.execute(
            "SELECT word FROM customers_searchword WHERE punkt_similarity(word, %s) >= %s "
            "ORDER BY punkt_similarity(word, %s) DESC, word LIMIT %s",
            [word, SIMILARITY, word, limit])
        return [r[0] for r in cur.fetchall()]


def _known_prefix(word: str) -> bool:
    return SearchWord.objects.filter(word__startswith=word).exists()


def expand(q: ParsedQuery, *, fuzzy_all: bool = False) -> None:
    """Fill ``q.alternatives``: each word itself when it starts a known word, otherwise
    the similar known words (with ``fuzzy_all``, similar words are added to every word)."""
    q.alternatives = {}
    for word in q.words:
        if len(word) < MIN_WORD or word.isdigit():
            q.alternatives[word] = [word]
            continue
        if not fuzzy_all and _known_prefix(word):
            q.alternatives[word] = [word]
            continue
        found = similar_words(word)
        alts = ([word] if fuzzy_all or not found else []) + [w for w in found if w != word]
        q.alternatives[word] = alts or [word]


def _words_filter(q: ParsedQuery) -> Q:
    cond = Q()
    for word in q.words:
        alts = q.alternatives.get(word, [word])
        any_of = Q()
        for alt in alts:
            any_of |= Q(search_text__contains=alt)
        cond &= any_of
    return cond


def apply(qs: QuerySet[Customer], q: ParsedQuery) -> QuerySet[Customer]:
    """Narrow ``qs`` to the customers the parsed query finds."""
    if q.number is not None:
        return qs.filter(pk=q.number)
    if q.email:
        in_contacts = CustomerContact.objects.filter(value=q.email).values("customer_id")
        return qs.filter(Q(email=q.email) | Q(pk__in=in_contacts))
    if q.ids:
        cond = Q(pesel=q.ids) | Q(nip=q.ids) | Q(regon=q.ids)
        values = [v for v in {q.phone, "+" + q.ids if len(q.ids) > 9 else ""} if v]
        if values:
            cond |= Q(phone__in=values) | Q(pk__in=CustomerContact.objects.filter(
                value__in=values).values("customer_id"))
        return qs.filter(cond)
    if not q.words:
        return qs
    if not q.alternatives:
        expand(q)
    return qs.filter(_words_filter(q))


def search(qs: QuerySet[Customer], text: str) -> tuple[QuerySet[Customer], ParsedQuery]:
    """Apply the query; when words find nobody, retry with similar words for each."""
    q = parse(text)
    if q.is_empty:
        return qs, q
    found = apply(qs, q)
    if q.words and not found.exists():
        expand(q, fuzzy_all=True)
        found = qs.filter(_words_filter(q))
    return found, q


def lexicon_words(values: Iterable[str | None]) -> set[str]:
    """Words of names and addresses worth remembering for typo-tolerant search."""
    out: set[str] = set()
    for value in values:
        for w in words(value):
            if MIN_WORD <= len(w) <= 60 and not w.isdigit():
                out.add(w)
    return out


def customer_lexicon(customer: Customer) -> set[str]:
    return lexicon_words([customer.first_name, customer.last_name, customer.company_name,
                          customer.street, customer.city, customer.corr_street,
                          customer.corr_city])


def lexicon_add(found: Iterable[str]) -> None:
    rows = [SearchWord(word=w) for w in sorted(set(found))]
    if rows:
        SearchWord.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def lexicon_prune(candidates: Iterable[str]) -> int:
    """Forget words no active customer's search column still contains (after erasure)."""
    gone = [w for w in set(candidates)
            if not Customer.objects.filter(search_text__contains=w).exists()]
    if gone:
        SearchWord.objects.filter(word__in=gone).delete()
    return len(gone)


def sort_key_for(customer: Customer) -> str:
    if customer.kind == "company" or (not customer.last_name and customer.company_name):
        return fold(customer.company_name)[:250]
    return fold(f"{customer.last_name} {customer.first_name}")[:250]


def search_text_for(customer: Customer, extra_contacts: Iterable[str] = ()) -> str:
    from punkt.customers.normalize import search_text

    return search_text([
        customer.last_name, customer.first_name, customer.company_name, customer.pesel,
        customer.nip, customer.regon, digits(customer.phone), customer.email,
        customer.street, customer.postal_code, customer.city, customer.corr_street,
        customer.corr_city, *extra_contacts])
