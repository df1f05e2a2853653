"""Issue #16: the forms as a clerk sees them — rendered to PDF by LibreOffice with duban's font map, read
back with poppler (pdfinfo for pages, pdftotext -layout for lines).

Every form kind is rendered from the sample ledger and from a stress item (two co-units with long names, a
60-character title, a 300-character requirement, a full escalation ladder), all converted in one soffice run.
LibreOffice, poppler and the fonts are installed by tools/install-system-deps.sh (the README's test command
and .ci/run), so nothing here is skipped.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Ledger
from docx import Document
from docx.enum.text import WD_LINE_SPACING

from duban.commands.publish import font_map, to_pdfs
from duban.commands.setup import init_ledger
from duban.core.vocabulary import DEFAULTS
from duban.outputs.forms import FONT_NAMES, heading

TODAY = "2026-11-20"
SLIPS = ("notice", "reminder", "warning", "referral", "urge", "return", "forward", "feedback")
TITLE = (
    "关于加快推进灞河东岸城市更新暨纺织城综合改造片区基础设施配套、老旧小区提升和背街小巷整治工作的批示落实情况的督查"
)[:60]
REQUIREMENT = ("请区自然资源和规划分局牵头，会同区数据和行政审批服务局、区城市管理和综合执法局，" * 8)[:300]
# labels as printed: a line break only where the template puts one
LABELS = {
    "notice": [
        "承办单位",
        "协办单位",
        "督查事项",
        "督办等级",
        "交办依据",
        "办理要求",
        "办理时限",
        "报送要求",
        "联系人",
        "联系电话",
        "传真",
        "邮箱",
    ],
    "reminder": ["被提醒单位", "提醒事项", "提醒事由", "及要求", "联系电话"],
    "warning": ["被警告单位", "警告事项", "警告事由", "及要求", "区政府办", "区政府分管", "领导意见", "联系电话"],
    "referral": ["被移交单位", "移交事由", "区政府分管", "区政府主要", "领导意见", "移交者", "接收者"],
    "urge": ["被催办单位", "催办事项", "原定办理时限", "催办事由", "及要求", "联系电话"],
    "return": ["被退办单位", "退办事项", "退办理由", "重新办理时限", "联系电话"],
    "forward": ["转阅单位", "同时转阅", "批示事项", "领导批示", "联系电话"],
    "feedback": ["被督查单位", "存在的问题", "督查组长"],
}


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, laid out as printed."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def whole(word: str, text: str) -> bool:
    """``word`` printed whole somewhere: not run on into, or broken from, the characters around it."""
    return re.search(rf"(^|\s){re.escape(word)}(\s|$)", text, re.M) is not None


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """{(case, form): (docx, pdf)} for the sample and the stress item."""
    base = tmp_path_factory.mktemp("pages")
    ledger = Ledger(init_ledger(base / "ledger", sample=True, pack=None))
    stress = ledger.issue(
        title=TITLE,
        category="leader_instruction",
        tier="red",
        lead="zrzyj",
        co=["sjj", "cgj"],
        issued=TODAY,
        deadline="2026-11-24",
        basis="区委主要领导批示 2026-11-18",
        requirement=REQUIREMENT,
    )
    fwd = ledger.issue(
        title=TITLE,
        category="leader_instruction",
        lead="sjj",
        co=["cgj"],
        deadline=None,
        forward=True,
        issued=TODAY,
        basis="区长批示 2026-11-19",
        requirement=REQUIREMENT,
    )
    day = date(2026, 11, 25)
    while "kind: referral" not in ledger.path(stress).read_text(encoding="utf-8"):  # up the whole ladder
        assert ledger("sweep", today=day.isoformat()).code == 0
        day += timedelta(days=1)
        assert day < date(2026, 12, 31)
    on = day.isoformat()
    assert ledger("escalate", stress, "--step", "urge", "--reason", "进展缓慢，请加快推进。" * 6, today=on).code == 0
    assert ledger("report", stress, "--unit", "zrzyj", "--text", "已完成。" * 40, "--final", today=on).code == 0
    assert ledger("review", stress, "return", "--reason", "佐证材料不全，请补充。" * 8, today=on).code == 0
    assert ledger("escalate", "2026-0018", "--step", "urge", "--reason", "进展缓慢，请加快", today=TODAY).code == 0
    jobs = {
        ("sample", "notice"): "2026-0022",
        ("sample", "reminder"): "2026-0022",
        ("sample", "warning"): "2026-0022",
        ("sample", "referral"): "2026-0022",
        ("sample", "urge"): "2026-0018",
        ("sample", "return"): "2026-0018",
        ("sample", "forward"): "2026-0028",
        ("sample", "feedback"): "2026-0022",
        ("sample", "reply"): "2026-0018",
        ("sample", "bulletin"): "Q3",
        **{("stress", form): stress for form in SLIPS + ("reply",)},
        ("stress", "forward"): fwd,
    }
    docs = base / "docs"
    docs.mkdir()
    out = {}
    for (case, form), target in jobs.items():
        path = docs / f"{case}-{form}.docx"
        res = ledger("render", form, target, "-o", str(path), today=on if case == "stress" else TODAY)
        assert res.code == 0, res.err
        out[case, form] = path
    pdfs = to_pdfs(list(out.values()), base / "pdf")  # one LibreOffice run for all
    return {key: (path, pdf) for (key, path), pdf in zip(out.items(), pdfs, strict=True)}


def test_every_slip_is_one_page(printed):
    counts = {key: page_count(pdf) for key, (_, pdf) in printed.items()}
    assert {k: n for k, n in counts.items() if k[1] in SLIPS and k != ("stress", "notice") and n != 1} == {}
    assert counts["sample", "reply"] == 1 and counts["sample", "bulletin"] <= 3
    # a notice with a 300-character requirement cannot fit at 3号: two pages, the signature not alone
    assert counts["stress", "notice"] == 2 and counts["stress", "reply"] <= 2


def test_a_signature_never_stands_alone(printed):
    for key, (_, pdf) in printed.items():
        last = pdf_pages(pdf)[-1]
        body = [
            line
            for line in last.splitlines()
            if line.strip()
            and not re.fullmatch(
                r"\s*(—\s*\d+\s*—|西安市灞桥区人民政府办公室|\S+\s*年\s*\S*\s*月\s*\S*\s*日|区\S+)\s*", line
            )
        ]
        assert len(body) >= 2, (key, last)


def test_titles_are_full_lines(printed):
    for (case, form), (_, pdf) in printed.items():
        if form in ("bulletin", "reply"):
            continue
        first = pdf_pages(pdf)[0]
        prefix = "西安市灞桥区人民政府办公室" if form == "feedback" else "西安市灞桥区人民政府"
        lines = heading(prefix, DEFAULTS["form"][form]).split("\n")
        for line in lines:  # each title line printed whole, so no character wraps alone onto a line of its own
            assert whole(line, first), (case, form, line, first[:400])
    referral = pdf_pages(printed["sample", "referral"][1])[0]
    assert whole("西安市灞桥区人民政府", referral) and whole("建议启动追责问效移交单", referral)
    reply = pdf_pages(printed["stress", "reply"][1])[0]
    title_lines = [line.strip() for line in reply.splitlines()[:8] if line.strip()][1:]
    assert all(len(line) > 2 for line in title_lines[:3])


def test_no_label_or_address_breaks_inside_a_word(printed):
    for (case, form), (_, pdf) in printed.items():
        text = "\n".join(pdf_pages(pdf))
        for label in LABELS.get(form, []):
            assert whole(label, text), (case, form, label)
        if form in SLIPS and form not in ("referral", "feedback"):
            assert whole("duchaban@example.gov.cn", text), (case, form)
            assert whole("029-83520001", text), (case, form)


def test_the_bulletin_chart_is_whole(printed):
    docx, pdf = printed["sample", "bulletin"]
    doc = Document(docx)
    holder = next(p for p in doc.paragraphs if p._p.xpath(".//w:drawing"))
    assert holder.paragraph_format.line_spacing_rule != WD_LINE_SPACING.EXACTLY
    assert holder.paragraph_format.line_spacing_rule is not None  # not inherited from the exact Normal style
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert [line.split()[2] for line in listing.splitlines()[2:]].count("image") == 1  # the chart
    text = "\n".join(pdf_pages(pdf)).replace(" ", "")  # pdftotext spaces Latin from CJK
    assert "在办" in text and "2026年11月20日" in text  # dated the day it is issued, not the period's end
    assert "事项7项" in text


def test_the_font_map_names_a_real_face_for_every_official_name(printed):
    faces = dict(font_map())
    assert set(faces) == set(FONT_NAMES)
    assert faces["仿宋_GB2312"].startswith(("FandolFang", "FangSong", "仿宋"))
    assert "Serif CJK" in faces["方正小标宋简体"] or "小标宋" in faces["方正小标宋简体"]
    fonts = subprocess.run(
        ["pdffonts", str(printed["sample", "reminder"][1])], capture_output=True, text=True, check=True
    ).stdout
    assert "FandolFang" in fonts and "NotoSerifCJK" in fonts and "DejaVu" not in fonts


def test_a_days_slips_print_as_one_job_each_on_its_own_page(ledger):
    """duban render --day: every slip issued that day, in the order the sweep numbered them, one per page."""
    items = [
        ledger.issue(
            title=f"第{n}项逾期事项", category="other", tier="yellow", issued="2026-03-02", deadline="2026-03-05"
        )
        for n in range(1, 4)
    ]
    assert ledger("sweep", "--no-forms", today="2026-03-06").code == 0
    res = ledger("render", "--day", "2026-03-06", today="2026-03-06")
    assert res.code == 0, res.err
    path = Path(res.out.strip())
    assert path.name == "2026-03-06-督办文书.docx" and "共 3 份" in res.err
    numbers = [p.text for p in Document(str(path)).paragraphs if p.text.startswith("2026-（")]
    assert numbers == ["2026-（1）", "2026-（2）", "2026-（3）"]
    (pdf,) = to_pdfs([path], path.parent)
    pages = pdf_pages(pdf)
    assert len(pages) == 3
    for page, item in zip(pages, items, strict=True):  # pdftotext spaces out digits among CJK: compare without
        flat = re.sub(r"\s+", "", page)
        assert "工作提醒单" in flat and f"第{int(item[-4:])}项逾期事项" in flat and flat.endswith("—1—")
    none = ledger("render", "--day", "2026-03-09", today="2026-03-09")
    assert none.code == 1 and "没有下发督办文书" in none.err
