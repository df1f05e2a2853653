"""Finding and loading a ledger: read → build model → check.

``load(root)`` returns a :class:`Ledger` whose ``problems`` list every
problem found, each with ``path:line``.  A broken item file is reported and
left out of ``items``; it never stops the others from loading.
"""

from __future__ import annotations

import json
import os
import pickle
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from duban.core.errors import DubanError, Problem
from duban.core.model import (
    ID_RE,
    Config,
    Item,
    Unit,
    validate_config,
    validate_item,
    validate_units,
)
from duban.core.pack import TIERS, RulePack
from duban.core.schema import Source
from duban.store.paths import inside

if TYPE_CHECKING:
    from duban.store.cache import Memo

CONFIG = "duban.yaml"


class Summary(NamedTuple):
    """An item settled by the day asked for, as the cache's columns hold it (corrected fields, end state)."""

    id: str
    status: str
    deadline: str | None
    lead: str
    tier: str
    title: str
    extended: bool
    slip: tuple | None  # state.last_slip(), its date as ISO text


@dataclass
class Ledger:
    root: Path
    config: Config
    units: dict[str, Unit]
    pack: RulePack
    items: dict[str, Item]
    problems: list[Problem] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # relative paths of item files that did not load
    events: list = field(default_factory=list)  # unit events (duban.unitevents.UnitEvent)
    checks: list[Problem] = field(default_factory=list)  # duban check's findings about single item files
    reread: list[str] = field(default_factory=list)  # files read again rather than taken from the cache
    digests: dict[str, bytes] = field(default_factory=dict)  # item id → digest of its cached record (cache.memos)
    summaries: list[Summary] = field(default_factory=list)  # Scope.summary_on: settled items as columns, path order
    probes: list | None = None  # the settings' files as statted (:func:`settings`); None when just modified
    stamps: dict[str, bytes | None] = field(default_factory=dict)  # every folder of items and events → its stamp
    memoed: dict[str, tuple[str, int, bytes]] = field(default_factory=dict)  # Scope.memos: item id → (kind, day, value)

    @property
    def calendar(self):
        return self.pack.calendar

    def item(self, item_id: str) -> Item:
        item_id = normalize_id(item_id)
        if item_id in self.items:
            return self.items[item_id]
        rel = item_rel(item_id)
        if rel in self.broken:
            raise DubanError(f"事项 {item_id} 的文件 {rel} 有错误，请先修正（duban check 列出问题）")
        raise DubanError(f"没有编号为 {item_id} 的事项")

    def unit_name(self, uid: str) -> str:
        u = self.units.get(uid)
        return u.name if u else uid


# ----------------------------------------------------------------- discovery


def find_root(explicit: str | os.PathLike | None = None) -> Path:
    """--ledger, else DUBAN_LEDGER, else the nearest duban.yaml above the cwd."""
    from duban.store.stamps import find_root as locate

    root = locate(explicit)
    if root is not None:
        return Path(root)
    given = explicit or os.environ.get("DUBAN_LEDGER")
    if given:
        raise DubanError(f"{Path(given).expanduser().resolve()} 不是台账目录（找不到 {CONFIG}）；可用 duban init 创建")
    raise DubanError(
        f"当前目录及其上级目录中找不到 {CONFIG}；请用 --ledger 指定台账目录，"
        f"或设置环境变量 DUBAN_LEDGER，或用 duban init 新建台账"
    )


def normalize_id(item_id: str) -> str:
    item_id = str(item_id).strip()
    if not ID_RE.match(item_id):
        raise DubanError(f"事项编号 “{item_id}” 格式不对，应为 年份-序号，如 2026-0007")
    return item_id


def item_rel(item_id: str) -> str:
    return f"items/{item_id[:4]}/{item_id}.yaml"


# ------------------------------------------------------------------- loading


def _read(root: Path, rel: str, problems: list[Problem], lines_too: bool = True):
    from duban.store.yamlio import YamlError, load_path

    try:
        data, lines = load_path(root / rel, lines_too)
    except FileNotFoundError:
        problems.append(Problem(rel, 1, "文件不存在"))
        return None, Source(rel, {})
    except YamlError as e:
        problems.append(Problem(rel, e.line, e.message))
        return None, Source(rel, {})
    return data, Source(rel, lines)


