"""What ``duban list`` and ``duban show`` print, built from item views without any terminal library: the
list's cells and caption, and an item's lines as pieces of text with their styles.  The CLI prints the
pieces with rich on a terminal and as plain text elsewhere (pipes, files, the fast path of
:mod:`duban.cli.fast`), so both print the same characters."""

from __future__ import annotations

from duban.outputs.table import plain_lines

LIST_HEAD = ("编号", "等级", "期限", "剩余/逾期", "状态", "督办", "主办单位", "标题")
TIER_STYLE = {"red": "bold red", "yellow": "bold yellow", "blue": "bold blue"}
LIGHT_STYLE = {"red": "bold red", "yellow": "yellow"}

Piece = tuple[str, str]  # (text, rich style; "" for none)


def left(v: dict) -> str:
    if v["overdue"]:
        return f"逾期 {v['days_overdue']} 天"
    if v["days_left"] is not None:
        return f"剩 {v['days_left']} 天"
    return ""


def list_cells(v: dict) -> tuple[str, ...]:
    esc = v["escalation"]
    return (
        v["id"],
        v["tier_short"],
        v["deadline"] or "",
        left(v),
        v["status_label"] + ("（已延期）" if v["extended"] else ""),
        esc["label"] if esc else "",
        v["lead_name"],
        v["title"],
    )


def list_caption(count: int, all_: bool, status: tuple[str, ...]) -> str:
    shown = "全部事项" if all_ or status else "在办事项"
    return f"督查台账：{shown} {count} 项" + ("" if all_ else "（--all 列出全部）")


def plain_list(caption: str, rows: list[dict]) -> str:
    """The 台账 for a pipe or a file: the caption, then one plain line per item, the title last and whole."""
    return "\n".join([caption, *plain_lines(LIST_HEAD, [list_cells(v) for v in rows])]) + "\n"


def _workdays(v: dict, key: str) -> str:
    """``N 个工作日``, or why it cannot be counted yet (the year's holidays not yet published)."""
    if v[key] is None and v.get("calendar_missing"):
        return f"{v['calendar_missing']} 年节假日尚未公布，工作日暂不能计算"
    return f"{v[key]} 个工作日"


def item_fields(v: dict) -> list[tuple[str, list[Piece]]]:
    """``duban show``'s fields under the title line: (label, pieces); a field without text is left out."""
    state = [(v["status_label"], "")]
    if v["overdue"]:
        state.append((f"，逾期 {v['days_overdue']} 天（{_workdays(v, 'working_days_overdue')}）", "bold red"))
    elif v["due_soon"]:
        state.append((f"，临期：剩 {v['days_left']} 天", "yellow"))
    elif v["days_left"] is not None:
        state.append((f"，剩 {v['days_left']} 天（{_workdays(v, 'working_days_left')}）", ""))
    tier = [(v["tier_short"], TIER_STYLE.get(v["tier"], "")), (f" {v['tier_label']}", "")]
    fields: list[tuple[str, object]] = [
        ("类别", v["category_label"]),
        ("等级", tier),
        ("立项依据", v["basis"]),
        ("责任领导", v.get("leader", "")),
        ("通知单文号", v["ref"]),
        ("主办单位", v["lead_name"]),
        ("协办单位", "、".join(v["co_names"])),
        ("立项日期", v["issued"]),
        ("办理期限", (v["deadline"] or "") + (f"（原定 {v['original_deadline']}，已延期）" if v["extended"] else "")),
        ("状态", state),
        ("督办情况", v["escalation"]["label"] if v["escalation"] else ""),
        ("定期报送", v.get("cadence") or "无"),
    ]
    if v.get("missing_reports"):
        fields.append(("缺报", "、".join(v["missing_reports"])))
    if v.get("next_lookback"):
        fields.append(("下次回头望", v["next_lookback"]))
    for o in v.get("owed") or []:
        fields.append(("待履行", f"{o['id']} {o['action']}（{o['due']} 前{'，已逾期' if o['late'] else ''}）"))
    if v.get("calendar_problem"):
        fields.append(("日历", v["calendar_problem"]))
    fields.append(("办理要求", v["requirement"].strip()))
    out: list[tuple[str, list[Piece]]] = []
    for k, val in fields:
        if val:
            out.append((k, val if isinstance(val, list) else [(str(val), "")]))
    return out


def history_pieces(ev: dict) -> list[Piece]:
    """One line of the item's records, in the order recorded; a voided slip struck through."""
    void = bool(ev.get("void"))
    return [(f"    {ev['date']} ", ""), (ev["text"], "strike" if void else ""), ("（已作废）" if void else "", "")]


def title_line(v: dict) -> str:
    return f"{v['id']}  {v['title']}"


def plain_item(v: dict) -> str:
    """``duban show`` for a pipe or a file (what rich prints there: the same text without styles)."""
    lines = [title_line(v)]
    lines += [f"  {k}：" + "".join(t for t, _ in pieces) for k, pieces in item_fields(v)]
    lines.append("  办理记录：")
    lines += ["".join(t for t, _ in history_pieces(ev)) for ev in v["history"]]
    return "\n".join(lines) + "\n"


def json_text(data) -> str:
    """What ``--json`` prints."""
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
