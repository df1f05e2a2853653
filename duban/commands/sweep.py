"""The daily sweep as a command: plan under the lock, number the slips, write every
action into its item's log (or a unit event file), commit once with the digest
(``out/sweep/DATE.md``, written as the commit happens); then the slips' forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from duban.commands.base import change, refuse_if_broken, shared
from duban.commands.events import event_text
from duban.commands.verify import verify
from duban.core.entries import SLIP_KINDS, Action, encode
from duban.core.errors import DubanError
from duban.core.escalation import SweepResult, plan, wakes
from duban.core.model import Item, validate_item
from duban.core.schema import Source
from duban.core.unitevents import event_rel
from duban.outputs.digest import commit_message, day_digest, digest_markdown
from duban.store.git import outputs_done, pending_outputs
from duban.store.ledger import Ledger, Scope, load
from duban.store.yamlio import (
    date_place,
    flow_lines,
    flow_list,
    flow_map,
    read_back_inserted,
    remove_old_temps,
    rt_dumps,
    rt_loads,
)

UNIT_EVENT_FIELDS = ("id", "unit", "kind", "date", "item", "rule", "count", "action", "due", "source_event")


OFFLINE_REFUSAL = (
    "；为免两处副本重复发出同一张文书，未运行巡查（sweep），未做任何改动。联网后重试；"
    "确知此时只有本副本在巡查时，可加 --offline（编号取自本副本预留的编号）"
)


def run(
    root: Path, today: date, dry_run: bool = False, forms: bool = True, offline: bool = False
) -> tuple[SweepResult, Ledger]:
    """Sweep the ledger; returns (result, the ledger as loaded before the sweep's writes).

    Unless ``dry_run``: one commit, and with it the digest written to ``out/sweep/DATE.md`` when there is
    anything to say (below those of the day's earlier sweeps); then (with ``forms``) every slip issued rendered
    to ``out/``.  A ledger shared through a remote is synced first, and the sweep's commit reaches the remote
    before it happens here; if another copy pushed meanwhile, the sweep runs again on the merged ledger
    (``offline``: neither)."""
    if dry_run:
        ledger = load(root, scope=quiet_scope(root, today))
        res = plan(ledger, today)
        keep_quiet(ledger, res, today)
        return res, ledger
    remote = None if offline else shared(root)
    if remote is None:
        return _sweep(root, today, forms, publish=False)
    from duban.commands.sync import exchange_now
    from duban.store.sync import TRIES, Offline, Rejected

    for _ in range(TRIES):
        exchange_now(root, remote, OFFLINE_REFUSAL)
        try:
            return _sweep(root, today, forms, publish=True)
        except Rejected:
            continue  # another copy pushed first: nothing happened here; sync and sweep again
        except Offline as e:
            raise DubanError(f"{e}{OFFLINE_REFUSAL}") from None
    raise DubanError(f"远端 {remote.name} 一直在更新，重试 {TRIES} 次仍未完成巡查；请稍后再试")


QUIET = "quiet"  # memos: the days an item in hand gives the sweep nothing to do (escalation.wakes)


def quiet_scope(root: Path, today: date) -> Scope:
    """The items not yet settled on ``today`` (a settled item has nothing left for the sweep), but those the
    cache knows to be quiet today for this rule pack (:func:`keep_quiet`)."""
    from duban.store.cache import Memo
    from duban.store.ledger import settings
    from duban.store.packs import pack_digest

    return Scope(live_on=today, memos=(Memo(QUIET, pack_digest(root, settings(root)[2]), today.toordinal()),))


def keep_quiet(ledger: Ledger, res: SweepResult, today: date) -> None:
    """Keep, for each item planned that had no action today, the days from today on it stays quiet."""
    from duban.store.cache import keep_memos
    from duban.store.packs import pack_digest

    acted = {a.item for a in res.actions}
    quiet: dict[bytes, tuple[int, int | None, bytes]] = {}
    for item_id, item in ledger.items.items():
        d = ledger.digests.get(item_id)
        if d is None or item_id in acted:
            continue
        until = wakes(item, ledger.pack, today)
        if until > today:
            quiet[d] = (today.toordinal(), until.toordinal() - 1, b"")
    keep_memos(ledger.root, QUIET, pack_digest(ledger.root, ledger.pack), quiet, now=today.toordinal())


def _sweep(root: Path, today: date, forms: bool, publish: bool) -> tuple[SweepResult, Ledger]:
    from duban.commands.publish import begin_rendering, render_quietly

    written: dict[str, Item] = {}
    begun = None  # the slips rendering in worker processes while the sweep commits, written once committed
    try:
        with change(root, "", "sweep", publish=publish) as ch:
            findings, _ = verify(root, digest=True)  # the history since the last sweep, before anything is added
            ledger = load(root, scope=quiet_scope(root, today))
            refuse_if_broken(ledger)
            res = plan(ledger, today)
            keep_quiet(ledger, res, today)
            if res.actions:
                res.actions = number(res.actions, ch.counters, ledger.pack.process.paper)
            jobs = [(a.kind, a.item, a.number) for a in res.actions if a.kind in SLIP_KINDS and a.item]
            begun = begin_rendering(root, today, len(jobs)) if forms else None
            if res.actions:
                written = write_actions(root, ledger, res.actions, ch)
                ch.message = commit_message(res, ledger.pack.words)
            if res.actions or res.pending or res.problems or findings:  # written with the commit, even if killed
                res.digest = f"out/sweep/{today}.md"
                ch.out_files[res.digest] = day_digest(
                    earlier(root / res.digest), digest_markdown(res, ledger, findings)
                )
            ch.outputs = [list(j) for j in jobs] if forms else []  # kept under .git/ until rendered
            if begun is not None:  # those whose items are known as they will be committed; the others after
                begun.render([j for j in jobs if j[1] in written], written)
    except BaseException:
        if begun is not None:
            begun.close()
        raise
    res.commit = ch.committed
    jobs = [tuple(j) for j in pending_outputs(root)] if forms else []  # this sweep's, or a killed one's
    if jobs:
        paths, res.form_errors = render_quietly(root, jobs, today, written, begun)
        res.forms = [str(p) for p in paths]
        outputs_done(root, jobs)
        remove_old_temps({p.parent for p in paths})  # a killed sweep's half-written forms, once surely dead
    return res, ledger


def earlier(path: Path) -> str | None:
    """What the day's earlier sweeps wrote in its digest (read under the lock, which every writer of it holds)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def number(actions: list[Action], counters, series=lambda kind: kind) -> list[Action]:
    """Slip numbers in date order, then item id, each from the series of the form it prints with (``series``);
    unit-level consequences get an event id."""
    out = []
    for a in actions:
        if a.kind in SLIP_KINDS:
            a = replace(a, entry={**a.entry, "number": f"{a.date.year}-{counters.next(series(a.kind), a.date.year)}"})
        elif a.item is None:
            a = replace(a, entry={**a.entry, "id": f"{a.date.year}-{counters.next('event', a.date.year):04d}"})
        out.append(a)
    return out


def write_actions(root: Path, ledger: Ledger, actions: list[Action], ch) -> dict[str, Item]:
    """Write the actions; returns the items as written, where the file was read back as it was written (for
    the forms: no file is parsed again)."""
    written: dict[str, Item] = {}
    by_item: dict[str, list[dict]] = {}
    for a in actions:
        if a.item is None:  # a unit-level consequence: its own event file
            ch.write(event_rel(a.entry["id"]), event_text({k: a.entry.get(k) for k in UNIT_EVENT_FIELDS}))
        else:
            by_item.setdefault(a.item, []).append(encode(a.entry))
    flows = flow_lines([ev for events in by_item.values() for ev in events])
    at = 0
    for item_id, events in by_item.items():
        item = ledger.items[item_id]
        text = (root / item.path).read_text(encoding="utf-8")
        mine = flows[at : at + len(events)] if flows else None
        at += len(events)
        quick = read_back_inserted(text, events, mine)  # each at its date's place, where a daily sweep would put it
        if quick is not None:
            new, data = quick
            ch.write(item.path, new)
            src = Source(item.path, {})  # no line map: the item is kept only when it has no error
            done = validate_item(src, data, item.path)
            if done is not None and not any(p.severity == "error" for p in src.problems):
                written[item_id] = done
            continue
        data = rt_loads(text)
        if data.get("log") is None:  # "log:" left empty by hand
            data["log"] = flow_list([], block=True)
        log = data["log"]
        for ev in events:
            log.insert(date_place(log, ev), flow_map(ev))
        ch.write(item.path, rt_dumps(data))
    return written
