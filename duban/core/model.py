"""The ledger's records: office settings, units, items and their log events.

Field tables are data; :func:`validate_item` turns a loaded YAML mapping into
an :class:`Item` plus problems naming file, line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from duban.core.entries import AMENDABLE, COMMON_FIELDS, ENTRY_FIELDS
from duban.core.schema import Source, check_fields, check_mapping, field_name, line_of
from duban.core.vocabulary import DEFAULTS

TIERS = ("red", "yellow", "blue")
LEVELS = DEFAULTS["level"]  # national / province / prefecture / county, with their default words
ROLES = DEFAULTS["role"]  # lead / co
ID_RE = re.compile(r"^(\d{4})-(\d{4,})$")
UNIT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
UNIT_FIELDS = ("kind", "contact", "phone", "fax", "email")  # besides id, name and retired


@dataclass
class Unit:
    id: str
    name: str
    kind: str = ""
    contact: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    retired: date | None = None  # from this day on it is given no new items; its history stays


@dataclass
class Config:
    office: str = ""
    short: str = "督查室"
    ref_prefix: str = "督"
    rules: str = "rules"
    timezone: str = "Asia/Shanghai"
    author_name: str = "duban"
    author_email: str = "duban@localhost"
    contact: dict = field(default_factory=dict)
    sync_remote: str = ""  # sync: {remote: origin} — the git remote the office's copies share (duban sync)
    sync_branch: str = ""  # its branch (default: the current one)


@dataclass
class Item:
    id: str
    title: str
    category: str
    tier: str
    lead: str
    issued: date
    deadline: date | None
    co: list[str] = field(default_factory=list)
    basis: str = ""
    ref: str = ""
    requirement: str = ""
    leader: str = ""  # 责任领导
    forward: bool = False
    cadence: str = ""  # the clerk's choice among the category's ``cadences`` (西城: weekly | monthly)
    minutes: date | None = None  # the day the 会议纪要 was issued (灞桥: the notice goes out within a week)
    log: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)  # fields two copies changed differently (duban sync)
    path: str = ""  # relative to the ledger root
    lines: dict = field(default_factory=dict)

    @property
    def year(self) -> int:
        return int(self.id[:4])

    def units(self) -> list[str]:
        return [self.lead, *self.co]

    def log_line(self, index: int) -> int:
        return line_of(self.lines, "log", index)


# -------------------------------------------------------------- field tables

ITEM_FIELDS = {
    "id": str,
    "title": str,
    "category": str,
    "tier": str,
    "lead": str,
    "co": list,
    "issued": date,
    "deadline": date,
    "basis": str,
    "ref": str,
    "requirement": str,
    "leader": str,
    "forward": bool,
    "cadence": str,
    "minutes": date,
    "log": list,
    "note": str,
    "conflicts": list,  # what two copies changed differently, left for duban resolve (duban.core.merge)
}
ITEM_REQUIRED = ("id", "title", "category", "tier", "lead", "issued")


def _as_text(v):
    return v if isinstance(v, str) else ("" if v is None else str(v))


def validate_item(src: Source, data, rel: str) -> Item | None:
    """Check one item file's structure; cross references are checked by the ledger."""
    if not check_mapping(src, data, (), set(ITEM_FIELDS), ITEM_REQUIRED):
        return None
    if not check_fields(src, data, (), ITEM_FIELDS) or any(data.get(k) is None for k in ITEM_REQUIRED):
        return None
    item_id = str(data["id"])
    if not ID_RE.match(item_id):
        src.error(("id",), f"编号 “{item_id}” 格式不对，应为 年份-序号，如 2026-0007")
        return None
    stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem != item_id:
        src.error(("id",), f"编号 {item_id} 与文件名 {rel} 不符（应存放为 items/{item_id[:4]}/{item_id}.yaml）")
    for i, u in enumerate(data.get("co") or []):
        if not isinstance(u, str):
            src.error(("co", i), f"co[{i}] 应为单位代号")
    log = data.get("log") or []
    for i, ev in enumerate(log):
        _validate_event(src, ev, ("log", i))
    issued = data["issued"]
    named = {(ev.get("kind"), ev.get("lapse"), ev.get("rule")) for ev in log if isinstance(ev, dict)}
    for i, ev in enumerate(log):
        d = ev.get("date") if isinstance(ev, dict) else None
        if isinstance(d, date) and isinstance(issued, date) and d < issued:
            src.error(("log", i, "date"), f"log[{i}] 的日期 {d} 早于立项日期 {issued}")
        if (
            isinstance(ev, dict)
            and ev.get("kind") == "void"
            and (ev.get("of"), ev.get("lapse"), ev.get("rule")) not in named
        ):
            src.error(("log", i, "of"), f"log[{i}] 作废的 {ev.get('of')}（{ev.get('lapse')}）不在该事项的记录中")
    if isinstance(data.get("deadline"), date) and data["deadline"] < issued:
        src.error(("deadline",), f"期限 {data['deadline']} 早于立项日期 {issued}")
    return Item(
        id=item_id,
        title=_as_text(data["title"]),
        category=str(data["category"]),
        tier=str(data["tier"]),
        lead=str(data["lead"]),
        issued=issued,
        deadline=data.get("deadline"),
        co=[str(u) for u in data.get("co") or []],
        basis=_as_text(data.get("basis")),
        ref=_as_text(data.get("ref")),
        requirement=_as_text(data.get("requirement")),
        leader=_as_text(data.get("leader")),
        forward=bool(data.get("forward", False)),
        cadence=_as_text(data.get("cadence")),
        minutes=data.get("minutes"),
        log=[e for e in log if isinstance(e, dict)],
        conflicts=conflicts_of(src, data),
        path=rel,
        lines=src.lines,
    )


