"""The read commands as library functions: the 台账 filtered, one item, the
working-day calendar, the rule pack, the quarter's scores.  Each loads only
the items it can concern and returns data; the CLI prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from duban.commands.clock import span
from duban.commands.quick import urgency
from duban.core.errors import DubanError
from duban.core.scoring import (
    Fixed,
    Given,
    Occurrence,
    Period,
    UnitScore,
    counts_from,
    fixed_occurrences,
    occurrences_window,
    on_last_day,
    on_window_day,
    parse_period,
    score,
)
from duban.core.state import ACTIVE, IN_HAND, SETTLED, STATUSES, as_of
from duban.outputs.views import item_view, summary_rows, table_until
from duban.store.ledger import Ledger, Scope, load, normalize_id
from duban.store.views import keep


@dataclass(frozen=True)
class Filters:
    """``duban list``'s filters; empty ones do not filter, several values of one filter are alternatives.

    Without ``--all`` or a status, only the items in hand are listed.
    """

    status: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    overdue: bool = False
    due_within: int | None = None
    all: bool = False
    leader: str | None = None  # 责任领导 (a part of the name is enough)
    text: str | None = None

    @property
    def statuses(self) -> tuple[str, ...]:
        return self.status or (() if self.all else IN_HAND)

    def scope(self, today: date) -> Scope | None:
        """Only the items in hand, unless settled ones can match; only those that can be overdue with --overdue."""
        settled = (not self.statuses or any(s in SETTLED for s in self.statuses)) and not (
            self.overdue or self.due_within is not None
        )
        if settled:
            return None
        return Scope(overdue_on=today) if self.overdue else Scope(live_on=today)

    def summarisable(self) -> bool:
        """Whether settled items can be listed from the cache's columns (:func:`summary_rows`): no filter but
        the status, and a status (or --all) that takes settled items."""
        return (
            not (self.unit or self.tier or self.category or self.leader or self.text or self.overdue)
            and self.due_within is None
            and (not self.statuses or any(s in SETTLED for s in self.statuses))
        )

    def stored(self) -> bool:
        """Whether the views listed are those :func:`duban.store.views.serve_list` serves (in hand, or
        ``--overdue``, no other filter): then they are kept in the cache for it."""
        return self == Filters(overdue=self.overdue)

    def keep_item(self, item) -> bool:
        """What the item's own fields decide, as corrected (cheap: before its state is derived)."""
        item = as_of(item)
        if self.tier and item.tier not in self.tier or self.category and item.category not in self.category:
            return False
        if self.leader and self.leader not in (item.leader or ""):
            return False
        return not self.text or any(
            self.text in (f or "") for f in (item.title, item.requirement, item.basis, item.ref)
        )

    def keep(self, v: dict) -> bool:
        """What the item's view decides."""
        if self.unit and v["lead"] not in self.unit and not set(self.unit) & set(v["co"]):
            return False
        if v["status"] == "withdrawn" and "withdrawn" not in self.status:  # 撤销立项: only when asked for
            return False
        if self.statuses and v["status"] not in self.statuses or self.overdue and not v["overdue"]:
            return False
        return self.due_within is None or (
            v["status"] in ACTIVE and v["days_left"] is not None and 0 <= v["days_left"] <= self.due_within
        )


def list_items(root: Path, filters: Filters, today: date, table: bool = False) -> tuple[Ledger, list[dict]]:
    """The 台账: item views matching ``filters``, most urgent first.  ``table``: only what the table prints is
    wanted, so items settled by ``today`` may come as :func:`summary_rows` (the cache's columns) instead of
    whole views."""
    unknown = [s for s in filters.status if s not in STATUSES]
    if unknown:
        from duban.core.vocabulary import DEFAULT_WORDS

        raise DubanError(
            f"未知的状态 “{unknown[0]}”；可用: " + "、".join(f"{k}（{DEFAULT_WORDS.status(k)}）" for k in STATUSES)
        )
    summaries = table and filters.summarisable()
    ledger = load(root, scope=Scope(summary_on=today) if summaries else filters.scope(today))
    views = [
        (item, item_view(ledger, item, today, full=False)) for item in ledger.items.values() if filters.keep_item(item)
    ]
    if filters.stored():
        keep(ledger, "list", today, ((item, v, table_until(item, v, today)) for item, v in views))
    rows = [v for _, v in views if filters.keep(v)]
    rows += [v for v in summary_rows(ledger, ledger.summaries) if filters.keep(v)]
    rows.sort(key=urgency)
    return ledger, rows


