"""Build the default Word templates in templates/ (run after changing a form here).

Each form is a .docx with docxtpl (Jinja) placeholders, laid out to
GB/T 9704-2012: A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
title 2号 (22 pt) 方正小标宋简体, body 3号 (16 pt) 仿宋_GB2312 as East Asian
fonts; exactly 28.95 pt line spacing (22 lines in the 225 mm text block);
page numbers 4号 “— 1 —”; tables with fixed column widths.  The clerk edits
the result in Word; this script only makes the first version.

Fields and their order follow the seed forms: 灞桥 附件2–5 (reply, reminder,
warning, referral), 西城 (notice, urge, return, forward), 卓尼 附件3 (feedback).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from duban.outputs.forms import deterministic  # noqa: E402

TITLE_FONT, BODY_FONT, HEADING_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"
LATIN = "Times New Roman"
LINE = Pt(28.95)  # 225 mm text block / 22 lines
WIDTH_MM = 210 - 28 - 26  # 156 mm: 28 characters of 3号
CHAR = Pt(16)  # one character of body text, for 右空四字 and 空两字
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def set_lang(rpr) -> None:
    """Latin text en-US, Chinese zh-CN (never ja-JP): Word and LibreOffice pick fonts and quotes by it."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def set_fonts(element_rpr_owner, east_asia: str, size: Pt, bold: bool = False) -> None:
    """Latin and East Asian font names, the size and the language, on a run or a style.  The hint makes
    characters both scripts share (“ ” — …) take the East Asian face."""
    font = element_rpr_owner.font
    font.name, font.size, font.bold = LATIN, size, bold
    rpr = element_rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")
    set_lang(rpr)


def new_document() -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(28 - 7)  # the page number 7 mm below the text block
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sec._sectPr.append(grid)
    # 22 lines of 28 characters: a line grid of 28.95 pt, and body text condensed by 0.2 pt a character
    # (156 mm / 28 = 15.8 pt; a character grid would do the same in Word, but LibreOffice then gives every
    # 3号 character two grid cells)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_lang(rpr_default)
    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT, Pt(16))
    condensed = OxmlElement("w:spacing")
    condensed.set(qn("w:val"), str(round((Mm(WIDTH_MM).pt / 28 - 16) * 20)))  # twentieths of a point
    normal.element.get_or_add_rPr().find(qn("w:sz")).addprevious(condensed)
    pf = normal.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False  # the grid, not widow rules, decides lines (GB/T 9704 pages are full)
    page_numbers(doc, sec)
    props = doc.core_properties
    props.author = props.last_modified_by = "duban"
    props.title, props.comments, props.language, props.revision = "", "", "zh-CN", 1
    props.created = props.modified = CREATED
    return doc


def page_numbers(doc, sec) -> None:
    """— 1 —, 4号 宋体 (digit and dashes alike); odd pages right, even pages left, one character in."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(14)
        else:
            p.paragraph_format.left_indent = Pt(14)
        head = p.add_run("— ")
        set_fonts(head, NUMBER_FONT, Pt(14))
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), "PAGE")
        digit = p.add_run("1")
        set_fonts(digit, NUMBER_FONT, Pt(14))
        fld.append(digit._r)  # moves the run into the field
        head._r.addnext(fld)
        tail = p.add_run(" —")
        set_fonts(tail, NUMBER_FONT, Pt(14))
        fld.addnext(tail._r)


def para(doc_or_cell, text: str = "", *, size=16, font=BODY_FONT, align=None, bold=False, indent=False):
    """A paragraph; a newline in ``text`` is a line break."""
    p = doc_or_cell.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = CHAR * 2  # 空两字
    for i, line in enumerate(text.split("\n") if text else []):
        run = p.add_run(line)
        set_fonts(run, font, Pt(size), bold)
        if i:
            run._r.insert(1, OxmlElement("w:br"))
    return p


def title(doc, text: str = "{{ heading }}") -> None:
    """2号 小标宋, centred; a long title comes already broken into full lines (forms.heading)."""
    p = para(doc, text, size=22, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(36)
    snap_off(p)


def snap_off(p) -> None:
    """Out of the document grid: a title, a picture or small print keeps its own line height."""
    ppr = p._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert(0, snap) if ppr.find(qn("w:pStyle")) is None else ppr.find(qn("w:pStyle")).addnext(snap)


def fixed_table(doc, widths_mm: list[float], rows: int):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # one w:tblLayout type="fixed"
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)
    return table


def cell_text(cell, text: str, *, size=16, bold=False, center=False, align=None) -> None:
    """The cell's first paragraph, then one paragraph per further "\n\n"-separated block; "\n" breaks a line.
    Text smaller than 3号 (a long 事由, the signing blocks) gets lines to match: 4号 on 20 pt."""
    first, *more = text.split("\n\n") if text else [""]
    p = cell.paragraphs[0]
    if size < 16:
        small_lines(p)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align is not None:
        p.alignment = align
    for i, line in enumerate(first.split("\n") if first else []):
        run = p.add_run(line)
        set_fonts(run, BODY_FONT, Pt(size), bold)
        if i:
            run._r.insert(1, OxmlElement("w:br"))
    for block in more:
        p = para(cell, block, size=size, bold=bold, align=WD_ALIGN_PARAGRAPH.CENTER if center else align)
        if size < 16:
            small_lines(p)


def small_lines(p) -> None:
    p.paragraph_format.line_spacing = Pt(20)
    snap_off(p)


def repeat_header(row) -> None:
    """The row repeats at the top of every page the table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def grid_table(doc, grid_mm: list[float], rows: list[list[tuple]], heights: dict | None = None):
    """A fixed table on a column grid.  Each row is a list of cells (text, columns spanned[, size]); labels
    (every cell at an even position) are bold and centred, and broken only where their text says (\n).
    No row splits across pages."""
    table = fixed_table(doc, grid_mm, len(rows))
    for r, spec in zip(table.rows, rows, strict=False):
        r._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        col = 0
        for i, (text, span, *size) in enumerate(spec):
            cell = r.cells[col]
            if span > 1:
                cell = cell.merge(r.cells[col + span - 1])
            if i % 2 == 0:
                cell_text(cell, text, bold=True, center=True)
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            else:
                cell_text(cell, text, size=size[0] if size else 16)
            col += span
    for index, mm in (heights or {}).items():
        table.rows[index].height = Mm(mm)
    return table


