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
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from duban.outputs.forms import deterministic  # noqa: E402

TITLE_FONT, BODY_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "宋体"
LATIN = "Times New Roman"
LINE = Pt(28.95)  # 225 mm text block / 22 lines
WIDTH_MM = 210 - 28 - 26  # 156 mm


def set_fonts(element_rpr_owner, east_asia: str, size: Pt, bold: bool = False) -> None:
    """Latin and East Asian font names and the size, on a run or a style."""
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


def new_document() -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.header_distance, sec.footer_distance = Mm(15), Mm(28 - 7)  # the page number 7 mm below the text block
    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT, Pt(16))
    pf = normal.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    pf.space_before = pf.space_after = Pt(0)
    page_number(sec)
    doc.core_properties.author = "duban"
    doc.core_properties.title = ""
    return doc


def page_number(sec) -> None:
    """— 1 —, 4号 宋体, centred."""
    p = sec.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("— ")
    set_fonts(run, NUMBER_FONT, Pt(14))
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    fld.append(inner)
    run._r.addnext(fld)
    tail = p.add_run(" —")
    set_fonts(tail, NUMBER_FONT, Pt(14))
    fld.addnext(tail._r)


def para(doc_or_cell, text: str = "", *, size=16, font=BODY_FONT, align=None, bold=False, indent=False):
    p = doc_or_cell.add_paragraph()
    if align:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)  # 空两字
    if text:
        set_fonts(p.add_run(text), font, Pt(size), bold)
    return p


def title(doc, text: str) -> None:
    p = para(doc, text, size=22, font=TITLE_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(36)


def fixed_table(doc, widths_mm: list[float], rows: int):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)
    return table


def cell_text(cell, text: str, *, size=16, bold=False, center=False) -> None:
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        set_fonts(p.add_run(text), BODY_FONT, Pt(size), bold)


def label_table(doc, rows: list[tuple], widths=(36, 120)) -> None:
    """Rows of (label, value) or (label, value, label, value); values are placeholders."""
    four = (36, 42, 36, 42)
    width = max(len(r) for r in rows)
    grid = four if width == 4 else widths
    table = fixed_table(doc, list(four if width == 4 else grid), len(rows))
    for r, spec in zip(table.rows, rows):
        cells = r.cells
        if len(spec) == 2 and width == 4:
            merged = cells[1].merge(cells[3])
            cells = [cells[0], merged]
        for i, text in enumerate(spec):
            cell_text(cells[i], text, bold=i % 2 == 0, center=i % 2 == 0)
        if len(spec) >= 2 and spec[0] and spec[0].endswith(("事由及要求", "事由", "存在的问题", "办理要求", "退办理由")):
            r.height = Mm(45)


def number_line(doc, text: str) -> None:
    para(doc, text, align=WD_ALIGN_PARAGRAPH.CENTER)


def signature(doc, *lines: str) -> None:
    para(doc)
    for line in lines:
        para(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)


CONTACT = [("联系人", "{{ contact_person }}", "联系电话", "{{ contact_phone }}"),
           ("传真", "{{ contact_fax }}", "邮箱", "{{ contact_email }}")]


def slip(heading: str, rows: list[tuple], note: str = "",
         number: str = "{{ number_year }}-（{{ serial }}）") -> Document:
    doc = new_document()
    title(doc, "{{ government }}" + heading)
    number_line(doc, number)
    label_table(doc, rows)
    if note:
        para(doc, note, size=14)
    signature(doc, "{{ office }}", "{{ date_cn }}")
    return doc


def notice() -> Document:
    return slip("督查通知单", [
        ("承办单位", "{{ lead_name }}", "协办单位", "{{ co_names }}"),
        ("督查事项", "{{ title }}"),
        ("交办依据", "{{ basis }}"),
        ("办理要求", "{{ requirement }}"),
        ("办理时限", "{{ deadline_text }}"),
        ("报送要求", "{{ reporting }}"),
        ("联系人", "{{ office_contact_person }}", "联系电话", "{{ office_contact_phone }}"),
    ], note="请承办单位主要领导审阅，明确责任领导、责任科室和责任人，按时限报送落实情况。", number="{{ ref }}")