def show_item(root: Path, item_id: str, today: date) -> tuple[Ledger, dict]:
    ledger = load(root, scope=Scope(ids=(normalize_id(item_id),)))
    item = ledger.item(item_id)
    view = item_view(ledger, item, today)
    keep(ledger, "show", today, [(item, view, today)])
    return ledger, view


def default_pack():
    """The rule pack shipped with duban (for ``calendar`` and ``rules`` run outside a ledger)."""
    from duban.store.data import rules_dir
    from duban.store.packs import load_pack

    pack, _problems = load_pack(rules_dir(), "rules")
    return pack


def calendar_days(root: Path | None, args: list[str], today: date) -> tuple[date, date, bool, list[dict]]:
    """Days of a span (nothing: this year; a year; two dates); for a whole year only holidays and 调休 days.
    Outside a ledger (``root`` None) the shipped pack's calendar."""
    pack = load(root, only_config=True).pack if root is not None else default_pack()
    cal, words = pack.calendar, pack.words
    start, stop, whole_year = span(args, today)
    days = []
    d = start
    while d <= stop:
        kind, name = cal.kind(d)
        if not whole_year or kind in ("holiday", "adjusted_workday"):
            days.append(
                {
                    "date": d.isoformat(),
                    "weekday": "一二三四五六日"[d.weekday()],
                    "kind": kind,
                    "kind_label": words.word("day", kind),
                    "name": words.holiday(name) if name else name,
                    "workday": kind in ("workday", "adjusted_workday"),
                }
            )
        d += timedelta(days=1)
    return start, stop, whole_year, days


@dataclass
class Scores:
    ledger: Ledger
    period: Period
    scores: list[UnitScore]
    published: dict | None = None  # the period's published table (published/CODE.yaml), when there is one
    differences: list[str] = field(default_factory=list)  # what the records and pack now give otherwise, per unit

    def table(self, day: date) -> dict:
        """What ``score --json`` prints: the published table if there is one, else the one computed now."""
        if self.published:
            return {**self.published, "differences": self.differences}
        return current_table(self, day)


def current_table(res: Scores, day: date) -> dict:
    return {
        "period": res.period.as_json(),
        "pack": res.ledger.pack.name,
        "pack_version": pack_version(res.ledger),
        "until": min(res.period.end, day).isoformat(),
        "units": [s.as_json() for s in res.scores],
    }


def quarter_scores(root: Path, period: str | None, year: int | None, today: date, explain: str | None = None) -> Scores:
    """Every unit's score for the period (the items since the start of its year's counting), and the
    published table of the period if it was published, with how the figures of today differ from it."""
    from duban.store.cache import Memo
    from duban.store.ledger import settings
    from duban.store.packs import pack_digest

    pack = settings(root)[2]
    per = parse_period(period, year, today, pack.scoring.period)
    until = min(per.end, today)
    # settled items whose occurrences hold by the last day counted come as those (kept in the cache), not records;
    # the others as an earlier score kept them: for a period already over, what its score counts of them, else
    # their occurrences over the days of a window
    context = pack_digest(root, pack, repr(OCCURRENCE_FIELDS))
    past = until if until < today else None
    others = (
        Memo(occurrences_on(past), context, today.toordinal()) if past else Memo(WINDOWS, context, until.toordinal())
    )
    memos = (Memo(OCCURRENCES, context, until.toordinal()), others)
    ledger = load(root, scope=Scope(since=counts_from(parse_period(period, year, today).year), memos=memos))
    if not ledger.pack.scoring.rules:
        raise DubanError(
            f"规则包 {ledger.pack.name or ledger.config.rules} 没有考核计分表（{ledger.config.rules}/scoring.yaml）"
        )
    if explain and explain not in ledger.units:
        raise DubanError(f"未知的单位 “{explain}”（见 units.yaml）")
    titles: dict[str, str] = {}
    fixed, given = fixed_scoring(ledger, titles, past, today)
    res = Scores(ledger, per, score(ledger, per, today, fixed, titles, given))
    path = root / published_rel(per)
    if path.is_file():
        from duban.store.yamlio import YamlError, load_path

        try:
            res.published = load_path(path)[0]
        except YamlError as e:
            raise DubanError(f"{published_rel(per)}:{e.line}: 已公布的考核结果文件有错误: {e.message}") from None
        if not isinstance(res.published, dict):
            raise DubanError(f"{published_rel(per)}:1: 已公布的考核结果文件应为键值映射")
        res.differences = differences(res.published, current_table(res, today))
    return res


