"""One search box: identifiers exactly, names and addresses tolerant of typos and diacritics.

How a query is read:

* ``K0001234`` → the customer number;
* an e-mail → the primary or a further e-mail address;
* 9–15 digits (spaces, dashes, ``+`` allowed) → PESEL, NIP, REGON or a phone number;
* anything else → words; a customer matches when every word starts one of the words of
  their names and addresses (:class:`CustomerWord`; words shorter than three letters and
  numbers are looked for anywhere in the folded search column). A word that starts no
  known word (``kowalsky``) is replaced by the similar known
  words (``kowalski``, ``kowalska``) from the lexicon (:class:`SearchWord`), using the
  same trigram similarity as PostgreSQL's ``pg_trgm`` (a Python function on SQLite), so
  both databases give the same results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Exists, OuterRef, Q, QuerySet

from punkt.core import bulk
from punkt.customers.identifiers import phone_query
from punkt.customers.models import (
    Customer,
    CustomerContact,
    CustomerStatus,
    CustomerWord,
    SearchWord,
)
from punkt.customers.normalize import digits, fold, similarity, words
from punkt.organization.actors import Actor

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
    #: similar_words() answers already fetched for this query
    similar: dict[str, list[str]] = field(default_factory=dict)

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


def known_prefixes(candidates: Iterable[str]) -> set[str]:
    """Which of the words start a word of the lexicon — one query for all of them."""
    words_ = sorted(set(candidates))
    if not words_:
        return set()
    # Lexicon words are [0-9a-z] only: no LIKE wildcard can hide in them.
    one = ("SELECT CAST(%s AS VARCHAR(60)) WHERE EXISTS "
           "(SELECT 1 FROM customers_searchword WHERE word LIKE %s)")
    sql = " UNION ALL ".join([one] * len(words_))
    params = [p for w in words_ for p in (w, w + "%")]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {row[0] for row in cur.fetchall()}


def expand(q: ParsedQuery, *, fuzzy_all: bool = False) -> None:
    """Fill ``q.alternatives``: each word itself when it starts a known word, otherwise
    the similar known words (with ``fuzzy_all``, similar words are added to every word)."""
    q.alternatives = {}
    lookup = [w for w in q.words if indexed(w)]
    known = set() if fuzzy_all or not lookup else known_prefixes(lookup)
    for word in q.words:
        if not indexed(word) or word in known:
            q.alternatives[word] = [word]
            continue
        if word not in q.similar:
            q.similar[word] = similar_words(word)
        found = q.similar[word]
        alts = ([word] if fuzzy_all or not found else []) + [w for w in found if w != word]
        q.alternatives[word] = alts or [word]


def indexed(word: str) -> bool:
    """Whether ``word`` is looked up in :class:`CustomerWord` (as a word prefix); shorter
    words and numbers are looked for anywhere in the search column instead."""
    return len(word) >= MIN_WORD and not word.isdigit()


def _prefixes(alts: list[str]) -> Q:
    any_of = Q()
    for alt in alts:
        any_of |= Q(word__startswith=alt)
    return any_of


def _words_filter(q: ParsedQuery) -> Q:
    cond = Q()
    for word in q.words:
        alts = q.alternatives.get(word, [word])
        if indexed(word):
            cond &= Q(pk__in=CustomerWord.objects.filter(_prefixes(alts)).values("customer_id"))
            continue
        any_of = Q()
        for alt in alts:
            any_of |= Q(search_text__contains=alt)
        cond &= any_of
    return cond


class WordResults:
    """A word search's result list, read from :class:`CustomerWord` and ordered by name:
    what a list page or the API pages through (a capped count and slices, as the
    paginators expect). Only for queries whose words are all indexed and lists filtered
    by nothing but branches; anything else pages the customer queryset.

    The matches of the most selective word (each alternative one index range, on
    PostgreSQL an index-only scan; the other words checked per candidate through the
    (customer, word) key) are counted by the database, at most a little over ``cap`` of
    them (above it the count says "more than": a city, a frequent first name); a page is
    the database's top-N sort of the matches up to the page's end, and only the page's
    customers are fetched. Nothing but two numbers and the page's rows leaves the
    database. A customer matched by two of their words is listed once."""

    def __init__(self, q: ParsedQuery, *, words: QuerySet[CustomerWord],
                 customers: QuerySet[Customer], descending: bool = False, retry: bool = True,
                 cap: int = 10_000) -> None:
        self.q = q
        #: The word rows and the customers the user may see (``visible_to``): the same
        #: branch scope, read from two tables.
        self.words = words
        self.customers = customers
        self.descending = descending
        #: When the words find nobody, look again with similar words for each (as
        #: :func:`search` does; reading the matches tells, without a separate query).
        self.retry = retry
        self.cap = cap
        self._count: int | None = None
        self._more = False

    @staticmethod
    def usable(q: ParsedQuery) -> bool:
        return bool(q.words) and all(indexed(w) for w in q.words)

    def _alternatives(self) -> dict[str, list[str]]:
        """Each word's alternatives without those another one already covers (``kowal``
        covers ``kowalik``), so that no customer is read twice for the same reason."""
        out = {}
        for w in self.q.words:
            alts = sorted(set(self.q.alternatives.get(w, [w])))
            out[w] = [a for a in alts if not any(a != b and a.startswith(b) for b in alts)]
        return out

    def _union(self) -> QuerySet[CustomerWord, tuple[str, int]]:
        alts = self._alternatives()
        # Drive from the word whose shortest alternative is longest (fewest matches).
        driver = max(self.q.words, key=lambda w: (min(len(a) for a in alts[w]), w))
        others = [Exists(CustomerWord.objects.filter(_prefixes(alts[w]),
                                                     customer_id=OuterRef("customer_id")))
                  for w in self.q.words if w != driver]
        parts = [self.words.filter(*others, word__startswith=alt)
                 .values_list("sort_key", "customer_id") for alt in alts[driver]]
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

    def _sql(self, qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
        return qs.query.get_compiler(using=qs.db).as_sql()  # type: ignore[no-any-return]

    def _counts(self, limit: int) -> tuple[int, int]:
        """(rows, customers) among the first ``limit`` matches, counted by the database
        (no ORDER BY, so the scan stops after ``limit`` rows; nothing is sent back but two
        numbers)."""
        try:
            sql, params = self._sql(self._union()[:limit])
        except EmptyResultSet:  # a scope that sees nobody (``none()``)
            return 0, 0
        with connection.cursor() as cur:
            cur.execute(  # the ORM's own SQL, with its parameters
                f"SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM ({sql}) hits",  # noqa: S608
                params)
            rows, customers = cur.fetchone()
        return int(rows), int(customers)

    def _read(self) -> None:
        # Read more when repeated rows (one customer, two matching words) leave the
        # distinct count at or under the cap although the rows reached the limit (a tenth
        # more rows than the cap leaves room for them: rarely a second look).
        limit = self.cap + self.cap // 10 + 1
        while True:
            found, distinct = self._counts(limit)
            if found < limit or distinct > self.cap:
                break
            limit *= 2
        self._more = distinct > self.cap
        self._count = min(distinct, self.cap + 1)

    def _load(self) -> int:
        if self._count is None:
            self._read()
            if self.retry and not self._count:
                expand(self.q, fuzzy_all=True)
                self._read()
            self.retry = False
        return self._count or 0

    def _page(self, index: slice) -> list[tuple[str, int]]:
        """The page's rows, each customer once: the database sorts the matches keeping only
        the first ``stop`` rows (a top-N sort, no full sort of all of them); a customer
        found through two of their words (Jan on ul. Jana) has two neighbouring rows,
        dropped here — read a little further when that left the page short."""
        start, stop = index.start or 0, index.stop or 0
        if stop <= start:
            return []
        order = ("-sort_key", "-customer_id") if self.descending else ("sort_key",
                                                                        "customer_id")
        limit = stop + 5
        while True:
            rows = list(self._union().order_by(*order)[:limit])
            distinct = list(dict.fromkeys(rows))
            if len(distinct) >= stop or len(rows) < limit:
                return distinct[start:stop]
            limit *= 2

    def capped_count(self, cap: int) -> int:
        if cap != self.cap:
            self.cap, self._count = cap, None
        count = self._load()
        return cap + 1 if self._more else count

    def count(self) -> int:
        return self.capped_count(self.cap)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Customer]:
        if not isinstance(index, slice):
            raise TypeError("WordResults takes slices only")
        if not self._load():
            return []
        rows = self._page(index)
        ids = [pk for _key, pk in rows]
        # Scope and status again: the words are a copy, and a merge may commit meanwhile.
        found = self.customers.select_related("branch").in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def index_customers(customers: Iterable[Customer], *, new: bool = False) -> None:
    """Rewrite the :class:`CustomerWord` rows of these customers (none when closed) and
    add their words to the lexicon. ``new``: just inserted, nothing to delete."""
    customers = list(customers)
    if not new:
        CustomerWord.objects.filter(customer_id__in=[c.pk for c in customers]).delete()
    index_new((c.pk, c.branch_id, c.sort_key, customer_lexicon(c)) for c in customers
              if c.status == CustomerStatus.ACTIVE)


def index_new(entries: Iterable[tuple[int, int, str, set[str]]]) -> None:
    """The :class:`CustomerWord` rows of active customers that have none yet — each given
    as (id, branch id, sort key, :func:`lexicon_of` their fields) — and their words added
    to the lexicon (what :func:`index_customers` does, for rows an import just wrote)."""
    rows: list[dict[str, Any]] = []
    found: set[str] = set()
    for pk, branch_id, sort_key, words_ in entries:
        found |= words_
        rows += [{"customer_id": pk, "branch_id": branch_id, "word": w, "sort_key": sort_key}
                 for w in sorted(words_)]
    bulk.insert_rows(CustomerWord, rows, return_ids=False)
    lexicon_add(found)


def _matching_pks(cond: Q, contact_values: list[str]) -> list[int]:
    """Customers whose own columns match ``cond`` or who have one of ``contact_values`` as a
    further contact. Two separate lookups, so that each can use its own index: the OR of a
    column test and ``pk IN (subquery)`` in one WHERE makes PostgreSQL scan the table."""
    pks = set(Customer.objects.filter(cond).values_list("pk", flat=True)[:1000])
    if contact_values:
        pks.update(CustomerContact.objects.filter(value__in=contact_values)
                   .values_list("customer_id", flat=True)[:1000])
    return sorted(pks)


def apply(qs: QuerySet[Customer], q: ParsedQuery) -> QuerySet[Customer]:
    """Narrow ``qs`` to the customers the parsed query finds."""
    if q.number is not None:
        return qs.filter(pk=q.number)
    if q.email:
        return qs.filter(pk__in=_matching_pks(Q(email=q.email), [q.email]))
    if q.ids:
        values = [v for v in {q.phone, "+" + q.ids if len(q.ids) > 9 else ""} if v]
        cond = Q(pesel=q.ids) | Q(nip=q.ids) | Q(regon=q.ids)
        if values:
            cond |= Q(phone__in=values)
        return qs.filter(pk__in=_matching_pks(cond, values))
    if not q.words:
        return qs
    if not q.alternatives:
        expand(q)
    return qs.filter(_words_filter(q))


def search(qs: QuerySet[Customer], text: str, *, retry: bool = True
           ) -> tuple[QuerySet[Customer], ParsedQuery]:
    """Apply the query; when words find nobody, retry with similar words for each (unless
    ``retry`` is off: :class:`WordResults` retries on its own count)."""
    q = parse(text)
    if q.is_empty:
        return qs, q
    found = apply(qs, q)
    if retry and q.words and not found.exists():
        expand(q, fuzzy_all=True)
        found = qs.filter(_words_filter(q))
    return found, q


#: A search of other records by their customer looks at this many customers at most.
NAMED_LIMIT = 500


def customers_named(*, user: Actor, text: str, limit: int = NAMED_LIMIT) -> list[int]:
    """Ids of the active customers ``user`` sees whom the customer search box finds for
    ``text`` — a name or address (typos forgiven), a customer number, PESEL, NIP, phone or
    e-mail — at most ``limit`` of them: how lists of other records (contracts …) are
    searched by their customer, through the same word index, never a ``LIKE`` over the
    other table. A name shared by more customers needs a second word (first name, city)."""
    from punkt.customers import permissions as perms

    found, q = search(Customer.objects.active().visible_to(user, perms.CUSTOMER_VIEW), text)
    if q.is_empty:
        return []
    return list(found.values_list("pk", flat=True)[:limit])


def lexicon_words(values: Iterable[str | None]) -> set[str]:
    """Words of names and addresses worth remembering for typo-tolerant search."""
    out: set[str] = set()
    for value in values:
        for w in words(value):
            if MIN_WORD <= len(w) <= 60 and not w.isdigit():
                out.add(w)
    return out


#: The fields whose words go into the lexicon and the word index.
LEXICON_FIELDS = ("first_name", "last_name", "company_name", "street", "city", "corr_street",
                  "corr_city")
#: The fields the search column is made of (phones as digits), in its order.
SEARCHED_FIELDS = ("last_name", "first_name", "company_name", "pesel", "nip", "regon",
                   "phone", "email", "street", "postal_code", "city", "corr_street",
                   "corr_city")


def customer_lexicon(customer: Customer) -> set[str]:
    return lexicon_of({name: getattr(customer, name) for name in LEXICON_FIELDS})


def lexicon_of(values: Mapping[str, Any]) -> set[str]:
    """:func:`customer_lexicon` of a customer's fields given by name (a cleaned row)."""
    return lexicon_words([values[name] for name in LEXICON_FIELDS])