def number_line(doc, text: str) -> None:
    para(doc, text, align=WD_ALIGN_PARAGRAPH.CENTER)


def signature(doc, *lines: str) -> None:
    """The issuer and the date, 右空四字; kept on the page of what precedes them."""
    blank = para(doc)
    small_lines(blank)
    blank.paragraph_format.keep_with_next = True
    for i, line in enumerate(lines):
        p = para(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = CHAR * 4
        p.paragraph_format.keep_with_next = i < len(lines) - 1


# Slips share one grid: labels 40 mm (6 characters of 3号), values 116 mm; the contact rows split it so
# that 联系电话 gets 4 characters and a 23-character e-mail address one line.
SLIP_GRID = [40, 38, 16, 12, 50]
CONTACT = [
    [("联系人", 1), ("{{ office_contact_person }}", 1), ("联系电话", 2), ("{{ office_contact_phone }}", 1)],
    [("传真", 1), ("{{ office_contact_fax }}", 1), ("邮箱", 1), ("{{ office_contact_email }}", 2, 14)],
]


def row(label: str, value: str, size: int = 16) -> list[tuple]:
    return [(label, 1), (value, 4, size)]


def long_row(label: str, value: str) -> list[tuple]:
    """Free text that may run to 300 characters: 4号."""
    return row(label, value, 14)


def slip(
    rows: list[list[tuple]],
    note: str = "",
    number: str = "{{ number_year }}-（{{ serial }}）",
    heights: dict | None = None,
) -> Document:
    doc = new_document()
    title(doc)
    number_line(doc, number)
    grid_table(doc, SLIP_GRID, rows, heights)
    if note:
        small_lines(para(doc, note, size=14))
    signature(doc, "{{ office }}", "{{ date_cn }}")
    return doc


def notice() -> Document:
    return slip(
        [
            [("承办单位", 1), ("{{ lead_name }}", 1, 14), ("协办单位", 2), ("{{ co_names }}", 1, 14)],
            long_row("督查事项", "{{ title }}"),
            row("督办等级", "{{ tier }}"),
            row("交办依据", "{{ basis }}"),
            long_row("办理要求", "{{ requirement }}"),
            row("办理时限", "{{ deadline_text }}"),
            long_row("报送要求", "{{ reporting }}"),
            *CONTACT,
        ],
        note="请承办单位主要领导审阅，明确责任领导、责任科室和责任人，按时限报送落实情况。",
        number="{{ ref }}",
    )


def forward() -> Document:
    return slip(
        [
            [("转阅单位", 1), ("{{ lead_name }}", 1, 14), ("同时转阅", 2), ("{{ co_names }}", 1, 14)],
            long_row("批示事项", "{{ title }}"),
            long_row("领导批示", "{{ basis }}\n{{ requirement }}"),  # who and when, then the instruction's words
            *CONTACT,
        ],
        note="注：转阅（办）事项请承办单位阅研，一般不需要报送落实情况。",
        number="{{ ref }}",
        heights={2: 40},
    )


OPINION = "{{ %s }}\n\n（签字）\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def referral() -> Document:
    """灞桥 附件5, addressed to the discipline body; the 移交者 / 接收者 row on its own narrower grid."""
    doc = new_document()
    title(doc)
    number_line(doc, "{{ number_year }}-（{{ serial }}）")
    sign = "\n\n".join
    table = grid_table(
        doc,
        [22, 18, 38, 22, 56],
        [
            [("被移交单位", 2), ("{{ unit_name }}", 3)],
            [("移交事由", 2), ("{{ reason }}", 3, 14)],
            [("区政府分管\n领导意见", 2), ("{{ opinion_leader }}", 3)],
            [("区政府主要\n领导意见", 2), ("{{ opinion_head }}", 3)],
            [
                ("移交者", 1),
                (
                    sign(
                        [
                            "单位（盖章）：{{ office }}",
                            "送交人：",
                            "电话：{{ office_contact_phone }}",
                            "日期：\u3000年\u3000月\u3000日",
                        ]
                    ),
                    2,
                    14,
                ),
                ("接收者", 1),
                (sign(["单位（盖章）：", "接收人：", "电话：", "日期：\u3000年\u3000月\u3000日"]), 1, 14),
            ],
        ],
        heights={1: 40, 2: 18, 3: 18},
    )
    for r in (2, 3):  # room to sign, the date at the foot of the cell
        cell = table.rows[r].cells[2]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        small_lines(
            para(
                cell,
                "（签字）\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
                align=WD_ALIGN_PARAGRAPH.RIGHT,
                size=14,
            )
        )
    small_lines(para(doc, "备注：本移交单一式三份，移交单位、被移交单位和接收单位各执一份。", size=14))
    return doc


def feedback() -> Document:
    """卓尼 附件3."""
    doc = new_document()
    title(doc)
    number_line(doc, "{{ ref }}")
    table = fixed_table(doc, [40, 90, 26], 3)
    cells = table.rows[0].cells
    cell_text(cells[0], "被督查单位", bold=True, center=True)
    cell_text(cells[1].merge(cells[2]), "{{ unit_name }}")
    cells = table.rows[1].cells
    cell_text(cells[0], "存在的问题", bold=True, center=True)
    cell_text(cells[1], "{{ problems }}", size=14)
    cell_text(cells[2], "备注：\n{{ remark }}", size=14)
    table.rows[1].height = Mm(80)
    cells = table.rows[2].cells
    cell_text(cells[0], "督查组长", bold=True, center=True)
    cell_text(cells[1].merge(cells[2]), "{{ leader }}")
    para(doc, "注：不可量化事项督查检查以此表为主。", size=14)
    signature(doc, "{{ office }}", "{{ date_cn }}")
    return doc


def reply() -> Document:
    """灞桥 附件2: the report a unit sends back, pre-filled for the unit; the unit writes the rest and dates it."""
    doc = new_document()
    title(doc, "{{ unit_name }}")
    title(doc, "{{ subject }}")
    para(doc)
    para(doc, "{{ government_short }}：")
    para(doc, "{{ ref }}收悉，我单位高度重视，立即安排{{ responsible }}进行调查核实，现将情况报告如下：", indent=True)
    for heading, value in (
        ("一、基本情况", "{{ basic }}"),
        ("二、工作开展情况", "{{ progress }}"),
        ("三、存在问题", "{{ issues }}"),
        ("四、下一步措施", "{{ next_steps }}"),
        ("五、需其他说明事项", "{{ other }}"),
    ):
        para(doc, heading, font=HEADING_FONT, indent=True)
        para(doc, value, indent=True)
    para(doc, "特此报告。", indent=True)
    para(doc, "附件：工作开展中的照片", indent=True)
    signature(doc, "{{ unit_name }}", "{{ date_cn }}")
    return doc


def section(doc, text: str) -> None:
    """A first-level heading (黑体), never the last line of a page."""
    para(doc, text, font=HEADING_FONT, indent=True).paragraph_format.keep_with_next = True


def bulletin() -> Document:
    doc = new_document()
    title(doc, "督\u3000查\u3000通\u3000报")
    number_line(doc, "{{ period_label }}")
    para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc)
    section(doc, "一、总体情况")
    para(
        doc,
        "{{ period_label }}，{{ office_short }}共立项督查事项{{ registered }}项，办结{{ done }}项；"
        "截至{{ until_cn }}，在办{{ open }}项、逾期{{ overdue }}项，办结率{{ rate }}。",
        indent=True,
    )
    section(doc, "二、分类别办理情况")
    stats_table(doc, "类别", "categories")
    section(doc, "三、分单位办理情况")
    stats_table(doc, "单位", "units")
    section(doc, "四、逾期未办结事项")
    para(doc, "{%p for x in lagging %}", size=16)
    para(
        doc,
        "{{ loop.index }}．{{ x.title }}（{{ x.id }}，主办：{{ x.lead }}，期限{{ x.deadline }}，逾期{{ x.days }}天）",
        indent=True,
    )
    para(doc, "{%p endfor %}", size=16)
    para(doc, "{{ lagging_none }}", indent=True)
    section(doc, "五、考核得分")
    table = fixed_table(doc, [16, 64, 19, 19, 19, 19], 3)
    for cell, text in zip(table.rows[0].cells, ("排名", "单位", "基础分", "加分", "减分", "得分"), strict=False):
        cell_text(cell, text, size=14, bold=True, center=True)
    repeat_header(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr for s in scores %}", size=14)
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ s.rank }}", "{{ s.name }}", "{{ s.base }}", "{{ s.bonus }}", "{{ s.penalty }}", "{{ s.score }}"),
        strict=False,
    ):
        cell_text(cell, text, size=14, center=text != "{{ s.name }}")
    end = table.add_row()
    cell_text(end.cells[0], "{%tr endfor %}", size=14)
    chart = para(doc, "{{ chart }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    chart.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact spacing would crop the picture
    snap_off(chart)
    chart.paragraph_format.keep_with_next = True
    signature(doc, "{{ office }}", "{{ date_cn }}")
    return doc


def stats_table(doc, first: str, var: str) -> None:
    table = fixed_table(doc, [56, 20, 20, 20, 20, 20], 3)
    for cell, text in zip(table.rows[0].cells, (first, "立项", "办结", "在办", "逾期", "办结率"), strict=False):
        cell_text(cell, text, size=14, bold=True, center=True)
    repeat_header(table.rows[0])
    cell_text(table.rows[1].cells[0], "{%tr for r in " + var + " %}", size=14)
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ r.name }}", "{{ r.registered }}", "{{ r.done }}", "{{ r.open }}", "{{ r.overdue }}", "{{ r.rate }}"),
        strict=False,
    ):
        cell_text(cell, text, size=14, center=text != "{{ r.name }}")
    end = table.add_row()
    cell_text(end.cells[0], "{%tr endfor %}", size=14)