def conflicts_of(src: Source, data: dict) -> list[dict]:
    """A file's ``conflicts:`` — each {field, values: [ours, theirs], by} as a merge of two copies wrote it."""
    out = []
    for i, c in enumerate(data.get("conflicts") or []):
        if isinstance(c, dict) and isinstance(c.get("field"), str) and isinstance(c.get("values"), list):
            out.append(dict(c))
        else:
            src.error(("conflicts", i), f"conflicts[{i}] 应为 {{field: 字段, values: [一方的值, 另一方的值]}}")
    return out


# kind → the fields an entry of that kind may have (with their types, and as a set), and those it must have
_ALLOWED = {
    kind: ({**COMMON_FIELDS, **fields}, {*COMMON_FIELDS, *fields}, ("date", "kind", *required))
    for kind, (fields, required) in ENTRY_FIELDS.items()
}


def _validate_event(src: Source, ev, kp: tuple) -> None:
    if not isinstance(ev, dict):
        src.error(kp, f"{field_name(kp)} 应为事件映射，如 {{date: 2026-03-06, kind: report, …}}")
        return
    kind = ev.get("kind")
    if kind not in ENTRY_FIELDS:
        src.error(kp + ("kind",), f"未知的事件类型 “{kind}”（可用: {', '.join(ENTRY_FIELDS)}）")
        return
    allowed, names, required = _ALLOWED[kind]
    check_mapping(src, ev, kp, names, required)
    check_fields(src, ev, kp, allowed)
    if isinstance(ev.get("recorded"), date) and isinstance(ev.get("date"), date) and ev["recorded"] < ev["date"]:
        src.error(kp + ("recorded",), f"recorded {ev['recorded']} 早于事件日期 {ev['date']}（不能在发生之前记录）")
    if kind == "amendment" and isinstance(ev.get("changes"), dict):
        for k, c in ev["changes"].items():
            if k not in AMENDABLE or not isinstance(c, dict) or set(c) - {"old", "new"}:
                src.error(
                    kp + ("changes", k),
                    f"changes.{k}: 应为可更正的字段（{'、'.join(AMENDABLE)}）及其 {{old: …, new: …}}",
                )
    if kind == "report" and isinstance(ev.get("percent"), int) and not 0 <= ev["percent"] <= 100:
        src.error(kp + ("percent",), "percent 应在 0 到 100 之间")
    if kind == "review" and ev.get("result") not in ("accepted", "returned"):
        src.error(kp + ("result",), "review 的 result 只能是 accepted 或 returned")
    if kind == "referral_decision" and ev.get("decision") not in ("approved", "rejected"):
        src.error(kp + ("decision",), "decision 只能是 approved 或 rejected")


def validate_units(src: Source, data) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    if not check_mapping(src, data, (), {"units", "note"}, ("units",)):
        return units
    if not isinstance(data["units"], list):
        src.error(("units",), "units 应为列表")
        return units
    allowed = {"id", "name", *UNIT_FIELDS, "retired", "note"}
    for i, u in enumerate(data["units"]):
        kp = ("units", i)
        if not check_mapping(src, u, kp, allowed, ("id", "name")):
            continue
        uid = str(u["id"])
        if not UNIT_ID_RE.match(uid):
            src.error(kp + ("id",), f"单位代号 “{uid}” 只能用小写字母、数字、- 和 _")
            continue
        if uid in units:
            src.error(kp + ("id",), f"单位代号 “{uid}” 重复")
            continue
        if u.get("retired") is not None and not isinstance(u["retired"], date):
            src.error(kp + ("retired",), f"retired 应为日期 YYYY-MM-DD，而不是 “{u['retired']}”")
            continue
        units[uid] = Unit(uid, **{k: _as_text(u.get(k)) for k in ("name", *UNIT_FIELDS)}, retired=u.get("retired"))
    return units


def validate_config(src: Source, data) -> Config:
    cfg = Config()
    allowed = {"office", "short", "ref_prefix", "rules", "timezone", "author", "contact", "note", "sync"}
    if not check_mapping(src, data, (), allowed, ("office", "ref_prefix")):
        return cfg
    for key in ("office", "short", "ref_prefix", "rules", "timezone"):
        if data.get(key) is not None:
            setattr(cfg, key, _as_text(data[key]))
    author = data.get("author") or {}
    if check_mapping(src, author, ("author",), {"name", "email"}):
        cfg.author_name = _as_text(author.get("name")) or cfg.short
        cfg.author_email = _as_text(author.get("email")) or cfg.author_email
    contact = data.get("contact") or {}
    if check_mapping(src, contact, ("contact",), {"person", "phone", "fax", "email"}):
        cfg.contact = {k: _as_text(v) for k, v in contact.items()}
    sync = data.get("sync") or {}
    if check_mapping(src, sync, ("sync",), {"remote", "branch"}, ("remote",) if sync else ()):
        cfg.sync_remote = _as_text(sync.get("remote")).strip()
        cfg.sync_branch = _as_text(sync.get("branch")).strip()
    return cfg