def fixed_scoring(
    ledger: Ledger, titles: dict[str, str] | None = None, past: date | None = None, today: date | None = None
) -> tuple[Fixed, Given]:
    """The settled items' occurrences (:func:`duban.core.scoring.fixed_occurrences`): those the ledger was given
    in place of records (``Scope.memos``, their titles added to ``titles``), from the cache where it has them for
    the item's record and this rule pack, derived (and kept) for the others.

    ``past``: the last day counted of a period already over (before ``today``).  Every item not fixed by then is
    also given as what the period's score counts of it, where that holds on ``today``
    (:func:`duban.core.scoring.on_last_day`), kept in the cache (:func:`occurrences_on`) for the next score of
    the period.  Without ``past`` (the period counts up to ``today``), every item not fixed by ``today`` is given
    as its occurrences on ``today`` (:func:`duban.core.scoring.occurrences_window`), kept in the cache for the
    days of their window (``WINDOWS``)."""
    import pickle

    from duban.store.cache import keep_memos, memos
    from duban.store.packs import pack_digest

    fixed: Fixed = {}
    given: Given = {}
    for item_id, (kind, day, blob) in ledger.memoed.items():
        value = pickle.loads(blob)
        if kind == OCCURRENCES:
            fixed[item_id] = (date.fromordinal(day), _occurrences(value[0]))
        elif kind == WINDOWS:
            assert today is not None and past is None
            given[item_id] = (on_window_day(_occurrences(value[0]), value[1], today), [])
        else:
            given[item_id] = _given(value)
        if titles is not None:
            titles[item_id] = value[-1]
    context = pack_digest(ledger.root, ledger.pack, repr(OCCURRENCE_FIELDS))
    digests = ledger.digests
    known = memos(ledger.root, OCCURRENCES, context, list(digests.values()))
    held = memos(ledger.root, occurrences_on(past), context, list(digests.values())) if past else {}
    new: dict[bytes, tuple[int, int | None, bytes]] = {}
    counted: dict[bytes, tuple[int, int | None, bytes]] = {}
    windows: dict[bytes, tuple[int, int | None, bytes]] = {}
    for item in ledger.items.values():
        if item.id in given:  # given as a memo, and read too for a unit event that names it
            continue
        d = digests.get(item.id)
        got = known.get(d) if d is not None else None
        found: tuple[date, list[Occurrence]] | None
        if got is not None:
            found = (date.fromordinal(got[0]), _occurrences(pickle.loads(got[1])[0]))
        else:
            found = fixed_occurrences(item, ledger.pack)
            if found is not None and d is not None:
                new[d] = (found[0].toordinal(), None, _memo_value(found[1], item.title))
        if past is not None and today is not None and (found is None or found[0] > past):
            kept = held.get(d) if d is not None else None  # kept already (holding from a later day)
            if kept is None:
                first, main, done = on_last_day(item, ledger.pack, past)
                if d is not None:
                    counted[d] = (first.toordinal(), None, _memo_value(main, done, item.title))
            else:
                first, (main, done) = date.fromordinal(kept[0]), _given(pickle.loads(kept[1]))
            if first <= today:
                given[item.id] = (main, done)
                continue
        if past is None and today is not None and (found is None or found[0] > today):
            end, occs, running = occurrences_window(item, ledger.pack, today)
            given[item.id] = (on_window_day(occs, running, today), [])
            if d is not None:
                windows[d] = (today.toordinal(), end.toordinal() - 1, _memo_value(occs, running, item.title))
            continue
        if found is not None:
            fixed[item.id] = found
    keep_memos(ledger.root, OCCURRENCES, context, new)
    # those of items in hand go with their records: the stale ones are let go
    if past is not None:
        keep_memos(ledger.root, occurrences_on(past), context, counted, orphans=True)
    elif today is not None:
        keep_memos(ledger.root, WINDOWS, context, windows, now=today.toordinal(), orphans=True)
    return fixed, given


def _given(value: tuple) -> tuple[list[Occurrence], list[Occurrence]]:
    """A memo of :func:`occurrences_on`'s kind, as :func:`_memo_value` made it, without the title."""
    return _occurrences(value[0]), _occurrences(value[1])


