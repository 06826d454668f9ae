"""
Keeps the portal's own pytest session out of this harness.

``test_target_backend.py`` needs ``harness_settings`` (it cannot run under the portal's
settings), so the portal session runs it in a subprocess instead
(``tests/conformance/test_modelsearch_contract.py``). Running pytest from this folder, as
README.md says, makes this folder the rootdir, and then the suite is collected as usual.
"""

from pathlib import Path

HARNESS_DIR = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path, config):
    if config.rootpath != HARNESS_DIR and collection_path.parent == HARNESS_DIR:
        return True
    return None
