"""The 台账 in and out of Excel: ``list --xlsx`` read back with openpyxl (layout, fonts, merges, fills, print
setup), ``score --xlsx`` in the same style, and ``duban import`` of real-looking sheets built here."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import yaml
from conftest import Ledger, make_ledger
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill

from duban.commands.setup import init_ledger

TODAY = "2026-11-20"


@pytest.fixture
def sample(tmp_path) -> Ledger:
    return Ledger(init_ledger(tmp_path / "sample", sample=True, pack=None))


def test_list_xlsx_is_a_printable_government_ledger(sample, tmp_path):
    path = tmp_path / "台账.xlsx"
    res = sample("list", "--xlsx", str(path), today=TODAY)
    assert res.code == 0 and f"已导出: {path}" in res.out
    rows = sample("list", "--json", today=TODAY).json()
    ws = load_workbook(path).active
    # title and note, merged over the whole width
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:Q1", "A2:Q2"} <= merged
    assert ws["A1"].value == "西安市灞桥区人民政府督查事项台账（截至2026年11月20日）"
    assert ws["A1"].font.name == "宋体" and ws["A1"].font.b and ws["A1"].font.sz == 18
    # a two-level header: groups merged across, single columns merged down
    assert {"H3:J3", "K3:L3", "M3:O3", "A3:A4", "C3:C4", "Q3:Q4"} <= merged
    head = [ws.cell(3, c).value or ws.cell(4, c).value for c in range(1, 18)]
    assert head[:7] == ["序号", "编号", "文件标题及文号", "任务来源", "类别", "等级", "工作任务"]
    assert [ws.cell(4, c).value for c in range(8, 16)] == [
        "责任领导", "牵头单位", "配合单位", "交办时间", "完成时限", "进展情况", "办理结果", "督办情况",
    ]  # fmt: skip
    assert ws["H3"].value == "责任分工" and ws["M3"].value == "办理情况"
    assert ws["A3"].font.name == "黑体" and ws["A3"].font.b
    # one row per item, in the list's order, with borders, wrapping and 仿宋
    assert [ws.cell(r, 2).value for r in range(5, 5 + len(rows))] == [v["id"] for v in rows]
    assert ws.max_row == 4 + len(rows)
    body = ws["C5"]
    assert body.font.name == "仿宋" and body.alignment.wrap_text and body.border.left.style == "thin"
    assert isinstance(ws["K5"].value, datetime) and ws["K5"].number_format == "yyyy-mm-dd"
    # the light, as a coloured cell
    first = rows[0]
    assert first["overdue"] and ws["P5"].value == "红灯" and ws["P5"].fill.fgColor.rgb.endswith("FF4D4F")
    green = next(i for i, v in enumerate(rows) if v["light"] == "green")
    assert ws.cell(5 + green, 16).value == "绿灯" and ws.cell(5 + green, 16).fill.fgColor.rgb.endswith("73D13D")
    assert "追责问效移交单" in ws["O5"].value  # the slips issued, with numbers
    # print setup: A4 landscape, fitted to one page wide, header rows on every page, page numbers
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$4"
    assert ws.freeze_panes == "A5"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_list_csv_has_the_same_columns(sample, tmp_path):
    path = tmp_path / "台账.csv"
    assert sample("list", "--all", "--csv", str(path), today=TODAY).code == 0
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].startswith("序号,编号,文件标题及文号,任务来源")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) - 1 == len(sample("list", "--all", "--json", today=TODAY).json())


def test_score_xlsx_has_the_same_government_style(sample, tmp_path):
    path = tmp_path / "得分.xlsx"
    assert sample("score", "2026", "--xlsx", str(path), today=TODAY).code == 0
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws["A1"].font.name == "宋体" and ws["A1"].font.sz == 18
        assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows
    ws = wb["得分"]
    assert "D3:F3" in {str(r) for r in ws.merged_cells.ranges} and ws["D3"].value == "得分构成"
    assert ws["C5"].font.name == "仿宋" and ws["C5"].border.bottom.style == "thin"


# ------------------------------------------------------------------------ import


def messy_sheet(path, lead_row3="区发展和改革委员会", when3="2026.3.5"):
    """A county 台账 as offices keep it: title and 制表 rows, a two-level merged header, a section row,
    blank rows, one 牵头单位 merged over two items, dates as cells, serials and text, tiers as colours."""
    wb = Workbook()
    ws = wb.active
    ws.title = "重点工作台账"
    ws.append(["2026年区政府重点工作督查台账"])
    ws.merge_cells("A1:K1")
    ws.append(["填报单位：区政府督查室"])
    ws.append(["序号", "事项名称", "任务来源", "工作任务", "责任分工", None, None, "时间节点", None, "等级", "备注"])
    ws.append([None, None, None, None, "分管领导", "主办单位", "协办单位", "交办日期", "完成时限", None, None])
    for col in "ABCDJK":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("E3:G3")
    ws.merge_cells("H3:I3")
    ws.append(["一、重点项目"])
    ws.merge_cells("A5:K5")
    ws.append([1, "西安国际港务区配套道路建设", "区长办公会", "年底前完工", "王副区长", lead_row3, "区住房和城乡建设局、区教育局",
               datetime(2026, 3, 2), "2026年6月底", "红", ""])  # fmt: skip
    ws.append([2, "配套道路绿化", "区长办公会", "同步绿化", "王副区长", None, "", 46084, "2026/7/1", None, ""])
    ws.merge_cells("F6:F7")  # one 牵头单位 for both rows
    ws["J7"].fill = PatternFill("solid", start_color="FFFF00", end_color="FFFF00")  # yellow, by colour only
    ws.append([None] * 11)  # a blank row
    ws.append(["二、民生实事"])
    ws.merge_cells("A9:K9")
    ws.append(
        [
            3,
            "中小学课后服务全覆盖",
            "政府工作报告",
            "秋季开学前全覆盖",
            "",
            "教育局",
            "",
            when3,
            "2026年8月31日",
            "蓝",
            "",
        ]
    )
    wb.save(path)


def items_of(led) -> dict:
    out = {}
    for p in sorted((led.root / "items").rglob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        out[data["id"]] = data
    return out


def test_import_takes_a_messy_real_world_sheet_in_one_commit(ledger, tmp_path):
    sheet = tmp_path / "重点工作台账.xlsx"
    messy_sheet(sheet)
    before = ledger.head()
    dry = ledger("import", str(sheet), "--category", "key_project", "--dry-run", today=TODAY)
    assert dry.code == 0, dry.err
    assert "将新建 3 项" in dry.out and "演练" in dry.out and "第 6 行 → 2026-0001" in dry.out
    assert ledger.head() == before and ledger.clean()

    res = ledger("import", str(sheet), "--category", "key_project", today=TODAY)
    assert res.code == 0, res.err
    assert ledger.head() != before
    assert ledger.commits()[0] == "督办 导入 重点工作台账.xlsx: 3 项（2026-0001 至 2026-0003）"
    assert sorted(ledger.files_in_head()) == sorted(
        ["counters.yaml", *(f"items/2026/2026-000{n}.yaml" for n in (1, 2, 3))]
    )
    items = items_of(ledger)
    road, green, school = items["2026-0001"], items["2026-0002"], items["2026-0003"]
    assert (road["title"], road["lead"], road["co"], road["tier"]) == (
        "西安国际港务区配套道路建设",
        "fgw",
        ["zjj", "jyj"],
        "red",
    )
    assert (road["issued"], road["deadline"]) == (date(2026, 3, 2), date(2026, 6, 30))  # a date cell; 月底
    assert (green["lead"], green["tier"]) == ("fgw", "yellow")  # the merged 牵头单位; the tier by colour
    assert (green["issued"], green["deadline"]) == (date(2026, 3, 3), date(2026, 7, 1))  # an Excel serial; 2026/7/1
    assert (school["lead"], school["tier"], school["issued"]) == ("jyj", "blue", date(2026, 3, 5))  # 2026.3.5
    assert road["basis"] == "区长办公会" and road["requirement"].strip() == "年底前完工"
    assert road["leader"] == "王副区长" and "leader" not in school  # 分管领导, where the sheet names one
    assert list(road)[:7] == ["id", "title", "category", "tier", "basis", "ref", "leader"]  # as duban issue writes
    assert road["ref"] == "灞政督〔2026〕1号" and school["ref"] == "灞政督〔2026〕3号"
    assert ledger("check", today=TODAY).code == 0
    # the same sheet again: nothing new, no commit
    head = ledger.head()
    again = ledger("import", str(sheet), "--category", "key_project", today=TODAY)
    assert again.code == 0 and "已新建 0 项，跳过 3 行" in again.out
    assert ledger.head() == head


def test_a_sheet_with_bad_rows_is_refused_whole_with_every_problem(ledger, tmp_path):
    sheet = tmp_path / "台账.xlsx"
    messy_sheet(sheet, lead_row3="区发改", when3="下周一")
    before = ledger.head()
    for args in ((), ("--dry-run",)):
        res = ledger("import", str(sheet), "--category", "key_project", *args, today=TODAY)
        assert res.code == 1
        assert "台账.xlsx:第 6 行: 主办单位: “区发改”不在 units.yaml（最接近: 区发展和改革委员会 fgw" in res.err
        assert "台账.xlsx:第 10 行: 交办日期: 无法识别的日期 “下周一”" in res.err
        assert "未导入任何事项" in res.err
        assert ledger.head() == before and ledger.clean() and not (ledger.root / "items" / "2026").exists()
    nocat = ledger("import", str(sheet), "--dry-run", today=TODAY)
    assert "第 6 行: 类别: 表中没有类别，请用 --category 指定" in nocat.err


def test_odd_headers_are_named_with_column(ledger, tmp_path):
    wb = Workbook()
    wb.active.append(["重点任务", "责任科室", "类别", "等级", "开始日期", "截止日期"])
    wb.active.append(["河道清淤", "区住房和城乡建设局", "重点项目推进", "黄", "2026-03-02", "2026-05-31"])
    wb.save(tmp_path / "odd.xlsx")
    path = str(tmp_path / "odd.xlsx")
    assert "--column 表头=字段" in ledger("import", path, "--dry-run", today=TODAY).err
    res = ledger(
        "import", path, "--column", "重点任务=事项名称", "--column", "责任科室=牵头单位",
        "--column", "开始日期=交办时间", "--column", "截止日期=完成时限", today=TODAY,
    )  # fmt: skip
    assert res.code == 0, res.err
    item = items_of(ledger)["2026-0001"]
    assert (item["title"], item["lead"], item["category"], item["tier"]) == ("河道清淤", "zjj", "key_project", "yellow")
    assert item["deadline"] == date(2026, 5, 31)
    assert "字段为: 编号、文件标题及文号" in ledger("import", path, "--column", "x=y", today=TODAY).err


def test_a_sheet_without_a_header_is_refused(ledger, tmp_path):
    wb = Workbook()
    wb.active.append(["随便", "什么"])
    wb.save(tmp_path / "x.xlsx")
    res = ledger("import", str(tmp_path / "x.xlsx"), today=TODAY)
    assert res.code == 1 and "找不到表头" in res.err
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    assert "只能导入 .xlsx 或 .csv" in ledger("import", str(tmp_path / "x.txt"), today=TODAY).err


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_list_xlsx_then_import_gives_the_same_items(ledger, tmp_path, fmt):
    ledger.issue(
        title="甲事项", tier="red", co=("zjj",), basis="区长批示", requirement="尽快\n办好", issued="2026-03-02"
    )
    ledger.issue(title="乙事项", category="other", tier="blue", lead="jyj", issued="2026-03-03", deadline="2026-04-30")
    ledger.issue(
        title="丙事项", tier="yellow", lead="zjj", co=("fgw", "jyj"), issued="2026-03-04", ref="灞政督〔2026〕99号"
    )
    path = tmp_path / f"台账.{fmt}"
    assert ledger("list", "--all", f"--{fmt}", str(path), today="2026-03-09").code == 0
    fresh = make_ledger(tmp_path / "fresh")
    res = fresh("import", str(path), today="2026-03-09")
    assert res.code == 0, res.err
    keys = ("id", "title", "category", "tier", "lead", "co", "issued", "deadline", "basis", "ref", "requirement")
    strip = lambda d: {k: (d.get(k) or "").strip() if k == "requirement" else d.get(k) for k in keys}  # noqa: E731
    assert {i: strip(d) for i, d in items_of(fresh).items()} == {i: strip(d) for i, d in items_of(ledger).items()}


def test_a_row_given_to_a_unit_retired_by_its_day_is_refused(ledger, tmp_path):
    sheet = tmp_path / "台账.xlsx"
    messy_sheet(sheet)
    assert ledger("unit", "retire", "jyj", "--reason", "机构改革", today="2026-03-04").code == 0
    before = ledger.head()
    res = ledger("import", str(sheet), "--category", "key_project", today=TODAY)
    assert res.code == 1
    # row 10 was given to 教育局 on 5 March, after it was retired; row 6 (co, 2 March) was given before
    assert "台账.xlsx:第 10 行: 主办单位: 区教育局（jyj）已于 2026-03-04 撤销，不能再交办事项" in res.err
    assert "第 6 行" not in res.err
    assert ledger.head() == before and ledger.clean()