def _occurrences(rows: list[tuple]) -> list[Occurrence]:
    return list(map(Occurrence._make, rows))


def _memo_value(*values) -> bytes:
    """The values of a memo (lists of occurrences, the positions of a window's running late ranges, the item's
    title), each list of occurrences as a list of plain tuples (unpickled in a third of the time of the named
    tuples)."""
    import pickle

    return pickle.dumps(tuple([tuple(o) for o in v] if isinstance(v, list) else v for v in values), protocol=5)


def occurrences_on(day: date) -> str:
    """The kind of the memos of items' occurrences on ``day``, the last day counted of a period already over."""
    return f"{OCCURRENCES}@{day.isoformat()}"


OCCURRENCES = "occurrences"
WINDOWS = "occurrences-window"  # an item's occurrences over the days of their window (occurrences_window)
OCCURRENCE_FIELDS = Occurrence._fields


# ------------------------------------------------------------ published scores


def published_rel(period: Period) -> str:
    return f"published/{period.code}.yaml"


def pack_version(ledger: Ledger) -> str:
    """A fingerprint of the rule pack's files: a later edit of scoring.yaml gives another."""
    import hashlib

    h = hashlib.sha256()
    if root := ledger.pack.root:
        for f in sorted(root.rglob("*.yaml")):
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def differences(published: dict, now: dict) -> list[str]:
    """Per unit, what the table computed now says otherwise than the published one (empty: the same)."""
    out = []
    if published.get("pack_version") != now["pack_version"]:
        out.append(f"规则包已改动（发布时 {published.get('pack_version')}，现在 {now['pack_version']}）")
    old = {u["unit"]: u for u in published.get("units", [])}
    new = {u["unit"]: u for u in now["units"]}
    for uid in [*old, *(u for u in new if u not in old)]:
        a, b = old.get(uid), new.get(uid)
        if a is None or b is None:
            out.append(f"{uid}: {'新增单位' if a is None else '现已不在计分表中'}")
            continue
        parts = [f"{label} {a[k]} → {b[k]}" for k, label in (("score", "得分"), ("bonus", "加分"), ("penalty", "减分"))]
        parts = [p for p, k in zip(parts, ("score", "bonus", "penalty"), strict=True) if a[k] != b[k]]

        def key(d: dict) -> tuple:
            return (d["date"], d.get("item"), d["rule"], d["delta"])

        gone = sorted({key(d) for d in a["deltas"]} - {key(d) for d in b["deltas"]}, key=str)
        added = sorted({key(d) for d in b["deltas"]} - {key(d) for d in a["deltas"]}, key=str)
        parts += [f"不再计 {d[0]} {d[1] or ''} {d[2]} {d[3]:+g}" for d in gone]
        parts += [f"新计 {d[0]} {d[1] or ''} {d[2]} {d[3]:+g}" for d in added]
        if parts:
            out.append(f"{uid} {a['name']}: " + "；".join(parts))
    return out


def publish_scores(root: Path, period: str | None, year: int | None, today: date) -> tuple[Scores, str]:
    """Record the period's table (every unit, every delta, the pack's version) as a committed file, once."""
    import yaml

    from duban.commands.base import change

    with change(root, "", "publish-scores") as ch:
        res = quarter_scores(root, period, year, today)
        rel = published_rel(res.period)
        if res.published:
            raise DubanError(
                f"{res.period.label}的考核结果已于 {res.published.get('published')} 发布（{rel}），不能再次发布"
            )
        if today <= res.period.end:
            raise DubanError(f"{res.period.label}到 {res.period.end} 才结束，结束后才能发布")
        table = {"published": today.isoformat(), **current_table(res, today)}
        ch.write(rel, yaml.safe_dump(table, allow_unicode=True, sort_keys=False, width=4096))
        ch.message = f"督办 发布{res.period.label}考核结果"
    return res, rel


def check_pack(folder: Path, shown_as: str):
    """``duban rules --check``: a pack folder loaded on its own; (pack, problems)."""
    from duban.store.packs import load_pack

    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise DubanError(f"{folder} 不是目录")
    return load_pack(folder, shown_as)


def settings(root: Path) -> Ledger:
    """The ledger's settings, units and pack, without the items."""
    return load(root, only_config=True)
