"""Score tables written for the 考核办: CSV (UTF-8 with BOM, so Excel reads the Chinese) and xlsx.

openpyxl is imported here only, when a workbook is asked for."""

from __future__ import annotations

from decimal import Decimal

from duban.core.scoring import (
    EXPLAIN_HEADER,
    SCORE_HEADER,
    Period,
    UnitScore,
    explain_rows,
    number,
    plain,
    score_rows,
)
from duban.outputs.sheets import Column, csv_bytes, workbook_bytes, write_table


def scores_csv(scores: list[UnitScore]) -> bytes:
    """The score table as CSV (UTF-8 with BOM and CRLF, as Excel opens it)."""
    return csv_bytes(SCORE_HEADER, ([plain(v) for v in row] for row in score_rows(scores)))


SCORE_COLUMNS = (
    Column("排名", 6, "center"),
    Column("单位代号", 12, "center"),
    Column("单位", 26),
    Column("基础分", 8, "right", "得分构成"),
    Column("加分", 8, "right", "得分构成"),
    Column("减分", 8, "right", "得分构成"),
    Column("得分", 8, "right"),
    Column("标记", 30),
)
EXPLAIN_COLUMNS = (
    Column("单位代号", 12, "center"),
    Column("单位", 22),
    *(
        Column(h, w, a)
        for h, w, a in zip(
            EXPLAIN_HEADER,
            (11, 11, 28, 24, 36, 7, 6, 26),
            ("center", "center", "left", "left", "left", "right", "center", "left"),
            strict=True,
        )
    ),
)


def scores_xlsx(scores: list[UnitScore], period: Period, subtitle: str = "") -> bytes:
    """A workbook in government style: the score table, and every delta with its clause."""
    from openpyxl import Workbook

    assert [c.head for c in SCORE_COLUMNS] == SCORE_HEADER
    wb = Workbook()
    sheet = wb.active
    sheet.title = "得分"
    write_table(
        sheet,
        f"{period.label}督查工作考核得分",
        subtitle,
        SCORE_COLUMNS,
        [list(map(_cell, r)) for r in score_rows(scores)],
    )
    detail = wb.create_sheet("加减分明细")
    rows = []
    for s in scores:
        rows += [[s.unit, s.name, *map(_cell, row)] for row in explain_rows(s)]
        rows += [[s.unit, s.name, "", "", "", "", "", "", "", cut] for cut in s.cuts]
    write_table(detail, f"{period.label}督查工作考核加减分明细", subtitle, EXPLAIN_COLUMNS, rows)
    return workbook_bytes(wb)


def _cell(v):
    """Numbers as numbers, so the 考核办 can sum them in Excel."""
    return number(v) if isinstance(v, Decimal) else v