REASON_ROW = 38  # mm: room to write a 事由 by hand

FORMS = {
    "notice": notice,
    "reminder": lambda: slip(
        [
            row("被提醒单位", "{{ unit_name }}"),
            long_row("提醒事项", "{{ title }}"),
            long_row("提醒事由\n及要求", "{{ reason }}"),
            *CONTACT,
        ],
        heights={2: REASON_ROW},
    ),
    "warning": lambda: slip(
        [
            row("被警告单位", "{{ unit_name }}"),
            long_row("警告事项", "{{ title }}"),
            long_row("警告事由\n及要求", "{{ reason }}"),
            row("区政府办\n意见", OPINION % "opinion_office"),
            row("区政府分管\n领导意见", OPINION % "opinion_leader"),
            *CONTACT,
        ],
        heights={2: REASON_ROW, 3: 22, 4: 22},
    ),
    "referral": referral,
    "urge": lambda: slip(
        [
            row("被催办单位", "{{ unit_name }}"),
            long_row("催办事项", "{{ title }}"),
            row("原定办理时限", "{{ deadline_text }}"),
            long_row("催办事由\n及要求", "{{ reason }}"),
            *CONTACT,
        ],
        heights={3: REASON_ROW},
    ),
    "return": lambda: slip(
        [
            row("被退办单位", "{{ unit_name }}"),
            long_row("退办事项", "{{ title }}"),
            long_row("退办理由", "{{ reason }}"),
            row("重新办理时限", "{{ deadline_text }}"),
            *CONTACT,
        ],
        number="{{ ref }}（第{{ serial }}次退办）",
        heights={2: REASON_ROW},
    ),
    "forward": forward,
    "feedback": feedback,
    "reply": reply,
    "bulletin": bulletin,
}


def build(target: Path) -> None:
    target.mkdir(exist_ok=True)
    for name, make in FORMS.items():
        import io

        buf = io.BytesIO()
        make().save(buf)
        (target / f"{name}.docx").write_bytes(deterministic(buf.getvalue()))


if __name__ == "__main__":
    build(REPO / "templates")
    print(f"{len(FORMS)} templates written to templates/")
