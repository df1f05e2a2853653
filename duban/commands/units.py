"""The units (units.yaml) as library functions: list, add, edit, retire.

Each change takes the ledger lock, edits ``units.yaml`` by a ruamel round trip (the clerk's comments
and layout stay), checks the result as ``duban check`` would, and commits once.  A unit is never
deleted: a retired one keeps its history and scores and is given no new items from its retirement day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from duban.commands.base import change, refuse_if_broken
from duban.commands.clock import not_future
from duban.core.errors import DubanError
from duban.core.model import UNIT_FIELDS, UNIT_ID_RE, validate_units
from duban.core.schema import Source
from duban.core.state import IN_HAND, replay
from duban.store.ledger import Scope, load
from duban.store.yamlio import flow_map, loads, rt_dumps, rt_loads

UNITS = "units.yaml"


def list_units(root: Path) -> list[dict]:
    ledger = load(root, only_config=True)
    return [
        {"id": u.id, "name": u.name, **{k: getattr(u, k) for k in UNIT_FIELDS}, "retired": u.retired}
        for u in ledger.units.values()
    ]


def _edit(root: Path, message: str, action: str, edit) -> None:
    """Load units.yaml for a round trip under the lock, let ``edit(ledger, units list)`` change it, check, commit."""
    with change(root, message, action) as ch:
        ledger = load(root, only_config=True)
        refuse_if_broken(ledger)
        data = rt_loads((root / UNITS).read_text(encoding="utf-8"))
        edit(ledger, data["units"], ch)
        text = rt_dumps(data)
        src = Source(UNITS, {})
        validate_units(src, loads(text)[0])
        if src.problems:
            raise DubanError("；".join(p.message for p in src.problems))
        ch.write(UNITS, text)


def _entry(units, uid: str):
    for u in units:
        if str(u.get("id")) == uid:
            return u
    raise DubanError(f"没有代号为 “{uid}” 的单位（duban unit list 列出全部单位）")


def _fields(fields: dict) -> dict:
    unknown = set(fields) - {"name", *UNIT_FIELDS}
    if unknown:
        raise DubanError(f"单位没有字段 {'、'.join(sorted(unknown))}（可用: name、{'、'.join(UNIT_FIELDS)}）")
    return {k: v.strip() for k, v in fields.items() if v is not None}


def add_unit(root: Path, uid: str, fields: dict) -> None:
    given = _fields(fields)
    if not UNIT_ID_RE.match(uid):
        raise DubanError(f"单位代号 “{uid}” 只能用小写字母、数字、- 和 _，且以字母或数字开头")
    if not given.get("name"):
        raise DubanError("请给出单位名称（--name）")

    def edit(ledger, units, _ch):
        if uid in ledger.units:
            raise DubanError(f"单位代号 “{uid}” 已有: {ledger.unit_name(uid)}")
        units.append(flow_map({"id": uid, **{k: v for k, v in given.items() if v}}))

    _edit(root, f"督办 单位 {uid} 新增: {given['name']}", "unit-add", edit)


def edit_unit(root: Path, uid: str, fields: dict) -> dict[str, tuple[str, str]]:
    """Change a unit's name or contact fields; returns field → (old, new)."""
    given = _fields(fields)
    changed: dict[str, tuple[str, str]] = {}
    if "name" in given and not given["name"]:
        raise DubanError("单位名称不能为空")

    def edit(ledger, units, _ch):
        entry = _entry(units, uid)
        for k, v in given.items():
            old = str(entry.get(k) or "")
            if v != old:
                changed[k] = (old, v)
                if v:
                    entry[k] = v
                else:
                    del entry[k]
        if not changed:
            raise DubanError(f"单位 {uid} 的信息与给出的相同，没有要修改的")

    _edit(root, f"督办 单位 {uid} 修改", "unit-edit", edit)
    return changed


def retire_unit(root: Path, uid: str, *, day: date, today: date, force: bool = False, reason: str = "") -> None:
    """From ``day`` on the unit is given no new items; refused while it leads items in hand, unless forced."""
    not_future(day, today)
    if force and not reason.strip():
        raise DubanError("--force 须写明理由（--reason）")

    def edit(ledger, units, ch):
        entry = _entry(units, uid)
        if entry.get("retired"):
            raise DubanError(f"单位 {uid} 已于 {entry['retired']} 撤销")
        items = load(root, scope=Scope(live_on=today)).items.values()
        leading = sorted(i.id for i in items if (st := replay(i, today)).status in IN_HAND and st.lead == uid)
        if leading and not force:
            raise DubanError(
                f"{ledger.unit_name(uid)}（{uid}）仍主办 {len(leading)} 个未办结事项: {'、'.join(leading[:10])}；"
                f"请先改派（duban reassign），或用 --force 并写明理由"
            )
        entry["retired"] = day
        if reason.strip():  # kept with the unit, after any note the clerk wrote
            entry["note"] = "；".join(n for n in (str(entry.get("note") or ""), f"{day} 撤销: {reason.strip()}") if n)
        ch.message = f"督办 单位 {uid} 自 {day} 撤销" + (f": {reason.strip()}" if reason.strip() else "")

    _edit(root, "", "unit-retire", edit)
