"""Runs the portal on embedded defaults: SQLite, a broker on disk, a search index on disk.

DEBUG stays off unless DJANGO_DEBUG asks for it; a secret key is generated once into the data
directory when none is given, so nothing secret lives in the repository."""

import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR, SECRET_KEY

if not SECRET_KEY:
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
