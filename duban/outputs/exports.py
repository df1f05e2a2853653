"""Score tables written for the 考核办: CSV (UTF-8 with BOM, so Excel reads the Chinese) and xlsx.

openpyxl is imported here only, when a workbook is asked for."""

from __future__ import annotations

import csv
import io
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


def scores_csv(scores: list[UnitScore]) -> bytes:
    """The score table as CSV (UTF-8 with BOM and CRLF, as Excel opens it)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(SCORE_HEADER)
    writer.writerows([plain(v) for v in row] for row in score_rows(scores))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def scores_xlsx(scores: list[UnitScore], period: Period) -> bytes:
    """A workbook: the score table, and every delta with its clause."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheet = wb.active
    sheet.title = "得分"
    sheet.append([f"{period.label}督查工作考核得分"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(SCORE_HEADER)
    for row in score_rows(scores):
        sheet.append([_cell(v) for v in row])
    detail = wb.create_sheet("加减分明细")
    detail.append(["单位代号", "单位", *EXPLAIN_HEADER])
    for s in scores:
        for row in explain_rows(s):
            detail.append([s.unit, s.name, *map(_cell, row)])
        for cut in s.cuts:
            detail.append([s.unit, s.name, "", "", "", "", "", "", "", cut])
    for ws, widths in ((sheet, (6, 12, 28, 8, 8, 8, 8, 30)), (detail, (12, 24, 12, 11, 30, 28, 36, 8, 6, 30))):
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v):
    """Numbers as numbers, so the 考核办 can sum them in Excel."""
    return number(v) if isinstance(v, Decimal) else v