def load_item_file(root: Path, rel: str, lines: bool = True) -> tuple[Item | None, list[Problem]]:
    """The item and its problems.  ``lines=False``: the item's line map is left empty (:func:`item_lines` reads
    it when wanted) unless the file has a problem (then it is read again with it, to say where)."""
    problems: list[Problem] = []
    data, src = _read(root, rel, problems, lines)
    item = validate_item(src, data, rel) if data is not None else None
    if data is None and not problems:
        problems.append(Problem(rel, 1, "文件为空"))
    if not lines and (problems or src.problems):
        return load_item_file(root, rel)
    return item, problems + src.problems


def item_lines(root: Path, item: Item) -> dict:
    """The item's line map (key path → line), read from its file if the item was loaded without it."""
    if not item.lines:
        from duban.store.yamlio import YamlError, load_path

        try:
            item.lines = load_path(root / item.path)[1]
        except (OSError, YamlError):  # gone or broken since it loaded: every line is the first
            pass
    return item.lines


def load_config(root: Path, problems: list[Problem] | None = None) -> Config:
    """duban.yaml alone (problems, if wanted, appended to ``problems``)."""
    problems = [] if problems is None else problems
    data, src = _read(root, CONFIG, problems)
    config = validate_config(src, data) if data is not None else Config()
    problems += src.problems
    return config


@dataclass(frozen=True)
class Scope:
    """Which items a command reads into memory.  Whatever the scope, every file's problems are reported.

    ``live_on``: the items not yet settled on that day (:func:`duban.state.settled_on`) — all that
    the sweep, the overdue list and duban check's date checks can concern; ``since``: also the items
    settled on or after that day, and those the unit events since then name (scores of a year);
    ``ids``: just these items; ``overdue_on``: the items that can be overdue on that day (a superset,
    chosen on the cache's plain columns: those whose stored end state is in hand past its deadline, and
    those with records after that day, whose state on that day the columns do not tell); ``summary_on``: every
    item, but those settled by that day with no record after it (their state on that day is the one the
    cache's columns hold) as :class:`Summary` rows in ``Ledger.summaries`` rather than records, where the
    cache has them (the unfiltered 台账 of ten years without building 100,000 items).  ``memos`` (with
    ``since``): the items whose cached record has one of these memos are given as that memo in ``Ledger.memoed``
    rather than as records, where the cache has them (:meth:`duban.store.cache.Folder.records`).
    """

    live_on: date | None = None
    since: date | None = None
    ids: tuple[str, ...] | None = None
    overdue_on: date | None = None
    summary_on: date | None = None
    memos: tuple[Memo, ...] = ()

    def settled_after(self) -> int | None:
        if self.since is not None:
            return self.since.toordinal() - 1
        day = self.live_on or self.overdue_on
        return day.toordinal() if day is not None else None

    def summarised(self) -> tuple[str, tuple]:
        """The condition on the cache's plain columns of the items given as summaries."""
        assert self.summary_on is not None
        day = self.summary_on.toordinal()
        return "settled != 0 AND settled <= ? AND horizon <= ?", (day, day)

    def where(self) -> tuple[str, tuple] | None:
        """The condition on the cache's plain columns, if any."""
        if self.summary_on is not None:
            return f"NOT ({self.summarised()[0]})", self.summarised()[1]
        if self.overdue_on is None:
            return None
        from duban.core.state import ACTIVE

        day = self.overdue_on
        return (
            f"horizon > ? OR (status IN ({', '.join('?' * len(ACTIVE))}) AND deadline < ?)",
            (day.toordinal(), *ACTIVE, day.isoformat()),
        )


