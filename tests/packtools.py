"""Helpers shared by the per-pack test modules."""

from __future__ import annotations

import yaml

from duban.core.state import initial_deadline
from duban.store.data import shipped_packs
from duban.store.packs import load_pack


def pack(name):
    p, problems = load_pack(shipped_packs()[name], name)
    assert problems == [], problems
    return p


def deadline(name, category, tier, issued):
    return initial_deadline(pack(name), category, tier, issued)


def due_dates(name, category, tier, start, until):
    p = pack(name)
    return p.rule(category, tier).cadence.dates(p.calendar, start, until)


def log(ledger, item_id):
    return yaml.safe_load(ledger.path(item_id).read_text(encoding="utf-8"))["log"]


def slips(ledger, item_id):
    return [
        (e["kind"], str(e["date"]))
        for e in log(ledger, item_id)
        if e["kind"] in ("reminder", "urge", "warning", "referral")
    ]


def sweep(ledger, day):
    res = ledger("sweep", "--json", "--no-forms", today=day)
    assert res.code == 0, res.err
    return res.json()


def scores(ledger, period, today):
    res = ledger("score", period, "--json", today=today)
    assert res.code == 0, res.err
    return {u["unit"]: u for u in res.json()["units"]}


def event(ledger, unit, kind, day, *more):
    res = ledger("event", unit, kind, "--date", day, *more, today=day)
    assert res.code == 0, res.err
