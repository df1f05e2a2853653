"""Issue #15, as a property: a report (progress or final) typed days after it arrived, with ``--date``, ends where
typing it on the day would have: the same state, the same slips once the wrong ones are voided, the same
scores.  Pure functions over the default pack (灞桥), daily sweeps from the day after registration."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duban.core.entries import SLIP_KINDS
from duban.core.escalation import due_events, voids
from duban.core.model import Item
from duban.core.scoring import item_occurrences
from duban.core.state import is_void, replay, voided
from duban.store.data import rules_dir
from duban.store.packs import load_pack

PACK, _ = load_pack(rules_dir())
START = date(2026, 3, 2)
ONE = timedelta(days=1)


def swept(item: Item, first: date, last: date, extra: dict | None = None) -> Item:
    """Daily sweeps from ``first`` to ``last``; ``extra`` (a clerk's entry) recorded on its own day."""
    day = first
    while day <= last:
        if extra and extra["date"] == day - ONE:
            item = replace(item, log=[*item.log, extra])
        item = replace(item, log=[*item.log, *due_events(item, PACK, day)])
        day += ONE
    return item


def slips(item: Item) -> list[tuple]:
    gone = voided(item.log)
    return sorted(
        (e["kind"], e["lapse"], e["date"]) for e in item.log if e["kind"] in SLIP_KINDS and not is_void(e, gone)
    )


def scored(item: Item, today: date) -> list[tuple]:
    return sorted((o.on, o.arg, o.date, o.unit, o.silent, o.late) for o in item_occurrences(item, PACK, today))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    category=st.sampled_from(["other", "leader_instruction", "meeting_topic"]),
    tier=st.sampled_from(["yellow", "blue"]),
    deadline_in=st.integers(1, 40),
    received_in=st.integers(1, 45),
    typed_after=st.integers(1, 12),
    final=st.booleans(),
)
def test_a_back_dated_report_ends_where_one_typed_on_the_day_would(
    category, tier, deadline_in, received_in, typed_after, final
):
    item = Item(
        id="2026-0001",
        title="t",
        category=category,
        tier=tier,
        lead="fgw",
        co=["zjj"],
        issued=START,
        deadline=START + timedelta(days=deadline_in),
        log=[{"date": START, "kind": "issued"}],
    )
    received = START + timedelta(days=received_in)
    typed = received + timedelta(days=typed_after)
    report = {"date": received, "kind": "report", "unit": "fgw", "final": final, "text": "已办结"}

    on_the_day = swept(item, START + ONE, typed, {**report, "recorded": received})

    late = swept(item, START + ONE, typed)
    late = replace(late, log=[*late.log, {**report, "recorded": typed}])
    late = replace(late, log=[*late.log, *voids(late, PACK, typed, "补记")])
    assert due_events(late, PACK, typed) == []  # a second sweep that day does nothing

    a, b = replay(on_the_day, typed), replay(late, typed)
    assert (a.status, a.deadline, a.reported_on) == (b.status, b.deadline, b.reported_on)
    assert slips(on_the_day) == slips(late)
    assert scored(on_the_day, typed) == scored(late, typed)
