"""
The directory of one named index: complete Whoosh indexes ("generations") and a pointer.

Layout under the backend's ``PATH``::

    <PATH>/<app_label>_<root model>/CURRENT      name of the live generation
    <PATH>/<app_label>_<root model>/gen-…/       one complete Whoosh index

Generations are created under a hidden staging name and renamed into place, so any generation
another process can see holds a valid index. A generation being filled by a rebuild carries a
``BUILDING`` file that the rebuilding process keeps ``flock``-ed; the lock vanishes with the
process, so a crashed rebuild never blocks clean-up. ``CURRENT`` is only ever replaced with
``os.replace`` (or created with ``os.link``), which are atomic.

Local POSIX file systems only: ``flock`` is not reliable over NFS.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from .documents import build_schema

CURRENT_POINTER = "CURRENT"
BUILDING_MARKER = "BUILDING"
#: Whoosh's write lock file for the default index name ("MAIN").
WRITE_LOCK = "MAIN_WRITELOCK"
GENERATION_PREFIX = "gen-"
STAGING_PREFIX = ".staging-"
STALE_STAGING_SECONDS = 3600


class IndexStore:
    """The directory of one named index: its generations and the ``CURRENT`` pointer."""

    def __init__(self, root: Path, name: str):
        self.directory = Path(root) / name
        self.pointer = self.directory / CURRENT_POINTER

    def _read_pointer(self) -> Path | None:
        try:
            name = self.pointer.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return self.directory / name

    def current_generation(self) -> Path:
        """Return the live generation, creating an empty one if the index never existed."""
        generation = self._read_pointer()
        if generation is not None:
            return generation
        generation, marker = self.new_generation()
        try:
            self._write_pointer(generation, exclusive=True)
        except FileExistsError:
            # Another process created the index first; use theirs.
            shutil.rmtree(generation, ignore_errors=True)
        finally:
            os.close(marker)
        return self._read_pointer()

    def new_generation(self) -> tuple[Path, int]:
        """
        Create an empty generation and return it with the open, ``flock``-ed ``BUILDING``
        marker; the caller closes the descriptor once the generation is published or abandoned.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{GENERATION_PREFIX}{time.time_ns():020d}-{secrets.token_hex(4)}"
        # Prepared under a name other processes ignore, then renamed: a generation they can see
        # always holds a valid (empty) index and a locked marker.
        staging = self.directory / f"{STAGING_PREFIX}{name}"
        staging.mkdir()
        FileStorage(str(staging)).create().create_index(build_schema())
        marker = os.open(staging / BUILDING_MARKER, os.O_CREAT | os.O_WRONLY, 0o644)
        fcntl.flock(marker, fcntl.LOCK_EX)
        generation = self.directory / name
        staging.rename(generation)
        return generation, marker

    def _write_pointer(self, generation: Path, *, exclusive: bool = False):
        temporary = self.directory / f".{CURRENT_POINTER}.{secrets.token_hex(6)}"
        temporary.write_text(generation.name, encoding="ascii")
        try:
            if exclusive:
                # link() fails if the pointer exists: exactly one creator wins.
                os.link(temporary, self.pointer)
            else:
                os.replace(temporary, self.pointer)
        finally:
            temporary.unlink(missing_ok=True)

    def publish(self, generation: Path):
        """Make ``generation`` live atomically, then delete generations nobody needs."""
        previous = self._read_pointer()
        self._write_pointer(generation)
        self._prune(keep={generation.name, previous.name if previous else None})

    def _prune(self, keep: set):
        for candidate in self.directory.glob(GENERATION_PREFIX + "*"):
            if candidate.name in keep or not candidate.is_dir():
                continue
            # A rebuild still filling it, or a writer that opened it just before the swap.
            if _is_locked(candidate / BUILDING_MARKER) or _is_locked(candidate / WRITE_LOCK):
                continue
            shutil.rmtree(candidate, ignore_errors=True)
        # Left behind only by a process that died while creating a generation.
        for staging in self.directory.glob(STAGING_PREFIX + "*"):
            if time.time() - staging.stat().st_mtime > STALE_STAGING_SECONDS:
                shutil.rmtree(staging, ignore_errors=True)

    def building_generations(self) -> list[Path]:
        """Generations that a rebuild (in any process) is filling and has not yet published."""
        current = self._read_pointer()
        return [
            candidate
            for candidate in sorted(self.directory.glob(GENERATION_PREFIX + "*"))
            if candidate != current and _is_locked(candidate / BUILDING_MARKER)
        ]


def _is_locked(path: Path) -> bool:
    """Whether some open file description (any process, this one included) holds a flock."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False
