"""
Query compilers: modelsearch queries and querysets → Whoosh queries.

Division of work (the same for search and autocomplete):

* **Whoosh** decides which documents match the text and how relevant they are. Query text goes
  through :func:`portal.search.analysis.query_terms`, the twin of the index analyzer, and is
  matched against the model's text columns with each ``SearchField``'s boost.
* **The database** applies the queryset's filters and, when ``order_by_relevance=False``, its
  ordering (see :mod:`portal.search.results`). It therefore gets Django's own semantics for
  multi-valued relations, subqueries and tree (treebeard) filters. To keep search code portable
  to the Elasticsearch backend, :meth:`WhooshSearchQueryCompiler.check` still only accepts
  filters on declared ``FilterField`` s and the lookups every backend understands, and raises
  ``FilterFieldError``/``FilterError`` otherwise.

Extension point: a *query expander* (see :data:`QueryExpander`) may add alternatives for each
analysed query term, e.g. synonyms. The backend passes its ``query_expander`` to :meth:`build`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from modelsearch.backends.base import BaseSearchQueryCompiler
from modelsearch.index import get_indexed_models
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText
from whoosh import query as wq

from .analysis import finer_segmentation, han_subwords, query_terms, vocabulary_words
from .documents import (
    AUTOCOMPLETE_PREFIX,
    TEXT_PREFIX,
    autocomplete_columns,
    column_for_field,
    text_columns,
)
from .scoring import BestColumn

#: ``expand(term) -> alternatives``: called with one analysed query term (normalised, as
#: indexed, e.g. ``"雪种"`` or ``"r410a"``); returns raw strings that should match wherever
#: ``term`` would (e.g. ``["冷媒", "制冷剂"]``). Each alternative is analysed like query text;
#: one that analyses into several terms must match as a phrase. Alternatives score like the
#: original term. Phrase, fuzzy and autocomplete queries are not expanded.
QueryExpander = Callable[[str], Iterable[str]]

#: Lookups accepted in filters: those the Elasticsearch and database backends also accept.
SUPPORTED_LOOKUPS = frozenset(
    {"exact", "isnull", "startswith", "gt", "gte", "lt", "lte", "range", "in"}
)


class _Constant:
    """Marker for a (sub)query that matches everything or nothing, simplified before Whoosh."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<{self.name}>"


# Whoosh's own normalisation turns And([x, Every()]) into Every(), so constant queries are
# folded here and never reach Whoosh inside a compound query.
EVERYTHING = _Constant("everything")
NOTHING = _Constant("nothing")


def and_(parts):
    if any(part is NOTHING for part in parts):
        return NOTHING
    parts = [part for part in parts if part is not EVERYTHING]
    if not parts:
        return EVERYTHING
    return parts[0] if len(parts) == 1 else wq.And(parts)


def or_(parts):
    parts = [part for part in parts if part is not NOTHING]
    if not parts:
        return NOTHING
    if len(parts) == 1:
        return parts[0]
    # Keep the other branches (not just Every) so their matches still rank first.
    return wq.Or([wq.Every() if part is EVERYTHING else part for part in parts])


def not_(part):
    if part is EVERYTHING:
        return NOTHING
    if part is NOTHING:
        return EVERYTHING
    return wq.AndNot(wq.Every(), part)


#: A word opening with one of these negates what follows (不排水 is not 排水): its inner words
#: are not searched for it.
NEGATIONS = frozenset("不没无未")


