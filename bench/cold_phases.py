"""CPU per item file of each phase of a cold load, in one process (the table in RESULTS.md, session 7).

    python bench/cold_phases.py LEDGER [FILES]

FILES (default 2,000) item files of LEDGER are chosen at random (seed 1); each phase runs over all of them three
times and the best is printed, in µs a file.  The phases marked "old" are what the load no longer does for a file
without problems (kept for comparison).
"""

from __future__ import annotations

import gc
import pickle
import random
import sys
import time
from pathlib import Path

from duban.core.model import validate_item
from duban.core.schema import Source
from duban.core.state import as_of, last_day, last_slip, replay, settled_on
from duban.store import cache, yamlio
from duban.store.ledger import Ledger, _parse_item, check_refs, settings


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    rels = sorted(p.relative_to(root).as_posix() for p in (root / "items").rglob("*.yaml"))
    random.seed(1)
    rels = random.sample(rels, min(int(sys.argv[2]) if len(sys.argv) > 2 else 2000, len(rels)))
    config, units, pack, _ = settings(root)
    ledger = Ledger(root, config, units, pack, {}, [])
    gc.disable()

    def phase(label: str, f) -> dict:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            out = {r: f(r) for r in rels}
            best = min(best, time.process_time() - start)
        print(f"{label:48s} {best / len(rels) * 1e6:7.1f} µs a file", flush=True)
        return out

    loader = yamlio._loader()

    def compose(rel: str):
        parser = loader(texts[rel])
        try:
            return parser.get_single_node()
        finally:
            parser.dispose()

    texts = phase("read the file", lambda r: (root / r).read_text(encoding="utf-8"))
    nodes = phase("PyYAML compose (C parser, resolver remembered)", compose)
    phase("data from the nodes (yamlio._build)", lambda r: yamlio._build(loader(""), nodes[r], 0))
    phase("  old: line maps", lambda r: yamlio._collect_lines(nodes[r], (), {}))
    phase("  old: PyYAML's construct_document", lambda r: loader("").construct_document(nodes[r]))
    data = {r: yamlio.loads(texts[r], lines=False)[0] for r in rels}
    items = phase("validation (validate_item)", lambda r: validate_item(Source(r, {}), data[r], r))
    states = phase("replay", lambda r: replay(items[r]))
    phase(
        "derived columns (settled_on, as_of, last_day, last_slip)",
        lambda r: (settled_on(items[r], states[r]), as_of(items[r]), last_day(items[r]), last_slip(items[r].log)),
    )
    phase("cross-references (check_refs)", lambda r: check_refs(ledger, items[r]))
    parsed = phase("= _parse_item (all of the above)", lambda r: _parse_item(root, r))
    phase("pickled for the database, digest, row (prepared)", lambda r: cache.prepared(*parsed[r]))
    done = {r: cache._prepare(r, parsed.__getitem__, lambda item: ()) for r in rels}
    phase("sent to the parent (pickled and unpickled)", lambda r: pickle.loads(pickle.dumps((r, done[r]))))


if __name__ == "__main__":
    main()
