"""The state at the close of each day from one fold of the log (:func:`duban.core.state.day_closer`) is the state
:func:`duban.core.state.replay` gives for that day: on every day of every item of a ten-year ledger and the sample,
and of random logs (any kind in any status, several entries a day, back-dated records, entries dated before the
item's issue)."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.commands.setup import init_ledger
from duban.core.model import Item
from duban.core.state import SETTLING, day_closer, replay, settled_on
from duban.store.ledger import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
ONE = timedelta(days=1)


def assert_closer_is_replay(item: Item) -> int:
    dates = [d for ev in item.log if isinstance(d := ev.get("date"), date)] + [item.issued]
    closed = day_closer(item)
    day, n = min(dates) - 3 * ONE, 0
    while day <= max(dates) + 3 * ONE:
        assert closed(day) == replay(item, max(day, item.issued)), (item.id, day)
        day, n = day + ONE, n + 1
    assert closed(date.max) == replay(item), item.id
    assert settled_on(item) == settled_on(item, replay(item)), item.id  # the shortcut for items in hand
    return n


def test_on_every_day_of_a_generated_ledger_and_the_sample(tmp_path):
    import gen

    gen.make(tmp_path / "big", 300, 100, date(2026, 11, 20))
    days = 0
    for root in (tmp_path / "big", init_ledger(tmp_path / "sample", sample=True, pack=None)):
        for item in load(root).items.values():
            days += assert_closer_is_replay(item)
    assert days > 10_000


def item_with(log: list[dict], **fields) -> Item:
    """An item of 2 March led by fgw, due on 20 March, with this log."""
    values = {"deadline": date(2026, 3, 20), **fields}
    return Item(
        id="2026-0001",
        title="t",
        category="other",
        tier="red",
        lead="fgw",
        issued=date(2026, 3, 2),
        log=log,
        path="items/2026/2026-0001.yaml",
        **values,
    )


def test_the_states_given_are_not_shared_with_the_fold():
    item = item_with(
        [
            {"date": date(2026, 3, 2), "kind": "issued"},
            {"date": date(2026, 3, 5), "kind": "reassign", "lead": "zjj", "co": ["jtj"]},
            {"date": date(2026, 3, 9), "kind": "review", "result": "accepted"},  # refused: nothing reported
            {"date": date(2026, 3, 9), "kind": "amendment", "changes": {"co": {"old": ["jtj"], "new": ["sfj"]}}},
        ]
    )
    closed = day_closer(item)
    first, second = closed(date(2026, 3, 5)), closed(date(2026, 3, 9))
    assert (first.lead, first.co, first.invalid) == ("zjj", ["jtj"], [])
    assert second.co == ["sfj"] and len(second.invalid) == 1
    assert closed(date(2026, 3, 4)).lead == "fgw"


KINDS = [
    ("report", {"unit": "fgw", "text": "进展"}),
    ("report", {"unit": "fgw", "text": "完成", "final": True}),
    ("report", {"unit": "zjj", "text": "完成", "final": True}),
    ("review", {"result": "accepted"}),
    ("review", {"result": "returned"}),
    ("extension", {}),
    ("reassign", {"lead": "zjj", "co": ["fgw"]}),
    ("instruction", {"text": "再批示"}),
    ("close", {}),
    ("transfer_back", {"text": "退回"}),
    ("withdrawal", {"text": "撤销"}),
    ("lookback_done", {"text": "回头望"}),
    ("amendment", {"changes": {"co": {"old": [], "new": ["jtj"]}}}),
    ("issued", {}),
    ("reminder", {"lapse": "deadline:2026-03-20", "number": "1"}),
]


@st.composite
def logs(draw):
    start = date(2026, 3, 2)
    entries = []
    for _ in range(draw(st.integers(0, 14))):
        kind, extra = draw(st.sampled_from(KINDS))
        day = start + timedelta(days=draw(st.integers(-4, 40)))
        ev = {"date": day, "kind": kind, **extra}
        if kind in ("extension", "instruction", "reassign") or (kind == "review" and extra["result"] == "returned"):
            key = {"extension": "to", "review": "due"}.get(kind, "deadline")
            if kind == "extension" or draw(st.booleans()):
                ev[key] = day + timedelta(days=draw(st.integers(1, 20)))
        if draw(st.booleans()):  # recorded later (or, out of order, earlier) than its date
            ev["recorded"] = day + timedelta(days=draw(st.integers(-2, 10)))
        entries.append(ev)
    if draw(st.booleans()):
        entries.insert(0, {"date": start, "kind": "issued"})
    return entries, draw(st.booleans())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs())
def test_on_every_day_of_random_logs(case):
    log, forward = case
    item = item_with(log, co=["jtj"], deadline=None if forward else date(2026, 3, 20), forward=forward)
    assert_closer_is_replay(item)


def test_the_actions_that_settle_an_item():
    assert SETTLING == {"issued_forward", "close", "withdrawal"}
