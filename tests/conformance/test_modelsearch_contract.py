"""
The portal's search backend passes modelsearch's backend contract suite (``BackendTests``).

The suite needs its own Django settings (``modelsearch/harness_settings.py``), so it runs in a
subprocess, from the harness folder, against ``portal.search.backend`` with a throwaway index
directory. Every one of the 120 contract tests must pass: the harness has no expected failures.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

HARNESS_DIR = Path(__file__).resolve().parent / "modelsearch"
REPO_ROOT = HARNESS_DIR.parents[2]
EXPECTED_PASSED = 120
OUTCOME_RE = re.compile(
    r"(\d+) (subtests )?(passed|failed|errors?|skipped|xfailed|xpassed|deselected)\b"
)


def run_harness(index_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": "harness_settings",
        "HARNESS_BACKEND": "portal.search.backend",
        "HARNESS_BACKEND_OPTIONS": json.dumps({"PATH": str(index_dir)}),
    }
    # Options meant for the portal session (e.g. -k, -x) must not leak into the harness run.
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "test_target_backend.py", "-q", "-p", "no:cacheprovider"],
        cwd=HARNESS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def summary_counts(output: str) -> dict[str, int]:
    """Outcome counts from pytest's final summary line, e.g. ``{"passed": 120}``."""
    lines = [line for line in output.splitlines() if line.strip()]
    counts = {}
    for number, subtests, outcome in OUTCOME_RE.findall(lines[-1] if lines else ""):
        counts[("subtests " if subtests else "") + outcome] = int(number)
    return counts


def test_whoosh_backend_passes_every_modelsearch_contract_test(tmp_path):
    completed = run_harness(tmp_path / "index")
    output = completed.stdout + completed.stderr
    counts = summary_counts(completed.stdout)

    failures = {
        outcome: number
        for outcome, number in counts.items()
        if outcome.split()[-1] in {"failed", "error", "errors", "skipped", "xfailed", "xpassed"}
    }
    assert not failures, f"contract failures {failures}:\n{output[-6000:]}"
    assert counts.get("passed") == EXPECTED_PASSED, f"summary {counts}:\n{output[-6000:]}"
    assert completed.returncode == 0, output[-6000:]