def _is_han(term: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" or char >= "\U00020000" for char in term)


class WhooshSearchQueryCompiler(BaseSearchQueryCompiler):
    """Compiles full-text queries (``backend.search``)."""

    DEFAULT_OPERATOR = "or"
    # Ordering is done by the database, which understands any expression.
    HANDLES_ORDER_BY_EXPRESSIONS = True

    #: Query classes this compiler can translate; combinators are walked into.
    LEAF_QUERY_CLASSES = (MatchAll, PlainText, Phrase, Fuzzy)
    COMBINATOR_QUERY_CLASSES = (And, Or, Not, Boost)

    #: Set by :meth:`build` from the backend.
    query_expander: QueryExpander | None = None

    def check(self):
        super().check()
        # The base check validates fields only; walking the filters again with check_only=False
        # also rejects lookups other backends cannot run (FilterError), so they fail here too.
        self._get_filters_from_queryset(check_only=False)
        # Fail when the search is made, not later when its results are first read.
        self._check_query(self.query)

    def _check_query(self, query):
        if isinstance(query, self.LEAF_QUERY_CLASSES):
            return
        if isinstance(query, self.COMBINATOR_QUERY_CLASSES):
            subqueries = query.subqueries if isinstance(query, (And, Or)) else [query.subquery]
            for subquery in subqueries:
                self._check_query(subquery)
            return
        self._unsupported(query)

    def _unsupported(self, query):
        raise NotImplementedError(
            f"`{query.__class__.__name__}` is not supported by the Whoosh search backend."
        )

    def _process_lookup(self, field_path, lookup, value):
        return True if lookup in SUPPORTED_LOOKUPS else None

    def _process_match_none(self):
        return True

    def _connect_filters(self, filters, connector, negated):
        return True

    @property
    def has_filters(self) -> bool:
        """Whether the queryset restricts rows, so the database must confirm each hit."""
        return bool(self.queryset.query.where)

    # Columns ---------------------------------------------------------------------------------

    def columns(self) -> dict[str, float]:
        """The Whoosh columns to match, each with its boost."""
        model = self.queryset.model
        if self.fields:
            fields = {field.field_name: field for field in model.get_searchable_search_fields()}
            return {
                column_for_field(model, fields[name], TEXT_PREFIX): float(fields[name].boost or 1)
                for name in self.fields
            }
        columns = {}
        # Searching a parent model also searches fields its indexed subclasses add.
        for indexed_model in get_indexed_models():
            if issubclass(indexed_model, model):
                columns.update(text_columns(indexed_model))
        return columns

    # Compilation -----------------------------------------------------------------------------

    def build(self, query_expander: QueryExpander | None = None):
        """Return the Whoosh query, or ``None`` when the query cannot match anything."""
        self.query_expander = query_expander
        compiled = self._compile(self.query, self.columns(), 1.0)
        if compiled is NOTHING:
            return None
        return wq.Every() if compiled is EVERYTHING else compiled

    def _compile(self, query, columns, boost):
        if isinstance(query, MatchAll):
            return EVERYTHING
        if isinstance(query, PlainText):
            return self._compile_terms(query.query_string, query.operator, columns, boost)
        if isinstance(query, Phrase):
            return self._compile_phrase(query.query_string, columns, boost)
        if isinstance(query, Fuzzy):
            return self._compile_fuzzy(query, columns, boost)
        if isinstance(query, And):
            return and_([self._compile(sub, columns, boost) for sub in query.subqueries])
        if isinstance(query, Or):
            return or_([self._compile(sub, columns, boost) for sub in query.subqueries])
        if isinstance(query, Not):
            return not_(self._compile(query.subquery, columns, boost))
        if isinstance(query, Boost):
            return self._compile(query.subquery, columns, boost * query.boost)
        self._unsupported(query)

    def _compile_terms(self, text, operator, columns, boost):
        terms = query_terms(text)
        if not terms or not columns:
            return NOTHING
        per_term = [self._match_term(term, columns, boost) for term in terms]
        return and_(per_term) if operator == "and" else or_(per_term)

    #: Weight of the dictionary words inside a longer query word (电热水器 → 热水器): documents
    #: indexed with the longer word hold its parts too, so they rank first.
    SUBWORD_WEIGHT = 0.5
    #: Weight of a one-character Chinese query word (不, 漏, 电): weak evidence on its own.
    SINGLE_CHARACTER_WEIGHT = 0.5

    def _alternatives(self, term) -> list[list[str]]:
        """The word sequences that count as a match for one query term, each one matching
        (as a term or a phrase) wherever the term would."""
        alternatives = [[term]]
        if self.query_expander is not None:
            for extra in self.query_expander(term):
                analysed = query_terms(extra)
                if analysed and analysed not in alternatives:
                    alternatives.append(analysed)
        # A word added to the vocabulary at run time is one term only in documents indexed
        # since; older ones hold its pieces, matched as a phrase until the next rebuild.
        added = vocabulary_words()
        for words in list(alternatives):
            if len(words) == 1 and words[0] in added:
                pieces = finer_segmentation(words[0])
                if len(pieces) > 1 and pieces not in alternatives:
                    alternatives.append(pieces)
        return alternatives

    def _weighted_alternatives(self, term) -> list[tuple[list[str], float]]:
        alternatives = self._alternatives(term)
        weighted = [(words, 1.0) for words in alternatives]
        if _is_han(term):
            if len(term) == 1:
                weighted = [(words, self.SINGLE_CHARACTER_WEIGHT) for words in alternatives]
            elif len(term) > 2 and term[0] not in NEGATIONS:
                weighted += [
                    ([word], self.SUBWORD_WEIGHT)
                    for word in han_subwords(term)
                    if [word] not in alternatives
                ]
        return weighted

    def _match_term(self, term, columns, boost):
        # A term scores by its best column plus a little of the others (Elasticsearch's
        # best_fields): a common word repeated in title, symptom and cause must not outweigh a
        # rarer query word found once.
        per_column = [
            or_(
                [
                    self._sequence(column, words, boost * column_boost * weight)
                    for words, weight in self._weighted_alternatives(term)
                ]
            )
            for column, column_boost in columns.items()
        ]
        per_column = [part for part in per_column if part is not NOTHING]
        if len(per_column) <= 1:
            return per_column[0] if per_column else NOTHING
        return BestColumn(per_column)

    @staticmethod
    def _sequence(column, words, boost):
        if len(words) == 1:
            return wq.Term(column, words[0], boost=boost)
        return wq.Phrase(column, words, boost=boost)

    def _compile_phrase(self, text, columns, boost):
        words = query_terms(text)
        if not words or not columns:
            return NOTHING
        return or_(
            [self._sequence(column, words, boost * weight) for column, weight in columns.items()]
        )

    def _compile_fuzzy(self, query, columns, boost):
        terms = query_terms(query.query_string)
        if not terms or not columns:
            return NOTHING
        per_term = [
            or_(
                [
                    self._fuzzy_term(term, column, boost * weight)
                    for column, weight in columns.items()
                ]
            )
            for term in terms
        ]
        return and_(per_term) if query.operator == "and" else or_(per_term)

    @staticmethod
    def _fuzzy_term(term, column, boost):
        # Edit distance means nothing for two-character Chinese words or short codes ("E6").
        if _is_han(term) or len(term) <= 2:
            return wq.Term(column, term, boost=boost)
        max_distance = 1 if len(term) <= 5 else 2
        return wq.FuzzyTerm(
            column, term, boost=boost, maxdist=max_distance, prefixlength=1, constantscore=False
        )


class WhooshAutocompleteQueryCompiler(WhooshSearchQueryCompiler):
    """
    Compiles autocomplete queries (``backend.autocomplete``): every query term matches as a
    prefix of an indexed term in the model's ``AutocompleteField`` columns (or in the named
    ``fields``). Only plain text and ``MATCH_ALL`` make sense as partial input.
    """

    def columns(self) -> dict[str, float]:
        model = self.queryset.model
        if self.fields:
            autocomplete = {
                field.field_name: field for field in model.get_autocomplete_search_fields()
            }
            searchable = {field.field_name: field for field in model.get_searchable_search_fields()}
            columns = {}
            for name in self.fields:
                if name in autocomplete:
                    columns[column_for_field(model, autocomplete[name], AUTOCOMPLETE_PREFIX)] = 1.0
                else:
                    columns[column_for_field(model, searchable[name], TEXT_PREFIX)] = 1.0
            return columns
        columns = {}
        for indexed_model in get_indexed_models():
            if issubclass(indexed_model, model):
                columns.update(autocomplete_columns(indexed_model))
        return columns

    LEAF_QUERY_CLASSES = (MatchAll, PlainText)
    COMBINATOR_QUERY_CLASSES = ()

    def _unsupported(self, query):
        raise NotImplementedError(
            f"`{query.__class__.__name__}` is not supported for autocomplete queries."
        )

    def _match_term(self, term, columns, boost):
        return or_(
            [
                wq.Prefix(column, term, boost=boost * weight, constantscore=False)
                for column, weight in columns.items()
            ]
        )
