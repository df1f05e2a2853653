"""``duban sync`` and ``duban resolve``: the office's copies of one ledger kept as one (:mod:`duban.store.sync`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from duban.commands.base import change
from duban.core.entries import AMENDABLE, encode
from duban.core.errors import DubanError
from duban.core.state import replay
from duban.store.counters import Counters
from duban.store.git import git
from duban.store.ledger import CONFIG, Scope, load, load_config
from duban.store.yamlio import flow_list, flow_map, rt_dumps, rt_loads

OFFLINE_KINDS = ("item", "notice", "event")  # always reserved; with every other series the ledger has used


@dataclass
class Synced:
    remote: str
    pulled: int = 0
    pushed: int = 0
    conflicts: list[tuple[str, dict]] = field(default_factory=list)
    reserved: dict[str, int] = field(default_factory=dict)
    set_up: bool = False


def sync_ledger(root: Path, today: date, url: str | None = None, reserve: int = 0) -> Synced:
    """Fetch, merge and push the ledger's remote (set it up first with ``url``); reserve numbers for offline work."""
    from duban.store.sync import attributes_text, exchange, remote_of

    cfg = load_config(root)
    name = cfg.sync_remote or "origin"
    if url is None and not cfg.sync_remote:
        raise DubanError(
            "本台账还没有设置同步的远端；第一次请运行 duban sync --remote 远端地址（如办公室 git 服务器上的仓库）"
        )
    with change(root, "督办 同步设置", "sync-setup") as ch:
        if url is not None:
            known = git(root, "remote", "get-url", name, check=False).strip()
            if not known:
                git(root, "remote", "add", name, url)
            elif known != url and not Path(url).expanduser().resolve() == Path(known).expanduser().resolve():
                raise DubanError(f"本副本的远端 {name} 已指向 {known}，与 {url} 不同；请先用 git remote 处理")
        files: dict[str, str] = {}
        attributes = attributes_text(_text(root / ".gitattributes"))
        if attributes is not None:
            files[".gitattributes"] = attributes
        if cfg.sync_remote != name or not cfg.sync_branch:
            # the branch is written down: a clone whose own branch is named otherwise still shares this one
            branch = cfg.sync_branch or remote_of(root, name).branch
            doc = rt_loads(_text(root / CONFIG)) or {}
            doc["sync"] = flow_map({"remote": name, "branch": branch})
            files[CONFIG] = rt_dumps(doc)
        if files:
            ch.commit_files(files, "督办 同步设置: 与远端 " + name + " 同步；按内容合并台账文件", "sync-setup")
        remote = remote_of(root, name, load_config(root).sync_branch)
        done = exchange(ch, remote)
        result = Synced(name, done.pulled, done.pushed, done.conflicts, set_up=bool(files))
        if reserve > 0:
            counters = ch.counters
            kinds = list(dict.fromkeys([*OFFLINE_KINDS, *_series(counters)]))
            result.reserved = counters.numbers.reserve(counters, kinds, today.year, reserve)
            ch.message = f"督办 本副本预留离线编号: 每类 {reserve} 个（{today.year} 年）"
            ch.action = "claim"
    return result


def _series(counters: Counters) -> list[str]:
    from duban.core.merge import LEASES

    return [k for k in counters.data if k != LEASES and isinstance(k, str)]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def exchange_now(root: Path, remote, refusal: str = "") -> None:
    """Fetch, merge and push now (the sweep, before it plans); offline, ``refusal`` is added to the error."""
    from duban.store.sync import Offline, exchange

    try:
        with change(root, "", "sync") as ch:
            exchange(ch, remote)
    except Offline as e:
        raise DubanError(f"{e}{refusal}") from None


# ------------------------------------------------------------------ resolve


def conflicts_text(c: dict, target: str) -> str:
    """A conflict in words: the field, both values, and the command that settles it."""
    a, b = (c.get("values") or [None, None])[:2]
    return (
        f"{c.get('field')} 两处副本改成了不同的值：“{_show(a)}” / “{_show(b)}”；"
        f"选定后运行 duban resolve {target} {c.get('field')} 选定的值"
    )


def _show(v) -> str:
    if isinstance(v, list):
        return ",".join(map(str, v))
    return "" if v is None else str(v)


def resolve(root: Path, target: str, name: str, value: str, today: date, reason: str = "") -> str:
    """Settle the conflict on ``name`` of an item (or unit event) with ``value``; returns what was done, in words."""
    from duban.core.model import ID_RE
    from duban.core.unitevents import event_rel

    if not ID_RE.match(target):
        raise DubanError(f"编号 “{target}” 格式不对，应为 年份-序号，如 2026-0007")
    reason = reason.strip() or "两处副本同步时改成了不同的值，由督查室选定"
    with change(root, "", "resolve") as ch:
        ledger = load(root, scope=Scope(ids=(target,)))
        item = ledger.items.get(target)
        rel = item.path if item is not None else event_rel(target)
        if item is None and not (root / rel).is_file():
            raise DubanError(f"没有编号为 {target} 的事项或单位事件")
        doc = rt_loads((root / rel).read_text(encoding="utf-8"))
        found = [i for i, c in enumerate(doc.get("conflicts") or []) if c.get("field") == name]
        if not found:
            raise DubanError(f"{rel}: 没有关于 {name} 的同步冲突（duban check 列出全部冲突）")
        conflict = doc["conflicts"][found[0]]
        chosen = _value(name, value)
        if item is not None:
            _refuse_unknown(ledger, name, chosen, today)
        if conflict.get("by") == "log" and item is not None:
            entry = _settling_entry(item, name, chosen, today, reason)
            doc["log"].append(flow_map(encode(entry)))
            done = f"记入 {today} 的更正：{name} 为 {_show(chosen)}"
        else:
            doc[name] = flow_list(chosen) if isinstance(chosen, list) else chosen
            done = f"{name} 定为 {_show(chosen)}"
        for i in reversed(found):
            del doc["conflicts"][i]
        if not doc["conflicts"]:
            del doc["conflicts"]
        ch.write(rel, rt_dumps(doc))
        ch.message = f"督办 {target} 解决同步冲突: {done}"
    return done


def _refuse_unknown(ledger, name: str, chosen, today: date) -> None:
    """A value the item could not hold is refused before anything is written (an empty title, an unknown unit)."""
    from duban.commands.items import known

    if chosen in ("", None) and name != "co":
        raise DubanError(f"{name} 不能为空")
    units = [chosen] if name == "lead" else list(chosen) if name == "co" else []
    known(ledger, chosen if name == "category" else None, chosen if name == "tier" else None, units, today)


def _value(name: str, value: str):
    if name in ("deadline", "issued", "minutes"):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise DubanError(f"{name} 应为日期 YYYY-MM-DD，而不是 “{value}”") from None
    if name == "co":
        return [u.strip() for u in value.replace("，", ",").split(",") if u.strip()]
    return value.strip()


def _settling_entry(item, name: str, chosen, today: date, reason: str) -> dict:
    """The log entry that sets a field two copies' entries set differently."""
    st = replay(item, today)
    if name == "deadline":
        return {"date": today, "kind": "amendment", "changes": {}, "deadline": chosen, "reason": reason}
    if name == "lead":
        return {"date": today, "kind": "reassign", "lead": chosen, "co": list(st.co), "reason": reason}
    if name in AMENDABLE:
        old = st.co if name == "co" else getattr(item, name, None)
        return {"date": today, "kind": "amendment", "changes": {name: {"old": old, "new": chosen}}, "reason": reason}
    raise DubanError(f"{name} 不能由 duban resolve 选定")
