"""Issue #6: the official forms as Word documents, read back with python-docx.

Fields and their order come from the seed forms: 灞桥 附件2–5, 西城 催办单 / 退办单 / 转阅单, 卓尼 附件3.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import git
from docx import Document
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt  # noqa: F401

FORMS = ("notice", "reminder", "warning", "referral", "urge", "return", "forward", "feedback", "reply", "bulletin")


def rows(doc) -> list[list[str]]:
    """Table rows with merged cells counted once."""
    out = []
    for table in doc.tables:
        for row in table.rows:
            seen, cells = set(), []
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    cells.append(cell.text.strip())
            out.append(cells)
    return out


def text(doc) -> str:
    return "\n".join([p.text for p in doc.paragraphs] + ["|".join(r) for r in rows(doc)])


def render(ledger, *args, today="2026-03-20"):
    res = ledger("render", *args, today=today)
    assert res.code == 0, res.err
    path = Path(res.out.strip().splitlines()[0])
    assert path.is_file()
    return path


@pytest.fixture
def escalated(ledger):
    """One item through the whole ladder, a manual 催办单 and a 退办; a 转阅 item beside it."""
    item = ledger.issue(
        title="关于加快XX路改造工程的批示",
        category="other",
        tier="yellow",
        co=["zjj"],
        issued="2026-03-02",
        deadline="2026-03-05",
        basis="区长批示 2026-02-27",
        requirement="请于3月5日前完成路面修复。",
    )
    for day in ("2026-03-06", "2026-03-10", "2026-03-13"):  # 提醒单 ×2 (多次催办), then the 警告单 on 03-13
        assert ledger("sweep", today=day).code == 0
    assert ledger("escalate", item, "--step", "urge", "--reason", "进展缓慢，请加快", today="2026-03-16").code == 0
    assert ledger("sweep", today="2026-03-17").code == 0  # the proposed referral
    ledger("report", item, "--unit", "fgw", "--text", "已完成路面修复。", "--final", today="2026-03-17")
    assert ledger("review", item, "return", "--reason", "佐证材料不全", today="2026-03-18").code == 0
    fwd = ledger.issue(
        title="区长批示转阅：市卫健委冬季流感防控通知", lead="jyj", deadline=None, forward=True, issued="2026-03-02"
    )
    return ledger, item, fwd


def test_every_form_renders_with_its_fields_in_the_right_cells(escalated):
    ledger, item, fwd = escalated
    docs = {}
    for form in FORMS:
        target = {"forward": fwd, "bulletin": "Q1"}.get(form, item)
        docs[form] = Document(render(ledger, form, target, today="2026-03-31" if form == "bulletin" else "2026-03-20"))
    r = {form: rows(doc) for form, doc in docs.items()}
    # 灞桥 附件3: 被提醒单位 / 提醒事项 / 提醒事由及要求 / the office's 联系人 联系电话 / 传真 邮箱, headed "2026-(N)"
    assert r["reminder"][:2] == [["被提醒单位", "区发展和改革委员会"], ["提醒事项", "关于加快XX路改造工程的批示"]]
    assert r["reminder"][2][0] == "提醒事由\n及要求" and "2026年3月5日" in r["reminder"][2][1]
    assert "2026年3月12日前" in r["reminder"][2][1]  # the latest 提醒单 (the second, 03-10): its answer window
    assert r["reminder"][3:] == [["联系人", "王敏", "联系电话", "029-0"], ["传真", "029-9", "邮箱", "dcb@x.cn"]]
    assert "西安市灞桥区人民政府工作提醒单" in docs["reminder"].paragraphs[0].text
    assert docs["reminder"].paragraphs[1].text == "2026-（2）"  # the latest of the two 提醒单
    # 附件4: the warning cites the reminders it follows, and leaves room to sign
    assert [row[0] for row in r["warning"]] == [
        "被警告单位",
        "警告事项",
        "警告事由\n及要求",
        "区政府办\n意见",
        "区政府分管\n领导意见",
        "联系人",
        "传真",
    ]
    assert "2026年3月6日下发工作提醒单（2026-1），要求2026年3月9日前说明情况" in r["warning"][2][1]
    assert "（签字）" in r["warning"][3][1]
    assert docs["warning"].paragraphs[1].text == "2026-（1）"
    # 附件5: the referral speaks to the discipline body: the item, its 文号 and the unanswered slips
    assert r["referral"][0] == ["被移交单位", "区发展和改革委员会"]
    assert [row[0] for row in r["referral"]] == [
        "被移交单位",
        "移交事由",
        "区政府分管\n领导意见",
        "区政府主要\n领导意见",
        "移交者",
    ]
    reason = r["referral"][1][1]
    assert reason.startswith("区发展和改革委员会承办的“关于加快XX路改造工程的批示”（灞政督〔2026〕1号）")
    assert "工作提醒单（2026-1）" in reason and "督查工作警告单（2026-1）" in reason and "建议" in reason
    assert "请立即说明情况" not in reason
    assert "西安市灞桥区人民政府办公室" in r["referral"][4][1]
    assert docs["referral"].paragraphs[0].text == "西安市灞桥区人民政府\n建议启动追责问效移交单"
    # 西城: 催办单 (numbered like the sweep's slips), 退办单, 转阅单; the notice with its 发文字号
    assert r["urge"][3][0] == "催办事由\n及要求" and r["urge"][3][1].startswith("进展缓慢，请加快。")
    assert docs["urge"].paragraphs[1].text == "2026-（1）"
    assert r["return"][0][0] == "被退办单位"
    assert r["return"][2] == ["退办理由", "佐证材料不全"] and r["return"][3][0] == "重新办理时限"
    assert docs["return"].paragraphs[1].text == "灞政督〔2026〕1号（第1次退办）"
    assert docs["notice"].paragraphs[1].text == "灞政督〔2026〕1号"
    assert r["notice"][0] == ["承办单位", "区发展和改革委员会", "协办单位", "区住房和城乡建设局"]
    assert ["办理时限", "2026年3月5日前"] in r["notice"] and ["交办依据", "区长批示 2026-02-27"] in r["notice"]
    assert ["督办等级", "黄色（比较重要、比较紧急）"] in r["notice"]
    assert r["notice"][-2:] == [["联系人", "王敏", "联系电话", "029-0"], ["传真", "029-9", "邮箱", "dcb@x.cn"]]
    assert r["forward"][0][:2] == ["转阅单位", "区教育局"] and "不需要报送" in text(docs["forward"])
    # 卓尼 附件3: 被督查单位 / 存在的问题 / 备注 / 督查组长; the slips count as problems; the 文号, not the id
    assert r["feedback"][0] == ["被督查单位", "区发展和改革委员会"]
    problems = r["feedback"][1][1]
    assert "佐证材料不全" in problems and "2026年3月5日已过" in problems and "工作提醒单（2026-1）" in problems
    assert docs["feedback"].paragraphs[1].text == "灞政督〔2026〕1号"
    # 灞桥 附件2: the unit's report, pre-filled; the unit fills in the basic facts and the date
    reply = text(docs["reply"])
    assert docs["reply"].paragraphs[0].text == "灞桥区发展和改革委员会"
    assert (
        "关于加快XX路改造工程的批示落实情况的报告" in reply.replace("\n", "")
        and "整改" not in reply
        and "灞政督〔2026〕1号收悉" in reply
    )
    assert "区政府：" in reply and "已完成路面修复。" in reply and "区长批示 2026-02-27" not in reply
    assert docs["reply"].paragraphs[-1].text == "年　　月　　日"
    # the bulletin: summary, tables (with 在办), the score table and the chart; dated the day it is issued
    bulletin = text(docs["bulletin"])
    assert "2026年第一季度" in bulletin and "办结率" in bulletin and "共立项督查事项1项" in bulletin
    assert (
        "1．关于加快XX路改造工程的批示（2026-0001，主办：区发展和改革委员会，期限2026年3月25日，逾期6天）" in bulletin
    )
    assert ["1", "区教育局", "80", "0", "0", "80"] in r["bulletin"]
    assert r["bulletin"][0] == ["类别", "立项", "办结", "在办", "逾期", "办结率"]
    assert docs["bulletin"].paragraphs[-1].text == "2026年3月31日"
    assert len(docs["bulletin"].inline_shapes) == 1


def test_layout_follows_gb_t_9704(escalated):
    ledger, item, _ = escalated
    for form in ("notice", "warning", "referral", "reply"):
        doc = Document(render(ledger, form, item))
        sec = doc.sections[0]
        mm = lambda length: round(length.mm, 1)  # noqa: E731 — Word stores twips
        assert (mm(sec.page_width), mm(sec.page_height)) == (210, 297)
        assert [mm(m) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [
            37,
            35,
            28,
            26,
        ]
        normal = doc.styles["Normal"]
        assert normal.font.size == Pt(16)
        assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
        pf = normal.paragraph_format
        assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert 22 * pf.line_spacing.pt <= (297 - 37 - 35) / 25.4 * 72 < 23 * pf.line_spacing.pt  # 22 lines a page
        title_run = doc.paragraphs[0].runs[0]
        assert title_run.font.size == Pt(22)
        assert title_run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
        assert title_run._r.rPr.rFonts.get(qn("w:ascii")) == "Times New Roman"  # the Latin fallback
        footer = sec.footer.paragraphs[0]
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert 'w:instr="PAGE"' in footer._p.xml and footer.runs[0].font.size == Pt(14)
        for table in doc.tables:
            assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
            widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
            assert abs(sum(widths) - Mm(156).twips) < 20  # the full text width, 210 − 28 − 26 mm


def test_rendering_is_deterministic_and_uses_the_recorded_number(escalated):
    ledger, item, _ = escalated
    first = render(ledger, "warning", item)
    one = first.read_bytes()
    again = render(ledger, "warning", item, today="2026-09-01")  # another day: the slip's own date and number
    assert again == first and again.read_bytes() == one
    assert text(Document(again)).count("2026年3月13日") >= 1
    # a second warning gets the next number; --number picks either
    ledger("escalate", item, "--step", "warning", "--reason", "仍未整改", today="2026-03-19")
    latest = Document(render(ledger, "warning", item, today="2026-03-19"))
    assert latest.paragraphs[1].text == "2026-（2）"
    older = Document(render(ledger, "warning", item, "--number", "2026-1", "-o", str(ledger.root / "x.docx")))
    assert older.paragraphs[1].text == "2026-（1）"
    res = ledger("render", "warning", item, "--number", "2026-9", today="2026-03-19")
    assert res.code == 1 and "2026-9" in res.err


def test_titles_with_markup_characters_survive(ledger):
    item = ledger.issue(title="关于A&B<C>路段“双改”工程的批示", issued="2026-03-02", deadline="2026-03-13")
    doc = Document(render(ledger, "notice", item))
    assert ["督查事项", "关于A&B<C>路段“双改”工程的批示"] in rows(doc)


def test_an_edited_template_is_used(escalated):
    ledger, item, _ = escalated
    path = ledger.root / "templates" / "warning.docx"
    doc = Document(path)
    table = doc.tables[0]
    table.rows[1].cells[0].paragraphs[0].runs[0].text = "警告的事项"  # a label changed in Word
    opinion = table.rows[3].cells[1].paragraphs[0]  # the 区政府办意见 cell
    opinion.add_run("{{ reason }}")  # a field moved
    table.rows[2].cells[1].paragraphs[0].runs[0].text = "见区政府办意见"
    para = doc.add_paragraph()
    para.add_run("（本单加盖区政府督查办公章）")  # a seal line added
    doc.save(path)
    git(ledger.root, "commit", "-qam", "模板：改警告单")
    assert ledger("check", today="2026-03-20").code == 0
    got = Document(render(ledger, "warning", item))
    r = rows(got)
    assert r[1][0] == "警告的事项" and r[2][1] == "见区政府办意见"
    assert "2026年3月5日" in r[3][1] and "（本单加盖区政府督查办公章）" in text(got)


def test_check_lints_templates(ledger):
    path = ledger.root / "templates" / "reminder.docx"
    doc = Document(path)
    doc.add_paragraph("{{ unit_boss }}")
    doc.save(path)
    (ledger.root / "templates" / "urge.docx").write_bytes(b"not a word file")
    res = ledger("check", "--json", today="2026-03-20")
    assert res.code == 1
    problems = {p["path"]: p["message"] for p in res.json() if p["path"].startswith("templates/")}
    assert "unit_boss" in problems["templates/reminder.docx"]
    assert "不是有效的 Word 文档" in problems["templates/urge.docx"]


def test_issue_renders_the_notice_and_sweep_renders_its_slips(ledger):
    res = ledger(
        "issue",
        "--title",
        "关于加快XX路改造工程的批示",
        "--category",
        "other",
        "--tier",
        "yellow",
        "--lead",
        "fgw",
        "--issued",
        "2026-03-02",
        "--deadline",
        "2026-03-05",
        today="2026-03-02",
    )
    assert res.code == 0 and res.out.strip() == "2026-0001"
    notice = ledger.root / "out" / "2026" / "2026-0001-督查通知单.docx"
    assert notice.is_file() and "文书:" in res.err
    data = ledger("sweep", "--json", today="2026-03-10").json()
    assert [Path(p).name for p in data["forms"]] == [
        "2026-0001-工作提醒单-2026-1.docx",
        "2026-0001-工作提醒单-2026-2.docx",
    ]
    assert all(Path(p).is_file() for p in data["forms"])
    assert ledger.clean()  # out/ is not tracked


def test_pdf_conversion_or_a_clear_message(escalated, monkeypatch):
    ledger, item, _ = escalated
    res = ledger(
        "render", "warning", item, "--pdf", today="2026-03-20"
    )  # LibreOffice: see tools/install-system-deps.sh
    assert res.code == 0, res.err
    pdf = Path(res.out.strip().splitlines()[-1])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert "仿宋_GB2312 → FandolFang" in res.err and "方正小标宋简体 → Noto Serif CJK SC" in res.err
    only_git = ledger.root.parent / "bin-git-only"  # a machine with git but without LibreOffice
    only_git.mkdir()
    (only_git / "git").symlink_to(shutil.which("git"))
    monkeypatch.setenv("PATH", str(only_git))
    res = ledger("render", "warning", item, "--pdf", today="2026-03-20")
    assert res.code == 1 and "LibreOffice" in res.err and "apt-get install" in res.err
    assert (ledger.root / "out" / "2026" / f"{item}-督查工作警告单-2026-1.docx").is_file()


def test_templates_are_valid_docx_zip_with_fixed_timestamps(escalated):
    ledger, item, _ = escalated
    with zipfile.ZipFile(render(ledger, "reminder", item)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    res = ledger("render", "memo", item, today="2026-03-20")
    assert res.code == 2 and "reminder" in res.err
