"""The units of the ledger (units.yaml): ``duban unit list | add | edit | retire``."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from duban.cli.common import JsonOpt, LedgerOpt, TodayOpt, app, console, date_opt, out_json, where
from duban.core.errors import DubanError


class UnitAction(str, Enum):
    list = "list"
    add = "add"
    edit = "edit"
    retire = "retire"


@app.command()
def unit(
    action: Annotated[UnitAction, typer.Argument(help="list 列出、add 新增、edit 修改、retire 撤销（不再交办新事项）")],
    uid: Annotated[str | None, typer.Argument(help="单位代号（小写字母、数字、- 和 _），list 时不需要")] = None,
    name: Annotated[str | None, typer.Option("--name", help="单位名称")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="单位类别（街道办事处、部门、直属机构……）")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="联系人")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="电话")] = None,
    fax: Annotated[str | None, typer.Option("--fax", help="传真")] = None,
    email: Annotated[str | None, typer.Option("--email", help="邮箱")] = None,
    on: Annotated[str | None, typer.Option("--date", help="撤销日期（retire），默认今天")] = None,
    force: Annotated[bool, typer.Option("--force", help="仍主办未办结事项时也撤销（须写明 --reason）")] = False,
    reason: Annotated[str, typer.Option("--reason", help="撤销理由")] = "",
    json_: JsonOpt = False,
    ledger: LedgerOpt = None,
    today: TodayOpt = None,
):
    """管理承办单位（units.yaml）：列出、新增、修改联系方式、撤销。每次修改一次提交；撤销的单位保留历史和考核，不能再交办新事项。"""
    from duban.commands import units

    root, day = where(ledger, today)
    if action is UnitAction.list:
        rows = units.list_units(root)
        if json_:
            out_json(rows)
            return
        con = console()
        for r in rows:
            retired = f"  （{r['retired']} 撤销）" if r["retired"] else ""
            con.print(f"{r['id']}\t{r['name']}\t{r['kind']}\t{r['contact']} {r['phone']}{retired}", markup=False)
        return
    if not uid:
        raise DubanError(f"请给出单位代号：duban unit {action.value} 代号")
    fields = {"name": name, "kind": kind, "contact": contact, "phone": phone, "fax": fax, "email": email}
    if action is UnitAction.add:
        units.add_unit(root, uid, fields)
        print(f"已新增单位 {uid}")
    elif action is UnitAction.edit:
        for k, (old, new) in units.edit_unit(root, uid, fields).items():
            print(f"{uid} {k}: {old or '（空）'} → {new or '（空）'}")
    else:
        if any(v is not None for v in fields.values()):
            raise DubanError("撤销单位只需 --date（及 --force --reason）；修改信息请用 duban unit edit")
        units.retire_unit(root, uid, day=date_opt(on, "--date") or day, today=day, force=force, reason=reason)
        print(f"单位 {uid} 已撤销，不再交办新事项")
