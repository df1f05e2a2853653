"""``duban search``: find items by words in their title, requirement, basis, 文号 and every text of their
log (reports, instructions, reasons, notes) — all items, settled ones too.

Chinese has no spaces between words, so a word matches as a substring; several words must all match
(anywhere in the item).  Hits are ranked: a word in the title counts most, then the basis and the
requirement, then the log; among equals the newest item first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from duban.core.errors import DubanError
from duban.store.ledger import Ledger, load

WEIGHT = {"标题": 5, "文号": 4, "立项依据": 3, "办理要求": 2}
LOG_TEXT = ("text", "reason", "note", "by_whom", "approved_by")
AROUND = 20  # characters of context either side of a match


@dataclass(frozen=True)
class Field:
    label: str
    text: str

    @property
    def weight(self) -> int:
        return WEIGHT.get(self.label, 1)


def fields(item, ledger: Ledger) -> list[Field]:
    """The searchable texts of one item, each with a label the clerk reads."""
    out = [Field("标题", item.title), Field("文号", item.ref), Field("立项依据", item.basis)]
    out.append(Field("办理要求", item.requirement or ""))
    words = ledger.pack.words
    for ev in item.log:
        for key in LOG_TEXT:
            if ev.get(key):
                who = ledger.unit_name(ev["unit"]) if ev.get("unit") else ""
                out.append(Field(f"{ev.get('date')} {who}{words.entry(ev.get('kind', ''))}", str(ev[key])))
    return [f for f in out if f.text]


def snippet(text: str, word: str) -> str:
    """The line around the first match, cut to ±AROUND characters, with … where cut."""
    flat = " ".join(text.split())
    at = flat.lower().find(word.lower())
    start, stop = max(0, at - AROUND), min(len(flat), at + len(word) + AROUND)
    return ("…" if start else "") + flat[start:stop] + ("…" if stop < len(flat) else "")


def match(item, ledger: Ledger, terms: list[str]) -> dict | None:
    """The item's hit (score, matched fields with snippets), or None when some word is nowhere."""
    found = fields(item, ledger)
    score, matches, seen = 0, [], set()
    for term in terms:
        hits = [f for f in found if term.lower() in f.text.lower()]
        if not hits:
            return None
        score += sum(f.weight * f.text.lower().count(term.lower()) for f in hits)
        for f in hits:
            if f.label not in seen:
                seen.add(f.label)
                matches.append({"field": f.label, "snippet": f.text if f.label == "标题" else snippet(f.text, term)})
    return {"score": score, "matches": matches}


def search(root: Path, query: list[str], today: date, limit: int | None = None) -> tuple[Ledger, list[dict]]:
    """Items matching every word of ``query``, best first."""
    from duban.core.state import replay

    terms = [w for q in query for w in q.split()]
    if not terms:
        raise DubanError("请给出要查找的词，如 duban search 老旧小区 改造")
    ledger = load(root)
    words = ledger.pack.words
    hits = []
    for item in ledger.items.values():
        m = match(item, ledger, terms)
        if m:
            status = replay(item, today).status
            hits.append(
                {
                    "id": item.id,
                    "title": item.title,
                    "status": status,
                    "status_label": words.status(status),
                    "lead_name": ledger.unit_name(item.lead),
                    **m,
                }
            )
    hits.sort(key=lambda h: h["id"], reverse=True)  # newest first among equals (the sort below is stable)
    hits.sort(key=lambda h: -h["score"])
    return ledger, hits[:limit] if limit else hits
