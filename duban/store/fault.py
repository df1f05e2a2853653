"""Fault injection for tests and ``bench/stress.py``: off unless ``DUBAN_FAULT`` is set.

``DUBAN_FAULT=write:N`` kills the process (SIGKILL to itself) just before its Nth file write
(:func:`duban.store.yamlio.atomic_write`, a git object or the change journal); ``DUBAN_FAULT=git:N``
just before its Nth git call.  ``DUBAN_FAULT_COUNT=PATH`` appends one line per write or git call to
PATH instead (a dry count, to know the range of N for a command).
"""

from __future__ import annotations

import os
import signal

_SPEC = os.environ.get("DUBAN_FAULT", "")
_COUNT = os.environ.get("DUBAN_FAULT_COUNT", "")
_seen = {"write": 0, "git": 0}


def _target() -> tuple[str, int] | None:
    kind, _, n = _SPEC.partition(":")
    return (kind, int(n)) if kind in _seen and n.isdigit() else None


_TARGET = _target()


def arm(spec: str) -> None:
    """Set the fault as ``DUBAN_FAULT`` would (for a forked test process), counting from zero."""
    global _SPEC, _TARGET
    _SPEC = spec
    _TARGET = _target()
    _seen.update(write=0, git=0)


def point(kind: str) -> None:
    """One file write or git call: count it, and die here when it is the one named."""
    if _COUNT:
        with open(_COUNT, "a", encoding="utf-8") as f:
            f.write(kind + "\n")
    if _TARGET is None:
        return
    _seen[kind] += 1
    if _TARGET == (kind, _seen[kind]):
        os.kill(os.getpid(), signal.SIGKILL)
