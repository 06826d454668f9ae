"""
Search results: run the Whoosh query, reconcile it with the database, slice, load, facet.

A result list is built in up to three steps, each only when needed:

1. Whoosh returns every matching primary key with its score, best first (ties in index order,
   which is stable while the index does not change, so pages never repeat or skip a hit).
2. If the queryset has filters, the database keeps the hits it contains (relevance order is
   kept); when only a first page is read, it checks the best candidates in rounds until the
   page is full, not all of them. If ``order_by_relevance=False``, the database also orders
   them: by the queryset's ordering, or by primary key descending when it has none (as the
   other backends do).
3. Only the requested slice is loaded from the database, through the caller's queryset (so its
   ``select_related``/``prefetch_related`` apply). Hits whose object no longer exists are
   skipped; ``count()`` does not pay a query to detect them.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from itertools import islice

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count
from modelsearch.backends.base import BaseSearchResults, FilterFieldError

from .documents import content_type_label


def _chunks(items, size):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class WhooshSearchResults(BaseSearchResults):
    supports_facet = True

    #: Up to this many candidates are checked with one ``pk IN (…)`` query; beyond that the
    #: queryset's primary keys are streamed instead, which keeps SQL statements bounded.
    MAX_IN_CLAUSE = 2000
    #: Objects are loaded this many at a time.
    LOAD_CHUNK = 500

    #: When only the first hits of a filtered search are read, the database checks the best
    #: candidates in rounds, starting with this many (at least twice the slice's end).
    FIRST_ROUND = 50

    def __init__(self, backend, query_compiler, prefetch_related=None):
        super().__init__(backend, query_compiler, prefetch_related=prefetch_related)
        self._hits = None
        self._candidates = None
        self._columns = None
        #: Primary key → facet column values, for every row a database pass has read.
        self._rows = {}

    def _clone(self):
        clone = super()._clone()
        # Hits and candidates do not depend on slicing or score annotation: share them.
        clone._hits = self._hits
        clone._candidates = self._candidates
        clone._columns = self._columns
        clone._rows = self._rows
        return clone

    # Matching ---------------------------------------------------------------------------------

    def hits(self) -> list[tuple[str, float]]:
        """Every matching ``(primary key, score)`` in result order, ignoring slicing."""
        if self._hits is None:
            self._hits = self._compute_hits()
        return self._hits

    def _search(self, limit):
        """Whoosh's ``(primary key, score)`` for the query, best first, before the database's
        filters; ``None`` when the query cannot match."""
        compiler = self.query_compiler
        queryset = compiler.queryset
        if queryset.query.is_empty():
            return None
        whoosh_query = compiler.build(self.backend.query_expander)
        if whoosh_query is None:
            return None
        index = self.backend.get_index_for_model(queryset.model)
        return index.search(whoosh_query, content_type_label(queryset.model), limit=limit)

    def _best_candidates(self):
        """The best ``MAX_HITS`` candidates (all when uncapped), and whether that is every
        match."""
        if self._candidates is None:
            cap = self.backend.max_hits
            hits = self._search(cap) or []
            self._candidates = (hits, cap is None or len(hits) < cap)
        return self._candidates

    def _compute_hits(self):
        compiler = self.query_compiler
        if not compiler.order_by_relevance:
            return self._in_database_order(self._search(None) or [])
        hits, exhausted = self._best_candidates()
        if not compiler.has_filters:
            return hits
        cap = self.backend.max_hits
        kept = self._kept_by_database(hits)
        limit = cap
        while not exhausted and len(kept) < cap:
            # The filters rejected too many of the best candidates: look further.
            limit *= 4
            hits = self._search(limit) or []
            exhausted = len(hits) < limit
            kept = self._kept_by_database(hits)
        return kept[:cap] if cap else kept

    def _first_hits(self, count):
        """The first ``count`` hits in result order. A filtered relevance search reads only as
        many of its best candidates as the database must confirm to fill them."""
        compiler = self.query_compiler
        if self._hits is not None or not compiler.order_by_relevance or not compiler.has_filters:
            return self.hits()[:count]
        candidates, exhausted = self._best_candidates()
        kept, checked, size = [], 0, max(self.FIRST_ROUND, 2 * count)
        while len(kept) < count and checked < len(candidates):
            kept += self._kept_by_database(candidates[checked : checked + size])
            checked += size
            size *= 2
        if len(kept) < count and not exhausted:
            return self.hits()[:count]
        return kept[:count]

    def _database_pks(self, queryset, candidates):
        """Primary keys among ``candidates`` that ``queryset`` returns, in its order, once.
        The same query reads the facet columns of those rows (see :meth:`_facet_rows`)."""
        if not candidates:
            return []
        columns = self._facet_columns()
        rows = queryset.values_list("pk", *columns)
        if len(candidates) <= self.MAX_IN_CLAUSE:
            rows = rows.filter(pk__in=candidates)
        else:
            wanted = set(candidates)
            rows = (
                row for row in rows.iterator(chunk_size=self.MAX_IN_CLAUSE) if str(row[0]) in wanted
            )
        pks = {}
        for pk, *values in rows:
            # Filters across to-many relations can return a row more than once.
            pks.setdefault(str(pk), None)
            self._rows[str(pk)] = values
        return list(pks)

    def _in_database_order(self, hits):
        queryset = self.query_compiler.queryset
        if not queryset.ordered:
            queryset = queryset.order_by("-pk")
        scores = dict(hits)
        return [(pk, scores[pk]) for pk in self._database_pks(queryset, list(scores))]

    def _kept_by_database(self, hits):
        queryset = self.query_compiler.queryset.order_by()
        kept = set(self._database_pks(queryset, [pk for pk, _score in hits]))
        return [hit for hit in hits if hit[0] in kept]

    # BaseSearchResults API ----------------------------------------------------------------------

    def _load(self, pks):
        queryset = self.query_compiler.queryset.order_by()
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        objects = {}
        for chunk in _chunks(pks, self.LOAD_CHUNK):
            for obj in queryset.filter(pk__in=chunk):
                objects[str(obj.pk)] = obj
        return objects

    def _do_search(self):
        if self.stop is None:
            page = self.hits()[self.start :]
        else:
            page = self._first_hits(self.stop)[self.start :]
        objects = self._load([pk for pk, _score in page])
        results = []
        for pk, score in page:
            obj = objects.get(pk)
            if obj is None:
                continue
            if self._score_field:
                setattr(obj, self._score_field, score)
            results.append(obj)
        return results

    def _do_count(self):
        return len(self.hits()[self.start : self.stop])

    def facet(self, field_name):
        """
        Count the matching objects (all of them, ignoring slicing) per value of a
        ``FilterField``, most frequent first; ``None`` counts objects without a value.
        """
        field = self.query_compiler._get_filterable_field(field_name)
        if field is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f"index.FilterField('{field_name}') to "
                f"{self.query_compiler.queryset.model.__name__}.search_fields.",
                field_name=field_name,
            )
        columns = self._facet_columns()
        if field_name in columns:
            position = columns.index(field_name)
            counts = Counter(values[position] for values in self._facet_rows())
        else:
            counts = self._count_values(field_name)
        return OrderedDict(sorted(counts.items(), key=lambda item: -item[1]))

    def _facet_columns(self) -> list[str]:
        """The filter fields stored in the model's own table, which every database pass over
        the hits reads along (a search page shows several facets of one search)."""
        if self._columns is None:
            model = self.query_compiler.queryset.model
            self._columns = []
            for search_field in model.get_filterable_search_fields():
                try:
                    field = search_field.get_field(model)
                except FieldDoesNotExist:
                    continue
                if field.concrete and not field.many_to_many and field.model is model:
                    self._columns.append(field.attname)
        return self._columns

    def _facet_rows(self) -> list[list]:
        """The facet column values of every hit; rows the filter check already read are
        not read again."""
        pks = [pk for pk, _score in self.hits()]
        missing = [pk for pk in pks if pk not in self._rows]
        manager = self.query_compiler.queryset.model._default_manager
        for chunk in _chunks(missing, self.MAX_IN_CLAUSE):
            for pk, *values in manager.filter(pk__in=chunk).values_list(
                "pk", *self._facet_columns()
            ):
                self._rows[str(pk)] = values
        return [self._rows[pk] for pk in pks if pk in self._rows]

    def _count_values(self, field_name) -> Counter:
        manager = self.query_compiler.queryset.model._default_manager
        counts = Counter()
        for chunk in _chunks([pk for pk, _score in self.hits()], self.MAX_IN_CLAUSE):
            rows = (
                manager.filter(pk__in=chunk)
                .values(field_name)
                .annotate(count=Count("pk", distinct=True))
                .order_by()
            )
            for row in rows:
                counts[row[field_name]] += row["count"]
        return counts
