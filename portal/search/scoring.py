"""
Scoring compiled queries with array arithmetic instead of Whoosh's matcher trees.

Whoosh walks a query as a tree of matchers, one Python call per posting per node. A
technician's query becomes terms x synonyms x columns (dozens of leaves), and common words
(空调, 不) post in most documents, so at 100,000 cases that walk costs hundreds of milliseconds.
Here each leaf becomes a pair of arrays (global document numbers, scores) and the tree is
combined with numpy over the whole index at once; only the best ``limit`` are sorted.

Guarantees:

* **Same scores as Whoosh.** Terms score with BM25F exactly as ``whoosh.scoring.BM25F`` does
  (same idf and average field length from the searcher, same byte-encoded field lengths, same
  float32 weights); ``Or`` and ``And`` add their parts' scores, ``AndNot`` keeps the positive
  part's, ``Every`` scores its boost, multi-term queries (``Prefix``, ``FuzzyTerm``) add their
  expanded terms, and phrases (matched by Whoosh) add their words' scores. ``BestColumn`` (which
  Whoosh has no matcher for) scores the best part plus ``TIE_BREAKER`` times the others, as
  Elasticsearch's ``best_fields``. ``tests/unit/test_search_scoring.py`` holds the parity contract.
* **Deleted documents never match**; deletions are applied per searcher, so cached postings stay
  valid after a delete.
* **Postings are read once per process.** A term's postings in a segment (segments are
  immutable) are decoded on first use and kept in an LRU bounded by :data:`CACHE_POSTINGS`
  postings; a new commit only reads the new segments' postings (a merge rewrites segments, so
  their postings are read again).
* **A word is scored once per snapshot.** The scores of a leaf and of one query word's
  ``BestColumn`` (its columns x synonyms) are kept by the snapshot's scorer, up to
  :data:`MEMO_POSTINGS` documents, and reused by later queries holding that word. A commit
  makes a new snapshot, whose scorer starts empty: scores depend on index-wide statistics.
* Uses Whoosh internals (the W3 codec's postings blocks and field-length column); the parity
  contract fails if an upgrade of ``whoosh-reloaded`` changes them.

Anything else in a query raises ``NotImplementedError``: the compiler only produces the nodes
above.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

#: Field length as stored (one byte) → the length Whoosh scores with.
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)

#: Upper bound of postings (document numbers with their weights) kept decoded per process,
#: 8 bytes each.
CACHE_POSTINGS = 8_000_000
#: Upper bound of scored documents a snapshot's scorer keeps for later queries (12-16 bytes
#: each).
MEMO_POSTINGS = 3_000_000


class BestColumn(wq.CompoundQuery):
    """Matches what any part matches; scores by the best part plus ``TIE_BREAKER`` times the
    others (Elasticsearch's ``best_fields``), so a common word repeated in title, symptom and
    cause does not outweigh a rarer word found once."""

    JOINT = " BEST "
    TIE_BREAKER = 0.1


class _PostingsCache:
    """Decoded postings and field lengths of immutable segments, least recently used first."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.size = 0
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, load):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
                return entry
        entry = load()
        with self.lock:
            if key not in self.entries:
                self.entries[key] = entry
                self.size += _entry_size(entry)
                while self.size > self.capacity and len(self.entries) > 1:
                    _key, evicted = self.entries.popitem(last=False)
                    self.size -= _entry_size(evicted)
        return entry


def _entry_size(entry) -> int:
    return sum(len(array) for array in entry) if isinstance(entry, tuple) else len(entry)


_postings = _PostingsCache(CACHE_POSTINGS)
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


def _raw_matcher(reader, fieldname, btext):
    """The segment's postings of a term, deleted documents included."""
    matcher = reader.postings(fieldname, btext)
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def _decode(matcher) -> tuple[np.ndarray, np.ndarray]:
    """Every (document number, weight) of a term's postings: a block at a time from the
    postings file, one by one when Whoosh stored them inline (terms in one document)."""
    ids, weights = [], []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    # Whoosh stores weights as float32: nothing is lost.
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