def lexicon_add(found: Iterable[str]) -> None:
    rows = [SearchWord(word=w) for w in sorted(set(found))]
    if rows:
        SearchWord.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def lexicon_prune(candidates: Iterable[str]) -> int:
    """Forget words no active customer's search column still contains (after erasure)."""
    gone = [w for w in set(candidates) if not CustomerWord.objects.filter(word=w).exists()]
    if gone:
        SearchWord.objects.filter(word__in=gone).delete()
    return len(gone)


def sort_key_for(customer: Customer) -> str:
    return sort_key_of({"kind": customer.kind, "first_name": customer.first_name,
                        "last_name": customer.last_name,
                        "company_name": customer.company_name})


def sort_key_of(values: Mapping[str, Any]) -> str:
    """:func:`sort_key_for` of a customer's fields given by name (a cleaned row)."""
    if values["kind"] == "company" or (not values["last_name"] and values["company_name"]):
        return fold(values["company_name"])[:250]
    return fold(f"{values['last_name']} {values['first_name']}")[:250]


def search_text_for(customer: Customer, extra_contacts: Iterable[str] = ()) -> str:
    return search_text_of({name: getattr(customer, name) for name in SEARCHED_FIELDS},
                          extra_contacts)


def search_text_of(values: Mapping[str, Any], extra_contacts: Iterable[str] = ()) -> str:
    """:func:`search_text_for` of a customer's fields given by name (a cleaned row)."""
    from punkt.customers.normalize import search_text

    return search_text([*(digits(values[name]) if name == "phone" else values[name]
                          for name in SEARCHED_FIELDS), *extra_contacts])
