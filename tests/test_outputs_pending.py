"""The forms a sweep has rendered leave the list of forms still to render (``.git/duban-outputs.json``) under the
ledger's lock, and only they: the forms of a change committed meanwhile stay to be rendered."""

from __future__ import annotations

import json
from pathlib import Path

from filelock import FileLock
from trustkit import base_ledger

from duban.store import git as store_git
from duban.store.git import OUTPUTS, outputs_done, pending_outputs

A = ["reminder", "2026-0001", "2026-1"]
B = ["warning", "2026-0002", "2026-1"]


def pending_file(root: Path) -> Path:
    return root / ".git" / OUTPUTS


def test_only_the_rendered_forms_leave_the_pending_list(tmp_path):
    root = base_ledger(tmp_path / "ledger").root
    pending_file(root).write_text(json.dumps([A, B]), encoding="utf-8")
    outputs_done(root, [tuple(A)])  # B was committed by another sweep after this one read the list
    assert pending_outputs(root) == [B]
    outputs_done(root, [tuple(B)])
    assert pending_outputs(root) == [] and not pending_file(root).exists()


def test_the_list_stays_whole_while_another_command_holds_the_lock(tmp_path, monkeypatch):
    root = base_ledger(tmp_path / "ledger").root
    pending_file(root).write_text(json.dumps([A, B]), encoding="utf-8")
    monkeypatch.setattr(store_git, "LOCK_WAIT", 0.2)
    with FileLock(str(root / ".git" / "duban.lock")):
        outputs_done(root, [tuple(A), tuple(B)])
    assert pending_outputs(root) == [A, B]  # rendered again by the next sweep: the same bytes