class _Segment:
    """One segment reader of a searcher, with where its documents start."""

    def __init__(self, searcher, offset, key):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.key = key

    def postings(self, fieldname, btext):
        def load():
            try:
                return _decode(_raw_matcher(self.reader, fieldname, btext))
            except TermNotFound:
                return _EMPTY_IDS, _EMPTY_WEIGHTS

        return _postings.get((self.key, fieldname, btext), load)

    def lengths(self, fieldname):
        def load():
            per_document = self.reader._perdoc
            column = _lenfield(fieldname)
            if not per_document.has_column(column):
                return np.ones(self.reader.doc_count_all(), dtype=np.float64)
            reader = per_document.column_reader(column, LENGTHS_COLUMN)
            stored = np.zeros(self.reader.doc_count_all(), dtype=np.uint8)
            # One byte per document, documents without the field at the end left out.
            count = min(reader._count, len(stored))
            stored[:count] = np.frombuffer(reader._dbfile.get(reader._basepos, count), np.uint8)
            return _LENGTHS[stored]

        return _postings.get((self.key, fieldname, None), load)

    def column(self, fieldname):
        def load():
            values = np.empty(self.reader.doc_count_all(), dtype=object)
            values[:] = list(self.reader.column_reader(fieldname))
            return values

        return _postings.get((self.key, fieldname, "column"), load)

    def phrase_matches(self, fieldname, words, slop):
        """Documents holding ``words`` in sequence (Whoosh matches positions), as of the
        first call: positions never change in a segment, and documents deleted since are
        masked by the scorer."""

        def load():
            matcher = wq.Phrase(fieldname, words, slop=slop).matcher(self.searcher)
            ids = []
            while matcher.is_active():
                ids.append(matcher.id())
                matcher.next()
            return (np.array(ids, dtype=np.int32),)

        return _postings.get((self.key, fieldname, tuple(words), slop), load)[0]


