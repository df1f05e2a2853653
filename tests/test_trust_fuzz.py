"""Issue #14: hypothesis over broken files and odd arguments — never a traceback, and a refused
command changes nothing.  CI-sized here; ``bench/fuzz.py`` runs 10,000+ cases."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from fuzz import base, fuzz  # noqa: E402


def test_fuzz_files_and_arguments(tmp_path):
    runner = fuzz(base(tmp_path / "ledger"), 300)
    assert runner.figures["cases"] >= 300
    assert runner.failures == []
