"""
The modelsearch index for Whoosh: searching, writing and atomic rebuilds.

One index serves a whole model hierarchy (``Book`` with ``Novel`` and ``ProgrammingGuide``), as
in the Elasticsearch backend: a document is keyed by primary key, which subclasses share with
their root model, and carries the content types of its model and every indexed ancestor.

Guarantees:

* **Several processes may write.** Every write takes Whoosh's write lock (``flock`` on a file in
  the generation), waiting up to ``LOCK_TIMEOUT`` seconds before raising
  :class:`IndexLockTimeout`. Commits are atomic: readers see the index before or after a commit.
* **Rebuilds are atomic.** A rebuild fills a fresh generation and then swaps ``CURRENT`` with
  ``os.replace``; searches never see a half-built index. While a rebuild runs, every update of
  the live index is also applied to the generation being built, so publishing it loses no edit
  made meanwhile. (An edit that lands between the rebuild reading a chunk of objects and writing
  it, a window of one chunk, can still be overwritten by the older copy; re-save to repair.)
* **Old generations are removed safely.** After a swap the previous generation is kept (for
  readers that opened it just before the swap, and for a manual roll-back by editing
  ``CURRENT``); older ones are deleted unless a rebuild is still filling them (a ``flock``-ed
  ``BUILDING`` file marks those) or a writer holds their lock.

Local POSIX file systems only: ``flock`` is not reliable over NFS.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from modelsearch.backends.base import BaseIndex
from modelsearch.index import class_is_indexed
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError, LockError

from .documents import CONTENT_TYPES_FIELD, ID_FIELD, build_document
from .scoring import Scorer
from .storage import IndexStore


class IndexLockTimeout(RuntimeError):
    """Another process held the index's write lock for longer than ``LOCK_TIMEOUT``."""


class _SearcherCache(threading.local):
    """Per thread (Whoosh searchers are not shared between threads): index directory →
    ``(generation, scorer)``. Opening a searcher reads the table of contents and every
    segment's metadata; reusing it saves that on every query."""

    def __init__(self):
        self.searchers = {}


_searchers = _SearcherCache()