def load(root: Path, only_config: bool = False, scope: Scope | None = None) -> Ledger:
    """The ledger: settings, units, rule pack, unit events, the items in ``scope`` (None: all), every problem."""
    from duban.store.git import settle

    settle(root)  # a change killed half-way is finished (or forgotten) before anything is read
    (config, units, pack, problems), probes = settings_and_probes(root)
    ledger = Ledger(root, config, units, pack, {}, problems, probes=probes)
    if only_config:
        return ledger
    from duban.store.cache import Cache

    cache = Cache(root, (Item, Problem))
    try:
        _load_items(ledger, cache, scope)
        _load_events(ledger, cache)
    finally:
        cache.close()
    ledger.reread, ledger.stamps = cache.reread, cache.stamps
    if scope is not None and scope.since is not None:
        for item_id in sorted({e.item for e in ledger.events if e.item and e.date >= scope.since} - set(ledger.items)):
            add_item(ledger, item_id)
    return ledger


def settings(root: Path) -> tuple[Config, dict[str, Unit], RulePack, list[Problem]]:
    """:func:`settings_and_probes` without the probes."""
    return settings_and_probes(root)[0]


def settings_and_probes(root: Path) -> tuple[tuple[Config, dict[str, Unit], RulePack, list[Problem]], list | None]:
    """duban.yaml, units.yaml and the rule pack, with their problems: from ``settings.pickle`` in the cache
    folder when none of the files they were read from changed (each statted: time, size, inode), else read
    (and the pickle written again).  Served from the pickle, no YAML is parsed and PyYAML is not imported.
    The probes: every file they were read from, with its (mtime, size, inode); None when one was modified in
    the last two seconds (it could change again within the same timestamp)."""
    from duban.store.cache import cache_dir, cache_key

    folder = cache_dir(root)
    path = folder / SETTINGS if folder is not None else None
    if path is not None:
        try:
            with open(path, "rb") as f:
                key, probes, value = pickle.load(f)
            if key == (cache_key((Config, Unit, RulePack, Problem)), str(root)) and all(
                _probe(p) == stamp for p, stamp in probes
            ):
                return value, probes
        except Exception:  # missing, foreign, truncated: read the files
            pass
    now = time.time_ns()
    problems: list[Problem] = []
    probes = [_probe_of(root / CONFIG), _probe_of(root / "units.yaml")]
    config = load_config(root, problems)
    data, src = _read(root, "units.yaml", problems)
    units = validate_units(src, data) if data is not None else {}
    problems += src.problems
    rules_dir = pack_folder(root, config, problems)
    rel = os.path.relpath(rules_dir, root).replace(os.sep, "/") if root in rules_dir.parents else f"<{config.rules}>"
    probes += [_probe_of(rules_dir), *(_probe_of(f) for f in _files(rules_dir)), _probe_of(root / config.rules)]
    from duban.store.packs import load_pack, official_calendar_file

    probes.append(_probe_of(official_calendar_file()))

    pack, pack_problems = load_pack(rules_dir, rel)
    problems += pack_problems
    value = (config, units, pack, problems)
    racy = any(s is not None and s[0] > now - 2_000_000_000 for _, s in probes)
    if path is not None and not racy:
        key = (cache_key((Config, Unit, RulePack, Problem)), str(root))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{SETTINGS}.{os.getpid()}")
            tmp.write_bytes(pickle.dumps((key, probes, value), protocol=5))
            os.replace(tmp, path)
        except OSError:  # read-only: read the files next time too
            pass
    return value, None if racy else probes


SETTINGS = "settings.pickle"