class Scorer:
    """Scores queries against one Whoosh searcher (one consistent snapshot of an index)."""

    def __init__(self, searcher, index_key: str):
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        self.weighting = BM25F()
        self.segments = [
            _Segment(leaf, offset, (index_key, leaf.reader().segment().segment_id()))
            for leaf, offset in searcher.leaf_searchers()
            # An empty index has a reader without a segment.
            if leaf.reader().segment() is not None
        ]
        self._offsets = [segment.offset for segment in self.segments]
        self._memo = {}
        self._memo_size = 0
        self.live = np.ones(self.size, dtype=bool)
        for segment in self.segments:
            deleted = list(segment.reader.deleted_docs_set)
            if deleted:
                self.live[np.array(deleted, dtype=np.int64) + segment.offset] = False

    # Public ------------------------------------------------------------------------------------

    def ranked(self, query, filter_query=None, limit=None) -> list[tuple[float, int]]:
        """``(score, document number)`` of the live documents matching ``query`` (and
        ``filter_query``, which does not score), best first, ties by document number."""
        scores, matched = self._dense(query)
        matched &= self.live
        if filter_query is not None:
            matched &= self._dense(filter_query)[1]
        candidates = np.flatnonzero(matched)
        if limit is not None and len(candidates) > limit:
            # The ``limit`` best, with every document tied with the last one kept for the sort.
            threshold = np.partition(scores[candidates], len(candidates) - limit)[-limit]
            candidates = candidates[scores[candidates] >= threshold]
        order = np.lexsort((candidates, -scores[candidates]))[:limit]
        best = candidates[order]
        return list(zip(scores[best].tolist(), best.tolist(), strict=True))

    def column_values(self, fieldname, docnums) -> list:
        """The values of a column (``sortable`` field) for these document numbers, in order."""
        docnums = np.asarray(docnums, dtype=np.int64)
        values = np.empty(len(docnums), dtype=object)
        owners = np.searchsorted(self._offsets, docnums, side="right") - 1
        for number in np.unique(owners):
            segment = self.segments[number]
            here = owners == number
            values[here] = segment.column(fieldname)[docnums[here] - segment.offset]
        return values.tolist()

    # Leaves: (global document numbers, scores) ------------------------------------------------

    def _term(self, fieldname, text, boost):
        if fieldname not in self.searcher.schema:
            return _EMPTY_IDS, _EMPTY_WEIGHTS
        field = self.searcher.schema[fieldname]
        btext = field.to_bytes(text)
        found = [(segment, *segment.postings(fieldname, btext)) for segment in self.segments]
        found = [(segment, ids, weights) for segment, ids, weights in found if len(ids)]
        if not found:
            return _EMPTY_IDS, _EMPTY_WEIGHTS
        if field.scorable:
            idf = self.searcher.idf(fieldname, text)
            average = self.searcher.avg_field_length(fieldname) or 1
            b, k1 = self.weighting.B, self.weighting.K1
        ids_parts, score_parts = [], []
        for segment, ids, stored_weights in found:
            scores = weights = stored_weights.astype(np.float64)
            if field.scorable:
                norm = k1 * ((1 - b) + b * segment.lengths(fieldname)[ids] / average)
                scores = idf * ((weights * (k1 + 1)) / (weights + norm))
            ids_parts.append(ids.astype(np.int64) + segment.offset)
            score_parts.append(scores * boost)
        return np.concatenate(ids_parts), np.concatenate(score_parts)

    def _multi_term(self, query):
        reader = self.searcher.reader()
        fieldname = query.field()
        words = sorted({word for word in query._btexts(reader) if word})
        parts = [self._term(fieldname, word, query.boost) for word in words]
        parts = [part for part in parts if len(part[0])]
        if not parts:
            return _EMPTY_IDS, _EMPTY_WEIGHTS
        scores = np.zeros(self.size)
        for ids, part_scores in parts:
            scores[ids] += part_scores
        ids = np.unique(np.concatenate([ids for ids, _scores in parts]))
        return ids, scores[ids]

    def _phrase(self, query):
        # Scored as Whoosh scores a phrase: its words' scores added up, times the boost.
        ids = [
            segment.phrase_matches(query.fieldname, query.words, query.slop) + segment.offset
            for segment in self.segments
        ]
        ids = np.concatenate(ids) if ids else _EMPTY_IDS
        scores = np.zeros(len(ids))
        if len(ids):
            for word in query.words:
                word_ids, word_scores = self._sparse(wq.Term(query.fieldname, word))
                scores += word_scores[np.searchsorted(word_ids, ids)]
        return ids, scores * query.boost

    def _sparse(self, query):
        """``(document numbers, scores)`` of a leaf or of one query word's ``BestColumn``, or
        ``None`` for other queries. Kept for later queries on this snapshot (a word's columns
        x synonyms subtree recurs whenever the word is searched), up to MEMO_POSTINGS."""
        if not isinstance(query, (wq.Term, wq.Phrase, wq.MultiTerm, BestColumn)):
            return None
        result = self._memo.get(query)
        if result is None:
            if isinstance(query, wq.Term):
                result = self._term(query.fieldname, query.text, query.boost)
            elif isinstance(query, wq.Phrase):
                result = self._phrase(query)
            elif isinstance(query, wq.MultiTerm):
                result = self._multi_term(query)
            else:
                result = self._best_column(query.subqueries)
            if self._memo_size + len(result[0]) <= MEMO_POSTINGS:
                self._memo[query] = result
                self._memo_size += len(result[0])
        return result

    # Compound queries: dense (scores, matched) over every document -----------------------------

    def _dense(self, query):
        leaf = self._sparse(query)
        if leaf is not None:
            return self._as_dense(leaf)
        if isinstance(query, wq.Every):
            return np.full(self.size, float(query.boost)), np.ones(self.size, dtype=bool)
        if query is wq.NullQuery:
            return np.zeros(self.size), np.zeros(self.size, dtype=bool)
        if isinstance(query, wq.Or):
            return self._sum(query.subqueries, np.logical_or)
        if isinstance(query, wq.And):
            return self._sum(query.subqueries, np.logical_and)
        if isinstance(query, wq.AndNot):
            scores, matched = self._dense(query.a)
            matched &= ~self._dense(query.b)[1]
            return scores, matched
        raise NotImplementedError(f"Cannot score {query!r}")

    def _sum(self, subqueries, combine):
        """Scores added; matched where ``combine`` (logical or / and) of the parts holds."""
        scores = np.zeros(self.size)
        matched = None
        for subquery in subqueries:
            leaf = self._sparse(subquery)
            if leaf is not None and combine is np.logical_or:
                # A leaf of a union adds into the totals without a dense copy of its own.
                ids, leaf_scores = leaf
                scores[ids] += leaf_scores
                if matched is None:
                    matched = np.zeros(self.size, dtype=bool)
                matched[ids] = True
                continue
            part_scores, part_matched = (
                self._dense(subquery) if leaf is None else self._as_dense(leaf)
            )
            scores += part_scores
            matched = part_matched if matched is None else combine(matched, part_matched)
        if matched is None:
            matched = np.zeros(self.size, dtype=bool)
        return scores, matched

    def _as_dense(self, leaf):
        ids, leaf_scores = leaf
        scores = np.zeros(self.size)
        matched = np.zeros(self.size, dtype=bool)
        scores[ids] += leaf_scores
        matched[ids] = True
        return scores, matched

    def _best_column(self, subqueries):
        """A word's ``BestColumn``: the best column's score plus TIE_BREAKER times the others,
        for the documents any column matches."""
        best, total, matched = None, None, None
        for subquery in subqueries:
            scores, part_matched = self._dense(subquery)
            if best is None:
                best, total, matched = scores.copy(), scores, part_matched
                continue
            np.maximum(best, scores, out=best)
            total += scores
            matched |= part_matched
        if best is None:
            return _EMPTY_IDS, _EMPTY_WEIGHTS
        ids = np.flatnonzero(matched)
        scores = best[ids] + BestColumn.TIE_BREAKER * (total[ids] - best[ids])
        return ids.astype(np.int32), scores