def forward() -> Document:
    return slip("领导批示转阅（办）单", [
        ("转阅单位", "{{ lead_name }}", "同时转阅", "{{ co_names }}"),
        ("批示事项", "{{ title }}"),
        ("领导批示", "{{ basis }}"),
        ("办理要求", "{{ requirement }}"),
        ("联系人", "{{ office_contact_person }}", "联系电话", "{{ office_contact_phone }}"),
    ], note="注：转阅（办）事项请承办单位阅研，一般不需要报送落实情况。", number="{{ ref }}")


def referral() -> Document:
    doc = new_document()
    title(doc, "{{ government }}建议启动追责问效移交单")
    number_line(doc, "{{ number_year }}-（{{ serial }}）")
    table = fixed_table(doc, [26, 52, 26, 52], 5)
    spec = [("被移交单位", "{{ unit_name }}"), ("移交事由", "{{ reason }}"),
            ("区政府分管领导意见", "{{ opinion_leader }}\n\n年    月    日"),
            ("区政府主要领导意见", "{{ opinion_head }}\n\n年    月    日")]
    for r, (label, value) in zip(table.rows, spec):
        cells = r.cells
        cell_text(cells[0], label, bold=True, center=True)
        merged = cells[1].merge(cells[3])
        first, *rest = value.split("\n")
        cell_text(merged, first)
        for line in rest:
            para(merged, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
    table.rows[1].height = Mm(40)
    last = table.rows[4].cells
    cell_text(last[0], "移交者", bold=True, center=True)
    cell_text(last[1], "单位（盖章）：{{ office }}", size=14)
    for line in ("送交人：", "电  话：{{ office_contact_phone }}", "日  期：    年  月  日"):
        para(last[1], line, size=14)
    cell_text(last[2], "接收者", bold=True, center=True)
    cell_text(last[3], "单位（盖章）：", size=14)
    for line in ("接收人：", "电  话：", "日  期：    年  月  日"):
        para(last[3], line, size=14)
    para(doc, "备注：本移交单一式三份，移交单位、被移交单位和接收单位各执一份。", size=14)
    return doc


def feedback() -> Document:
    doc = new_document()
    title(doc, "{{ office }}重点工作督查反馈单")
    number_line(doc, "{{ item_id }}")
    table = fixed_table(doc, [36, 84, 36], 3)
    cells = table.rows[0].cells
    cell_text(cells[0], "被督查单位", bold=True, center=True)
    cell_text(cells[1].merge(cells[2]), "{{ unit_name }}")
    cells = table.rows[1].cells
    cell_text(cells[0], "存在的问题", bold=True, center=True)
    cell_text(cells[1], "{{ problems }}")
    cell_text(cells[2], "备注：{{ remark }}", size=14)
    table.rows[1].height = Mm(90)
    cells = table.rows[2].cells
    cell_text(cells[0], "督查组长", bold=True, center=True)
    cell_text(cells[1].merge(cells[2]), "{{ leader }}")
    para(doc, "注：不可量化事项督查检查以此表为主。", size=14)
    signature(doc, "{{ date_cn }}")
    return doc


def reply() -> Document:
    """灞桥 附件2: the report a unit sends back, pre-filled for the unit."""
    doc = new_document()
    title(doc, "{{ unit_name }}")
    title(doc, "关于{{ title }}整改落实情况的报告")
    para(doc)
    para(doc, "{{ government_short }}：")
    para(doc, "{{ ref }}收悉，我单位高度重视，立即安排{{ responsible }}进行调查核实，现将情况报告如下：", indent=True)
    for heading, value in (("一、基本情况", "{{ basic }}"), ("二、工作开展情况", "{{ progress }}"),
                           ("三、存在问题", "{{ issues }}"), ("四、下一步措施", "{{ next_steps }}"),
                           ("五、需其他说明事项", "{{ other }}")):
        para(doc, heading, font="黑体", indent=True)
        para(doc, value, indent=True)
    para(doc, "特此报告。", indent=True)
    para(doc)
    para(doc, "附件：工作开展中的照片", indent=True)
    signature(doc, "{{ unit_name }}", "{{ date_cn }}")
    return doc


def bulletin() -> Document:
    doc = new_document()
    title(doc, "督 查 通 报")
    number_line(doc, "{{ period_label }}")
    para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc)
    para(doc, "一、总体情况", font="黑体", indent=True)
    para(doc, "{{ period_label }}，{{ office_short }}共立项督查事项 {{ registered }} 项，办结 {{ done }} 项，"
              "截至 {{ until_cn }} 在办 {{ open }} 项、逾期 {{ overdue }} 项，办结率 {{ rate }}。", indent=True)
    para(doc, "二、分类别办理情况", font="黑体", indent=True)
    stats_table(doc, "类别", "categories")
    para(doc, "三、分单位办理情况", font="黑体", indent=True)
    stats_table(doc, "单位", "units")
    para(doc, "四、逾期未办结事项", font="黑体", indent=True)
    para(doc, "{%p for x in lagging %}", size=16)
    para(doc, "{{ loop.index }}. {{ x.id }} {{ x.title }}（主办：{{ x.lead }}，期限 {{ x.deadline }}，逾期 {{ x.days }} 天）",
         indent=True)
    para(doc, "{%p endfor %}", size=16)
    para(doc, "{{ lagging_none }}", indent=True)
    para(doc, "五、考核得分", font="黑体", indent=True)
    table = fixed_table(doc, [16, 64, 19, 19, 19, 19], 3)
    for cell, text in zip(table.rows[0].cells, ("排名", "单位", "基础分", "加分", "减分", "得分")):
        cell_text(cell, text, size=14, bold=True, center=True)
    cell_text(table.rows[1].cells[0], "{%tr for s in scores %}", size=14)
    for cell, text in zip(table.rows[2].cells, ("{{ s.rank }}", "{{ s.name }}", "{{ s.base }}", "{{ s.bonus }}",
                                               "{{ s.penalty }}", "{{ s.score }}")):
        cell_text(cell, text, size=14, center=text != "{{ s.name }}")
    end = table.add_row()
    cell_text(end.cells[0], "{%tr endfor %}", size=14)
    para(doc, "{{ chart }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    signature(doc, "{{ office }}", "{{ date_cn }}")
    return doc


def stats_table(doc, first: str, var: str) -> None:
    table = fixed_table(doc, [60, 24, 24, 24, 24], 3)
    for cell, text in zip(table.rows[0].cells, (first, "立项", "办结", "逾期", "办结率")):
        cell_text(cell, text, size=14, bold=True, center=True)
    cell_text(table.rows[1].cells[0], "{%tr for r in " + var + " %}", size=14)
    for cell, text in zip(table.rows[2].cells, ("{{ r.name }}", "{{ r.registered }}", "{{ r.done }}",
                                               "{{ r.overdue }}", "{{ r.rate }}")):
        cell_text(cell, text, size=14, center=text != "{{ r.name }}")
    end = table.add_row()
    cell_text(end.cells[0], "{%tr endfor %}", size=14)


FORMS = {
    "notice": notice,
    "reminder": lambda: slip("工作提醒单", [
        ("被提醒单位", "{{ unit_name }}"), ("提醒事项", "{{ title }}"), ("提醒事由及要求", "{{ reason }}"), *CONTACT]),
    "warning": lambda: slip("督查工作警告单", [
        ("被警告单位", "{{ unit_name }}"), ("警告事项", "{{ title }}"), ("警告事由及要求", "{{ reason }}"),
        ("区政府办意见", "{{ opinion_office }}", "区政府分管领导意见", "{{ opinion_leader }}"), *CONTACT]),
    "referral": referral,
    "urge": lambda: slip("督查催办单", [
        ("被催办单位", "{{ unit_name }}"), ("催办事项", "{{ title }}"), ("原定办理时限", "{{ deadline_text }}"),
        ("催办事由及要求", "{{ reason }}"), *CONTACT]),
    "return": lambda: slip("督查退办单", [
        ("退办单位", "{{ unit_name }}"), ("退办事项", "{{ title }}"), ("退办理由", "{{ reason }}"),
        ("重新办理时限", "{{ deadline_text }}"), *CONTACT], number="{{ ref }}（第 {{ serial }} 次退办）"),
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