def _probe(path: str) -> tuple[int, int, int] | None:
    """A file's or folder's (mtime, size, inode); None when it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def _probe_of(path: Path) -> tuple[str, tuple[int, int, int] | None]:
    return str(path), _probe(str(path))


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []


def _parse_item(root: Path, rel: str):
    from duban.core.state import as_of, last_day, last_slip, replay, settled_on
    from duban.store.cache import Entry, Facts

    item, problems = load_item_file(root, rel, lines=False)
    if item is None or any(p.severity == "error" for p in problems):
        return None, Entry(problems=tuple(problems), broken=True)
    st = replay(item)
    if st.invalid:
        item_lines(root, item)
    checks = tuple(Problem(item.path, item.log_line(i), f"log[{i}]: {reason}") for i, reason in st.invalid)
    settled = settled_on(item, st)
    final = as_of(item)  # the registered fields as corrected at the end of the log
    slip = last_slip(item.log)
    facts = Facts(
        st.status,
        st.deadline.isoformat() if st.deadline else None,
        st.lead,
        final.tier,
        final.category,
        last_day(item).toordinal(),
        final.title,
        st.extended,
        json.dumps([*slip[:2], slip[2].isoformat() if isinstance(slip[2], date) else slip[2], *slip[3:]], default=str)
        if slip
        else None,
    )
    return item, Entry(settled.toordinal() if settled else 0, tuple(problems), checks, facts=facts)


def _load_items(ledger: Ledger, cache, scope: Scope | None) -> None:
    """Every item file's problems; the items in scope, in path order."""
    root = ledger.root
    context = (tuple(sorted(ledger.units)), tuple(ledger.pack.categories))
    notes, records, names = {}, {}, {}
    summaries: dict[str, tuple] = {}
    named: dict[str, set[str]] = {}  # folder → the files of the items asked for by id
    for rel in (item_rel(i) for i in (scope.ids or () if scope else ()) if ID_RE.match(i)):
        named.setdefault(rel.rsplit("/", 1)[0], set()).add(rel.rsplit("/", 1)[1])
    for folder in cache.folders(
        "items", context, lambda rel: _parse_item(root, rel), lambda item: tuple(check_refs(ledger, item))
    ):
        notes.update({f"{folder.rel}/{n}": e for n, e in folder.notes.items()})
        names[folder.rel] = folder.names
        if scope is not None and scope.summary_on is not None:
            got = folder.summaries(scope.summarised())
            if got is not None:
                summaries.update({f"{folder.rel}/{n}": row for n, row in got.items()})
        if scope is None or scope.ids is None:
            wanted = (
                folder.records(scope.settled_after(), scope.where(), memos=scope.memos) if scope else folder.records()
            )
        else:
            wanted = folder.records(names=files) if (files := named.get(folder.rel)) else {}
        records.update({f"{folder.rel}/{n}": r for n, r in wanted.items()})
    duplicates = _duplicates(root, names, notes)
    for rel in sorted(set(notes) | set(duplicates)):
        e = notes.get(rel)
        if e is not None:
            ledger.problems += e.problems
            if e.broken:
                ledger.broken.add(rel)
                continue
        if rel in duplicates:
            ledger.problems.append(duplicates[rel])
            ledger.broken.add(rel)
        elif e is not None and e.refs:
            ledger.problems += e.refs
            ledger.broken.add(rel)
        if e is not None:
            ledger.checks += e.checks
    for rel in sorted(records):
        if rel not in ledger.broken:
            ledger.items[records[rel].id] = records[rel]
            if rel in cache.digests:
                ledger.digests[records[rel].id] = cache.digests[rel]
    for rel in sorted(cache.memoed.keys() - ledger.broken):
        ledger.memoed[rel.rsplit("/", 1)[1].rsplit(".", 1)[0]] = cache.memoed[rel]  # named by its id, as below
    for rel in sorted(summaries.keys() - records.keys() - ledger.broken):
        status, deadline, lead, tier, title, extended, slip = summaries[rel]
        item_id = rel.rsplit("/", 1)[1].rsplit(".", 1)[0]  # a file that loaded without problems is named by its id
        ledger.summaries.append(
            Summary(
                item_id, status, deadline, lead, tier, title, bool(extended), tuple(json.loads(slip)) if slip else None
            )
        )
    for item_id in (scope.ids or ()) if scope else ():
        if item_id not in ledger.items:  # not where its id says (or not there at all)
            add_item(ledger, item_id)


def add_item(ledger: Ledger, item_id: str) -> None:
    """One more item, read from its file; a file with errors is marked broken instead.  No such item: nothing."""
    rel = item_rel(item_id) if ID_RE.match(item_id) else None
    if rel is None or rel in ledger.broken or not (ledger.root / rel).is_file():
        return
    item, problems = load_item_file(ledger.root, rel)
    if item is None or any(p.severity == "error" for p in problems):
        ledger.broken.add(rel)
    else:
        ledger.items[item.id] = item