class WhooshIndex(BaseIndex):
    """
    One named Whoosh index, as seen by modelsearch.

    Without ``generation`` the object always works on the live generation (resolved per
    operation, so a rebuild published by another process is picked up at once). The rebuilder
    pins a new, unpublished generation instead.
    """

    #: Attempts to open the index. Opening reads the newest table of contents, which a writer
    #: committing in another process may delete (with merged segments) a moment later; the
    #: next attempt reads the newer one. Also covers a generation pruned after a rebuild.
    OPEN_ATTEMPTS = 10

    def __init__(self, backend, name: str, generation: Path | None = None):
        super().__init__(backend)
        self.name = name
        self.store = IndexStore(backend.path, name)
        self.generation = generation

    def get_key(self):
        return self.name

    def __str__(self):
        return self.name

    def _generation(self) -> Path:
        return self.generation or self.store.current_generation()

    def _open(self, operation):
        """Return ``operation(whoosh_index)``, retrying when index files vanish underneath."""
        for attempt in range(1, self.OPEN_ATTEMPTS + 1):
            try:
                return operation(FileStorage(str(self._generation())).open_index())
            except (FileNotFoundError, EmptyIndexError):
                if attempt == self.OPEN_ATTEMPTS:
                    raise
                time.sleep(0.01 * attempt)

    @contextmanager
    def searcher(self):
        """Yield a Whoosh searcher on a consistent snapshot of the index."""
        searcher = self._open(lambda whoosh_index: whoosh_index.searcher())
        try:
            yield searcher
        finally:
            searcher.close()

    def _shared_scorer(self) -> Scorer:
        """
        This thread's scorer on the latest commit of the live generation, reused between
        queries. It is refreshed when another writer committed (Whoosh compares the table of
        contents' generation, a cheap check) or when a rebuild published a new generation.
        """
        generation = self._generation()
        key = str(self.store.directory)
        cached = _searchers.searchers.get(key)
        if cached is not None and cached[0] == generation:
            try:
                scorer = cached[1]
                if scorer.searcher.up_to_date():
                    return scorer
            except (FileNotFoundError, EmptyIndexError):
                pass
        if cached is not None:
            cached[1].searcher.close()
            _searchers.searchers.pop(key, None)
        searcher = self._open(lambda whoosh_index: whoosh_index.searcher())
        scorer = Scorer(searcher, key)
        _searchers.searchers[key] = (generation, scorer)
        return scorer

    @contextmanager
    def writer(self):
        """Yield a Whoosh writer holding the index's write lock; commit on success."""
        try:
            writer = self._open(
                lambda whoosh_index: whoosh_index.writer(
                    timeout=self.backend.lock_timeout, delay=0.05
                )
            )
        except LockError as error:
            raise IndexLockTimeout(
                f"Search index {self.name!r} stayed locked by another writer for more than "
                f"{self.backend.lock_timeout} seconds."
            ) from error
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def search(self, query, content_type: str, limit: int | None = None):
        """
        Return ``(primary key, score)`` for the documents of ``content_type`` matching the
        Whoosh ``query``, best score first (all of them, or the best ``limit``); equal scores
        keep index order, which is stable while the index is unchanged.
        """
        if self.generation is not None:
            with self.searcher() as searcher:
                return self._ranked(
                    Scorer(searcher, str(self.generation)), query, content_type, limit
                )
        return self._ranked(self._shared_scorer(), query, content_type, limit)

    @staticmethod
    def _ranked(scorer, query, content_type, limit):
        ranked = scorer.ranked(query, wq.Term(CONTENT_TYPES_FIELD, content_type), limit)
        ids = scorer.column_values(ID_FIELD, [docnum for _score, docnum in ranked])
        return [(pk, score) for pk, (score, _docnum) in zip(ids, ranked, strict=True)]

    def add_model(self, model):
        # The schema's dynamic columns accept any model; only make sure the index exists.
        self._generation()

    def refresh(self):
        # Commits are synchronous, so written documents are already visible to new searchers.
        pass

    def reset(self):
        generation, marker = self.store.new_generation()
        try:
            self.store.publish(generation)
        finally:
            os.close(marker)

    def add_item(self, item):
        self.add_items(item._meta.model, [item])

    def _write(self, apply):
        """
        Run ``apply(writer)`` on this index. On the live index, also run it on generations a
        rebuild is filling, so that publishing the rebuild does not drop this update (the
        rebuild may have read the object from the database before it changed).
        """
        with self.writer() as writer:
            apply(writer)
        if self.generation is None:
            for generation in self.store.building_generations():
                WhooshIndex(self.backend, self.name, generation)._write(apply)

    def add_items(self, model, items):
        if not class_is_indexed(model):
            return
        documents = [build_document(model, item) for item in items]
        if not documents:
            return

        def update(writer):
            for document in documents:
                writer.update_document(**document)

        self._write(update)

    def delete_item(self, item):
        if not class_is_indexed(type(item)):
            return
        self._write(lambda writer: writer.delete_by_term(ID_FIELD, str(item.pk)))


class WhooshAtomicIndexRebuilder:
    """
    Rebuilds an index into a fresh generation and publishes it in :meth:`finish`.

    Because the new generation starts empty, a rebuild also drops documents whose objects no
    longer exist (the conformance suite relies on this: files outlive its rolled-back database).
    """

    def __init__(self, index: WhooshIndex):
        self.live_index = index
        self.index = None

    def start(self) -> WhooshIndex:
        generation, self._marker = self.live_index.store.new_generation()
        self.index = WhooshIndex(self.live_index.backend, self.live_index.name, generation)
        return self.index

    def finish(self):
        try:
            self.live_index.store.publish(self.index.generation)
        finally:
            os.close(self._marker)


class WhooshInPlaceIndexRebuilder:
    """Empties the live index in :meth:`start` and refills it (``ATOMIC_REBUILD: False``)."""

    def __init__(self, index: WhooshIndex):
        self.index = index

    def start(self) -> WhooshIndex:
        self.index.reset()
        return self.index

    def finish(self):
        self.index.refresh()
