"""
Whoosh search backend with Chinese (jieba) analysis, for Wagtail 8 / modelsearch.

Configure it like any modelsearch backend::

    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "portal.search.backend",
            "PATH": SEARCH_INDEX_DIR,        # where the indexes live (see below)
            # optional:
            "LOCK_TIMEOUT": 10,              # seconds a writer waits for another writer
            "ATOMIC_REBUILD": True,          # False: rebuild empties the live index first
            "QUERY_EXPANDER": "dotted.path", # see portal.search.query.QueryExpander
            "MAX_HITS": 1000,                # see below; default None (no cap)
            "AUTO_UPDATE": True,             # handled by modelsearch itself
        }
    }

``PATH`` defaults to the Django setting ``SEARCH_INDEX_DIR`` when settings are configured and
define it, else to ``<temp dir>/portal-search-index``. Unknown options raise
``ImproperlyConfigured``, so a misspelt option is not silently ignored.

``MAX_HITS`` caps a relevance-ordered search at its best N hits, like Elasticsearch's result
window: only the best N are sorted, and the database checks at most N candidates (more, in
rounds, while filters reject too many). ``count()``
is then at most N. Searches ordered by the database (``order_by_relevance=False``) are never
capped.

What this backend guarantees, and where each piece lives:

* text analysis (full-width/half-width, case, jieba + domain dictionary, model numbers and
  fault codes): :mod:`portal.search.analysis`;
* what an object contributes to the index (columns, content types): :mod:`portal.search.documents`;
* on-disk layout and generations: :mod:`portal.search.storage`;
* searching, multi-process writes, atomic rebuilds: :mod:`portal.search.index`;
* scoring (BM25F as Whoosh computes it, with numpy over cached postings):
  :mod:`portal.search.scoring`;
* query translation, supported filters, the synonym hook: :mod:`portal.search.query`;
* filtering, ordering, slicing, scores and facets: :mod:`portal.search.results`.

It passes modelsearch's backend contract suite (``BackendTests``) in full; see
``tests/conformance``. Anything it cannot do raises (``NotImplementedError``, ``FilterError``,
``FieldError``) rather than returning approximate results.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from modelsearch.backends.base import BaseSearchBackend, get_model_root

from .index import WhooshAtomicIndexRebuilder, WhooshIndex, WhooshInPlaceIndexRebuilder
from .query import QueryExpander, WhooshAutocompleteQueryCompiler, WhooshSearchQueryCompiler
from .results import WhooshSearchResults

DEFAULT_LOCK_TIMEOUT = 10.0


def default_index_path() -> Path:
    """``settings.SEARCH_INDEX_DIR`` if available, else a directory in the temp dir."""
    if settings.configured and getattr(settings, "SEARCH_INDEX_DIR", None):
        return Path(settings.SEARCH_INDEX_DIR)
    return Path(tempfile.gettempdir()) / "portal-search-index"


class WhooshSearchBackend(BaseSearchBackend):
    query_compiler_class = WhooshSearchQueryCompiler
    autocomplete_query_compiler_class = WhooshAutocompleteQueryCompiler
    results_class = WhooshSearchResults
    index_class = WhooshIndex
    rebuilder_class = WhooshAtomicIndexRebuilder

    # The database is the record and the index a derived copy: a failed index write (e.g. a
    # lock held too long) is logged by modelsearch and must not lose the editor's save. A
    # rebuild repairs the index.
    catch_indexing_errors = True

    #: Hook for query-time synonyms (see :data:`portal.search.query.QueryExpander`). Set via
    #: the ``QUERY_EXPANDER`` option, or in a subclass as ``staticmethod(expand)``. ``None``
    #: means query terms are matched as typed (after analysis).
    query_expander: QueryExpander | None = None

    def __init__(self, params):
        super().__init__(params)
        options = dict(params)
        self.path = Path(options.pop("PATH", None) or default_index_path())
        self.lock_timeout = float(options.pop("LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
        max_hits = options.pop("MAX_HITS", None)
        self.max_hits = int(max_hits) if max_hits else None
        if not options.pop("ATOMIC_REBUILD", True):
            self.rebuilder_class = WhooshInPlaceIndexRebuilder
        expander = options.pop("QUERY_EXPANDER", None)
        if expander is not None:
            self.query_expander = import_string(expander) if isinstance(expander, str) else expander
        # Read by modelsearch's signal handlers, not by the backend.
        options.pop("AUTO_UPDATE", None)
        if options:
            raise ImproperlyConfigured(
                "Unknown option(s) for the Whoosh search backend: " + ", ".join(sorted(options))
            )

    def get_index_for_model(self, model):
        # One index per model hierarchy: subclasses share their root model's primary keys.
        root_model = get_model_root(model)
        return self.index_class(self, f"{root_model._meta.app_label}_{root_model.__name__}".lower())


SearchBackend = WhooshSearchBackend