def _duplicates(root: Path, names: dict[str, list[str]], notes: dict) -> dict[str, Problem]:
    """Item files that repeat an id an earlier file (in path order) already has.

    A valid item file is named after its id, so a repeat needs an item file outside its year's
    folder, or a .yml beside a .yaml: only then are all names compared.
    """
    odd = any(  # names are sorted: all have the prefix when the first and the last have it
        not rel.startswith("items/")
        or rel.count("/") != 1
        or not (ns[0].startswith(rel[6:] + "-") and ns[-1].startswith(rel[6:] + "-"))
        or ".yml\0" in "\0".join(ns) + "\0"  # scan() finds only .yaml and .yml files
        for rel, ns in names.items()
        if ns
    )
    if not odd:
        return {}
    seen: dict[str, str] = {}
    out = {}
    for rel in sorted(f"{d}/{n}" for d, ns in names.items() for n in ns):
        e = notes.get(rel)
        if e is not None and (e.broken or e.refs):
            continue
        item_id = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if item_id in seen:
            item, _ = load_item_file(root, rel)
            line = item.lines.get(("id",), 1) if item else 1
            out[rel] = Problem(rel, line, f"编号 {item_id} 重复（{seen[item_id]} 也用了这个编号）")
        else:
            seen[item_id] = rel
    return out


def _parse_event(root: Path, rel: str):
    from duban.store.cache import Entry

    problems: list[Problem] = []
    data, src = _read(root, rel, problems)
    return (data, src.lines, tuple(problems)), Entry()


def _load_events(ledger: Ledger, cache) -> None:
    from duban.core.unitevents import validate

    root = ledger.root
    events = []
    for folder in cache.folders("events", None, lambda rel: _parse_event(root, rel), lambda record: ()):
        for name, (data, lines, problems) in sorted(folder.records().items()):
            rel = f"{folder.rel}/{name}"
            src = Source(rel, lines)
            ledger.problems += problems
            ev = validate(src, data, rel, ledger) if data is not None else None
            ledger.problems += src.problems
            if ev and not src.problems:
                events.append(ev)
    ledger.events = sorted(events, key=lambda e: (e.date, e.id))


def pack_folder(root: Path, config: Config, problems: list[Problem]) -> Path:
    """duban.yaml ``rules:`` — a folder in the ledger, or the name of a pack shipped with duban."""
    try:
        folder = inside(root, config.rules)
    except DubanError as e:
        problems.append(Problem(CONFIG, 1, str(e)))
        return root / "rules"
    if not folder.is_dir():
        from duban.store.data import shipped_packs

        shipped = shipped_packs()
        if config.rules in shipped:
            return shipped[config.rules]
        problems.append(
            Problem(
                CONFIG,
                1,
                f"rules: 找不到规则包 “{config.rules}”（台账中的目录，或随 duban 提供的: {'、'.join(shipped)}）",
            )
        )
    return folder


def check_refs(ledger: Ledger, item: Item) -> list[Problem]:
    """References from an item to units, categories and tiers."""
    out = _refs(ledger, item, item.lines)
    if out and not item.lines:  # loaded without its line map: read it to say where
        out = _refs(ledger, item, item_lines(ledger.root, item))
    return out


def _refs(ledger: Ledger, item: Item, lines: dict) -> list[Problem]:
    out: list[Problem] = []
    src = Source(item.path, lines, out)
    pack, units = ledger.pack, ledger.units
    if item.category not in pack.categories:  # none at all when the pack's categories.yaml is broken
        known = ", ".join(pack.categories) or "规则包没有可用的类别，先修正规则包"
        src.error(("category",), f"未知的类别 “{item.category}”（可用: {known}）")
    if item.tier not in TIERS:
        src.error(("tier",), f"未知的等级 “{item.tier}”（可用: {', '.join(TIERS)}）")
    if units:
        if item.lead not in units:
            src.error(("lead",), f"未知的单位 “{item.lead}”（见 units.yaml）")
        for i, u in enumerate(item.co):
            if u not in units:
                src.error(("co", i), f"未知的单位 “{u}”（见 units.yaml）")
        for i, ev in enumerate(item.log):
            for key in ("unit", "lead"):
                if key in ev and ev[key] not in units:
                    src.error(("log", i, key), f"log[{i}].{key}: 未知的单位 “{ev[key]}”")
    return out
