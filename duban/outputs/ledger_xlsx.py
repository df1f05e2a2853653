"""The 台账 as the office keeps it in Excel (``duban list --xlsx`` / ``--csv``): the standard columns of a
county 承办事项台账, one row per item, the light as a coloured cell.  ``duban import`` reads the same
headers back (:data:`HEADERS`)."""

from __future__ import annotations

from datetime import date

from duban.outputs.board import LIGHTS
from duban.outputs.sheets import Column, csv_bytes, fill, workbook_bytes, write_table
from duban.outputs.views import latest_report, slips_text

COLUMNS = (
    Column("序号", 5, "center"),
    Column("编号", 10, "center"),
    Column("文件标题及文号", 24),
    Column("任务来源", 14),
    Column("类别", 10, "center"),
    Column("等级", 5, "center"),
    Column("工作任务", 26),
    Column("责任领导", 8, "center", "责任分工"),
    Column("牵头单位", 12, "center", "责任分工"),
    Column("配合单位", 12, "center", "责任分工"),
    Column("交办时间", 10.5, "center", "时间节点"),
    Column("完成时限", 10.5, "center", "时间节点"),
    Column("进展情况", 24, group="办理情况"),
    Column("办理结果", 10, "center", "办理情况"),
    Column("督办情况", 16, group="办理情况"),
    Column("警示灯", 6, "center"),
    Column("备注", 12),
)
HEADERS = tuple(c.head for c in COLUMNS)


def ledger_row(ledger, view: dict, n: int) -> list:
    """One item as the sheet's cells (dates as dates)."""
    item = ledger.items[view["id"]]
    words = ledger.pack.words
    rep = latest_report(item)
    progress = ""
    if rep:
        progress = f"{rep['date']:%m-%d} " + (f"完成 {rep['percent']}%，" if rep.get("percent") is not None else "")
        progress += str(rep.get("text") or ("办结报告" if rep.get("final") else "")).strip()
    result = view["status_label"]
    if view["status"] in ("done", "closed"):
        done = [ev["date"] for ev in item.log if ev.get("kind") == "review" and ev.get("result") == "accepted"]
        result += f"（{done[-1]:%Y-%m-%d}）" if done else ""
    notes = []
    if view["overdue"]:
        notes.append(f"逾期 {view['days_overdue']} 天")
    elif view["due_soon"] and view["days_left"] is not None:
        notes.append(f"剩 {view['days_left']} 天")
    if view["extended"]:
        notes.append(f"已延期（原定 {view['original_deadline']}）")
    if view["forward"]:
        notes.append("转阅件")
    return [
        n,
        item.id,
        item.title + (f"\n{item.ref}" if item.ref else ""),
        item.basis,
        view["category_label"],
        words.tier_short(item.tier),
        (item.requirement or "").strip(),
        view.get("leader", ""),
        view["lead_name"],
        "、".join(view["co_names"]),
        item.issued,
        date.fromisoformat(view["deadline"]) if view["deadline"] else None,
        progress,
        result,
        slips_text(item, words),
        LIGHTS[view["light"]][0] if view["light"] in LIGHTS else "",
        "；".join(notes),
    ]


def title_of(ledger, today: date) -> str:
    office = ledger.config.office.removesuffix("办公室") or ledger.config.short
    return f"{office}督查事项台账（截至{today.year}年{today.month}月{today.day}日）"


def ledger_xlsx(ledger, views: list[dict], today: date) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "督查事项台账"
    rows = [ledger_row(ledger, v, n) for n, v in enumerate(views, start=1)]
    subtitle = f"制表：{ledger.config.short}    共 {len(rows)} 项"
    first = write_table(ws, title_of(ledger, today), subtitle, COLUMNS, rows)
    light = HEADERS.index("警示灯") + 1
    for r, v in enumerate(views, start=first):
        fill(ws.cell(r, light), v["light"])
    return workbook_bytes(wb)


def ledger_csv(ledger, views: list[dict]) -> bytes:
    """The same columns as CSV (UTF-8 with BOM, CRLF: Excel opens it as it is)."""
    return csv_bytes(
        HEADERS,
        (
            ["" if c is None else c.isoformat() if isinstance(c, date) else c for c in ledger_row(ledger, v, n)]
            for n, v in enumerate(views, start=1)
        ),
    )
