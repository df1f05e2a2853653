"""Three-way merge of ledger files: how two copies' changes to one item, unit event or counters become one.

Pure: the data of the common ancestor (``base``, None when the file is new), ours and theirs, as loaded.

* An item or event file: a log entry is identified by its whole content but the day it was recorded
  (:func:`entry_key`); the merged log keeps ours and adds theirs' new entries — an entry recorded on
  both sides is there once, an entry one side removed (a duban undo) is gone.  A top-level field
  changed on one side takes that side's value; changed differently on both, it is a *conflict*.  So
  is a field that new entries on both sides set to different values (two amendments, two extensions).
  A conflict keeps our value in the file and is recorded under ``conflicts:`` — both values, for
  ``duban check`` to report and ``duban resolve`` to settle — never as conflict markers.
* ``counters.yaml``: every number and lease only grows, so the merge is the larger of the two.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

LOG, CONFLICTS, LEASES = "log", "conflicts", "leases"


def entry_key(e: dict) -> str:
    """What makes two log entries the same entry: everything but the day it was recorded."""
    return json.dumps({k: v for k, v in e.items() if k != "recorded"}, sort_keys=True, default=str, ensure_ascii=False)


def fields_set(entry: dict) -> dict[str, Any]:
    """The item fields a log entry sets, with their values (an amendment, an extension, a reassignment …)."""
    kind = entry.get("kind")
    out: dict[str, Any] = {}
    if kind == "amendment":
        for name, change in (entry.get("changes") or {}).items():
            if isinstance(change, dict):
                out[str(name)] = change.get("new")
    elif kind == "extension":
        out["deadline"] = entry.get("to")
    elif kind == "reassign":
        out["lead"] = entry.get("lead")
        if "co" in entry:
            out["co"] = entry.get("co")
    if kind in ("amendment", "reassign", "instruction") and entry.get("deadline") is not None:
        out["deadline"] = entry["deadline"]
    return out


@dataclass
class Merged:
    """The merge of one item or event file: ``data`` is the merged content; ``new_conflicts`` those found now."""

    data: dict
    added: list[dict] = field(default_factory=list)  # theirs' entries added to our log
    removed: list[dict] = field(default_factory=list)  # our entries theirs removed
    new_conflicts: list[dict] = field(default_factory=list)


def _log(data) -> list[dict]:
    log = data.get(LOG) if isinstance(data, dict) else None
    return [e for e in log if isinstance(e, dict)] if isinstance(log, list) else []


def _new(entries: list[dict], base: Counter) -> list[dict]:
    left = Counter(base)
    out = []
    for e in entries:
        k = entry_key(e)
        if left[k] > 0:
            left[k] -= 1
        else:
            out.append(e)
    return out


def _settings(entries: list[dict]) -> dict[str, Any]:
    """What the entries set, the last by date winning (as the state's replay would)."""
    out: dict[str, Any] = {}
    for e in sorted(entries, key=lambda e: str(e.get("date"))):
        out.update(fields_set(e))
    return out


def _conflict_key(c) -> str:
    return json.dumps(c, sort_keys=True, default=str, ensure_ascii=False)


def merge_record(base: dict | None, ours: dict, theirs: dict) -> Merged:
    """Merge an item or unit-event file's data (see the module's doc)."""
    base = base if isinstance(base, dict) else {}
    data: dict = {}
    conflicts: list[dict] = []
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        if key in (LOG, CONFLICTS):
            continue
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        if o == t or t == b:
            value, present = o, key in ours
        elif o == b:
            value, present = t, key in theirs
        else:
            value, present = o, key in ours
            conflicts.append({"field": key, "values": [o, t], "by": "file"})
        if present:
            data[key] = value
    # the log: ours, less what theirs removed, plus what theirs added
    base_log, our_log, their_log = _log(base), _log(ours), _log(theirs)
    base_keys = Counter(entry_key(e) for e in base_log)
    their_keys = Counter(entry_key(e) for e in their_log)
    gone = base_keys - their_keys  # base entries theirs no longer has
    kept, removed = [], []
    for e in our_log:
        k = entry_key(e)
        if gone[k] > 0:
            gone[k] -= 1
            removed.append(e)
        else:
            kept.append(e)
    our_new = _new(our_log, base_keys)
    their_new = _new(their_log, base_keys)
    added = _new(their_new, Counter(entry_key(e) for e in our_new))
    if LOG in ours or LOG in theirs:
        data[LOG] = kept + added
    ours_set, theirs_set = _settings(our_new), _settings(their_new)
    for name in sorted(set(ours_set) & set(theirs_set)):
        if ours_set[name] != theirs_set[name]:
            conflicts.append({"field": name, "values": [ours_set[name], theirs_set[name]], "by": "log"})
    # conflicts: both sides' records, less those either side resolved, plus the new ones
    b_c, o_c, t_c = ([c for c in (d.get(CONFLICTS) or []) if isinstance(c, dict)] for d in (base, ours, theirs))
    resolved = {_conflict_key(c) for c in b_c} - ({_conflict_key(c) for c in o_c} & {_conflict_key(c) for c in t_c})
    merged_c: list[dict] = []
    seen: set[str] = set()
    new_c = []
    for c in [*o_c, *t_c, *conflicts]:
        k = _conflict_key(c)
        if k in seen or k in resolved:
            continue
        seen.add(k)
        merged_c.append(c)
        if c in conflicts:
            new_c.append(c)
    if merged_c:
        data[CONFLICTS] = merged_c
    return Merged(data, added, removed, new_c)


def merge_counters(ours: dict | None, theirs: dict | None) -> dict:
    """The larger of every number and lease bound (they only ever grow)."""

    def bigger(a, b):
        if isinstance(a, dict) and isinstance(b, dict):
            return {k: bigger(a.get(k), b.get(k)) for k in [*a, *(k for k in b if k not in a)]}
        if a is None:
            return b
        if b is None:
            return a
        if isinstance(a, int) and isinstance(b, int):
            return max(a, b)
        return a

    return bigger(ours or {}, theirs or {})
