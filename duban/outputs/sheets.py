"""Government-style worksheets (台账, 得分表): a merged title, a one- or two-level merged header, 仿宋 body,
thin borders, wrapped text, the header frozen and repeated on every printed page, A4 landscape fitted to
the page width, page numbers in the footer.

Only called by the functions that build a workbook; openpyxl is imported inside them."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass

TITLE_FONT = "宋体"  # 方正小标宋 is not on every office PC; 宋体 is, and Excel would otherwise substitute Calibri
HEAD_FONT = "黑体"
BODY_FONT = "仿宋"
LIGHT_FILL = {"red": "FF4D4F", "yellow": "FFD666", "green": "73D13D", "blue": "69B1FF"}


@dataclass(frozen=True)
class Column:
    head: str
    width: float
    align: str = "left"  # left | center | right
    group: str = ""  # a merged heading over adjacent columns of the same group


def write_table(ws, title: str, subtitle: str, columns: Sequence[Column], rows: Sequence[Sequence]) -> int:
    """Fill ``ws``: title, subtitle, header, rows, print setup.  Returns the sheet row of the first data row."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    n = len(columns)
    last = get_column_letter(n)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = title
    ws["A1"].font = Font(name=TITLE_FONT, size=18, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 36
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = subtitle
    ws["A2"].font = Font(name=BODY_FONT, size=11)
    ws["A2"].alignment = Alignment(horizontal="right", vertical="center")

    grouped = any(c.group for c in columns)
    top, bottom = 3, 4 if grouped else 3
    head_font = Font(name=HEAD_FONT, size=11, bold=True)
    i = 0
    while i < n:
        col = columns[i]
        letter = get_column_letter(i + 1)
        if col.group:
            j = i
            while j + 1 < n and columns[j + 1].group == col.group:
                j += 1
            ws.merge_cells(f"{letter}{top}:{get_column_letter(j + 1)}{top}")
            ws[f"{letter}{top}"] = col.group
            for k in range(i, j + 1):
                ws.cell(bottom, k + 1, columns[k].head)
            i = j + 1
        else:
            if grouped:
                ws.merge_cells(f"{letter}{top}:{letter}{bottom}")
            ws[f"{letter}{top}"] = col.head
            i += 1
    for r in range(top, bottom + 1):
        ws.row_dimensions[r].height = 24
        for c in range(1, n + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border = head_font, center, border

    body_font = Font(name=BODY_FONT, size=11)
    aligns = {a: Alignment(horizontal=a, vertical="center", wrap_text=True) for a in ("left", "center", "right")}
    first = bottom + 1
    dates = {c for row in rows for c, v in enumerate(row) if hasattr(v, "year")}
    styled = []  # the first row's cells; later rows take their style as it is (setting styles cell by cell is slow)
    for r, row in enumerate(rows, start=first):
        for c, (value, col) in enumerate(zip(row, columns, strict=True)):
            cell = ws.cell(r, c + 1, value)
            if r == first:
                cell.font, cell.alignment, cell.border = body_font, aligns[col.align], border
                if c in dates:
                    cell.number_format = "yyyy-mm-dd"
                styled.append(cell)
            else:
                cell._style = copy(styled[c]._style)
        ws.row_dimensions[r].height = row_height(row, columns)
    for c, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = col.width

    ws.freeze_panes = f"A{first}"
    ws.print_title_rows = f"{top}:{bottom}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = BODY_FONT
    return first


def row_height(row: Sequence, columns: Sequence[Column], line: float = 14.5) -> float:
    """Points for a row whose wrapped cells all show: spreadsheets do not grow a row set by a program, so the
    lines each cell needs are counted (a column width holds that many Latin or half as many Chinese characters)."""
    from duban.outputs.table import width

    lines = 1
    for value, col in zip(row, columns, strict=True):
        if isinstance(value, str) and value:
            per_line = max(1, int(col.width) - 2)
            lines = max(lines, sum(max(1, -(-width(part) // per_line)) for part in value.split("\n")))
    return round(lines * line + 4, 1)


def fill(cell, colour: str) -> None:
    """A solid background (a light: red, yellow, green, blue)."""
    from openpyxl.styles import PatternFill

    rgb = LIGHT_FILL.get(colour)
    if rgb:
        cell.fill = PatternFill("solid", start_color=rgb, end_color=rgb)


def workbook_bytes(wb) -> bytes:
    import io

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(header: Sequence, rows) -> bytes:
    """A table as CSV the way Excel opens it directly: UTF-8 with a BOM, CRLF line ends."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
